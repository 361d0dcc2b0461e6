package org.mobilessh.simulate;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.zone.ZoneRules;

/**
 * The exact line shapes of the real captures in {@code sample-logs/}: rsyslog's traditional file
 * format, the kernel's LOG target output (field order, IPv6 expanded, trailing space) and {@code
 * conntrack -E -o timestamp,extended,id}.
 */
final class LineFormat {
  private static final String[] MONTHS = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
  };

  private final ZoneRules zone;
  private long cachedSecond = Long.MIN_VALUE;
  private String cachedStamp;

  LineFormat(ZoneId zone) {
    this.zone = zone.getRules();
  }

  /** {@code Nov 7 01:02:03}: local time, day padded with a space, no year. */
  String syslogStamp(long micros) {
    long sec = Math.floorDiv(micros, 1_000_000L);
    if (sec != cachedSecond) {
      Instant i = Instant.ofEpochSecond(sec);
      LocalDateTime t = LocalDateTime.ofInstant(i, zone.getOffset(i).normalized());
      StringBuilder sb = new StringBuilder(15);
      sb.append(MONTHS[t.getMonthValue() - 1]).append(' ');
      if (t.getDayOfMonth() < 10) {
        sb.append(' ');
      }
      sb.append(t.getDayOfMonth()).append(' ');
      two(sb, t.getHour()).append(':');
      two(sb, t.getMinute()).append(':');
      two(sb, t.getSecond());
      cachedSecond = sec;
      cachedStamp = sb.toString();
    }
    return cachedStamp;
  }

  private static StringBuilder two(StringBuilder sb, int v) {
    if (v < 10) {
      sb.append('0');
    }
    return sb.append(v);
  }

  /**
   * The kernel's LOG text for one client packet: {@code PREFIX IN= OUT= MAC= SRC= DST= LEN= ...
   * URGP=0 } (with the trailing space the kernel writes).
   */
  static String logBody(String prefix, Flow f, int i, Router r) {
    StringBuilder sb = new StringBuilder(240);
    int flags = f.flags[i];
    boolean syn = (flags & Flow.SYN) != 0;
    boolean v6 = f.src.family() == 6;
    int ttl = f.os.ttl() - f.hops - (f.forwarded() ? 1 : 0);
    sb.append(prefix)
        .append("IN=")
        .append(r.wanIf)
        .append(" OUT=")
        .append(f.forwarded() ? r.lanIf : "")
        .append(" MAC=")
        .append(r.wanMac)
        .append(':')
        .append(r.gatewayMac)
        .append(v6 ? ":86:dd" : ":08:00")
        .append(" SRC=")
        .append(f.src.logText())
        .append(" DST=")
        .append(f.dst.logText());
    if (v6) {
      int len = ipLength(f, i);
      sb.append(" LEN=")
          .append(len)
          .append(" TC=0 HOPLIMIT=")
          .append(ttl)
          .append(" FLOWLBL=")
          .append(f.flowLabel);
    } else {
      int len = ipLength(f, i);
      sb.append(" LEN=").append(len).append(" TOS=0x00 PREC=0x00 TTL=").append(ttl);
      sb.append(" ID=").append(f.os.ipId() >= 0 ? f.ipId : (f.ipId + i) & 0xffff);
      if (f.os.df()) {
        sb.append(" DF");
      }
    }
    sb.append(" PROTO=TCP SPT=")
        .append(f.sport)
        .append(" DPT=")
        .append(f.dport)
        .append(" WINDOW=")
        .append(syn ? f.os.synWindow() : f.os.window())
        .append(" RES=0x00");
    if ((flags & Flow.ACK) != 0) {
      sb.append(" ACK");
    }
    if ((flags & Flow.PSH) != 0) {
      sb.append(" PSH");
    }
    if ((flags & Flow.RST) != 0) {
      sb.append(" RST");
    }
    if (syn) {
      sb.append(" SYN");
    }
    if ((flags & Flow.FIN) != 0) {
      sb.append(" FIN");
    }
    sb.append(" URGP=0 ");
    return sb.toString();
  }

  /** The IP packet's length ({@code LEN=}, and what the rule byte counters add). */
  static int ipLength(Flow f, int i) {
    boolean syn = (f.flags[i] & Flow.SYN) != 0;
    if (f.src.family() == 6) {
      return (syn ? f.os.synLen6() : 72) + f.payload[i];
    }
    return (syn ? f.os.synLen4() : 52) + f.payload[i];
  }

  /** {@code [1795741827.230516]\t [NEW] ipv4 2 tcp 6 120 SYN_SENT src=...}. */
  static String conntrack(
      long micros,
      String type,
      Flow f,
      int timeout,
      String state,
      boolean unreplied,
      boolean assured,
      long[] counters,
      long deltaSeconds) {
    StringBuilder sb = new StringBuilder(260);
    sb.append('[').append(Math.floorDiv(micros, 1_000_000L)).append('.');
    String us = Long.toString(Math.floorMod(micros, 1_000_000L));
    sb.append("000000", 0, 6 - us.length()).append(us).append("]\t");
    sb.append(" ".repeat(Math.max(0, 9 - type.length()))).append(type).append(' ');
    boolean v6 = f.src.family() == 6;
    sb.append(v6 ? "ipv6     10" : "ipv4     2").append(" tcp      6 ");
    if (timeout >= 0) {
      sb.append(timeout).append(' ');
    }
    sb.append(state);
    tuple(sb, f.src.text(), f.dst.text(), f.sport, f.dport);
    if (counters != null) {
      sb.append(" packets=").append(counters[0]).append(" bytes=").append(counters[1]);
    }
    if (unreplied) {
      sb.append(" [UNREPLIED]");
    }
    tuple(sb, f.dst.text(), f.src.text(), f.dport, f.sport);
    if (counters != null) {
      sb.append(" packets=").append(counters[2]).append(" bytes=").append(counters[3]);
    }
    if (assured) {
      sb.append(" [ASSURED]");
    }
    if (deltaSeconds >= 0) {
      sb.append(" delta-time=").append(deltaSeconds);
    }
    sb.append(" id=").append(f.conntrackId);
    return sb.toString();
  }

  private static void tuple(StringBuilder sb, String src, String dst, int sport, int dport) {
    sb.append(" src=")
        .append(src)
        .append(" dst=")
        .append(dst)
        .append(" sport=")
        .append(sport)
        .append(" dport=")
        .append(dport);
  }
}
