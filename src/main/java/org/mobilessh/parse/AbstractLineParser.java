package org.mobilessh.parse;

/** Shared plumbing: blank lines, and turning a line-level {@link ParseException} into a result. */
abstract class AbstractLineParser implements LineParser {
  protected final ParseContext context;
  private final LogFormat format;

  AbstractLineParser(ParseContext context, LogFormat format) {
    this.context = context;
    this.format = format;
  }

  @Override
  public final LogFormat format() {
    return format;
  }

  @Override
  public final ParseResult parse(String line, long lineNumber) {
    if (Text.isBlank(line)) {
      return ParseResult.Skipped.of(SkipReason.BLANK);
    }
    try {
      return parseLine(line);
    } catch (ParseException e) {
      Diagnostic.Reason reason = e.reason() == null ? Diagnostic.Reason.BAD_FIELD : e.reason();
      return reject(line, lineNumber, reason, e.getMessage());
    } catch (RuntimeException e) {
      // a parser bug must cost one line, never the run; the message says where to look
      return reject(
          line, lineNumber, Diagnostic.Reason.BAD_FIELD, "unexpected " + e + " (parser bug?)");
    }
  }

  private ParseResult reject(String line, long lineNumber, Diagnostic.Reason r, String message) {
    return new ParseResult.Rejected(
        new Diagnostic(context.source(), lineNumber, r, format.id() + ": " + message, line));
  }

  /** Parses a non-blank line; may throw {@link ParseException}. */
  abstract ParseResult parseLine(String line);

  static ParseResult parsed(LogEvent event) {
    return new ParseResult.Parsed(event);
  }

  static ParseResult skipped(SkipReason reason) {
    return ParseResult.Skipped.of(reason);
  }

  static ParseException notThisFormat(String what) {
    return new ParseException(Diagnostic.Reason.NOT_THIS_FORMAT, what);
  }
}
