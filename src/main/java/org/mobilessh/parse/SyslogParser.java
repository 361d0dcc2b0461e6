package org.mobilessh.parse;

import java.time.Instant;

/**
 * Syslog files: rsyslog's traditional format and syslog-ng's default ({@code Nov 26 23:42:25 host
 * kernel: msg}), rsyslog's RFC 3339 high-precision format and {@code journalctl -o
 * short-iso-precise} ({@code 2026-11-26T23:42:25.123456+00:00 host kernel: msg}). Lines of other
 * programs are skipped; only the kernel's netfilter lines become events.
 */
final class SyslogParser extends KernelLineParser {
  private static final String MONTHS = "JanFebMarAprMayJunJulAugSepOctNovDec";

  private final boolean traditional;
  private final ClockSource clockSource;
  private final LocalTimeResolver resolver;
  // The line being parsed, for lineTime: one supplier for all lines instead of a lambda per line
  // (the last line stays referenced until the next one).
  private String line;
  private int stampEnd;
  private final TimeSupplier lineTime = micros -> time(line, stampEnd);
  // A router's file names the same host on every line.
  private String lastHost;
  // The last kernel line's text from the end of its stamp to its message (" host kernel: "), with
  // a space at both ends, and the host in it.
  private String kernelHead;
  private String kernelHeadHost;
  // The previous traditional stamp's result: lines often share their second, and resolving the
  // same stamp text again right after gives the same EventTime and leaves the resolver as it was.
  // Null after a failed resolution, which may have moved the resolver's year.
  private EventTime lastTime;
  // parseKnownInstant's instant for the line being parsed, else null; only set where the resolver
  // would give every such line a UNIQUE zone resolution (a fixed offset, as the index re-parses)
  private Instant knownInstant;
  private final boolean fixedOffset;

  SyslogParser(ParseContext context, LogFormat format) {
    super(context, format);
    this.traditional = format == LogFormat.SYSLOG;
    this.clockSource =
        format == LogFormat.JOURNAL_SHORT_ISO ? ClockSource.JOURNAL : ClockSource.SYSLOG;
    this.resolver = traditional ? new LocalTimeResolver(context.clock()) : null;
    this.fixedOffset = context.clock().zone().getRules().isFixedOffset();
  }

  /**
   * A traditional stamp under a fixed offset skips its resolution (month, digits, the resolver's
   * date arithmetic and minute cache: ~10 % of a re-parse): the resolver would give the same text,
   * {@code SECOND}, {@code SYSLOG} and {@code UNIQUE} with an instant the caller replaces anyway.
   */
  @Override
  public ParseResult parseKnownInstant(String line, long lineNumber, Instant instant) {
    if (instant == null || !traditional || !fixedOffset) {
      return parse(line, lineNumber);
    }
    knownInstant = instant;
    try {
      return parse(line, lineNumber);
    } finally {
      knownInstant = null;
    }
  }

  /** Month 1-12 from its English abbreviation at {@code s[at]}, or 0. */
  static int month(String s, int at) {
    if (s.length() < at + 3) {
      return 0;
    }
    // by the first letter, then one check: every line starts with a month, and a loop over
    // twelve regionMatches showed in profiles
    int m =
        switch (s.charAt(at)) {
          case 'J' -> s.charAt(at + 1) == 'a' ? 1 : s.charAt(at + 2) == 'n' ? 6 : 7;
          case 'F' -> 2;
          case 'M' -> s.charAt(at + 2) == 'r' ? 3 : 5;
          case 'A' -> s.charAt(at + 1) == 'p' ? 4 : 8;
          case 'S' -> 9;
          case 'O' -> 10;
          case 'N' -> 11;
          case 'D' -> 12;
          default -> 0;
        };
    return m > 0 && s.regionMatches(at, MONTHS, (m - 1) * 3, 3) ? m : 0;
  }

  /** Whether the line starts with a traditional {@code Mmm dd HH:MM:SS } stamp. */
  static boolean isTraditionalStamp(String s) {
    return s.length() > 16
        && month(s, 0) > 0
        && s.charAt(3) == ' '
        && (s.charAt(4) == ' ' || Character.isDigit(s.charAt(4)))
        && Character.isDigit(s.charAt(5))
        && s.charAt(6) == ' '
        && s.charAt(9) == ':'
        && s.charAt(12) == ':'
        && s.charAt(15) == ' ';
  }

  @Override
  ParseResult parseLine(String s) {
    int stampEnd;
    if (traditional) {
      if (!isTraditionalStamp(s)) {
        throw notThisFormat("not a syslog line (expected 'Mmm dd HH:MM:SS host tag: message')");
      }
      stampEnd = 15;
    } else {
      if (s.startsWith("-- ")) {
        return skipped(SkipReason.TOOL_MESSAGE); // journalctl's "-- Boot ... --" separators
      }
      stampEnd = s.indexOf(' ');
      if (stampEnd < 19 || s.charAt(4) != '-' || s.charAt(10) != 'T') {
        throw notThisFormat(
            "not an RFC 3339 syslog line (expected 'YYYY-MM-DDTHH:MM:SS.ffffff+hh:mm host tag: message')");
      }
    }
    String known = kernelHead;
    if (known != null && s.startsWith(known, stampEnd)) {
      // the same text from the stamp's end to the message as a recent kernel line: the search
      // below would find the same host and tag ends in it (its first spaces), so the same host,
      // the kernel's tag and the same message start
      this.line = s;
      this.stampEnd = stampEnd;
      return kernelMessage(s, stampEnd + known.length(), lineTime, kernelHeadHost, null, null);
    }
    int hostStart = stampEnd + 1;
    int hostEnd = s.indexOf(' ', hostStart);
    if (hostEnd <= hostStart) {
      throw notThisFormat("no host name and tag after the timestamp");
    }
    int tagEnd = s.indexOf(' ', hostEnd + 1);
    if (tagEnd < 0) {
      tagEnd = s.length();
    }
    if (!Text.regionIs(s, hostEnd + 1, tagEnd, "kernel:")) {
      return notice(s, stampEnd, hostStart, hostEnd, tagEnd);
    }
    String host = host(s, hostStart, hostEnd);
    int msg = Math.min(tagEnd + 1, s.length());
    if (tagEnd < s.length()) {
      kernelHead = s.substring(stampEnd, msg);
      kernelHeadHost = host;
    }
    this.line = s;
    this.stampEnd = stampEnd;
    return kernelMessage(s, msg, lineTime, host, null, null);
  }

  private String host(String s, int from, int to) {
    String last = lastHost;
    if (last != null && last.length() == to - from && s.startsWith(last, from)) {
      return last;
    }
    last = s.substring(from, to);
    lastHost = last;
    return last;
  }

  /**
   * A line of another program: mobilessh's own audit line of a manual list change, journald's
   * "Suppressed N messages", or (all others) skipped.
   */
  private ParseResult notice(String s, int stampEnd, int hostStart, int hostEnd, int tagEnd) {
    boolean own = Notices.isOwnTag(s, hostEnd + 1, tagEnd);
    if (!own && !Notices.isJournaldTag(s, hostEnd + 1, tagEnd)) {
      return skipped(SkipReason.OTHER_PROGRAM);
    }
    String message = tagEnd + 1 < s.length() ? s.substring(tagEnd + 1) : "";
    if (!message.startsWith(own ? "list " : "Suppressed ")) {
      return skipped(SkipReason.OTHER_PROGRAM);
    }
    EventTime t = time(s, stampEnd);
    String host = host(s, hostStart, hostEnd);
    NoticeEvent e =
        own ? Notices.listChange(message, t, host) : Notices.journalMarker(message, t, host);
    return e == null ? skipped(SkipReason.OTHER_PROGRAM) : parsed(e);
  }

  private EventTime time(String s, int end) {
    if (traditional) {
      Instant known = knownInstant;
      if (known != null) {
        return new EventTime(
            known,
            s.substring(0, end),
            TimePrecision.SECOND,
            ClockSource.SYSLOG,
            EventTime.ZoneResolution.UNIQUE);
      }
      EventTime last = lastTime;
      if (last != null && s.startsWith(last.original())) {
        return last; // traditional stamps are always 15 characters: same text, same stamp
      }
      lastTime = null;
    }
    String original = s.substring(0, end);
    if (!traditional) {
      Timestamps.Iso iso = Timestamps.parseIso(s, 0, end);
      if (!iso.hadOffset()) {
        throw new ParseException(
            Diagnostic.Reason.BAD_TIMESTAMP, "timestamp '" + original + "' has no UTC offset");
      }
      return EventTime.explicit(
          iso.instant(),
          original,
          TimePrecision.ofFractionDigits(iso.fractionDigits()),
          clockSource);
    }
    int month = month(s, 0);
    int day = (s.charAt(4) == ' ' ? 0 : s.charAt(4) - '0') * 10 + (s.charAt(5) - '0');
    int h = Text.twoDigits(s, 7, "hour");
    int m = Text.twoDigits(s, 10, "minute");
    int sec = Text.twoDigits(s, 13, "second");
    EventTime t = resolver.resolve(month, day, h, m, sec, original);
    lastTime = t;
    return t;
  }
}
