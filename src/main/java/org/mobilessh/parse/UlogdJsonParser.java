package org.mobilessh.parse;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.mobilessh.rules.Family;

/**
 * ulogd2's JSON output: conntrack flows from NFCT ({@code ct.event} 1/2/4 = NEW/UPDATE/DESTROY,
 * {@code flow.start.sec/usec}, {@code flow.end.sec/usec}) and packets from NFLOG ({@code
 * oob.prefix}, {@code oob.time.sec/usec}). Original-direction addresses are {@code src_ip}/{@code
 * dest_ip}. ulogd2's own {@code timestamp} is its write time with 1 s resolution (with {@code
 * +hhmm}, omitted when the offset is zero), so the kernel's flow and packet times are preferred.
 */
final class UlogdJsonParser extends AbstractLineParser {
  private static final int IPTOS_TOS_MASK = 0x1E;
  private static final int IPTOS_PREC_MASK = 0xE0;
  private static final int IP_CE = 0x8000;
  private static final int IP_DF = 0x4000;
  private static final int IP_MF = 0x2000;
  private static final int IP_OFFSET = 0x1FFF;

  UlogdJsonParser(ParseContext context) {
    super(context, LogFormat.ULOGD_JSON);
  }

  @Override
  ParseResult parseLine(String line) {
    JsonNode n = Json.object(line);
    if (n.has("ct.event")) {
      return parsed(flow(n));
    }
    if (n.has("src_ip") && (n.has("oob.prefix") || n.has("raw.pktlen"))) {
      return parsed(packet(n));
    }
    return skipped(SkipReason.NOT_AN_EVENT);
  }

  private ConntrackEvent flow(JsonNode n) {
    Integer bit = Json.integer(n, "ct.event");
    ConntrackType type = ConntrackType.ofBit(bit);
    if (type == null) {
      throw new ParseException(Diagnostic.Reason.BAD_FIELD, "unknown ct.event " + bit);
    }
    Instant start = epoch(n, "flow.start.sec", "flow.start.usec");
    Instant end = epoch(n, "flow.end.sec", "flow.end.usec");
    EventTime time;
    if (type == ConntrackType.DESTROY && end != null) {
      time = flowTime(n, "flow.end", end);
    } else if (type == ConntrackType.NEW && start != null) {
      time = flowTime(n, "flow.start", start);
    } else {
      time = writeTime(n);
    }
    Integer proto = Json.integer(n, "orig.ip.protocol");
    if (proto == null) {
      throw new ParseException(Diagnostic.Reason.TRUNCATED, "flow without orig.ip.protocol");
    }
    InetAddress src = address(n, "src_ip", true);
    ConntrackTuple orig =
        new ConntrackTuple(
            src,
            address(n, "dest_ip", true),
            Json.integer(n, "orig.l4.sport"),
            Json.integer(n, "orig.l4.dport"),
            Json.integer(n, "icmp.type"),
            Json.integer(n, "icmp.code"),
            null,
            Json.number(n, "orig.raw.pktcount"),
            Json.number(n, "orig.raw.pktlen"),
            null);
    ConntrackTuple reply =
        new ConntrackTuple(
            address(n, "reply.ip.saddr.str", false),
            address(n, "reply.ip.daddr.str", false),
            Json.integer(n, "reply.l4.sport"),
            Json.integer(n, "reply.l4.dport"),
            null,
            null,
            null,
            Json.number(n, "reply.raw.pktcount"),
            Json.number(n, "reply.raw.pktlen"),
            null);
    return new ConntrackEvent(
        time,
        context.hostname(),
        type,
        family(n, Json.text(n, "src_ip")),
        Protocol.ofNumber(proto),
        proto,
        null,
        null,
        orig,
        reply,
        Set.of(),
        Json.number(n, "ct.id"),
        Json.number(n, "ct.mark"),
        null,
        start,
        end,
        null,
        null,
        Map.of());
  }

  private NetfilterEvent packet(JsonNode n) {
    Instant at = epoch(n, "oob.time.sec", "oob.time.usec");
    EventTime time =
        at == null
            ? writeTime(n)
            : EventTime.explicit(
                at,
                Json.text(n, "oob.time.sec") + "." + pad6(Json.number(n, "oob.time.usec")),
                TimePrecision.MICROSECOND,
                ClockSource.NFLOG);
    String prefix = Json.text(n, "oob.prefix");
    prefix = prefix == null ? "" : prefix.strip();
    IpPacket.Builder p = new IpPacket.Builder();
    p.family = family(n, Json.text(n, "src_ip"));
    p.source = address(n, "src_ip", true);
    p.destination = address(n, "dest_ip", true);
    Integer proto = Json.integer(n, "ip.protocol");
    if (proto != null) {
      p.protocol = Protocol.ofNumber(proto);
      p.protocolNumber = proto;
    }
    if (p.family == Family.IPV4) {
      p.length = Json.integer(n, "ip.totlen");
      Integer tos = Json.integer(n, "ip.tos");
      if (tos != null) {
        p.tos = tos & IPTOS_TOS_MASK;
        p.precedence = tos & IPTOS_PREC_MASK;
      }
      p.ttl = Json.integer(n, "ip.ttl");
      p.ipId = Json.integer(n, "ip.id");
      Integer frag = Json.integer(n, "ip.fragoff");
      if (frag != null) {
        p.congestion = (frag & IP_CE) != 0;
        p.dontFragment = (frag & IP_DF) != 0;
        p.moreFragments = (frag & IP_MF) != 0;
        if ((frag & IP_OFFSET) != 0) {
          p.fragmentOffset = frag & IP_OFFSET;
        }
      }
    } else {
      Integer payload = Json.integer(n, "ip6.payloadlen");
      p.length = payload == null ? null : payload + 40;
      p.trafficClass = Json.integer(n, "ip6.priority");
      p.ttl = Json.integer(n, "ip6.hoplimit");
      p.flowLabel = Json.integer(n, "ip6.flowlabel");
    }
    p.sourcePort = Json.integer(n, "src_port");
    p.destinationPort = Json.integer(n, "dest_port");
    if (p.protocol == Protocol.TCP) {
      p.tcpSequence = Json.number(n, "tcp.seq");
      p.tcpAcknowledgement = Json.number(n, "tcp.ackseq");
      p.tcpWindow = Json.integer(n, "tcp.window");
      p.tcpReserved = Json.integer(n, "tcp.reserved");
      p.urgentPointer = Json.integer(n, "tcp.urgp");
      flag(n, p, "tcp.res2", TcpFlag.CWR);
      flag(n, p, "tcp.res1", TcpFlag.ECE);
      flag(n, p, "tcp.urg", TcpFlag.URG);
      flag(n, p, "tcp.ack", TcpFlag.ACK);
      flag(n, p, "tcp.psh", TcpFlag.PSH);
      flag(n, p, "tcp.rst", TcpFlag.RST);
      flag(n, p, "tcp.syn", TcpFlag.SYN);
      flag(n, p, "tcp.fin", TcpFlag.FIN);
    } else if (p.protocol == Protocol.UDP || p.protocol == Protocol.UDPLITE) {
      p.udpLength = Json.integer(n, "udp.len");
    } else if (p.protocol == Protocol.ICMP) {
      p.icmpType = Json.integer(n, "icmp.type");
      p.icmpCode = Json.integer(n, "icmp.code");
      p.icmpId = Json.integer(n, "icmp.echoid");
      p.icmpSequence = Json.integer(n, "icmp.echoseq");
      p.mtu = Json.integer(n, "icmp.fragmtu");
    } else if (p.protocol == Protocol.ICMPV6) {
      p.icmpType = Json.integer(n, "icmpv6.type");
      p.icmpCode = Json.integer(n, "icmpv6.code");
      p.icmpId = Json.integer(n, "icmpv6.echoid");
      p.icmpSequence = Json.integer(n, "icmpv6.echoseq");
    }
    Long mark = Json.number(n, "oob.mark");
    String in = Json.text(n, "oob.in");
    String out = Json.text(n, "oob.out");
    return new NetfilterEvent(
        time,
        context.hostname(),
        null,
        null,
        context.prefixes().actionFor(prefix),
        prefix,
        in == null ? "" : in,
        out == null ? "" : out,
        null,
        null,
        Json.text(n, "mac.str"),
        p.build(),
        Json.number(n, "oob.uid"),
        Json.number(n, "oob.gid"),
        mark == null || mark == 0 ? null : mark,
        1,
        Map.of());
  }

  private static void flag(JsonNode n, IpPacket.Builder p, String key, TcpFlag flag) {
    JsonNode v = n.get(key);
    if (v != null && (v.asInt() != 0 || v.asBoolean())) {
      p.tcpFlagBits |= flag.bit();
    }
  }

  private static Family family(JsonNode n, String srcText) {
    Integer f = Json.integer(n, "oob.family");
    if (f != null && (f == 2 || f == 10)) {
      return f == 2 ? Family.IPV4 : Family.IPV6;
    }
    return srcText != null && srcText.indexOf(':') >= 0 ? Family.IPV6 : Family.IPV4;
  }

  private static InetAddress address(JsonNode n, String key, boolean required) {
    String t = Json.text(n, key);
    if (t == null) {
      if (required) {
        throw new ParseException(Diagnostic.Reason.TRUNCATED, "no " + key);
      }
      return null;
    }
    InetAddress a = Inet.parse(t);
    if (a == null) {
      throw new ParseException(Diagnostic.Reason.BAD_FIELD, "invalid " + key + " '" + t + "'");
    }
    return a;
  }

  private static Instant epoch(JsonNode n, String secKey, String usecKey) {
    Long sec = Json.number(n, secKey);
    if (sec == null) {
      return null;
    }
    Long usec = Json.number(n, usecKey);
    return Instant.ofEpochSecond(sec, usec == null ? 0 : usec * 1000L);
  }

  private static EventTime flowTime(JsonNode n, String key, Instant at) {
    String text = Json.text(n, key + ".sec") + "." + pad6(Json.number(n, key + ".usec"));
    return EventTime.explicit(at, text, TimePrecision.MICROSECOND, ClockSource.FLOW);
  }

  private static String pad6(Long usec) {
    String u = usec == null ? "0" : Long.toString(usec);
    return "000000".substring(Math.min(6, u.length())) + u;
  }

  private static EventTime writeTime(JsonNode n) {
    String text = Json.text(n, "timestamp");
    if (text == null) {
      throw new ParseException(Diagnostic.Reason.BAD_TIMESTAMP, "no timestamp");
    }
    Timestamps.Iso iso = Timestamps.parseIso(text, 0, text.length());
    return EventTime.explicit(
        iso.instant(),
        text,
        TimePrecision.ofFractionDigits(iso.fractionDigits()),
        ClockSource.ULOGD_WRITE);
  }
}
