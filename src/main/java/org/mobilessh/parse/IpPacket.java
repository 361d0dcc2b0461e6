package org.mobilessh.parse;

import java.net.InetAddress;
import java.util.EnumSet;
import java.util.Set;
import org.mobilessh.rules.Family;

/**
 * The IP packet a netfilter LOG line (or NFLOG record) describes, field for field. Fields the line
 * did not carry are {@code null}: the kernel prints only what applies (no ports for a fragment,
 * {@code SEQ}/{@code ACK} only with {@code --log-tcp-sequence}, ...).
 *
 * @param family IPv4 or IPv6, from the line's layout (not from the address form)
 * @param length {@code LEN}: total length in bytes (IPv6: payload plus the 40-byte header)
 * @param tos IPv4 {@code TOS} (low bits)
 * @param precedence IPv4 {@code PREC}
 * @param ttl IPv4 {@code TTL} or IPv6 {@code HOPLIMIT}
 * @param ipId IPv4 {@code ID}
 * @param trafficClass IPv6 {@code TC}
 * @param flowLabel IPv6 {@code FLOWLBL}
 * @param congestion IPv4 {@code CE}
 * @param dontFragment IPv4 {@code DF}
 * @param moreFragments IPv4 {@code MF}, or IPv6 fragment header {@code INCOMPLETE}
 * @param fragmentOffset IPv4 {@code FRAG:n} or IPv6 {@code FRAG:n}; {@code null} if none
 * @param fragmentId IPv6 fragment header {@code ID:xxxxxxxx}
 * @param ipOptions {@code OPT (...)} hex text with {@code --log-ip-options}
 * @param protocol transport protocol, {@link Protocol#OTHER} for {@code PROTO=n}
 * @param protocolNumber IANA number of {@code protocol}
 * @param sourcePort {@code SPT}
 * @param destinationPort {@code DPT}
 * @param tcpSequence {@code SEQ} (TCP, {@code --log-tcp-sequence})
 * @param tcpAcknowledgement {@code ACK=} value (TCP, {@code --log-tcp-sequence})
 * @param tcpWindow {@code WINDOW}
 * @param tcpReserved {@code RES}
 * @param tcpFlagBits the flags as {@link TcpFlag#bit()}s; see {@link #tcpFlags()}
 * @param urgentPointer {@code URGP}
 * @param tcpOptions {@code OPT (...)} hex text with {@code --log-tcp-options}
 * @param udpLength UDP {@code LEN} (the second {@code LEN=} on a UDP line)
 * @param icmpType ICMP/ICMPv6 {@code TYPE}
 * @param icmpCode ICMP/ICMPv6 {@code CODE}
 * @param icmpId echo {@code ID}
 * @param icmpSequence echo {@code SEQ}
 * @param icmpParameter ICMP {@code PARAMETER} or ICMPv6 {@code POINTER}
 * @param icmpGateway ICMP redirect {@code GATEWAY}
 * @param mtu {@code MTU} of "fragmentation needed" / "packet too big"
 * @param spi AH/ESP {@code SPI}
 * @param incompleteBytes {@code INCOMPLETE [n bytes]}: the header was cut, n bytes were there
 * @param truncated the line says {@code TRUNCATED} or names an unknown extension header
 * @param embedded the packet quoted inside an ICMP error ({@code [SRC=... ]})
 */
public record IpPacket(
    Family family,
    InetAddress source,
    InetAddress destination,
    Integer length,
    Integer tos,
    Integer precedence,
    Integer ttl,
    Integer ipId,
    Integer trafficClass,
    Integer flowLabel,
    boolean congestion,
    boolean dontFragment,
    boolean moreFragments,
    Integer fragmentOffset,
    Long fragmentId,
    String ipOptions,
    Protocol protocol,
    Integer protocolNumber,
    Integer sourcePort,
    Integer destinationPort,
    Long tcpSequence,
    Long tcpAcknowledgement,
    Integer tcpWindow,
    Integer tcpReserved,
    int tcpFlagBits,
    Integer urgentPointer,
    String tcpOptions,
    Integer udpLength,
    Integer icmpType,
    Integer icmpCode,
    Integer icmpId,
    Integer icmpSequence,
    Integer icmpParameter,
    InetAddress icmpGateway,
    Integer mtu,
    Long spi,
    Integer incompleteBytes,
    boolean truncated,
    IpPacket embedded) {

  /** The TCP flags that were set, in kernel print order. */
  public Set<TcpFlag> tcpFlags() {
    EnumSet<TcpFlag> set = EnumSet.noneOf(TcpFlag.class);
    for (TcpFlag f : TcpFlag.values()) {
      if ((tcpFlagBits & f.bit()) != 0) {
        set.add(f);
      }
    }
    return set;
  }

  public boolean hasFlag(TcpFlag flag) {
    return (tcpFlagBits & flag.bit()) != 0;
  }

  /** A TCP SYN without ACK: the first packet of a new connection. */
  public boolean isSyn() {
    return hasFlag(TcpFlag.SYN) && !hasFlag(TcpFlag.ACK);
  }

  /** Mutable collector used by the parsers; records stay immutable. */
  static final class Builder {
    Family family;
    InetAddress source;
    InetAddress destination;
    Integer length;
    Integer tos;
    Integer precedence;
    Integer ttl;
    Integer ipId;
    Integer trafficClass;
    Integer flowLabel;
    boolean congestion;
    boolean dontFragment;
    boolean moreFragments;
    Integer fragmentOffset;
    Long fragmentId;
    String ipOptions;
    Protocol protocol;
    Integer protocolNumber;
    Integer sourcePort;
    Integer destinationPort;
    Long tcpSequence;
    Long tcpAcknowledgement;
    Integer tcpWindow;
    Integer tcpReserved;
    int tcpFlagBits;
    Integer urgentPointer;
    String tcpOptions;
    Integer udpLength;
    Integer icmpType;
    Integer icmpCode;
    Integer icmpId;
    Integer icmpSequence;
    Integer icmpParameter;
    InetAddress icmpGateway;
    Integer mtu;
    Long spi;
    Integer incompleteBytes;
    boolean truncated;
    IpPacket embedded;

    /** Back to a fresh builder's state, so one builder can serve line after line. */
    void reset() {
      family = null;
      source = null;
      destination = null;
      length = null;
      tos = null;
      precedence = null;
      ttl = null;
      ipId = null;
      trafficClass = null;
      flowLabel = null;
      congestion = false;
      dontFragment = false;
      moreFragments = false;
      fragmentOffset = null;
      fragmentId = null;
      ipOptions = null;
      protocol = null;
      protocolNumber = null;
      sourcePort = null;
      destinationPort = null;
      tcpSequence = null;
      tcpAcknowledgement = null;
      tcpWindow = null;
      tcpReserved = null;
      tcpFlagBits = 0;
      urgentPointer = null;
      tcpOptions = null;
      udpLength = null;
      icmpType = null;
      icmpCode = null;
      icmpId = null;
      icmpSequence = null;
      icmpParameter = null;
      icmpGateway = null;
      mtu = null;
      spi = null;
      incompleteBytes = null;
      truncated = false;
      embedded = null;
    }

    IpPacket build() {
      return new IpPacket(
          family,
          source,
          destination,
          length,
          tos,
          precedence,
          ttl,
          ipId,
          trafficClass,
          flowLabel,
          congestion,
          dontFragment,
          moreFragments,
          fragmentOffset,
          fragmentId,
          ipOptions,
          protocol,
          protocolNumber,
          sourcePort,
          destinationPort,
          tcpSequence,
          tcpAcknowledgement,
          tcpWindow,
          tcpReserved,
          tcpFlagBits,
          urgentPointer,
          tcpOptions,
          udpLength,
          icmpType,
          icmpCode,
          icmpId,
          icmpSequence,
          icmpParameter,
          icmpGateway,
          mtu,
          spi,
          incompleteBytes,
          truncated,
          embedded);
    }
  }
}
