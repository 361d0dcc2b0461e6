package org.mobilessh.parse;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.mobilessh.rules.Family;

/**
 * One packet logged by netfilter's LOG target (or nftables {@code log}, or NFLOG via ulogd2).
 *
 * @param time when it was logged
 * @param hostname the router ({@code null} when the source does not name it, e.g. dmesg)
 * @param kernelMicros the kernel's own stamp ({@code [ 75.802738]}) in µs since boot, if present
 * @param bootId the boot the kernel stamp counts from (journald {@code _BOOT_ID}), if known
 * @param action mobilessh step from the prefix, else {@link Action#FIREWALL}
 * @param prefix the LOG prefix exactly as printed, without trailing spaces ("" if none)
 * @param inInterface {@code IN=} ("" when empty)
 * @param outInterface {@code OUT=} ("" when empty)
 * @param physIn bridge {@code PHYSIN=}, or {@code null}
 * @param physOut bridge {@code PHYSOUT=}, or {@code null}
 * @param mac {@code MAC=} as printed (destination:source:ethertype), or {@code null}
 * @param packet the IP packet; {@code null} for non-IP lines (ARP), whose fields are in {@code
 *     extra}
 * @param uid socket owner {@code UID} with {@code --log-uid}
 * @param gid socket owner {@code GID} with {@code --log-uid}
 * @param mark {@code MARK} (packet mark, printed when non-zero)
 * @param repeated how many identical lines this one stands for (rsyslog's "message repeated n
 *     times"), normally 1
 * @param extra {@code KEY=VALUE} fields this parser does not model, in line order
 */
public record NetfilterEvent(
    EventTime time,
    String hostname,
    Long kernelMicros,
    String bootId,
    Action action,
    String prefix,
    String inInterface,
    String outInterface,
    String physIn,
    String physOut,
    String mac,
    IpPacket packet,
    Long uid,
    Long gid,
    Long mark,
    int repeated,
    Map<String, String> extra)
    implements LogEvent {

  public NetfilterEvent {
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(prefix, "prefix");
    Objects.requireNonNull(inInterface, "inInterface");
    Objects.requireNonNull(outInterface, "outInterface");
    extra = extra.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(extra));
  }

  /** INPUT (empty {@code OUT=}), FORWARD (both filled) or OUTPUT (empty {@code IN=}). */
  public Direction direction() {
    return Direction.of(inInterface, outInterface);
  }

  /** The packet's family, or {@code null} for non-IP lines. */
  public Family family() {
    return packet == null ? null : packet.family();
  }

  /**
   * Source MAC from an Ethernet {@code MAC=} (bytes 6-11), or {@code null} if the header is not a
   * 14-byte Ethernet header.
   */
  public String macSource() {
    return isEthernetMac() ? mac.substring(18, 35) : null;
  }

  /** Destination MAC from an Ethernet {@code MAC=} (bytes 0-5), or {@code null}. */
  public String macDestination() {
    return isEthernetMac() ? mac.substring(0, 17) : null;
  }

  private boolean isEthernetMac() {
    return mac != null && mac.length() == 14 * 3 - 1;
  }
}
