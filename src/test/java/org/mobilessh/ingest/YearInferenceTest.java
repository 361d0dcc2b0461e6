package org.mobilessh.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class YearInferenceTest {
  static final ZoneId UTC = ZoneId.of("UTC");
  static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

  static YearInference.Span span(String first, String last) {
    return new YearInference.Span(
        YearInference.stampOf(first + " router1 kernel: x"),
        YearInference.stampOf(last + " router1 kernel: x"));
  }

  static int year(String first, String last, ZoneId zone, String mtime) {
    return YearInference.firstLineYear(span(first, last), zone, Instant.parse(mtime));
  }

  @Test
  void lastLineNotAfterMtime() {
    assertThat(year("Nov 27 01:10:24", "Nov 27 01:11:02", UTC, "2026-11-27T01:12:00Z"))
        .isEqualTo(2026);
    // a line later than the file's mtime cannot be from this year
    assertThat(year("Nov 27 01:10:24", "Nov 27 01:11:02", UTC, "2026-11-27T01:11:00Z"))
        .isEqualTo(2025);
  }

  @Test
  void fileRunningOverNewYearStartsInThePreviousYear() {
    assertThat(year("Dec 30 10:00:00", "Jan  2 09:00:00", UTC, "2027-01-02T12:00:00Z"))
        .isEqualTo(2026);
  }

  @Test
  void zoneDecidesTheYearAtMidnight() {
    // 00:30 on Jan 1 in Berlin is still Dec 31 in UTC: mtime 2026-12-31T23:45Z is after it
    assertThat(year("Jan  1 00:30:00", "Jan  1 00:30:00", BERLIN, "2026-12-31T23:45:00Z"))
        .isEqualTo(2027);
    assertThat(year("Jan  1 00:30:00", "Jan  1 00:30:00", UTC, "2026-12-31T23:45:00Z"))
        .isEqualTo(2026);
  }

  @Test
  void leapDays() {
    assertThat(year("Feb 28 23:00:00", "Feb 29 01:00:00", UTC, "2028-03-01T00:00:00Z"))
        .isEqualTo(2028);
    // Feb 29 as the last line in a non-leap year: back to the latest leap year
    assertThat(year("Feb 29 01:00:00", "Feb 29 02:00:00", UTC, "2027-03-01T00:00:00Z"))
        .isEqualTo(2024);
    // Feb 29 first, Mar 1 last, mtime in a non-leap year: only 2024 has both in order
    assertThat(year("Feb 29 23:00:00", "Mar  1 01:00:00", UTC, "2027-03-05T00:00:00Z"))
        .isEqualTo(2024);
    // Feb 29 first, Jan 10 last (over New Year), mtime in the leap year 2028: Feb 29 2028 would
    // lie after its own last line, and 2027 has none, so the first line is from 2024
    assertThat(year("Feb 29 10:00:00", "Jan 10 10:00:00", UTC, "2028-01-20T00:00:00Z"))
        .isEqualTo(2024);
  }

  @Test
  void stampsAreReadOnlyFromTraditionalSyslogLines() {
    assertThat(YearInference.stampOf("Jan  2 09:00:00 h kernel: x").day().getDayOfMonth())
        .isEqualTo(2);
    assertThat(YearInference.stampOf("2026-11-27T01:10:24.400012+00:00 h kernel: x")).isNull();
    assertThat(YearInference.stampOf("Foo 12 01:02:03 h x")).isNull();
    assertThat(YearInference.stampOf("Nov 31 01:02:03 h x")).isNull();
  }
}
