package org.mobilessh.parse;

import java.net.InetAddress;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.mobilessh.rules.Family;

/**
 * {@code conntrack -E} event lines, plain or with {@code -o timestamp,extended,id}:
 *
 * <pre>
 * [1795741142.446349]\t    [NEW] ipv4     2 tcp      6 120 SYN_SENT src=.. dst=.. sport=.. dport=.. [UNREPLIED] src=.. dst=.. sport=.. dport=.. id=157052800
 *  [UPDATE] tcp      6 432000 ESTABLISHED src=.. ... [ASSURED] mark=4
 * [DESTROY] tcp      6 118 TIME_WAIT src=.. packets=5 bytes=274 src=.. packets=3 bytes=164 [ASSURED] delta-time=2 [USERSPACE] portid=6269 progname=conntrack
 * </pre>
 *
 * The first {@code src=} starts the original tuple, the second the reply tuple; {@code packets=}
 * and {@code bytes=} (nf_conntrack_acct=1) belong to the tuple they follow. Plain lines carry no
 * time: their events have a {@code null} time and the caller decides.
 */
final class ConntrackParser extends AbstractLineParser {

  ConntrackParser(ParseContext context) {
    super(context, LogFormat.CONNTRACK);
  }

  @Override
  ParseResult parseLine(String s) {
    int to = s.length();
    int p = skipSpace(s, 0, to);
    EventTime time = null;
    if (s.startsWith("conntrack v", p)) {
      return skipped(
          SkipReason.TOOL_MESSAGE); // "conntrack v1.4.7 (conntrack-tools): n flow events have been
      // shown."
    }
    if (p < to && s.charAt(p) == '[' && p + 1 < to && Character.isDigit(s.charAt(p + 1))) {
      int close = s.indexOf(']', p);
      if (close < 0) {
        throw notThisFormat("unterminated [timestamp]");
      }
      long micros = Timestamps.decimalSecondsToMicros(s, p + 1, close);
      time =
          EventTime.explicit(
              Timestamps.ofMicros(micros),
              s.substring(p + 1, close),
              TimePrecision.MICROSECOND,
              ClockSource.CONNTRACK);
      p = skipSpace(s, close + 1, to);
    }
    ConntrackType type = eventType(s, p, to);
    p = skipSpace(s, s.indexOf(']', p) + 1, to);

    // [l3name l3num] l4name l4num [timeout] [STATE] key=value...
    int[] tok = new int[2];
    p = word(s, p, to, tok);
    Family family = null;
    if (Text.regionIs(s, tok[0], tok[1], "ipv4") || Text.regionIs(s, tok[0], tok[1], "ipv6")) {
      family = s.charAt(tok[1] - 1) == '4' ? Family.IPV4 : Family.IPV6;
      p = word(s, p, to, tok); // l3 number
      p = word(s, p, to, tok);
    }
    int l4NameStart = tok[0];
    p = word(s, p, to, tok);
    int protoNumber = Text.decimalInt(s, tok[0], tok[1], "layer-4 protocol number");
    if (tok[0] == l4NameStart || protoNumber > 255) {
      throw notThisFormat("no protocol name and number after the event type");
    }
    Protocol protocol = Protocol.ofNumber(protoNumber);
    Long timeout = null;
    String state = null;
    int q = skipSpace(s, p, to);
    int e = NetfilterMessages.tokenEnd(s, q, to);
    if (q < e && isDigits(s, q, e)) {
      timeout = Text.decimal(s, q, e, "timeout");
      p = e;
      q = skipSpace(s, p, to);
      e = NetfilterMessages.tokenEnd(s, q, to);
    }
    if (q < e && s.charAt(q) != '[' && !hasChar(s, q, e, '=')) {
      state = s.substring(q, e);
      p = e;
    }

    Tuple orig = new Tuple();
    Tuple reply = new Tuple();
    Tuple cur = null;
    Set<String> flags = Set.of();
    Long id = null;
    Long mark = null;
    Integer zone = null;
    Instant start = null;
    Instant stop = null;
    Long delta = null;
    Long use = null;
    Map<String, String> extra = Map.of();
    boolean afterCode = false;
    while (true) {
      p = skipSpace(s, p, to);
      if (p >= to) {
        break;
      }
      int b = NetfilterMessages.tokenEnd(s, p, to);
      if (s.charAt(p) == '[') {
        if (s.startsWith("[start=", p) || s.startsWith("[stop=", p)) {
          int close = s.indexOf(']', p);
          if (close < 0) {
            throw new ParseException(Diagnostic.Reason.TRUNCATED, "unterminated " + s.substring(p));
          }
          int eq = s.indexOf('=', p);
          Instant t = ctime(s, eq + 1, close);
          if (s.charAt(p + 3) == 'a') {
            start = t;
          } else {
            stop = t;
          }
          p = close + 1;
          continue;
        }
        if (s.charAt(b - 1) != ']') {
          throw Text.bad("flag", s, p, b);
        }
        flags = addFlag(flags, flag(s, p + 1, b - 1));
        p = b;
        continue;
      }
      int eq = s.indexOf('=', p);
      if (eq < 0 || eq >= b) {
        throw Text.bad("field", s, p, b);
      }
      int v = eq + 1;
      boolean wasAfterCode = afterCode;
      afterCode = false;
      switch (key(s, p, eq)) {
        case K_SRC -> {
          cur = cur == null ? orig : reply;
          if (cur.src != null) {
            throw Text.bad("third tuple", s, p, b);
          }
          cur.src = address(s, v, b, "src");
          cur.v6 = hasChar(s, v, b, ':');
        }
        case K_DST -> tuple(cur, s, p, b).dst = address(s, v, b, "dst");
        case K_SPORT -> tuple(cur, s, p, b).sport = port(s, v, b, "sport");
        case K_DPORT -> tuple(cur, s, p, b).dport = port(s, v, b, "dport");
        case K_TYPE -> tuple(cur, s, p, b).type = Text.decimalInt(s, v, b, "type");
        case K_CODE -> {
          tuple(cur, s, p, b).code = Text.decimalInt(s, v, b, "code");
          afterCode = true;
        }
        case K_ID -> {
          if (wasAfterCode) {
            tuple(cur, s, p, b).icmpId = Text.decimalInt(s, v, b, "icmp id");
          } else {
            id = Text.decimal(s, v, b, "id");
          }
        }
        case K_PACKETS -> tuple(cur, s, p, b).packets = Text.decimal(s, v, b, "packets");
        case K_BYTES -> tuple(cur, s, p, b).bytes = Text.decimal(s, v, b, "bytes");
        case K_ZONE_DIR -> tuple(cur, s, p, b).zone = Text.decimalInt(s, v, b, "zone");
        case K_ZONE -> zone = Text.decimalInt(s, v, b, "zone");
        case K_MARK -> mark = Text.decimal(s, v, b, "mark");
        case K_DELTA -> delta = Text.decimal(s, v, b, "delta-time");
        case K_USE -> use = Text.decimal(s, v, b, "use");
        default -> {
          if (extra.isEmpty()) {
            extra = new LinkedHashMap<>();
          }
          extra.putIfAbsent(s.substring(p, eq), s.substring(v, b));
        }
      }
      p = b;
    }
    if (orig.src == null || orig.dst == null) {
      throw new ParseException(Diagnostic.Reason.TRUNCATED, "conntrack line without a tuple");
    }
    if (reply.src == null || reply.dst == null) {
      throw new ParseException(Diagnostic.Reason.TRUNCATED, "conntrack line without reply tuple");
    }
    if (family == null) {
      family = orig.v6 ? Family.IPV6 : Family.IPV4;
    }
    return parsed(
        new ConntrackEvent(
            time,
            context.hostname(),
            type,
            family,
            protocol,
            protoNumber,
            timeout,
            state,
            orig.build(),
            reply.build(),
            flags,
            id,
            mark,
            zone,
            start,
            stop,
            delta,
            use,
            extra));
  }

  private static final int K_OTHER = 0;
  private static final int K_SRC = 1;
  private static final int K_DST = 2;
  private static final int K_SPORT = 3;
  private static final int K_DPORT = 4;
  private static final int K_TYPE = 5;
  private static final int K_CODE = 6;
  private static final int K_ID = 7;
  private static final int K_PACKETS = 8;
  private static final int K_BYTES = 9;
  private static final int K_ZONE_DIR = 10;
  private static final int K_ZONE = 11;
  private static final int K_MARK = 12;
  private static final int K_DELTA = 13;
  private static final int K_USE = 14;
  private static final String[] KEYS = {
    "",
    "src",
    "dst",
    "sport",
    "dport",
    "type",
    "code",
    "id",
    "packets",
    "bytes",
    "",
    "zone",
    "mark",
    "delta-time",
    "use"
  };
  private static final String[] FLAGS = {
    "ASSURED", "UNREPLIED", "USERSPACE", "OFFLOAD", "HW_OFFLOAD", "SEEN_REPLY"
  };

  /** The key of {@code s[a, eq)} without building a String per field. */
  private static int key(String s, int a, int eq) {
    int k =
        switch (eq - a) {
          case 2 -> K_ID;
          case 3 -> s.charAt(a) == 's' ? K_SRC : s.charAt(a) == 'd' ? K_DST : K_USE;
          case 4 ->
              switch (s.charAt(a)) {
                case 't' -> K_TYPE;
                case 'c' -> K_CODE;
                case 'z' -> K_ZONE;
                default -> K_MARK;
              };
          case 5 -> s.charAt(a) == 's' ? K_SPORT : s.charAt(a) == 'd' ? K_DPORT : K_BYTES;
          case 7 -> K_PACKETS;
          case 9 -> K_ZONE_DIR;
          case 10 -> s.charAt(a) == 'z' ? K_ZONE_DIR : K_DELTA;
          default -> K_OTHER;
        };
    // the switch guessed from length and first letter; confirm, or it is an unknown key
    String expected = k == K_ZONE_DIR ? (eq - a == 9 ? "zone-orig" : "zone-reply") : KEYS[k];
    return k != K_OTHER && s.startsWith(expected, a) ? k : K_OTHER;
  }

  private static String flag(String s, int a, int b) {
    for (String f : FLAGS) {
      if (f.length() == b - a && s.startsWith(f, a)) {
        return f;
      }
    }
    return s.substring(a, b);
  }

  private static Set<String> addFlag(Set<String> flags, String flag) {
    if (flags.isEmpty()) {
      return Set.of(flag);
    }
    if (flags.contains(flag)) {
      return flags;
    }
    Set<String> more = new LinkedHashSet<>(flags);
    more.add(flag);
    return Set.copyOf(more);
  }

  private static boolean hasChar(String s, int a, int b, char c) {
    for (int i = a; i < b; i++) {
      if (s.charAt(i) == c) {
        return true;
      }
    }
    return false;
  }

  private static ConntrackType eventType(String s, int p, int to) {
    if (s.startsWith("[NEW]", p)) {
      return ConntrackType.NEW;
    }
    if (s.startsWith("[UPDATE]", p)) {
      return ConntrackType.UPDATE;
    }
    if (s.startsWith("[DESTROY]", p)) {
      return ConntrackType.DESTROY;
    }
    throw notThisFormat("not a conntrack event line (expected [NEW], [UPDATE] or [DESTROY])");
  }

  /** {@code [start=Fri Nov 27 00:59:18 2026]}: ctime(3) in local time. */
  private Instant ctime(String s, int from, int to) {
    String t = s.substring(from, to).trim();
    String[] f = t.split(" +");
    if (f.length != 5 || f[3].length() != 8) {
      throw new ParseException(Diagnostic.Reason.BAD_TIMESTAMP, "invalid time '" + t + "'");
    }
    int month = SyslogParser.month(f[1], 0);
    if (month == 0) {
      throw new ParseException(Diagnostic.Reason.BAD_TIMESTAMP, "invalid month in '" + t + "'");
    }
    LocalDateTime local =
        SyslogClock.localDateTime(
            Text.decimalInt(f[4], 0, f[4].length(), "year"),
            month,
            Text.decimalInt(f[2], 0, f[2].length(), "day"),
            Text.twoDigits(f[3], 0, "hour"),
            Text.twoDigits(f[3], 3, "minute"),
            Text.twoDigits(f[3], 6, "second"));
    return local.atZone(context.localZone()).toInstant();
  }

  private static int skipSpace(String s, int p, int to) {
    while (p < to && (s.charAt(p) == ' ' || s.charAt(p) == '\t')) {
      p++;
    }
    return p;
  }

  /** Next space-separated word into {@code tok}; returns the position after it. */
  private static int word(String s, int p, int to, int[] tok) {
    p = skipSpace(s, p, to);
    if (p >= to) {
      throw new ParseException(Diagnostic.Reason.TRUNCATED, "conntrack line ends early");
    }
    tok[0] = p;
    tok[1] = NetfilterMessages.tokenEnd(s, p, to);
    return tok[1];
  }

  private static boolean isDigits(String s, int a, int b) {
    for (int i = a; i < b; i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  private static Tuple tuple(Tuple cur, String s, int a, int b) {
    if (cur == null) {
      throw Text.bad("field before src=", s, a, b);
    }
    return cur;
  }

  private static InetAddress address(String s, int a, int b, String what) {
    InetAddress addr = Inet.parse(s, a, b);
    if (addr == null) {
      throw Text.bad(what, s, a, b);
    }
    return addr;
  }

  private static int port(String s, int a, int b, String what) {
    int port = Text.decimalInt(s, a, b, what);
    if (port > 65535) {
      throw Text.bad(what, s, a, b);
    }
    return port;
  }

  private static final class Tuple {
    InetAddress src;
    InetAddress dst;
    Integer sport;
    Integer dport;
    Integer type;
    Integer code;
    Integer icmpId;
    Long packets;
    Long bytes;
    Integer zone;
    boolean v6;

    ConntrackTuple build() {
      return new ConntrackTuple(src, dst, sport, dport, type, code, icmpId, packets, bytes, zone);
    }
  }
}
