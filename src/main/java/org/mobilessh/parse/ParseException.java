package org.mobilessh.parse;

/**
 * The parse stage's one exception type. Parsers use it internally for a bad line and turn it into a
 * {@link Diagnostic} before returning; callers see it only for misuse (e.g. an invalid {@link
 * ParseContext}) or when they choose to call {@link ParseResult#orThrow()}.
 */
public class ParseException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Diagnostic.Reason reason;

  /** A line-level failure; no stack trace, since bad lines are routine and frequent. */
  ParseException(Diagnostic.Reason reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  /** Misuse of the API or an impossible configuration. */
  public ParseException(String message) {
    super(message);
    this.reason = null;
  }

  /** The reason for a line-level failure, {@code null} for API misuse. */
  public Diagnostic.Reason reason() {
    return reason;
  }
}
