package org.mobilessh.audit;

import java.time.Instant;
import java.util.Objects;
import org.mobilessh.rules.Family;

/**
 * The reject rule counters of one family at one instant (from {@code rules snapshot} or {@code
 * iptables-save -c}). Counters start at zero when the ruleset is installed.
 *
 * @param observer the router
 * @param family which family's rules
 * @param takenAt when the counters were read
 * @param rejectPackets packets of the {@code REJECT --reject-with tcp-reset} rule: every reset
 * @param rejectLogPackets packets of the reject LOG rule: lines the kernel wrote
 */
public record CounterSnapshot(
    String observer, Family family, Instant takenAt, long rejectPackets, long rejectLogPackets) {
  public CounterSnapshot {
    Objects.requireNonNull(observer, "observer");
    Objects.requireNonNull(family, "family");
    Objects.requireNonNull(takenAt, "takenAt");
    if (rejectPackets < 0 || rejectLogPackets < 0) {
      throw new AuditException("counters cannot be negative");
    }
  }
}
