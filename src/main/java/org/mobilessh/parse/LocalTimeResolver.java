package org.mobilessh.parse;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.List;

/**
 * Turns a stream of year-less, zone-less syslog times into instants, line after line. It carries
 * the year across Dec→Jan, tolerates the slightly out-of-order lines syslog daemons write near
 * midnight on Dec 31, and picks the offset inside a DST fall-back hour from the order of the lines:
 * a local time that goes back while inside the repeated hour means the second pass has begun. One
 * instance per input, not thread-safe.
 */
final class LocalTimeResolver {
  /** Out-of-order slack: rsyslog can stamp kernel lines ~1 s early; allow a little more. */
  private static final long BACKSTEP_SECONDS = 10;

  private final ZoneRules rules;
  private int year;
  private int lastMonth;
  private LocalDateTime lastLocal;
  private boolean lastWasOverlap;
  private boolean lastWasLaterOffset;
  // Lines come many per minute: remember the last minute whose offset was unambiguous.
  private long cachedMinuteKey = -1;
  private long cachedMinuteEpochSecond;

  LocalTimeResolver(SyslogClock clock) {
    this(clock.year(), clock.zone());
  }

  LocalTimeResolver(int firstYear, ZoneId zone) {
    this.rules = zone.getRules();
    this.year = firstYear;
  }

  /**
   * The year the next line in {@code month} belongs to. Logs are chronological, so a month earlier
   * than the last one means a new year (Dec -> Jan, or a router that was off over New Year). The
   * one exception is syslog's jitter at midnight: a Dec line right after Jan lines belongs to the
   * old year and does not move the clock.
   */
  private int yearFor(int month) {
    if (lastMonth == 0) {
      lastMonth = month;
      return year;
    }
    if (lastMonth == 1 && month == 12) {
      return year - 1;
    }
    if (month < lastMonth) {
      year++;
    }
    lastMonth = month;
    return year;
  }

  EventTime resolve(int month, int day, int h, int m, int s, String original) {
    int y = yearFor(month);
    long minuteKey = ((((long) y * 13 + month) * 32 + day) * 24 + h) * 60 + m;
    // the key packs the fields with no room to spare: 00:60 has the key of 01:00 and 24:00 that
    // of the next day's 00:00, so only a valid hour and minute may take the cached one
    if (minuteKey == cachedMinuteKey && s < 60 && m < 60 && h < 24) {
      lastWasOverlap = false;
      lastWasLaterOffset = false;
      return new EventTime(
          Instant.ofEpochSecond(cachedMinuteEpochSecond + s),
          original,
          TimePrecision.SECOND,
          ClockSource.SYSLOG,
          EventTime.ZoneResolution.UNIQUE);
    }
    if (month == 2 && day == 29 && !SyslogClock.isLeap(y)) {
      throw new ParseException(
          Diagnostic.Reason.BAD_TIMESTAMP,
          "Feb 29 does not exist in " + y + ": is the year of this file right?");
    }
    LocalDateTime local = SyslogClock.localDateTime(y, month, day, h, m, s);
    EventTime.ZoneResolution how;
    ZoneOffset offset;
    List<ZoneOffset> valid = rules.isFixedOffset() ? null : rules.getValidOffsets(local);
    boolean overlap = false;
    if (valid == null || valid.size() == 1) {
      offset = valid == null ? rules.getOffset(local) : valid.get(0);
      how = EventTime.ZoneResolution.UNIQUE;
      lastWasLaterOffset = false;
      // cache only if the whole minute has this one offset (transitions fall on minutes)
      if (rules.getValidOffsets(local.withSecond(0)).size() == 1
          && rules.getValidOffsets(local.withSecond(59)).size() == 1) {
        cachedMinuteKey = minuteKey;
        cachedMinuteEpochSecond = local.withSecond(0).toEpochSecond(offset);
      }
    } else if (valid.isEmpty()) {
      ZoneOffsetTransition gap = rules.getTransition(local);
      offset = gap.getOffsetAfter();
      local = local.plus(gap.getDuration());
      how = EventTime.ZoneResolution.GAP;
      lastWasLaterOffset = false;
    } else {
      overlap = true;
      boolean later =
          lastWasLaterOffset
              || (lastWasOverlap && local.isBefore(lastLocal.minusSeconds(BACKSTEP_SECONDS)));
      offset = later ? valid.get(1) : valid.get(0);
      lastWasLaterOffset = later;
      how = EventTime.ZoneResolution.AMBIGUOUS;
    }
    lastLocal = local;
    lastWasOverlap = overlap;
    return new EventTime(
        local.toInstant(offset), original, TimePrecision.SECOND, ClockSource.SYSLOG, how);
  }
}
