package org.mobilessh.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalTime;
import java.time.MonthDay;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class SyslogClockTest {
  private static final ZoneId UTC = ZoneOffset.UTC;

  @Test
  void aDecemberLineInAFileWrittenInJanuaryIsFromLastYear() {
    Instant mtime = Instant.parse("2027-01-03T10:00:00Z");
    assertThat(SyslogClock.latestYear(MonthDay.of(12, 31), LocalTime.of(23, 59), UTC, mtime))
        .isEqualTo(2026);
    assertThat(SyslogClock.latestYear(MonthDay.of(1, 3), LocalTime.of(9, 0), UTC, mtime))
        .isEqualTo(2027);
  }

  @Test
  void aLineLaterTheSameDayThanTheMtimeIsAYearOld() {
    Instant mtime = Instant.parse("2026-11-26T10:00:00Z");
    assertThat(SyslogClock.latestYear(MonthDay.of(11, 26), LocalTime.of(11, 0), UTC, mtime))
        .isEqualTo(2025);
    assertThat(SyslogClock.latestYear(MonthDay.of(11, 26), LocalTime.of(10, 0), UTC, mtime))
        .isEqualTo(2026);
  }

  @Test
  void theZoneDecidesWhetherATimeIsInTheFuture() {
    // 00:30 local in Tokyo on Jan 1 2027 is 15:30 UTC on Dec 31 2026: not after the mtime
    Instant mtime = Instant.parse("2026-12-31T16:00:00Z");
    ZoneId tokyo = ZoneId.of("Asia/Tokyo");
    assertThat(SyslogClock.latestYear(MonthDay.of(1, 1), LocalTime.of(0, 30), tokyo, mtime))
        .isEqualTo(2027);
    assertThat(SyslogClock.latestYear(MonthDay.of(1, 1), LocalTime.of(0, 30), UTC, mtime))
        .isEqualTo(2026);
  }

  @Test
  void leapDayGoesBackToTheLatestLeapYear() {
    Instant mtime = Instant.parse("2027-03-01T00:00:00Z");
    assertThat(SyslogClock.latestYear(MonthDay.of(2, 29), LocalTime.NOON, UTC, mtime))
        .isEqualTo(2024);
    assertThat(
            SyslogClock.latestYear(
                MonthDay.of(2, 29), LocalTime.NOON, UTC, Instant.parse("2028-03-01T00:00:00Z")))
        .isEqualTo(2028);
  }

  @Test
  void firstLineYearFollowsTheFileAcrossNewYear() {
    assertThat(SyslogClock.firstLineYear(MonthDay.of(12, 25), MonthDay.of(1, 2), 2027))
        .isEqualTo(2026);
    assertThat(SyslogClock.firstLineYear(MonthDay.of(11, 1), MonthDay.of(11, 26), 2026))
        .isEqualTo(2026);
    assertThatThrownBy(() -> SyslogClock.firstLineYear(MonthDay.of(2, 29), MonthDay.of(3, 1), 2027))
        .isInstanceOf(ParseException.class)
        .hasMessageContaining("does not exist in 2027");
  }

  @Test
  void yearOutOfRangeIsRefused() {
    assertThatThrownBy(() -> new SyslogClock(1969, UTC))
        .isInstanceOf(ParseException.class)
        .hasMessageContaining("1969");
  }

  @Test
  void resolverCarriesTheYearAndFlagsTheRepeatedHour() {
    LocalTimeResolver r = new LocalTimeResolver(2026, ZoneId.of("America/New_York"));
    // DST ends Nov 1 2026 at 02:00 EDT -> 01:00 EST: 01:xx happens twice
    EventTime first = r.resolve(11, 1, 1, 30, 0, "Nov  1 01:30:00");
    EventTime second = r.resolve(11, 1, 1, 10, 0, "Nov  1 01:10:00");
    assertThat(first.zoneResolution()).isEqualTo(EventTime.ZoneResolution.AMBIGUOUS);
    assertThat(first.instant()).isEqualTo(Instant.parse("2026-11-01T05:30:00Z"));
    assertThat(second.instant()).isEqualTo(Instant.parse("2026-11-01T06:10:00Z"));
    EventTime after = r.resolve(11, 1, 2, 0, 0, "Nov  1 02:00:00");
    assertThat(after.zoneResolution()).isEqualTo(EventTime.ZoneResolution.UNIQUE);
    assertThat(after.instant()).isEqualTo(Instant.parse("2026-11-01T07:00:00Z"));
    // a router that was off over New Year: Nov -> Feb is the next year
    assertThat(r.resolve(2, 3, 0, 0, 0, "Feb  3 00:00:00").instant())
        .isEqualTo(Instant.parse("2027-02-03T05:00:00Z"));
  }

  @Test
  void anOutOfRangeMinuteOrHourIsRefusedEvenBesideTheMinuteItAliases() {
    LocalTimeResolver r = new LocalTimeResolver(2026, UTC);
    assertThat(r.resolve(10, 14, 1, 0, 5, "Oct 14 01:00:05").instant())
        .isEqualTo(Instant.parse("2026-10-14T01:00:05Z"));
    assertThatThrownBy(() -> r.resolve(10, 14, 0, 60, 5, "Oct 14 00:60:05"))
        .isInstanceOf(ParseException.class)
        .hasMessageContaining("not a valid time");
    assertThat(r.resolve(10, 15, 0, 0, 5, "Oct 15 00:00:05").instant())
        .isEqualTo(Instant.parse("2026-10-15T00:00:05Z"));
    assertThatThrownBy(() -> r.resolve(10, 14, 24, 0, 5, "Oct 14 24:00:05"))
        .isInstanceOf(ParseException.class)
        .hasMessageContaining("not a valid time");
  }
}
