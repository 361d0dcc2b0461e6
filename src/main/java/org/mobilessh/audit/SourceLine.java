package org.mobilessh.audit;

import java.util.Objects;

/**
 * A pointer to one input line: the evidence behind every reconstructed record.
 *
 * @param sourcePath the file (or stream name) the line was read from
 * @param lineNumber 1-based line number in that source
 * @param line the line exactly as read, without its terminator
 */
public record SourceLine(String sourcePath, long lineNumber, String line) {
  public SourceLine {
    Objects.requireNonNull(sourcePath, "sourcePath");
    Objects.requireNonNull(line, "line");
  }

  /** {@code path:line: text}, the way compilers point at a line. */
  @Override
  public String toString() {
    return sourcePath + ":" + lineNumber + ": " + line;
  }
}
