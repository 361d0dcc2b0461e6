package org.mobilessh.parse;

import java.util.Objects;

/**
 * Why one line could not be parsed: where ({@code source:line}), a reason code for counting, a
 * human message, and the offending text (the whole line, at most {@value #MAX_TEXT} characters).
 *
 * @param source the file or stream name given to the parser
 * @param line 1-based line number
 * @param reason a stable reason code, used to count quarantined lines
 * @param message what is wrong, for people
 * @param text the offending line (possibly shortened)
 */
public record Diagnostic(String source, long line, Reason reason, String message, String text) {

  /** Longest offending text kept; a 1 MiB garbage line must not be copied around. */
  public static final int MAX_TEXT = 2048;

  /** Stable reason codes (the quarantine and the summary count by these). */
  public enum Reason {
    /** The line does not have the shape of the detected format at all (garbage). */
    NOT_THIS_FORMAT,
    /** The timestamp is missing or invalid. */
    BAD_TIMESTAMP,
    /** A netfilter or conntrack field has an invalid value. */
    BAD_FIELD,
    /** A netfilter or conntrack line ends before its mandatory fields. */
    TRUNCATED,
    /** Invalid JSON in a JSON-lines format. */
    BAD_JSON,
    /** Raw {@code [ seconds]} dmesg lines need an explicit boot time to become wall-clock time. */
    NEEDS_BOOT_TIME
  }

  public Diagnostic {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(message, "message");
    text = text == null ? "" : text;
    if (text.length() > MAX_TEXT) {
      text = text.substring(0, MAX_TEXT) + "...";
    }
  }

  /** {@code file:line: message: text}, the way compilers report. */
  @Override
  public String toString() {
    return source + ":" + line + ": " + message + ": " + text;
  }
}
