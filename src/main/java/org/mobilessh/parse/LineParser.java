package org.mobilessh.parse;

import java.time.Instant;

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

  /**
   * {@link #parse} of a line that parsed before and whose instant is known: the index re-parses its
   * stored lines and puts the indexed time in place of the parsed one anyway. A parser may take
   * {@code instant} as the event's instant instead of resolving the line's stamp; the time's text,
   * precision, clock and zone resolution and every other field are what {@link #parse} gives. A
   * stamp that {@link #parse} would refuse may go unnoticed, so this is for lines that parsed once.
   * The default parses.
   *
   * @param instant the line's instant as it was parsed, or {@code null} (then this is {@link
   *     #parse})
   */
  default ParseResult parseKnownInstant(String line, long lineNumber, Instant instant) {
    return parse(line, lineNumber);
  }

  /** The format this parser reads. */
  LogFormat format();
}
