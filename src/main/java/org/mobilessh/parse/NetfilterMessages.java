package org.mobilessh.parse;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import org.mobilessh.rules.Family;

/**
 * The kernel's netfilter LOG message ({@code PREFIX IN=.. OUT=.. MAC=.. SRC=.. ...}) as printed by
 * {@code net/netfilter/nf_log_syslog.c}, in one pass over the text without regular expressions. The
 * same keys mean different things before and after {@code PROTO=} ({@code LEN} is the IP length
 * before and the UDP length after; {@code ID} the IPv4 id before and the ICMP echo id after; {@code
 * SEQ} is TCP's or ICMP's), so the scanner tracks where it is.
 */
final class NetfilterMessages {
  private final PrefixMap prefixes;
  // Router logs repeat the same few prefixes, interfaces and MAC headers: reuse the last
  // String instead of copying it out of every line.
  private final String[] recent = new String[4];

  NetfilterMessages(PrefixMap prefixes) {
    this.prefixes = prefixes;
  }

  /** {@code s[a, b)} as a String, the cached one if slot {@code slot} holds the same text. */
  String reuse(int slot, String s, int a, int b) {
    String last = recent[slot];
    if (last != null && last.length() == b - a && s.startsWith(last, a)) {
      return last;
    }
    String fresh = s.substring(a, b);
    recent[slot] = fresh;
    return fresh;
  }

  /** Where a netfilter message starts inside {@code s[from, to)}: its prefix and IN= token. */
  static int inTokenStart(String s, int from, int to) {
    int out = s.indexOf(" OUT=", from);
    if (out < 0 || out >= to) {
      return -1;
    }
    int in = s.lastIndexOf("IN=", out);
    if (in < from) {
      return -1;
    }
    for (int i = in + 3; i < out; i++) {
      if (s.charAt(i) == ' ') {
        return -1;
      }
    }
    return in;
  }

  /**
   * The event in {@code s[from, to)}, or {@code null} if that text is not netfilter output.
   *
   * @throws ParseException if it is netfilter output but malformed or cut short
   */
  NetfilterEvent parse(
      String s,
      int from,
      int to,
      EventTime time,
      String host,
      Long kernelMicros,
      String bootId,
      int repeated) {
    int in = inTokenStart(s, from, to);
    if (in < 0) {
      return null;
    }
    int out = s.indexOf(" OUT=", in);
    Action action = prefixes.actionFor(s, from, in);
    String prefix = trimmedPrefix(s, from, in);
    String inIf = reuse(1, s, in + 3, out);
    int p = out + 5;
    int e = tokenEnd(s, p, to);
    String outIf = reuse(2, s, p, e);
    Scan scan = new Scan(this, s, e, to);
    scan.run();
    return new NetfilterEvent(
        time,
        host,
        kernelMicros,
        bootId,
        action,
        prefix,
        inIf,
        outIf,
        scan.physIn,
        scan.physOut,
        scan.mac,
        scan.packet,
        scan.uid,
        scan.gid,
        scan.mark,
        repeated,
        scan.extra == null ? Map.of() : scan.extra);
  }

  private String trimmedPrefix(String s, int from, int to) {
    while (to > from && s.charAt(to - 1) == ' ') {
      to--;
    }
    while (from < to && s.charAt(from) == ' ') {
      from++;
    }
    return from == to ? "" : reuse(0, s, from, to);
  }

  static int tokenEnd(String s, int p, int to) {
    int e = s.indexOf(' ', p);
    return e < 0 || e > to ? to : e;
  }

  /** The scanning state of one line. */
  private static final class Scan {
    // values() copies the array on every call, and this runs for every flag word of TCP lines
    private static final TcpFlag[] TCP_FLAGS = TcpFlag.values();
    private final NetfilterMessages owner;
    private final String s;
    private final int to;
    private int pos;
    private int ts;
    private int te;

    String physIn;
    String physOut;
    String mac;
    Long uid;
    Long gid;
    Long mark;
    Map<String, String> extra;
    IpPacket packet;

    private IpPacket.Builder outer;
    private IpPacket.Builder cur;
    private boolean sawNonIp;

    Scan(NetfilterMessages owner, String s, int pos, int to) {
      this.owner = owner;
      this.s = s;
      this.pos = pos;
      this.to = to;
    }

    private boolean next() {
      while (pos < to && s.charAt(pos) == ' ') {
        pos++;
      }
      if (pos >= to) {
        return false;
      }
      ts = pos;
      te = tokenEnd(s, pos, to);
      pos = te;
      return true;
    }

    void run() {
      while (next()) {
        token(ts, te);
      }
      if (cur != outer) {
        // "[SRC=..." without its "]": the line was cut inside the quoted packet
        throw truncated("quoted packet of an ICMP error is not closed");
      }
      if (outer != null) {
        validate(outer);
        packet = outer.build();
      } else if (!sawNonIp) {
        throw truncated("no SRC= after IN=/OUT=");
      }
    }

    private void token(int a, int b) {
      char c0 = s.charAt(a);
      if (c0 == '[' && s.startsWith("SRC=", a + 1)) {
        if (cur == null || cur != outer) {
          throw bad("quoted packet outside an ICMP error", a, b);
        }
        cur = new IpPacket.Builder();
        token(a + 1, b);
        return;
      }
      if (c0 == ']' && b - a == 1) {
        if (cur == null || cur == outer) {
          throw bad("unbalanced ']'", a, b);
        }
        validateEmbedded(cur);
        outer.embedded = cur.build();
        cur = outer;
        return;
      }
      // '=' within this token only: indexOf would run on past flag words such as DF or SYN
      int eq = a;
      while (eq < b && s.charAt(eq) != '=') {
        eq++;
      }
      if (eq == b) {
        word(a, b);
      } else {
        keyValue(a, eq, b);
      }
    }

    private IpPacket.Builder packet(int a, int b) {
      if (cur == null) {
        throw bad("field before SRC=", a, b);
      }
      return cur;
    }

    /**
     * Dispatches on the key: keys of up to four ASCII letters are packed into one int and switched
     * on as constants (one comparison chain instead of up to fifteen {@code startsWith} per key,
     * ~15 keys per line); the few longer keys are told apart by length and first letter.
     */
    private void keyValue(int a, int eq, int b) {
      int v = eq + 1;
      int klen = eq - a;
      if (klen >= 2 && klen <= 4) {
        int key = 0;
        for (int i = a; i < eq; i++) {
          char c = s.charAt(i);
          if (c == 0 || c >= 0x80) {
            key = -1; // not one of ours; also keeps NUL and wide chars from aliasing a packed key
            break;
          }
          key = (key << 8) | c;
        }
        switch (key) {
          case 'I' << 8 | 'D' -> { // ID
            IpPacket.Builder p = packet(a, b);
            if (p.protocol == null) {
              p.ipId = Text.decimalInt(s, v, b, "ID");
            } else {
              p.icmpId = Text.decimalInt(s, v, b, "ID");
            }
            return;
          }
          case 'T' << 8 | 'C' -> { // TC
            packet(a, b).trafficClass = Text.decimalInt(s, v, b, "TC");
            return;
          }
          case 'S' << 16 | 'R' << 8 | 'C' -> { // SRC
            if (cur == null) {
              outer = new IpPacket.Builder();
              cur = outer;
            }
            cur.source = address(v, b, "SRC");
            cur.family = hasColon(v, b) ? Family.IPV6 : Family.IPV4;
            return;
          }
          case 'D' << 16 | 'S' << 8 | 'T' -> { // DST
            packet(a, b).destination = address(v, b, "DST");
            return;
          }
          case 'L' << 16 | 'E' << 8 | 'N' -> { // LEN
            IpPacket.Builder p = packet(a, b);
            if (p.protocol == null) {
              p.length = Text.decimalInt(s, v, b, "LEN");
            } else {
              p.udpLength = Text.decimalInt(s, v, b, "LEN");
            }
            return;
          }
          case 'T' << 16 | 'O' << 8 | 'S' -> { // TOS
            packet(a, b).tos = (int) Text.hex(s, v, b, "TOS");
            return;
          }
          case 'T' << 16 | 'T' << 8 | 'L' -> { // TTL
            packet(a, b).ttl = Text.decimalInt(s, v, b, "TTL");
            return;
          }
          case 'S' << 16 | 'P' << 8 | 'T' -> { // SPT
            packet(a, b).sourcePort = port(v, b, "SPT");
            return;
          }
          case 'D' << 16 | 'P' << 8 | 'T' -> { // DPT
            packet(a, b).destinationPort = port(v, b, "DPT");
            return;
          }
          case 'S' << 16 | 'E' << 8 | 'Q' -> { // SEQ
            IpPacket.Builder p = packet(a, b);
            if (p.protocol == Protocol.TCP) {
              p.tcpSequence = Text.decimal(s, v, b, "SEQ");
            } else {
              p.icmpSequence = Text.decimalInt(s, v, b, "SEQ");
            }
            return;
          }
          case 'A' << 16 | 'C' << 8 | 'K' -> { // ACK
            packet(a, b).tcpAcknowledgement = Text.decimal(s, v, b, "ACK");
            return;
          }
          case 'R' << 16 | 'E' << 8 | 'S' -> { // RES
            packet(a, b).tcpReserved = (int) Text.hex(s, v, b, "RES");
            return;
          }
          case 'M' << 16 | 'A' << 8 | 'C' -> { // MAC
            mac = owner.reuse(3, s, v, b);
            return;
          }
          case 'U' << 16 | 'I' << 8 | 'D' -> { // UID
            uid = Text.decimal(s, v, b, "UID");
            return;
          }
          case 'G' << 16 | 'I' << 8 | 'D' -> { // GID
            gid = Text.decimal(s, v, b, "GID");
            return;
          }
          case 'M' << 16 | 'T' << 8 | 'U' -> { // MTU
            packet(a, b).mtu = Text.decimalInt(s, v, b, "MTU");
            return;
          }
          case 'S' << 16 | 'P' << 8 | 'I' -> { // SPI
            packet(a, b).spi = Text.hex(s, v, b, "SPI");
            return;
          }
          case 'P' << 24 | 'R' << 16 | 'E' << 8 | 'C' -> { // PREC
            packet(a, b).precedence = (int) Text.hex(s, v, b, "PREC");
            return;
          }
          case 'U' << 24 | 'R' << 16 | 'G' << 8 | 'P' -> { // URGP
            packet(a, b).urgentPointer = Text.decimalInt(s, v, b, "URGP");
            return;
          }
          case 'T' << 24 | 'Y' << 16 | 'P' << 8 | 'E' -> { // TYPE
            packet(a, b).icmpType = Text.decimalInt(s, v, b, "TYPE");
            return;
          }
          case 'C' << 24 | 'O' << 16 | 'D' << 8 | 'E' -> { // CODE
            packet(a, b).icmpCode = Text.decimalInt(s, v, b, "CODE");
            return;
          }
          case 'M' << 24 | 'A' << 16 | 'R' << 8 | 'K' -> { // MARK
            mark = Text.hex(s, v, b, "MARK");
            return;
          }
          default -> {}
        }
      } else if (klen >= 5) {
        switch (s.charAt(a)) {
          case 'P' -> {
            if (Text.regionIs(s, a, eq, "PROTO")) {
              proto(packet(a, b), v, b);
              return;
            }
            if (Text.regionIs(s, a, eq, "PHYSIN")) {
              physIn = s.substring(v, b);
              return;
            }
            if (Text.regionIs(s, a, eq, "PHYSOUT")) {
              physOut = s.substring(v, b);
              return;
            }
            if (Text.regionIs(s, a, eq, "POINTER")) {
              packet(a, b).icmpParameter = (int) Text.hex(s, v, b, "POINTER");
              return;
            }
            if (Text.regionIs(s, a, eq, "PARAMETER")) {
              packet(a, b).icmpParameter = Text.decimalInt(s, v, b, "PARAMETER");
              return;
            }
          }
          case 'W' -> {
            if (Text.regionIs(s, a, eq, "WINDOW")) {
              packet(a, b).tcpWindow = Text.decimalInt(s, v, b, "WINDOW");
              return;
            }
          }
          case 'F' -> {
            if (Text.regionIs(s, a, eq, "FLOWLBL")) {
              packet(a, b).flowLabel = Text.decimalInt(s, v, b, "FLOWLBL");
              return;
            }
          }
          case 'G' -> {
            if (Text.regionIs(s, a, eq, "GATEWAY")) {
              packet(a, b).icmpGateway = address(v, b, "GATEWAY");
              return;
            }
          }
          case 'H' -> {
            if (Text.regionIs(s, a, eq, "HOPLIMIT")) {
              packet(a, b).ttl = Text.decimalInt(s, v, b, "HOPLIMIT");
              return;
            }
          }
          default -> {}
        }
      }
      if (cur != outer) {
        return; // unknown details of a quoted packet are not worth keeping
      }
      if (cur == null) {
        sawNonIp = true; // ARP and bridge lines: keep their fields as they are
      }
      if (extra == null) {
        extra = new LinkedHashMap<>();
      }
      extra.putIfAbsent(s.substring(a, eq), s.substring(v, b));
    }

    private void word(int a, int b) {
      int len = b - a;
      if (cur == null) {
        if (Text.regionIs(s, a, b, "ARP")) {
          sawNonIp = true;
        }
        return; // words before SRC= (e.g. "ARP") carry nothing we model
      }
      IpPacket.Builder p = cur;
      if (p.protocol == null) {
        if (Text.regionIs(s, a, b, "DF")) {
          p.dontFragment = true;
        } else if (Text.regionIs(s, a, b, "MF")) {
          p.moreFragments = true;
        } else if (Text.regionIs(s, a, b, "CE")) {
          p.congestion = true;
        } else if (s.startsWith("FRAG:", a)) {
          fragment(p, a, b);
        } else if (Text.regionIs(s, a, b, "OPT")) {
          p.ipOptions = options();
        } else if (Text.regionIs(s, a, b, "TRUNCATED")) {
          p.truncated = true;
        } else if (Text.regionIs(s, a, b, "Unknown")) {
          // "Unknown Ext Hdr 43": the kernel stops printing here
          p.truncated = true;
          pos = to;
        } else if (Text.regionIs(s, a, b, "INCOMPLETE")) {
          if (!incompleteBytes(p)) {
            p.moreFragments = true; // IPv6 fragment header: more fragments follow
          }
        } else if (s.startsWith("ID:", a)) {
          p.fragmentId = Text.hex(s, a + 3, b, "fragment ID");
        } else if (len > 0) {
          throw bad("unexpected word", a, b);
        }
        return;
      }
      if (len <= 3 && p.protocol == Protocol.TCP) {
        for (TcpFlag f : TCP_FLAGS) {
          if (Text.regionIs(s, a, b, f.name())) {
            p.tcpFlagBits |= f.bit();
            return;
          }
        }
      }
      if (Text.regionIs(s, a, b, "INCOMPLETE")) {
        if (!incompleteBytes(p)) {
          throw bad("INCOMPLETE without [n bytes]", a, b);
        }
      } else if (Text.regionIs(s, a, b, "OPT")) {
        p.tcpOptions = options();
      } else {
        throw bad("unexpected word", a, b);
      }
    }

    /** {@code INCOMPLETE [65535 bytes]}: the kernel could not read the transport header. */
    private boolean incompleteBytes(IpPacket.Builder p) {
      int save = pos;
      if (!next() || s.charAt(ts) != '[') {
        pos = save;
        return false;
      }
      int n = Text.decimalInt(s, ts + 1, te, "INCOMPLETE byte count");
      if (!next() || !Text.regionIs(s, ts, te, "bytes]")) {
        throw truncated("INCOMPLETE [n bytes] is cut short");
      }
      p.incompleteBytes = n;
      return true;
    }

    /** IPv4 {@code FRAG:185}, IPv6 {@code FRAG: 1232} (offset as a separate word). */
    private void fragment(IpPacket.Builder p, int a, int b) {
      if (b > a + 5) {
        p.fragmentOffset = Text.decimalInt(s, a + 5, b, "FRAG");
        return;
      }
      if (!next()) {
        throw truncated("FRAG: without offset");
      }
      if (Text.regionIs(s, ts, te, "TRUNCATED")) {
        p.truncated = true;
        return;
      }
      p.fragmentOffset = Text.decimalInt(s, ts, te, "FRAG");
    }

    /** {@code OPT (0204FFD7...)}: hex bytes inside parentheses, possibly space separated. */
    private String options() {
      StringBuilder hex = new StringBuilder();
      boolean open = false;
      while (next()) {
        int a = ts;
        int b = te;
        if (!open) {
          if (s.charAt(a) != '(') {
            throw bad("OPT without '('", a, b);
          }
          open = true;
          a++;
        }
        boolean close = b > a && s.charAt(b - 1) == ')';
        if (close) {
          b--;
        }
        hex.append(s, a, b);
        if (close) {
          return hex.toString();
        }
      }
      throw truncated("OPT ( ... ) is not closed");
    }

    private void proto(IpPacket.Builder p, int v, int b) {
      Protocol proto;
      if (Text.regionIs(s, v, b, "TCP")) {
        proto = Protocol.TCP;
      } else if (Text.regionIs(s, v, b, "UDP")) {
        proto = Protocol.UDP;
      } else if (Text.regionIs(s, v, b, "ICMP")) {
        proto = Protocol.ICMP;
      } else if (Text.regionIs(s, v, b, "ICMPv6")) {
        proto = Protocol.ICMPV6;
      } else if (Text.regionIs(s, v, b, "UDPLITE")) {
        proto = Protocol.UDPLITE;
      } else if (Text.regionIs(s, v, b, "AH")) {
        proto = Protocol.AH;
      } else if (Text.regionIs(s, v, b, "ESP")) {
        proto = Protocol.ESP;
      } else {
        int n = Text.decimalInt(s, v, b, "PROTO");
        if (n > 255) {
          throw Text.bad("PROTO", s, v, b);
        }
        p.protocol = Protocol.ofNumber(n);
        p.protocolNumber = n;
        return;
      }
      p.protocol = proto;
      p.protocolNumber = proto.number();
    }

    private boolean hasColon(int a, int b) {
      for (int i = a; i < b; i++) {
        if (s.charAt(i) == ':') {
          return true;
        }
      }
      return false;
    }

    private InetAddress address(int a, int b, String what) {
      InetAddress addr = Inet.parse(s, a, b);
      if (addr == null) {
        if (b >= to) {
          throw truncated("line ends inside " + what + "=" + s.substring(a, b));
        }
        throw Text.bad(what, s, a, b);
      }
      return addr;
    }

    private int port(int a, int b, String what) {
      int port = Text.decimalInt(s, a, b, what);
      if (port > 65535) {
        throw Text.bad(what, s, a, b);
      }
      return port;
    }

    private void validate(IpPacket.Builder p) {
      if (p.destination == null) {
        throw truncated("no DST=");
      }
      if (p.length == null) {
        throw truncated("no LEN=");
      }
      if (p.protocol == null) {
        if (p.truncated) {
          return;
        }
        throw truncated("no PROTO=");
      }
      boolean fragment = p.fragmentOffset != null && p.fragmentOffset > 0;
      if (fragment || p.incompleteBytes != null) {
        return;
      }
      switch (p.protocol) {
        case TCP -> {
          // URGP is always the last TCP field the kernel prints (before optional OPT)
          if (p.sourcePort == null
              || p.destinationPort == null
              || p.tcpWindow == null
              || p.urgentPointer == null) {
            throw truncated("TCP fields end before URGP=");
          }
        }
        case UDP, UDPLITE -> {
          if (p.sourcePort == null || p.destinationPort == null || p.udpLength == null) {
            throw truncated("UDP fields end before LEN=");
          }
        }
        case ICMP, ICMPV6 -> {
          if (p.icmpType == null || p.icmpCode == null) {
            throw truncated("ICMP fields end before CODE=");
          }
        }
        default -> {}
      }
    }

    private void validateEmbedded(IpPacket.Builder p) {
      if (p.destination == null || p.length == null) {
        throw truncated("quoted packet lacks DST= or LEN=");
      }
    }

    private ParseException bad(String what, int a, int b) {
      if (b >= to && cur != null && cur.protocol != null) {
        // a stray fragment of a field as the last word: the line was cut ("... SPT=40024 DP")
        return truncated("line ends inside '" + s.substring(a, b) + "'");
      }
      return new ParseException(Diagnostic.Reason.BAD_FIELD, what + " '" + s.substring(a, b) + "'");
    }

    private ParseException truncated(String what) {
      return new ParseException(Diagnostic.Reason.TRUNCATED, "netfilter line cut short: " + what);
    }
  }
}
