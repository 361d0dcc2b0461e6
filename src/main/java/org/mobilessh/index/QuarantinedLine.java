package org.mobilessh.index;

import java.util.Objects;

/**
 * A line that could not be used, kept for the audit (quarantine).
 *
 * @param sourcePath the file (or {@code -}) it was read from
 * @param lineNumber 1-based line number
 * @param byteOffset offset of the line's first byte in the (decompressed) source; together with
 *     {@code sourcePath} it identifies the line, so quarantining it twice keeps one copy
 * @param reason a stable reason code (what the summary counts by)
 * @param text the line as text, possibly lossy (invalid UTF-8 replaced), possibly shortened
 * @param raw the line's bytes exactly as read (may be shortened by the caller for huge lines), or
 *     {@code null} when {@code text} is exact
 */
public record QuarantinedLine(
    String sourcePath, long lineNumber, long byteOffset, String reason, String text, byte[] raw) {

  public QuarantinedLine {
    Objects.requireNonNull(sourcePath, "sourcePath");
    Objects.requireNonNull(reason, "reason");
    text = text == null ? "" : text;
  }
}
