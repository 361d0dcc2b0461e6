package org.mobilessh.index;

import java.util.Objects;
import org.mobilessh.parse.LogEvent;

/**
 * One event ready for the index: the parsed event plus where its line came from.
 *
 * @param event the parsed event; its {@link LogEvent#hostname()} is the observer (the ingest stage
 *     fills in a default for sources without one, such as dmesg)
 * @param originalLine the line exactly as read, without its terminator; stored as {@code
 *     event.original} and re-parsed when the event is read back
 * @param sourcePath the file (or {@code -}) it was read from, stored as {@code log.file.path}
 * @param byteOffset offset of the line's first byte in the (decompressed) source
 * @param lineNumber 1-based line number in the source; a number that does not grow tells the index
 *     that the source is being read again from its start (see {@link EventIndex#add})
 * @param asciiLine true only if every character of {@code originalLine} is below 0x80, which the
 *     reader knows from the line's bytes; such a line's stored UTF-8 is a plain copy of its
 *     characters. False is always correct (the line is then encoded as UTF-8).
 */
public record SourcedEvent(
    LogEvent event,
    String originalLine,
    String sourcePath,
    long byteOffset,
    long lineNumber,
    boolean asciiLine) {

  public SourcedEvent {
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(originalLine, "originalLine");
    Objects.requireNonNull(sourcePath, "sourcePath");
  }

  /** An event whose line is not known to be ASCII. */
  public SourcedEvent(
      LogEvent event, String originalLine, String sourcePath, long byteOffset, long lineNumber) {
    this(event, originalLine, sourcePath, byteOffset, lineNumber, false);
  }
}
