package org.mobilessh.ingest;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.MonthDay;
import java.time.ZoneId;
import org.mobilessh.parse.ParseException;
import org.mobilessh.parse.SyslogClock;

/**
 * The year of the first line of a traditional syslog file ({@code Nov 26 23:42:25} has none). The
 * last line cannot be later than the file's mtime (nor than now, nor than the first line of the
 * next newer file of the same rotation chain), so its year is the latest one that keeps it there;
 * the first line's year follows, one less when the file runs over New Year.
 */
final class YearInference {
  /** rsyslog stamps kernel lines up to ~1 s early: a newer file's first line is a soft bound. */
  static final long ROTATION_SLACK_SECONDS = 60;

  private YearInference() {}

  /** A traditional syslog stamp's month, day and time. */
  record Stamp(MonthDay day, LocalTime time) {
    LocalDateTime at(int year) {
      return LocalDateTime.of(day.atYear(year), time);
    }
  }

  /** The first and last stamps of one file (equal for a one-line file). */
  record Span(Stamp first, Stamp last) {}

  /**
   * The first line's year.
   *
   * @param span the file's first and last stamps
   * @param notAfter the latest instant the last line can have
   */
  static int firstLineYear(Span span, ZoneId zone, Instant notAfter) {
    int lastYear = SyslogClock.latestYear(span.last().day(), span.last().time(), zone, notAfter);
    try {
      return SyslogClock.firstLineYear(span.first().day(), span.last().day(), lastYear);
    } catch (ParseException e) {
      // Feb 29 first and the last line's year is not a leap year: the file is older than its
      // mtime says (a copy, a touch); the latest leap year before is the only consistent one
      int y = span.first().day().isAfter(span.last().day()) ? lastYear - 1 : lastYear;
      while (!span.first().day().isValidYear(y)) {
        y--;
      }
      return y;
    }
  }

  /** The first line's instant, given its year (for bounding the next older file). */
  static Instant firstInstant(Span span, int year, ZoneId zone) {
    MonthDay d = span.first().day();
    int y = year;
    while (!d.isValidYear(y)) {
      y--;
    }
    return span.first().at(y).atZone(zone).toInstant();
  }

  private static final String MONTHS = "JanFebMarAprMayJunJulAugSepOctNovDec";

  /** The stamp at the start of {@code line}, or {@code null} if it has none. */
  static Stamp stampOf(String line) {
    if (line.length() < 16 || line.charAt(3) != ' ' || line.charAt(6) != ' ') {
      return null;
    }
    int month = MONTHS.indexOf(line.substring(0, 3));
    if (month < 0 || month % 3 != 0) {
      return null;
    }
    try {
      int day = Integer.parseInt(line.substring(4, 6).trim());
      int h = Integer.parseInt(line.substring(7, 9));
      int m = Integer.parseInt(line.substring(10, 12));
      int s = Integer.parseInt(line.substring(13, 15));
      if (line.charAt(9) != ':' || line.charAt(12) != ':') {
        return null;
      }
      return new Stamp(MonthDay.of(month / 3 + 1, day), LocalTime.of(h, m, s));
    } catch (RuntimeException e) {
      return null;
    }
  }
}
