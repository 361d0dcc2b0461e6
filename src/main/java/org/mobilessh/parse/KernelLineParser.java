package org.mobilessh.parse;

/** Parsers of formats that carry kernel messages (syslog, dmesg, journald). */
abstract class KernelLineParser extends AbstractLineParser {
  private static final String REPEATED = "message repeated ";

  protected final NetfilterMessages netfilter;
  // kernelMessage's out-parameter for the kernel stamp, one array per parser rather than per line
  private final long[] stamp = new long[1];

  KernelLineParser(ParseContext context, LogFormat format) {
    super(context, format);
    this.netfilter = new NetfilterMessages(context.prefixes());
  }

  /**
   * Position after an optional kernel stamp {@code [ 75.802738] } at {@code from}, storing the
   * stamp in µs in {@code stamp[0]}; {@code from} itself if there is none.
   */
  static int kernelStamp(String s, int from, long[] stamp) {
    if (from >= s.length() || s.charAt(from) != '[') {
      return from;
    }
    int close = s.indexOf(']', from);
    if (close < 0) {
      return from;
    }
    int a = from + 1;
    while (a < close && s.charAt(a) == ' ') {
      a++;
    }
    for (int i = a; i < close; i++) {
      char c = s.charAt(i);
      if ((c < '0' || c > '9') && c != '.') {
        return from; // "[SRC=..." or other bracketed text is not a stamp
      }
    }
    if (a == close) {
      return from;
    }
    stamp[0] = Timestamps.decimalSecondsToMicros(s, a, close);
    int p = close + 1;
    return p < s.length() && s.charAt(p) == ' ' ? p + 1 : p;
  }

  /**
   * The kernel message at {@code s[from..]}: an optional {@code [uptime]} stamp, optionally wrapped
   * in rsyslog's {@code message repeated n times: [ ... ]}, then netfilter output or something
   * else. A non-null {@code timeSupplier} is only called for netfilter lines, so skipped lines
   * never pay for (or fail on) time conversion.
   */
  ParseResult kernelMessage(
      String s, int from, TimeSupplier time, String host, Long knownMicros, String bootId) {
    long[] stamp = this.stamp;
    stamp[0] = -1;
    int p = kernelStamp(s, from, stamp);
    int to = s.length();
    int repeated = 1;
    if (s.startsWith(REPEATED, p)) {
      int n = p + REPEATED.length();
      int sp = s.indexOf(' ', n);
      if (sp > n && s.startsWith(" times: [", sp) && s.charAt(to - 1) == ']') {
        repeated = Text.decimalInt(s, n, sp, "repeat count");
        p = sp + " times: [".length();
        to--;
        while (p < to && s.charAt(p) == ' ') {
          p++;
        }
        p = kernelStamp(s, p, stamp);
      }
    }
    if (netfilter.knownHead(s, p, to)) {
      Long micros = stamp[0] >= 0 ? Long.valueOf(stamp[0]) : knownMicros;
      EventTime t = time.get(micros);
      return parsed(netfilter.parseKnown(s, p, to, t, host, micros, bootId, repeated));
    }
    int in = NetfilterMessages.inTokenStart(s, p, to);
    if (in < 0) {
      if (Notices.mayBeKernelMarker(s, p, to)) {
        NoticeEvent marker =
            Notices.kernelMarker(
                s.substring(p, to),
                time.get(stamp[0] >= 0 ? Long.valueOf(stamp[0]) : knownMicros),
                host);
        if (marker != null) {
          return parsed(marker);
        }
      }
      return skipped(SkipReason.NOT_NETFILTER);
    }
    Long micros = stamp[0] >= 0 ? Long.valueOf(stamp[0]) : knownMicros;
    EventTime t = time.get(micros);
    return parsed(netfilter.parseAt(s, p, to, in, t, host, micros, bootId, repeated));
  }

  /** Resolves the line's time once it is known to matter; gets the kernel stamp if any. */
  @FunctionalInterface
  interface TimeSupplier {
    EventTime get(Long kernelMicros);
  }
}
