package org.mobilessh.audit;

import java.util.Objects;

/**
 * A pointer to one input line: the evidence behind every reconstructed record.
 *
 * @param sourcePath the file (or stream name) the line was read from
 * @param lineNumber 1-based line number in that source
 * @param line the line exactly as read, without its terminator
 * @param micros the time of the indexed event the line is ({@code @timestamp}, µs since the epoch),
 *     or {@link #NOT_INDEXED}: with the path and line number, where the results cache finds the
 *     text again in the index instead of keeping it ({@link AuditRunFile}). Not part of the line's
 *     identity ({@link #equals}): the same line is the same evidence, however it was reached.
 */
public record SourceLine(String sourcePath, long lineNumber, String line, long micros) {
  /** {@link #micros} of a line that is not an indexed event's (a snapshot file, a test's line). */
  public static final long NOT_INDEXED = Long.MIN_VALUE;

  public SourceLine {
    Objects.requireNonNull(sourcePath, "sourcePath");
    Objects.requireNonNull(line, "line");
  }

  /**
   * The {@link #micros} of an event at {@code t}: µs since the epoch, or {@link #NOT_INDEXED} when
   * {@code t} is {@code null}, finer than a µs, or beyond a long's µs.
   */
  public static long micros(java.time.Instant t) {
    if (t != null && t.getNano() % 1000 == 0 && Math.abs(t.getEpochSecond()) < 9_000_000_000_000L) {
      return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
    }
    return NOT_INDEXED;
  }

  /** A line that is not an indexed event's. */
  public SourceLine(String sourcePath, long lineNumber, String line) {
    this(sourcePath, lineNumber, line, NOT_INDEXED);
  }

  /** Equal path, line number and text: {@link #micros} is where it was found, not what it is. */
  @Override
  public boolean equals(Object o) {
    return o instanceof SourceLine l
        && lineNumber == l.lineNumber
        && sourcePath.equals(l.sourcePath)
        && line.equals(l.line);
  }

  /** The hash the record had before {@link #micros}: anything ordered by it stays in its order. */
  @Override
  public int hashCode() {
    return (sourcePath.hashCode() * 31 + Long.hashCode(lineNumber)) * 31 + line.hashCode();
  }

  /** {@code path:line: text}, the way compilers point at a line. */
  @Override
  public String toString() {
    return sourcePath + ":" + lineNumber + ": " + line;
  }
}
