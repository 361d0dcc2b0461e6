package org.mobilessh.audit;

import java.time.Instant;
import java.util.Objects;
import org.mobilessh.rules.Family;

/**
 * One difference between two consecutive snapshots of one router: the ruleset changed at some
 * instant in {@code (previousAt, at]}.
 *
 * @param observer the router
 * @param previousAt when the earlier snapshot was taken
 * @param at when the later snapshot, the first to show the change, was taken
 * @param family the family that changed, or {@code null} for a setting of both ({@code
 *     ip_list_tot}, backend)
 * @param aspect what changed: {@code installed}, a step ({@code remove}), a step's setting ({@code
 *     rcheck-accept seconds}), {@code rule}, {@code jump}, {@code ip_list_tot}, {@code backend} or
 *     {@code counters} (counters went down: the ruleset was reloaded)
 * @param before the earlier value ({@code "(none)"} when absent)
 * @param after the later value ({@code "(none)"} when absent)
 * @param previous the earlier snapshot
 * @param current the later snapshot
 */
public record RulesetChange(
    String observer,
    Instant previousAt,
    Instant at,
    Family family,
    String aspect,
    String before,
    String after,
    SourceLine previous,
    SourceLine current) {
  public RulesetChange {
    Objects.requireNonNull(observer, "observer");
    Objects.requireNonNull(previousAt, "previousAt");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(aspect, "aspect");
    Objects.requireNonNull(before, "before");
    Objects.requireNonNull(after, "after");
    Objects.requireNonNull(previous, "previous");
    Objects.requireNonNull(current, "current");
  }

  /** A sentence: what changed, and between which snapshots. */
  public String message() {
    return (family == null ? "" : (family == Family.IPV4 ? "IPv4 " : "IPv6 "))
        + aspect
        + " changed from "
        + before
        + " to "
        + after
        + " between the snapshots of "
        + previousAt
        + " and "
        + at;
  }
}
