package org.mobilessh.parse;

import java.util.EnumMap;
import java.util.Map;

/** The outcome of parsing one line: an event, a counted skip, or a diagnostic. */
public sealed interface ParseResult {

  /** A line that produced an event. */
  record Parsed(LogEvent event) implements ParseResult {}

  /** A line that is fine but carries no event (other programs, blank lines, tool chatter). */
  record Skipped(SkipReason reason) implements ParseResult {
    private static final Map<SkipReason, Skipped> CACHE = new EnumMap<>(SkipReason.class);

    static {
      for (SkipReason r : SkipReason.values()) {
        CACHE.put(r, new Skipped(r));
      }
    }

    /** Shared instances: skipping must not allocate. */
    static Skipped of(SkipReason reason) {
      return CACHE.get(reason);
    }
  }

  /** A line that could not be parsed; it belongs in the quarantine. */
  record Rejected(Diagnostic diagnostic) implements ParseResult {}

  /** The event of a {@link Parsed} result, else a {@link ParseException} (for tests and tools). */
  default LogEvent orThrow() {
    if (this instanceof Parsed p) {
      return p.event();
    }
    if (this instanceof Rejected r) {
      throw new ParseException(r.diagnostic().toString());
    }
    throw new ParseException("line skipped: " + ((Skipped) this).reason());
  }
}
