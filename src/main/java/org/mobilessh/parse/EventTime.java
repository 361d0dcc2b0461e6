package org.mobilessh.parse;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * When an event happened: a UTC instant truncated to microseconds, the timestamp text exactly as
 * the source wrote it, its resolution, whose clock it is, and how a zone-less local time was mapped
 * to UTC.
 *
 * @param instant UTC, microsecond resolution
 * @param original the timestamp text as written in the line (never re-formatted)
 * @param precision resolution of {@code original}
 * @param source whose clock produced it
 * @param zoneResolution how the UTC offset was found
 */
public record EventTime(
    Instant instant,
    String original,
    TimePrecision precision,
    ClockSource source,
    ZoneResolution zoneResolution) {

  /** How the UTC offset of a timestamp was determined. */
  public enum ZoneResolution {
    /** The text carried its own offset (or is an epoch value). */
    EXPLICIT,
    /** A local time with exactly one valid offset in the configured zone. */
    UNIQUE,
    /**
     * A local time inside a DST fall-back hour: it happened twice. The offset was chosen from the
     * order of the lines; later stages should treat the instant as uncertain by one hour.
     */
    AMBIGUOUS,
    /** A local time inside a DST spring-forward gap (it never existed); shifted forward. */
    GAP
  }

  public EventTime {
    Objects.requireNonNull(instant, "instant");
    Objects.requireNonNull(original, "original");
    Objects.requireNonNull(precision, "precision");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(zoneResolution, "zoneResolution");
    // truncatedTo divides three times; most instants (whole seconds) are already whole µs
    if (instant.getNano() % 1000 != 0) {
      instant = instant.truncatedTo(ChronoUnit.MICROS);
    }
  }

  static EventTime explicit(
      Instant instant, String original, TimePrecision precision, ClockSource source) {
    return new EventTime(instant, original, precision, source, ZoneResolution.EXPLICIT);
  }

  /** Microseconds since the epoch. */
  public long epochMicros() {
    return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
  }
}
