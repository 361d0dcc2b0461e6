package org.mobilessh.parse;

/**
 * Parses the lines of one input, in order. Parsers keep per-input state (the year across New Year,
 * the DST pass), so use one instance per input and feed every line, skipped ones included. Never
 * throws for bad input: a bad line is a {@link ParseResult.Rejected}.
 */
public interface LineParser {
  /**
   * @param line one line without its line terminator
   * @param lineNumber 1-based, for diagnostics
   */
  ParseResult parse(String line, long lineNumber);

  /** The format this parser reads. */
  LogFormat format();
}
