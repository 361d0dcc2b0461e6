package org.mobilessh.rules;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** UTC timestamps with microseconds, as snapshots and backups record them. */
final class Timestamps {
  private static final DateTimeFormatter ISO =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter FILE =
      DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  private Timestamps() {}

  static Instant now(Clock clock) {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  /** {@code 2026-11-27T00:58:12.123456Z}. */
  static String iso(Instant instant) {
    return ISO.format(instant);
  }

  /** {@code 20261127T005812.123456Z}: sorts like time, safe in file names. */
  static String fileName(Instant instant) {
    return FILE.format(instant);
  }
}
