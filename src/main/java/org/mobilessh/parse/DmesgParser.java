package org.mobilessh.parse;

/**
 * dmesg output: {@code --time-format iso} ({@code 2026-11-26T23:42:25,123456+00:00 msg}, the
 * kernel's own time, the best clock there is) and raw {@code [ 75.802738] msg}, which counts from
 * boot and becomes wall-clock time only with {@link ParseContext#bootTime()}.
 */
final class DmesgParser extends KernelLineParser {
  private final boolean iso;

  DmesgParser(ParseContext context, LogFormat format) {
    super(context, format);
    this.iso = format == LogFormat.DMESG_ISO;
  }

  @Override
  ParseResult parseLine(String s) {
    int from = skipFacilityLevel(s);
    if (iso) {
      int end = s.indexOf(' ', from);
      if (end < 0) {
        end = s.length();
      }
      if (end - from < 19 || s.charAt(from + 4) != '-' || s.charAt(from + 10) != 'T') {
        throw notThisFormat("not a 'dmesg --time-format iso' line");
      }
      final int a = from;
      final int b = end;
      return kernelMessage(
          s,
          Math.min(end + 1, s.length()),
          micros -> isoTime(s, a, b),
          context.hostname(),
          null,
          null);
    }
    long[] stamp = {-1};
    int p = kernelStamp(s, from, stamp);
    if (stamp[0] < 0) {
      throw notThisFormat("not a raw dmesg line (expected '[seconds.micros] message')");
    }
    long uptime = stamp[0];
    String original = s.substring(from, s.indexOf(']', from) + 1);
    return kernelMessage(
        s, p, micros -> rawTime(original, uptime), context.hostname(), uptime, null);
  }

  /** {@code dmesg -x} puts {@code kern :warn : } before the stamp. */
  private static int skipFacilityLevel(String s) {
    if (s.isEmpty() || !Character.isLetter(s.charAt(0))) {
      return 0;
    }
    int first = s.indexOf(':');
    if (first < 0) {
      return 0;
    }
    int second = s.indexOf(": ", first + 1);
    if (second < 0 || second > 20) {
      return 0;
    }
    int p = second + 2;
    while (p < s.length() && s.charAt(p) == ' ') {
      p++;
    }
    return p;
  }

  private static EventTime isoTime(String s, int a, int b) {
    Timestamps.Iso t = Timestamps.parseIso(s, a, b);
    return EventTime.explicit(
        t.instant(),
        s.substring(a, b),
        TimePrecision.ofFractionDigits(t.fractionDigits()),
        ClockSource.KERNEL);
  }

  private EventTime rawTime(String original, long uptimeMicros) {
    if (context.bootTime() == null) {
      throw new ParseException(
          Diagnostic.Reason.NEEDS_BOOT_TIME,
          "raw dmesg stamps count seconds since boot; without the boot time (e.g. from `uptime"
              + " -s` or journald) they cannot be placed in time — give the boot time or capture"
              + " with `dmesg --time-format iso`");
    }
    return EventTime.explicit(
        context.bootTime().plusNanos(uptimeMicros * 1000L),
        original,
        TimePrecision.MICROSECOND,
        ClockSource.KERNEL);
  }
}
