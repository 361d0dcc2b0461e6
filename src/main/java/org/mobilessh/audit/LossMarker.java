package org.mobilessh.audit;

import java.time.Instant;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A sign that log lines were lost before they reached any file: the kernel's printk rate limit
 * ({@code "net_ratelimit: 12 callbacks suppressed"}, {@code "nf_log: ... callbacks suppressed"}),
 * journald's ({@code "Suppressed 1234 messages from ..."}), or lines an earlier stage skipped or
 * quarantined. The parse stage skips such lines as non-netfilter text, so the stage that reads the
 * files hands them over here ({@link #recognize}).
 *
 * @param observer the router
 * @param at when the marker was written
 * @param kind which mechanism dropped lines
 * @param count how many messages it says were dropped, or {@code null} if it does not say
 * @param evidence the marker line (or, for skipped lines, the first of them)
 */
public record LossMarker(String observer, Instant at, Kind kind, Long count, SourceLine evidence) {

  /** Which mechanism lost lines. */
  public enum Kind {
    KERNEL_CALLBACKS_SUPPRESSED,
    JOURNAL_SUPPRESSED,
    SKIPPED_LINES
  }

  private static final Pattern CALLBACKS = Pattern.compile("(\\d+) callbacks suppressed");
  private static final Pattern JOURNAL = Pattern.compile("Suppressed (\\d+) messages");

  public LossMarker {
    Objects.requireNonNull(observer, "observer");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(evidence, "evidence");
  }

  /**
   * The marker in a raw log line, if it is one.
   *
   * @param observer the router the line came from
   * @param at the line's time (the caller's timestamp parse)
   * @param line where the line came from and its text
   */
  public static java.util.Optional<LossMarker> recognize(
      String observer, Instant at, SourceLine line) {
    Matcher m = CALLBACKS.matcher(line.line());
    if (m.find()) {
      return java.util.Optional.of(
          new LossMarker(
              observer, at, Kind.KERNEL_CALLBACKS_SUPPRESSED, Long.parseLong(m.group(1)), line));
    }
    m = JOURNAL.matcher(line.line());
    if (m.find()) {
      return java.util.Optional.of(
          new LossMarker(observer, at, Kind.JOURNAL_SUPPRESSED, Long.parseLong(m.group(1)), line));
    }
    return java.util.Optional.empty();
  }
}
