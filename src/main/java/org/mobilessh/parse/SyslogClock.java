package org.mobilessh.parse;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.MonthDay;
import java.time.Year;
import java.time.ZoneId;
import java.util.Objects;

/**
 * What traditional syslog timestamps ({@code Nov 26 23:42:25}) leave out: the year of the first
 * line and the time zone. The caller decides them (the ingest stage from {@code --year}, {@code
 * --tz}, the file's mtime and rotation order); the parser then follows Dec→Jan rollovers itself.
 * The static methods are the pure year arithmetic for that decision.
 *
 * @param year the year of the first line of the input
 * @param zone the zone the syslog daemon wrote local time in
 */
public record SyslogClock(int year, ZoneId zone) {

  public SyslogClock {
    Objects.requireNonNull(zone, "zone");
    if (year < 1970 || year > 9999) {
      throw new ParseException("syslog year " + year + " is out of range 1970-9999");
    }
  }

  /**
   * The latest year in which {@code monthDay time} (local time in {@code zone}) is not after {@code
   * notAfter} — e.g. the year of a file's last line given the file's mtime. Feb 29 goes back to the
   * latest leap year.
   */
  public static int latestYear(MonthDay monthDay, LocalTime time, ZoneId zone, Instant notAfter) {
    int year = notAfter.atZone(zone).getYear() + 1;
    for (int tries = 0; tries < 10; tries++, year--) {
      if (!monthDay.isValidYear(year)) {
        continue;
      }
      Instant candidate = LocalDateTime.of(monthDay.atYear(year), time).atZone(zone).toInstant();
      if (!candidate.isAfter(notAfter)) {
        return year;
      }
    }
    throw new ParseException("no year puts " + monthDay + " " + time + " before " + notAfter);
  }

  /**
   * The year of a file's first line, given its first and last line's month-day and the year of the
   * last line: one year earlier when the file runs over New Year (its first line's date is later in
   * the calendar than its last). Assumes a file spans less than a year, as rotated logs do.
   */
  public static int firstLineYear(MonthDay first, MonthDay last, int lastLineYear) {
    int year = first.isAfter(last) ? lastLineYear - 1 : lastLineYear;
    if (!first.isValidYear(year)) {
      throw new ParseException(
          first + " does not exist in " + year + ": the file's dates are not in order");
    }
    return year;
  }

  /** Whether Feb 29 exists in {@code year}. */
  static boolean isLeap(int year) {
    return Year.isLeap(year);
  }

  static LocalDateTime localDateTime(int year, int month, int day, int h, int m, int s) {
    try {
      return LocalDateTime.of(year, month, day, h, m, s);
    } catch (DateTimeException e) {
      throw new ParseException(
          Diagnostic.Reason.BAD_TIMESTAMP,
          String.format(
              "%04d-%02d-%02d %02d:%02d:%02d is not a valid time (%s)",
              year, month, day, h, m, s, e.getMessage()));
    }
  }
}
