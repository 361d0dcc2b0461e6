package org.mobilessh.audit;

import java.time.Instant;
import java.util.Objects;
import org.mobilessh.parse.LogEvent;

/**
 * One parsed event and where its line came from: the unit the audit engine consumes. The index
 * stage, the ingest stage and tests all produce these.
 *
 * @param event the parsed event; its {@link LogEvent#hostname()} is the observer (router)
 * @param sourcePath the file (or stream) the line was read from
 * @param lineNumber 1-based line number in {@code sourcePath}
 * @param originalLine the line exactly as read
 * @param time when it happened, the event's own time ({@code null} for sources without time, plain
 *     {@code conntrack -E}); a component of its own because the engine asks for it many times per
 *     event, and through the {@link LogEvent} interface that is two dependent loads and a type
 *     check each time
 */
public record TracedEvent(
    LogEvent event, String sourcePath, long lineNumber, String originalLine, Instant time) {

  public TracedEvent {
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(sourcePath, "sourcePath");
    Objects.requireNonNull(originalLine, "originalLine");
    if (time != timeOf(event)) {
      throw new IllegalArgumentException("time " + time + " is not the event's " + timeOf(event));
    }
  }

  /** With the event's own time. */
  public TracedEvent(LogEvent event, String sourcePath, long lineNumber, String originalLine) {
    this(event, sourcePath, lineNumber, originalLine, timeOf(event));
  }

  private static Instant timeOf(LogEvent event) {
    return event == null || event.time() == null ? null : event.time().instant();
  }

  /** The router that logged it; {@code ""} when the source does not say. */
  public String observer() {
    return event.hostname() == null ? "" : event.hostname();
  }

  /**
   * The evidence pointer for this event, with its time in µs ({@link SourceLine#micros}) when it
   * has one that an index can hold.
   */
  public SourceLine sourceLine() {
    return new SourceLine(sourcePath, lineNumber, originalLine, micros());
  }

  /**
   * {@link #sourceLine} without its text ({@code ""}) when it has a time an index can hold: the
   * path, line number and time find the text there ({@link AuditSink#wantsIndexedTexts}).
   */
  public SourceLine pointer() {
    long micros = micros();
    return new SourceLine(
        sourcePath, lineNumber, micros == SourceLine.NOT_INDEXED ? originalLine : "", micros);
  }

  private long micros() {
    return SourceLine.micros(time);
  }
}
