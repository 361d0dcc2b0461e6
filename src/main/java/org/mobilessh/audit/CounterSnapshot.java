package org.mobilessh.audit;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

  private static final Pattern COUNTED_RULE = Pattern.compile("^\\[(\\d+):\\d+\\] (.*)$");

  /**
   * The reject and reject-LOG packet counters of {@code iptables-save -c} output.
   *
   * @return empty when the output lacks either rule (ruleset not installed, or the section says
   *     {@code # unavailable})
   */
  public static Optional<CounterSnapshot> fromSave(
      String observer, Family family, Instant takenAt, String saveOutput) {
    long reject = -1;
    long log = -1;
    for (String l : saveOutput.split("\n")) {
      Matcher m = COUNTED_RULE.matcher(l);
      if (!m.matches()) {
        continue;
      }
      if (m.group(2).contains("-j REJECT --reject-with tcp-reset")) {
        reject = Long.parseLong(m.group(1));
      } else if (m.group(2).contains("--log-prefix \"mobilessh-reject: \"")) {
        log = Long.parseLong(m.group(1));
      }
    }
    if (reject < 0 || log < 0) {
      return Optional.empty();
    }
    return Optional.of(new CounterSnapshot(observer, family, takenAt, reject, log));
  }
}
