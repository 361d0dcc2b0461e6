package org.mobilessh.rules;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One line of {@code /proc/net/xt_recent/LIST}, as the kernel prints it:
 *
 * <pre>
 * src=192.0.2.10 ttl: 64 last_seen: 4295002590 oldest_pkt: 2 4295002514, 4295002590
 * src=2001:0db8:0000:0000:0000:0000:0000:0010 ttl: 0 last_seen: 4295002514 oldest_pkt: 1 4295002514
 * </pre>
 *
 * IPv6 addresses are printed fully expanded ({@code %pI6}); {@link #address()} is the parsed
 * address, {@link #text()} its RFC 5952 spelling. {@code oldest_pkt} is, despite its name, the next
 * write position in the entry's ring of stamps, and the stamps follow in ring order, not time
 * order. The ring holds 32 stamps unless {@code ip_pkt_list_tot} or a rule's {@code --hitcount}
 * makes it larger, so {@link #hits()} saturates there. Entries added by hand have {@code ttl: 0}.
 *
 * @param address the source address
 * @param ttl the IP TTL of the packet that created the entry (0 when added by hand)
 * @param lastSeen jiffies of the most recent stamp
 * @param ringIndex the {@code oldest_pkt} field
 * @param stamps every recorded stamp, in the kernel's ring order
 */
public record RecentEntry(
    InetAddress address, int ttl, long lastSeen, int ringIndex, List<Long> stamps) {
  private static final Pattern LINE =
      Pattern.compile(
          "src=([0-9A-Fa-f:.]+) ttl: ([0-9]+) last_seen: ([0-9]+) oldest_pkt: ([0-9]+)"
              + "((?:,? [0-9]+)*)");

  public RecentEntry {
    stamps = List.copyOf(stamps);
  }

  public Family family() {
    return Family.of(address);
  }

  /** The address in canonical text (RFC 5952 for IPv6). */
  public String text() {
    return Addresses.format(address);
  }

  /** How many stamps the kernel kept for this address (saturates at the ring size). */
  public int hits() {
    return stamps.size();
  }

  /**
   * The line as the kernel prints it in {@code /proc/net/xt_recent/LIST} (without the newline):
   * IPv4 dotted, IPv6 fully expanded with leading zeros ({@code %pI6}), the stamps in ring order.
   * {@link #parse} reads it back to an equal entry.
   */
  public String kernelLine() {
    StringBuilder sb = new StringBuilder(48 + 13 * stamps.size());
    sb.append("src=");
    byte[] b = address.getAddress();
    if (b.length == 4) {
      sb.append(address.getHostAddress());
    } else {
      for (int i = 0; i < 16; i += 2) {
        sb.append(i > 0 ? ":" : "").append(String.format("%02x%02x", b[i] & 0xff, b[i + 1] & 0xff));
      }
    }
    sb.append(" ttl: ").append(ttl);
    sb.append(" last_seen: ").append(Long.toUnsignedString(lastSeen));
    sb.append(" oldest_pkt: ").append(ringIndex);
    for (int i = 0; i < stamps.size(); i++) {
      sb.append(i > 0 ? ", " : " ").append(Long.toUnsignedString(stamps.get(i)));
    }
    return sb.toString();
  }

  /**
   * Parses one line.
   *
   * @throws RulesException naming the line when it is not in the kernel's format
   */
  public static RecentEntry parse(String line) {
    Matcher m = LINE.matcher(line.strip());
    if (!m.matches()) {
      throw new RulesException("not an xt_recent entry: '" + line + "'");
    }
    InetAddress address;
    try {
      address = Cidr.parseAddress(m.group(1));
    } catch (InvalidConfigException e) {
      throw new RulesException("bad address in xt_recent entry '" + line + "'", e);
    }
    List<Long> stamps = new ArrayList<>();
    for (String stamp : m.group(5).split(",")) {
      if (!stamp.isBlank()) {
        stamps.add(Long.parseUnsignedLong(stamp.strip()));
      }
    }
    return new RecentEntry(
        address,
        Integer.parseInt(m.group(2)),
        Long.parseUnsignedLong(m.group(3)),
        Integer.parseInt(m.group(4)),
        stamps);
  }

  /**
   * Parses the whole file; blank lines are skipped.
   *
   * @throws RulesException naming the line number and text of the first malformed line
   */
  public static List<RecentEntry> parseAll(String text) {
    List<RecentEntry> entries = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].isBlank()) {
        continue;
      }
      try {
        entries.add(parse(lines[i]));
      } catch (RulesException | NumberFormatException e) {
        throw new RulesException("line " + (i + 1) + ": " + e.getMessage(), e);
      }
    }
    return List.copyOf(entries);
  }
}
