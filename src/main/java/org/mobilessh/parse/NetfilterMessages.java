package org.mobilessh.parse;

import java.net.InetAddress;
import java.util.Arrays;
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
  private static final int PREFIX = 0;
  private static final int IN = 1;
  private static final int OUT = 2;
  private static final int MAC = 3;

  /** Longest line whose characters array is kept for the next line. */
  private static final int KEPT_CHARS = 16 * 1024;

  private final PrefixMap prefixes;
  // Router logs repeat the same few prefixes, interfaces and MAC headers: reuse a recent String
  // instead of copying it out of every line. Two per field, most recent first, because lines
  // alternate between two values (OUT= empty or not, the IPv4 or IPv6 ethertype in MAC=, set and
  // reject prefixes).
  private final String[] recent = new String[8];
  private final char[][] recentChars = new char[8][];
  // the action of the prefix held in recent[0]/recent[1], so a reused prefix is not looked up again
  private final Action[] recentAction = new Action[2];
  private final Inet.Cache addresses = new Inet.Cache();
  private final Scan scan = new Scan(this);
  // the line's characters, copied once: the scanner reads every character, and array reads are
  // cheaper than String.charAt's per-call checks
  private char[] chars = new char[1024];
  // how the last reuse() found its text: 0 = most recent, 1 = the other one (now swapped), 2 = new
  private int lastWay;

  // false only in tests that compare the fixed-order path with the general scanner
  private final boolean fixedOrder;
  // lines the fixed-order path took (for tests: that it is taken at all)
  long fixedOrderLines;

  NetfilterMessages(PrefixMap prefixes) {
    this(prefixes, true);
  }

  NetfilterMessages(PrefixMap prefixes, boolean fixedOrder) {
    this.prefixes = prefixes;
    this.fixedOrder = fixedOrder;
  }

  /**
   * {@code s[a, b)} as a String, a cached one if field {@code field} saw the same text recently;
   * leaves the text's position in {@link #lastWay}. {@code c} holds {@code s}'s characters.
   */
  String reuse(int field, char[] c, String s, int a, int b) {
    int i = field * 2;
    char[] first = recentChars[i];
    if (first != null && Arrays.equals(c, a, b, first, 0, first.length)) {
      lastWay = 0;
      return recent[i];
    }
    char[] second = recentChars[i + 1];
    if (second != null && Arrays.equals(c, a, b, second, 0, second.length)) {
      String hit = recent[i + 1];
      recent[i + 1] = recent[i];
      recentChars[i + 1] = first;
      recent[i] = hit;
      recentChars[i] = second;
      lastWay = 1;
      return hit;
    }
    String fresh = s.substring(a, b);
    recent[i + 1] = recent[i];
    recentChars[i + 1] = first;
    recent[i] = fresh;
    recentChars[i] = Arrays.copyOfRange(c, a, b);
    lastWay = 2;
    return fresh;
  }

  /** {@code s}'s characters in a reused array, at the same indices. */
  private char[] chars(String s) {
    int n = s.length();
    char[] c = chars;
    if (c.length < n) {
      c = new char[n];
      if (n <= KEPT_CHARS) {
        chars = c; // a rare giant line gets its own array, not kept
      }
    }
    s.getChars(0, n, c, 0);
    return c;
  }

  /** Where a netfilter message starts inside {@code s[from, to)}: its prefix and IN= token. */
  static int inTokenStart(String s, int from, int to) {
    int out = s.indexOf(" OUT=", from);
    if (out < 0 || out >= to) {
      return -1;
    }
    // The last "IN=" before " OUT=" with no space between: it can only lie in the word that ends
    // at " OUT=", so search that word backwards instead of the line (String.lastIndexOf(String)
    // is a plain loop, and ran twice per line).
    int word = out;
    while (word > from && s.charAt(word - 1) != ' ') {
      word--;
    }
    for (int in = out - 3; in >= word; in--) {
      if (s.charAt(in) == 'I' && s.charAt(in + 1) == 'N' && s.charAt(in + 2) == '=') {
        return in;
      }
    }
    return -1;
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
    return in < 0 ? null : parseAt(s, from, to, in, time, host, kernelMicros, bootId, repeated);
  }

  /**
   * {@link #parse} for a caller that already found {@code in = inTokenStart(s, from, to) >= 0}.
   *
   * @throws ParseException if the netfilter output is malformed or cut short
   */
  NetfilterEvent parseAt(
      String s,
      int from,
      int to,
      int in,
      EventTime time,
      String host,
      Long kernelMicros,
      String bootId,
      int repeated) {
    char[] c;
    Head h;
    if (s == knownLine && from == knownFrom && to == knownTo) {
      // knownHead looked at this line and found no head: not again
      c = knownChars;
      h = known;
      forgetKnown();
    } else {
      c = chars(s);
      h = fixedOrder ? head(c, from, to) : null;
    }
    if (h != null) { // only ever found with fixedOrder
      NetfilterEvent e = fromHead(h, s, c, from, to, time, host, kernelMicros, bootId, repeated);
      if (e != null) {
        return e;
      }
    }
    return general(s, c, from, to, in, time, host, kernelMicros, bootId, repeated);
  }

  // the line knownHead looked at last (the same String object and range), its characters and the
  // head it starts with (null: none); forgotten once used
  private String knownLine;
  private int knownFrom;
  private int knownTo;
  private char[] knownChars;
  private Head known;

  private void forgetKnown() {
    knownLine = null;
    knownChars = null;
    known = null;
  }

  /**
   * Whether the text at {@code s[from, to)} starts with the head of a recent line ({@code PREFIX
   * IN=.. OUT=.. MAC=.. } up to {@code SRC=}), which makes it netfilter output: such a head's first
   * {@code " OUT="} lies inside it, so {@link #inTokenStart} would find the same {@code IN=} as for
   * that line. Then {@link #parseKnown} parses the line without that search; otherwise the caller
   * goes on as without this call (and may call {@link #parseAt}).
   */
  boolean knownHead(String s, int from, int to) {
    if (!fixedOrder) {
      return false;
    }
    char[] c = chars(s);
    Head h = head(c, from, to);
    knownLine = s;
    knownFrom = from;
    knownTo = to;
    knownChars = c;
    known = h;
    return h != null;
  }

  /** {@link #parseAt} for the line {@link #knownHead} just said yes to. */
  NetfilterEvent parseKnown(
      String s,
      int from,
      int to,
      EventTime time,
      String host,
      Long kernelMicros,
      String bootId,
      int repeated) {
    Head h = known;
    char[] c = knownChars;
    forgetKnown();
    NetfilterEvent e = fromHead(h, s, c, from, to, time, host, kernelMicros, bootId, repeated);
    if (e != null) {
      return e;
    }
    return general(
        s, c, from, to, inTokenStart(s, from, to), time, host, kernelMicros, bootId, repeated);
  }

  /** The fixed-order scan from {@code SRC=} after head {@code h}, or null if it gave up. */
  private NetfilterEvent fromHead(
      Head h,
      String s,
      char[] c,
      int from,
      int to,
      EventTime time,
      String host,
      Long kernelMicros,
      String bootId,
      int repeated) {
    Scan scan = this.scan;
    int src = from + h.text.length;
    scan.start(s, c, src, to);
    scan.mac = h.mac;
    if (scan.fromSource(src)) {
      fixedOrderLines++;
      return event(
          scan, time, host, kernelMicros, bootId, h.action, h.prefix, h.in, h.out, repeated);
    }
    return null;
  }

  /** The line without a remembered head's help; {@code c} holds {@code s}'s characters. */
  private NetfilterEvent general(
      String s,
      char[] c,
      int from,
      int to,
      int in,
      EventTime time,
      String host,
      Long kernelMicros,
      String bootId,
      int repeated) {
    Scan scan = this.scan;
    // inTokenStart checked that IN='s value has no space and " OUT=" follows it
    int out = s.indexOf(' ', in + 3);
    String prefix = trimmedPrefix(c, s, from, in);
    Action action;
    if (lastWay < 2 && !prefix.isEmpty()) {
      // the same prefix text as a recent line: the same action (actionFor trims alike)
      if (lastWay == 1) {
        Action swap = recentAction[0];
        recentAction[0] = recentAction[1];
        recentAction[1] = swap;
      }
      action = recentAction[0];
    } else {
      action = prefixes.actionFor(s, from, in);
      if (!prefix.isEmpty()) {
        recentAction[1] = recentAction[0];
        recentAction[0] = action;
      }
    }
    String inIf = reuse(IN, c, s, in + 3, out);
    int p = out + 5;
    int e = tokenEnd(s, p, to);
    String outIf = reuse(OUT, c, s, p, e);
    scan.start(s, c, e, to);
    if (fixedOrder && scan.fixedOrder()) {
      fixedOrderLines++;
      remember(c, from, scan.sourceAt, prefix, action, inIf, outIf, scan.mac);
    } else {
      scan.start(s, c, e, to); // the general scanner from a clean state
      scan.run();
    }
    return event(scan, time, host, kernelMicros, bootId, action, prefix, inIf, outIf, repeated);
  }

  private static NetfilterEvent event(
      Scan scan,
      EventTime time,
      String host,
      Long kernelMicros,
      String bootId,
      Action action,
      String prefix,
      String inIf,
      String outIf,
      int repeated) {
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

  /**
   * A recent line's text from the start of its message to its {@code SRC=} token ({@code PREFIX
   * IN=.. OUT=.. MAC=.. }), and what that text gave. The same text gives the same prefix, action,
   * interfaces and MAC header (all found from the text alone), so a line that starts like a
   * remembered one skips to {@code SRC=}. A router's lines have a handful of such heads.
   */
  private record Head(
      char[] text, String prefix, Action action, String in, String out, String mac) {}

  private static final int HEADS = 8;
  private static final int LONGEST_HEAD = 512;
  private final Head[] heads = new Head[HEADS];
  private int lastHead;
  private int nextHead;

  /** The remembered head that {@code c[from, to)} starts with (and goes on after), or null. */
  private Head head(char[] c, int from, int to) {
    Head[] hs = heads;
    for (int k = 0; k < HEADS; k++) {
      int i = (lastHead + k) & (HEADS - 1);
      Head h = hs[i];
      if (h == null) {
        continue;
      }
      char[] t = h.text;
      int n = t.length;
      int end = from + n;
      // a router's heads differ mostly at their end (the MAC header's ethertype, the prefix's
      // length), so its last characters turn most wrong heads away before the whole comparison
      if (end < to
          && c[end - 2] == t[n - 2]
          && c[end - 3] == t[n - 3]
          && Arrays.equals(c, from, end, t, 0, n)) {
        lastHead = i;
        return h;
      }
    }
    return null;
  }

  private void remember(
      char[] c,
      int from,
      int src,
      String prefix,
      Action action,
      String in,
      String out,
      String mac) {
    // (a head holds at least "IN= OUT= ", so head() may look at its last three characters)
    if (src - from < 3 || src - from > LONGEST_HEAD) {
      return;
    }
    int i = nextHead;
    nextHead = (i + 1) & (HEADS - 1);
    heads[i] = new Head(Arrays.copyOfRange(c, from, src), prefix, action, in, out, mac);
    lastHead = i;
  }

  private String trimmedPrefix(char[] c, String s, int from, int to) {
    while (to > from && c[to - 1] == ' ') {
      to--;
    }
    while (from < to && c[from] == ' ') {
      from++;
    }
    return from == to ? "" : reuse(PREFIX, c, s, from, to);
  }

  static int tokenEnd(String s, int p, int to) {
    int e = s.indexOf(' ', p);
    return e < 0 || e > to ? to : e;
  }

  /**
   * The scanning state of one line. One instance (and one builder for the outer packet) serves
   * every line of a parser: what it hands out (strings, the built IpPacket) is immutable, and a
   * router month is a million lines, so not allocating them per line shows.
   */
  private static final class Scan {
    // values() copies the array on every call, and this runs for every flag word of TCP lines
    private static final TcpFlag[] TCP_FLAGS = TcpFlag.values();
    private final NetfilterMessages owner;
    private final IpPacket.Builder outerBuilder = new IpPacket.Builder();
    private String s;
    private char[] c; // s's characters, same indices

    private int to;
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

    Scan(NetfilterMessages owner) {
      this.owner = owner;
    }

    /** Starts on a new line: every field as a new Scan would have it. */
    void start(String s, char[] c, int pos, int to) {
      this.s = s;
      this.c = c;
      this.pos = pos;
      this.to = to;
      ts = 0;
      te = 0;
      physIn = null;
      physOut = null;
      mac = null;
      uid = null;
      gid = null;
      mark = null;
      extra = null;
      packet = null;
      outer = null;
      cur = null;
      sawNonIp = false;
    }

    private boolean next() {
      while (pos < to && c[pos] == ' ') {
        pos++;
      }
      if (pos >= to) {
        return false;
      }
      ts = pos;
      int e = pos + 1;
      while (e < to && c[e] != ' ') {
        e++;
      }
      te = e;
      pos = e;
      return true;
    }

    /** Whether {@code s[a, b)} is {@code word}. */
    private boolean is(int a, int b, String word) {
      return b - a == word.length() && startsAt(a, word);
    }

    /** {@code s.startsWith(word, a)}. */
    private boolean startsAt(int a, String word) {
      int n = word.length();
      if (a < 0 || a > s.length() - n) {
        return false;
      }
      for (int i = 0; i < n; i++) {
        if (c[a + i] != word.charAt(i)) {
          return false;
        }
      }
      return true;
    }

    void run() {
      while (true) {
        while (pos < to && c[pos] == ' ') {
          pos++;
        }
        if (pos >= to) {
          break;
        }
        token(pos);
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

    /**
     * The common lines in one pass, in the order the kernel prints their fields ({@code
     * nf_log_syslog.c}): {@code [MAC=..] SRC= DST= LEN=}, IPv4's {@code TOS= PREC= TTL= ID= [CE]
     * [DF] [MF]} or IPv6's {@code TC= HOPLIMIT= FLOWLBL=}, then {@code PROTO=} TCP ({@code SPT=
     * DPT= [SEQ= ACK=] WINDOW= RES= flags URGP=}), UDP ({@code SPT= DPT= LEN=}) or ICMP/ICMPv6
     * ({@code TYPE= CODE= [ID= SEQ=]}), and the end of the line. Numbers are read while their end
     * is found. Anything else (another field, an odd spelling, a value the general scanner would
     * reject or read differently, two spaces) returns false at once, and the caller runs the
     * general scanner over the whole line from a clean state; so a line gets exactly the general
     * scanner's result either way. On true, {@link #packet} and {@link #mac} are set as {@link
     * #run} would set them.
     */
    boolean fixedOrder() {
      final char[] c = this.c;
      final int to = this.to;
      int p = pos;
      if (p >= to || c[p] != ' ') {
        return false;
      }
      p++;
      if (p + 4 <= to && c[p] == 'M' && c[p + 1] == 'A' && c[p + 2] == 'C' && c[p + 3] == '=') {
        int b = end(p + 4);
        mac = owner.reuse(MAC, c, s, p + 4, b);
        if (b >= to) {
          return false;
        }
        p = b + 1;
      }
      sourceAt = p;
      return fromSource(p);
    }

    // where fixedOrder found SRC=
    int sourceAt;

    /**
     * {@link #fixedOrder} from the {@code SRC=} token at {@code p} on ({@link #mac} is set). The
     * values are kept in locals and the packet is built at the end in one constructor call, as
     * {@code IpPacket.Builder.build} would build it after {@link #run}.
     */
    boolean fromSource(int p) {
      final char[] c = this.c;
      final int to = this.to;
      if (!key3(p, 'S', 'R', 'C')) {
        return false;
      }
      int b = end(p + 4);
      InetAddress source = owner.addresses.parse(c, s, p + 4, b);
      if (source == null || b >= to) {
        return false;
      }
      Family family = owner.addresses.hadColon() ? Family.IPV6 : Family.IPV4;
      p = b + 1;
      if (!key3(p, 'D', 'S', 'T')) {
        return false;
      }
      b = end(p + 4);
      InetAddress destination = destination(p + 4, b);
      if (destination == null || b >= to) {
        return false;
      }
      p = b + 1;
      if (!key3(p, 'L', 'E', 'N') || (p = decimal(p + 4)) < 0) {
        return false;
      }
      int length = value;
      Integer tos = null;
      Integer precedence = null;
      Integer ipId = null;
      Integer trafficClass = null;
      Integer flowLabel = null;
      int ttl;
      boolean congestion = false;
      boolean dontFragment = false;
      boolean moreFragments = false;
      if (key3(p, 'T', 'O', 'S')) { // IPv4
        if ((p = hex(p + 4)) < 0) {
          return false;
        }
        tos = value;
        if (!key4(p, 'P', 'R', 'E', 'C') || (p = hex(p + 5)) < 0) {
          return false;
        }
        precedence = value;
        if (!key3(p, 'T', 'T', 'L') || (p = decimal(p + 4)) < 0) {
          return false;
        }
        ttl = value;
        if (!key2(p, 'I', 'D') || (p = decimal(p + 3)) < 0) {
          return false;
        }
        ipId = value;
        // the IPv4 flag words, each setting its own boolean as word() does
        while (p + 2 < to && c[p + 2] == ' ') {
          char c0 = c[p];
          char c1 = c[p + 1];
          if (c0 == 'D' && c1 == 'F') {
            dontFragment = true;
          } else if (c0 == 'C' && c1 == 'E') {
            congestion = true;
          } else if (c0 == 'M' && c1 == 'F') {
            moreFragments = true;
          } else {
            return false;
          }
          p += 3;
        }
      } else if (key2(p, 'T', 'C')) { // IPv6
        if ((p = decimal(p + 3)) < 0) {
          return false;
        }
        trafficClass = value;
        if (!keyN(p, "HOPLIMIT") || (p = decimal(p + 9)) < 0) {
          return false;
        }
        ttl = value;
        if (!keyN(p, "FLOWLBL") || (p = decimal(p + 8)) < 0) {
          return false;
        }
        flowLabel = value;
      } else {
        return false;
      }
      if (!keyN(p, "PROTO")) {
        return false;
      }
      int v = p + 6;
      b = end(v);
      if (b >= to) {
        return false; // nothing after PROTO=: the general scanner decides what is missing
      }
      Protocol proto;
      if (b - v == 3 && c[v] == 'T' && c[v + 1] == 'C' && c[v + 2] == 'P') {
        proto = Protocol.TCP;
      } else if (b - v == 3 && c[v] == 'U' && c[v + 1] == 'D' && c[v + 2] == 'P') {
        proto = Protocol.UDP;
      } else if (b - v >= 4 && is(v, b, "ICMP")) {
        proto = Protocol.ICMP;
      } else if (b - v == 6 && is(v, b, "ICMPv6")) {
        proto = Protocol.ICMPV6;
      } else {
        return false;
      }
      p = b + 1;
      Integer sourcePort = null;
      Integer destinationPort = null;
      Long tcpSequence = null;
      Long tcpAcknowledgement = null;
      Integer tcpWindow = null;
      Integer tcpReserved = null;
      int tcpFlagBits = 0;
      Integer urgentPointer = null;
      Integer udpLength = null;
      Integer icmpType = null;
      Integer icmpCode = null;
      Integer icmpId = null;
      Integer icmpSequence = null;
      if (proto == Protocol.TCP || proto == Protocol.UDP) {
        if (!key3(p, 'S', 'P', 'T') || (p = decimal(p + 4)) < 0 || value > 65535) {
          return false;
        }
        sourcePort = value;
        if (!key3(p, 'D', 'P', 'T') || (p = decimal(p + 4)) < 0 || value > 65535) {
          return false;
        }
        destinationPort = value;
        if (proto == Protocol.UDP) {
          if (!key3(p, 'L', 'E', 'N') || (p = decimal(p + 4)) < 0) {
            return false;
          }
          udpLength = value;
        } else {
          if (key3(p, 'S', 'E', 'Q')) {
            if ((p = decimalLong(p + 4)) < 0) {
              return false;
            }
            tcpSequence = longValue;
            if (!key3(p, 'A', 'C', 'K') || (p = decimalLong(p + 4)) < 0) {
              return false;
            }
            tcpAcknowledgement = longValue;
          }
          if (!keyN(p, "WINDOW") || (p = decimal(p + 7)) < 0) {
            return false;
          }
          tcpWindow = value;
          if (!key3(p, 'R', 'E', 'S') || (p = hex(p + 4)) < 0) {
            return false;
          }
          tcpReserved = value;
          while (p + 3 < to && c[p + 3] == ' ') {
            int bit = tcpFlag(c[p], c[p + 1], c[p + 2]);
            if (bit == 0) {
              return false;
            }
            tcpFlagBits |= bit;
            p += 4;
          }
          if (!key4(p, 'U', 'R', 'G', 'P') || (p = decimal(p + 5)) < 0) {
            return false;
          }
          urgentPointer = value;
        }
      } else {
        if (!key4(p, 'T', 'Y', 'P', 'E') || (p = decimal(p + 5)) < 0) {
          return false;
        }
        icmpType = value;
        if (!key4(p, 'C', 'O', 'D', 'E') || (p = decimal(p + 5)) < 0) {
          return false;
        }
        icmpCode = value;
        if (key2(p, 'I', 'D')) {
          if ((p = decimal(p + 3)) < 0) {
            return false;
          }
          icmpId = value;
          if (!key3(p, 'S', 'E', 'Q') || (p = decimal(p + 4)) < 0) {
            return false;
          }
          icmpSequence = value;
        }
      }
      // only trailing spaces may follow (decimal/hex leave p after the value's space)
      for (int i = p; i < to; i++) {
        if (c[i] != ' ') {
          return false;
        }
      }
      packet =
          new IpPacket(
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
              null,
              null,
              null,
              proto,
              proto.number(),
              sourcePort,
              destinationPort,
              tcpSequence,
              tcpAcknowledgement,
              tcpWindow,
              tcpReserved,
              tcpFlagBits,
              urgentPointer,
              null,
              udpLength,
              icmpType,
              icmpCode,
              icmpId,
              icmpSequence,
              null,
              null,
              null,
              null,
              null,
              false,
              null);
      pos = to;
      return true;
    }

    // the destination of the previous fixed-order line: a router logs few of them
    private char[] lastDestinationText = new char[0];
    private InetAddress lastDestination;

    /** {@code Inet.Cache.parse} of {@code c[a, b)}, the previous result for the same text. */
    private InetAddress destination(int a, int b) {
      char[] last = lastDestinationText;
      if (lastDestination != null && Arrays.equals(c, a, b, last, 0, last.length)) {
        return lastDestination;
      }
      InetAddress d = owner.addresses.parse(c, s, a, b);
      if (d != null) {
        lastDestinationText = Arrays.copyOfRange(c, a, b);
        lastDestination = d;
      }
      return d;
    }

    // the value read by the last decimal() or hex()
    private int value;

    /**
     * Reads 1-9 decimal digits at {@code v} into {@link #value}; returns the position after the
     * space that ends them, {@code to} if the line ends there, or -1 if the text is anything else
     * (more digits are left to the general scanner, which knows their limits).
     */
    private int decimal(int v) {
      final char[] c = this.c;
      int i = v;
      int n = 0;
      int lim = Math.min(to, v + 9);
      while (i < lim) {
        int d = c[i] - '0';
        if (d < 0 || d > 9) {
          break;
        }
        n = n * 10 + d;
        i++;
      }
      if (i == v) {
        return -1;
      }
      value = n;
      if (i == to) {
        return to;
      }
      return c[i] == ' ' ? i + 1 : -1;
    }

    // the value read by the last decimalLong()
    private long longValue;

    /** {@link #decimal} for 1-18 digits (as {@code Text.decimal}) into {@link #longValue}. */
    private int decimalLong(int v) {
      final char[] c = this.c;
      int i = v;
      long n = 0;
      int lim = Math.min(to, v + 18);
      while (i < lim) {
        int d = c[i] - '0';
        if (d < 0 || d > 9) {
          break;
        }
        n = n * 10 + d;
        i++;
      }
      if (i == v) {
        return -1;
      }
      longValue = n;
      if (i == to) {
        return to;
      }
      return c[i] == ' ' ? i + 1 : -1;
    }

    /**
     * {@code 0x} and 1-8 hex digits at {@code v} into {@link #value} (as {@code (int) Text.hex});
     * returns as {@link #decimal}.
     */
    private int hex(int v) {
      final char[] c = this.c;
      if (v + 2 >= to || c[v] != '0' || c[v + 1] != 'x') {
        return -1;
      }
      int i = v + 2;
      int n = 0;
      int lim = Math.min(to, v + 10);
      while (i < lim) {
        char ch = c[i];
        int d;
        if (ch >= '0' && ch <= '9') {
          d = ch - '0';
        } else if (ch >= 'a' && ch <= 'f') {
          d = ch - 'a' + 10;
        } else if (ch >= 'A' && ch <= 'F') {
          d = ch - 'A' + 10;
        } else {
          break;
        }
        n = n << 4 | d;
        i++;
      }
      if (i == v + 2) {
        return -1;
      }
      value = n;
      if (i == to) {
        return to;
      }
      return c[i] == ' ' ? i + 1 : -1;
    }

    /** The bit of the TCP flag word {@code c0 c1 c2}, or 0. */
    private static int tcpFlag(char c0, char c1, char c2) {
      if ((c0 | c1 | c2) > 0x7f) {
        return 0; // wider chars could alias a flag in the packed int
      }
      TcpFlag f =
          switch (c0 << 16 | c1 << 8 | c2) {
            case 'C' << 16 | 'W' << 8 | 'R' -> TcpFlag.CWR;
            case 'E' << 16 | 'C' << 8 | 'E' -> TcpFlag.ECE;
            case 'U' << 16 | 'R' << 8 | 'G' -> TcpFlag.URG;
            case 'A' << 16 | 'C' << 8 | 'K' -> TcpFlag.ACK;
            case 'P' << 16 | 'S' << 8 | 'H' -> TcpFlag.PSH;
            case 'R' << 16 | 'S' << 8 | 'T' -> TcpFlag.RST;
            case 'S' << 16 | 'Y' << 8 | 'N' -> TcpFlag.SYN;
            case 'F' << 16 | 'I' << 8 | 'N' -> TcpFlag.FIN;
            default -> null;
          };
      return f == null ? 0 : f.bit();
    }

    /** Whether {@code KEY=} with a two-letter key starts at {@code p}. */
    private boolean key2(int p, char k0, char k1) {
      final char[] c = this.c;
      return p + 3 <= to && c[p] == k0 && c[p + 1] == k1 && c[p + 2] == '=';
    }

    private boolean key3(int p, char k0, char k1, char k2) {
      final char[] c = this.c;
      return p + 4 <= to && c[p] == k0 && c[p + 1] == k1 && c[p + 2] == k2 && c[p + 3] == '=';
    }

    private boolean key4(int p, char k0, char k1, char k2, char k3) {
      final char[] c = this.c;
      return p + 5 <= to
          && c[p] == k0
          && c[p + 1] == k1
          && c[p + 2] == k2
          && c[p + 3] == k3
          && c[p + 4] == '=';
    }

    private boolean keyN(int p, String key) {
      int n = key.length();
      return p + n + 1 <= to && c[p + n] == '=' && startsAt(p, key);
    }

    /** Where the token that contains {@code i} ends: the next space, or the end. */
    private int end(int i) {
      while (i < to && c[i] != ' ') {
        i++;
      }
      return i;
    }

    /** The token starting at {@code a}; leaves {@link #pos} at its end. */
    private void token(int a) {
      char c0 = c[a];
      if (c0 == '[' && startsAt(a + 1, "SRC=")) {
        if (cur == null || cur != outer) {
          throw bad("quoted packet outside an ICMP error", a, end(a));
        }
        cur = new IpPacket.Builder();
        token(a + 1);
        return;
      }
      if (c0 == ']' && (a + 1 == to || c[a + 1] == ' ')) {
        pos = a + 1;
        if (cur == null || cur == outer) {
          throw bad("unbalanced ']'", a, a + 1);
        }
        validateEmbedded(cur);
        outer.embedded = cur.build();
        cur = outer;
        return;
      }
      // One pass finds the '=' within this token (not past it: flag words such as DF or SYN
      // have none) or the token's end, and packs the key's characters into an int for
      // keyValue's switch (a key of up to four ASCII letters; -1 if a NUL or a non-ASCII
      // character could make one alias).
      int key = 0;
      int eq = a;
      while (eq < to) {
        char ch = c[eq];
        if (ch == '=' || ch == ' ') {
          break;
        }
        if (key != -1) {
          key = ch == 0 || ch >= 0x80 ? -1 : (key << 8) | ch;
        }
        eq++;
      }
      if (eq == to || c[eq] == ' ') {
        pos = eq;
        word(a, eq);
      } else {
        int b = end(eq + 1);
        pos = b;
        keyValue(a, eq, b, key);
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
    private void keyValue(int a, int eq, int b, int key) {
      int v = eq + 1;
      int klen = eq - a;
      if (klen >= 2 && klen <= 4) {
        switch (key) {
          case 'I' << 8 | 'D' -> { // ID
            IpPacket.Builder p = packet(a, b);
            if (p.protocol == null) {
              p.ipId = Text.decimalInt(c, s, v, b, "ID");
            } else {
              p.icmpId = Text.decimalInt(c, s, v, b, "ID");
            }
            return;
          }
          case 'T' << 8 | 'C' -> { // TC
            packet(a, b).trafficClass = Text.decimalInt(c, s, v, b, "TC");
            return;
          }
          case 'S' << 16 | 'R' << 8 | 'C' -> { // SRC
            if (cur == null) {
              outer = outerBuilder;
              outer.reset();
              cur = outer;
            }
            cur.source = address(v, b, "SRC");
            cur.family = owner.addresses.hadColon() ? Family.IPV6 : Family.IPV4;
            return;
          }
          case 'D' << 16 | 'S' << 8 | 'T' -> { // DST
            packet(a, b).destination = address(v, b, "DST");
            return;
          }
          case 'L' << 16 | 'E' << 8 | 'N' -> { // LEN
            IpPacket.Builder p = packet(a, b);
            if (p.protocol == null) {
              p.length = Text.decimalInt(c, s, v, b, "LEN");
            } else {
              p.udpLength = Text.decimalInt(c, s, v, b, "LEN");
            }
            return;
          }
          case 'T' << 16 | 'O' << 8 | 'S' -> { // TOS
            packet(a, b).tos = (int) Text.hex(c, s, v, b, "TOS");
            return;
          }
          case 'T' << 16 | 'T' << 8 | 'L' -> { // TTL
            packet(a, b).ttl = Text.decimalInt(c, s, v, b, "TTL");
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
              p.tcpSequence = Text.decimal(c, s, v, b, "SEQ");
            } else {
              p.icmpSequence = Text.decimalInt(c, s, v, b, "SEQ");
            }
            return;
          }
          case 'A' << 16 | 'C' << 8 | 'K' -> { // ACK
            packet(a, b).tcpAcknowledgement = Text.decimal(c, s, v, b, "ACK");
            return;
          }
          case 'R' << 16 | 'E' << 8 | 'S' -> { // RES
            packet(a, b).tcpReserved = (int) Text.hex(c, s, v, b, "RES");
            return;
          }
          case 'M' << 16 | 'A' << 8 | 'C' -> { // MAC
            mac = owner.reuse(MAC, c, s, v, b);
            return;
          }
          case 'U' << 16 | 'I' << 8 | 'D' -> { // UID
            uid = Text.decimal(c, s, v, b, "UID");
            return;
          }
          case 'G' << 16 | 'I' << 8 | 'D' -> { // GID
            gid = Text.decimal(c, s, v, b, "GID");
            return;
          }
          case 'M' << 16 | 'T' << 8 | 'U' -> { // MTU
            packet(a, b).mtu = Text.decimalInt(c, s, v, b, "MTU");
            return;
          }
          case 'S' << 16 | 'P' << 8 | 'I' -> { // SPI
            packet(a, b).spi = Text.hex(c, s, v, b, "SPI");
            return;
          }
          case 'P' << 24 | 'R' << 16 | 'E' << 8 | 'C' -> { // PREC
            packet(a, b).precedence = (int) Text.hex(c, s, v, b, "PREC");
            return;
          }
          case 'U' << 24 | 'R' << 16 | 'G' << 8 | 'P' -> { // URGP
            packet(a, b).urgentPointer = Text.decimalInt(c, s, v, b, "URGP");
            return;
          }
          case 'T' << 24 | 'Y' << 16 | 'P' << 8 | 'E' -> { // TYPE
            packet(a, b).icmpType = Text.decimalInt(c, s, v, b, "TYPE");
            return;
          }
          case 'C' << 24 | 'O' << 16 | 'D' << 8 | 'E' -> { // CODE
            packet(a, b).icmpCode = Text.decimalInt(c, s, v, b, "CODE");
            return;
          }
          case 'M' << 24 | 'A' << 16 | 'R' << 8 | 'K' -> { // MARK
            mark = Text.hex(c, s, v, b, "MARK");
            return;
          }
          default -> {}
        }
      } else if (klen >= 5) {
        switch (c[a]) {
          case 'P' -> {
            if (is(a, eq, "PROTO")) {
              proto(packet(a, b), v, b);
              return;
            }
            if (is(a, eq, "PHYSIN")) {
              physIn = s.substring(v, b);
              return;
            }
            if (is(a, eq, "PHYSOUT")) {
              physOut = s.substring(v, b);
              return;
            }
            if (is(a, eq, "POINTER")) {
              packet(a, b).icmpParameter = (int) Text.hex(c, s, v, b, "POINTER");
              return;
            }
            if (is(a, eq, "PARAMETER")) {
              packet(a, b).icmpParameter = Text.decimalInt(c, s, v, b, "PARAMETER");
              return;
            }
          }
          case 'W' -> {
            if (is(a, eq, "WINDOW")) {
              packet(a, b).tcpWindow = Text.decimalInt(c, s, v, b, "WINDOW");
              return;
            }
          }
          case 'F' -> {
            if (is(a, eq, "FLOWLBL")) {
              packet(a, b).flowLabel = Text.decimalInt(c, s, v, b, "FLOWLBL");
              return;
            }
          }
          case 'G' -> {
            if (is(a, eq, "GATEWAY")) {
              packet(a, b).icmpGateway = address(v, b, "GATEWAY");
              return;
            }
          }
          case 'H' -> {
            if (is(a, eq, "HOPLIMIT")) {
              packet(a, b).ttl = Text.decimalInt(c, s, v, b, "HOPLIMIT");
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
        if (is(a, b, "ARP")) {
          sawNonIp = true;
        }
        return; // words before SRC= (e.g. "ARP") carry nothing we model
      }
      IpPacket.Builder p = cur;
      if (p.protocol == null) {
        if (is(a, b, "DF")) {
          p.dontFragment = true;
        } else if (is(a, b, "MF")) {
          p.moreFragments = true;
        } else if (is(a, b, "CE")) {
          p.congestion = true;
        } else if (startsAt(a, "FRAG:")) {
          fragment(p, a, b);
        } else if (is(a, b, "OPT")) {
          p.ipOptions = options();
        } else if (is(a, b, "TRUNCATED")) {
          p.truncated = true;
        } else if (is(a, b, "Unknown")) {
          // "Unknown Ext Hdr 43": the kernel stops printing here
          p.truncated = true;
          pos = to;
        } else if (is(a, b, "INCOMPLETE")) {
          if (!incompleteBytes(p)) {
            p.moreFragments = true; // IPv6 fragment header: more fragments follow
          }
        } else if (startsAt(a, "ID:")) {
          p.fragmentId = Text.hex(c, s, a + 3, b, "fragment ID");
        } else if (len > 0) {
          throw bad("unexpected word", a, b);
        }
        return;
      }
      if (len <= 3 && p.protocol == Protocol.TCP) {
        for (TcpFlag f : TCP_FLAGS) {
          if (is(a, b, f.name())) {
            p.tcpFlagBits |= f.bit();
            return;
          }
        }
      }
      if (is(a, b, "INCOMPLETE")) {
        if (!incompleteBytes(p)) {
          throw bad("INCOMPLETE without [n bytes]", a, b);
        }
      } else if (is(a, b, "OPT")) {
        p.tcpOptions = options();
      } else {
        throw bad("unexpected word", a, b);
      }
    }

    /** {@code INCOMPLETE [65535 bytes]}: the kernel could not read the transport header. */
    private boolean incompleteBytes(IpPacket.Builder p) {
      int save = pos;
      if (!next() || c[ts] != '[') {
        pos = save;
        return false;
      }
      int n = Text.decimalInt(c, s, ts + 1, te, "INCOMPLETE byte count");
      if (!next() || !is(ts, te, "bytes]")) {
        throw truncated("INCOMPLETE [n bytes] is cut short");
      }
      p.incompleteBytes = n;
      return true;
    }

    /** IPv4 {@code FRAG:185}, IPv6 {@code FRAG: 1232} (offset as a separate word). */
    private void fragment(IpPacket.Builder p, int a, int b) {
      if (b > a + 5) {
        p.fragmentOffset = Text.decimalInt(c, s, a + 5, b, "FRAG");
        return;
      }
      if (!next()) {
        throw truncated("FRAG: without offset");
      }
      if (is(ts, te, "TRUNCATED")) {
        p.truncated = true;
        return;
      }
      p.fragmentOffset = Text.decimalInt(c, s, ts, te, "FRAG");
    }

    /** {@code OPT (0204FFD7...)}: hex bytes inside parentheses, possibly space separated. */
    private String options() {
      StringBuilder hex = new StringBuilder();
      boolean open = false;
      while (next()) {
        int a = ts;
        int b = te;
        if (!open) {
          if (c[a] != '(') {
            throw bad("OPT without '('", a, b);
          }
          open = true;
          a++;
        }
        boolean close = b > a && c[b - 1] == ')';
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
      if (is(v, b, "TCP")) {
        proto = Protocol.TCP;
      } else if (is(v, b, "UDP")) {
        proto = Protocol.UDP;
      } else if (is(v, b, "ICMP")) {
        proto = Protocol.ICMP;
      } else if (is(v, b, "ICMPv6")) {
        proto = Protocol.ICMPV6;
      } else if (is(v, b, "UDPLITE")) {
        proto = Protocol.UDPLITE;
      } else if (is(v, b, "AH")) {
        proto = Protocol.AH;
      } else if (is(v, b, "ESP")) {
        proto = Protocol.ESP;
      } else {
        int n = Text.decimalInt(c, s, v, b, "PROTO");
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

    private InetAddress address(int a, int b, String what) {
      InetAddress addr = owner.addresses.parse(c, s, a, b);
      if (addr == null) {
        if (b >= to) {
          throw truncated("line ends inside " + what + "=" + s.substring(a, b));
        }
        throw Text.bad(what, s, a, b);
      }
      return addr;
    }

    private int port(int a, int b, String what) {
      int port = Text.decimalInt(c, s, a, b, what);
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
