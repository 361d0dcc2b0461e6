package org.mobilessh.parse;

import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * Guesses the format of an input from its first non-empty lines: each line votes for the format
 * whose shape it has, the most votes win. Cheap shape checks only; the parser does the real work.
 */
public final class FormatDetector {
  /** How many non-empty lines the ingest stage should offer. */
  public static final int SAMPLE_LINES = 20;

  private FormatDetector() {}

  /** The detected format, or empty if no line has a known shape. */
  public static Optional<LogFormat> detect(Iterable<String> firstLines) {
    Map<LogFormat, Integer> votes = new EnumMap<>(LogFormat.class);
    boolean journalHeader = false;
    int seen = 0;
    for (String line : firstLines) {
      if (Text.isBlank(line)) {
        continue;
      }
      if (++seen > SAMPLE_LINES) {
        break;
      }
      if (line.startsWith("-- ")) {
        journalHeader = true;
        continue;
      }
      LogFormat f = shapeOf(line);
      if (f != null) {
        votes.merge(f, 1, Integer::sum);
      }
    }
    if (journalHeader && votes.containsKey(LogFormat.SYSLOG_RFC3339)) {
      votes.merge(
          LogFormat.JOURNAL_SHORT_ISO, votes.remove(LogFormat.SYSLOG_RFC3339), Integer::sum);
    }
    if (votes.isEmpty() && journalHeader) {
      return Optional.of(LogFormat.JOURNAL_SHORT_ISO); // "-- No entries --"
    }
    LogFormat best = null;
    int bestVotes = 0;
    for (Map.Entry<LogFormat, Integer> e : votes.entrySet()) {
      if (e.getValue() > bestVotes) {
        best = e.getKey();
        bestVotes = e.getValue();
      }
    }
    return Optional.ofNullable(best);
  }

  /** The format whose shape this one line has, or {@code null}. */
  static LogFormat shapeOf(String line) {
    String s = line.stripLeading();
    if (s.isEmpty()) {
      return null;
    }
    char c = s.charAt(0);
    if (c == '{') {
      if (s.contains("\"__CURSOR\"")
          || s.contains("\"__REALTIME_TIMESTAMP\"")
          || s.contains("\"_BOOT_ID\"")) {
        return LogFormat.JOURNAL_JSON;
      }
      if (s.contains("\"ct.event\"") || s.contains("\"oob.") || s.contains("\"dvc\"")) {
        return LogFormat.ULOGD_JSON;
      }
      return null;
    }
    if (s.startsWith("[NEW]")
        || s.startsWith("[UPDATE]")
        || s.startsWith("[DESTROY]")
        || s.startsWith("conntrack v")) {
      return LogFormat.CONNTRACK;
    }
    if (c == '[') {
      int close = s.indexOf(']');
      if (close > 0) {
        String rest = s.substring(close + 1).stripLeading();
        if (rest.startsWith("[NEW]")
            || rest.startsWith("[UPDATE]")
            || rest.startsWith("[DESTROY]")) {
          return LogFormat.CONNTRACK;
        }
        long[] stamp = {-1};
        try {
          KernelLineParser.kernelStamp(s, 0, stamp);
        } catch (ParseException e) {
          return null;
        }
        return stamp[0] >= 0 ? LogFormat.DMESG_RAW : null;
      }
      return null;
    }
    if (SyslogParser.isTraditionalStamp(s)) {
      return LogFormat.SYSLOG;
    }
    if (s.length() > 20
        && Character.isDigit(c)
        && s.charAt(4) == '-'
        && s.charAt(7) == '-'
        && s.charAt(10) == 'T'
        && s.charAt(13) == ':') {
      if (s.charAt(19) == ',') {
        return LogFormat.DMESG_ISO;
      }
      int sp = s.indexOf(' ');
      if (sp < 0) {
        return null;
      }
      // journalctl before systemd 250 wrote "+0100"; rsyslog always writes "+01:00"
      boolean colonOffset = sp >= 6 && s.charAt(sp - 3) == ':';
      boolean zulu = s.charAt(sp - 1) == 'Z';
      return colonOffset || zulu ? LogFormat.SYSLOG_RFC3339 : LogFormat.JOURNAL_SHORT_ISO;
    }
    if (Character.isLetter(c)) {
      // dmesg -x: "kern  :warn  : 2026-11-26T23:42:25,123456+00:00 msg"
      int second = s.indexOf(": ", s.indexOf(':') + 1);
      if (second > 0 && second < 20) {
        String rest = s.substring(second + 2).stripLeading();
        if (!rest.equals(s)) {
          LogFormat inner = shapeOf(rest);
          if (inner == LogFormat.DMESG_ISO || inner == LogFormat.DMESG_RAW) {
            return inner;
          }
        }
      }
    }
    return null;
  }
}
