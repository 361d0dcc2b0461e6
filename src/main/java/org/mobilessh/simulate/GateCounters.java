package org.mobilessh.simulate;

import java.util.EnumSet;
import java.util.Set;

/**
 * The packet and byte counters {@code iptables-save -c} would print for the simulated router's
 * mobilessh rules, per family: every client-to-server packet the model replays is counted on each
 * rule it traverses up to its verdict, with the IP packet's length (the {@code LEN=} of its LOG
 * line) as bytes.
 */
final class GateCounters {
  /** The rules of the default ruleset (remove on, not strict), as the kernel lists them. */
  enum Rule {
    INPUT_SSH,
    INPUT_IMAPS,
    FORWARD_SSH,
    FORWARD_IMAPS,
    ACCEPT_LOG,
    ACCEPT_ACCEPT,
    IMAPS_RST,
    IMAPS_NOT_ESTABLISHED,
    /** Never counted: the model's clients complete their handshakes (no forged sources). */
    IMAPS_NOT_ASSURED,
    SET_LOG,
    SET,
    REMOVED_LOG,
    REMOVED_ACCEPT,
    REMOVE,
    UPDATE,
    KEEP,
    RCHECK,
    REJECT_LOG,
    REJECT;

    /**
     * The rule an {@code iptables-save} rule line stands for ({@code -A CHAIN SPEC} without
     * counters), or {@code null} for a rule the model does not know (the caller refuses it: a
     * ruleset the model does not replay cannot get honest counters).
     */
    static Rule of(String chain, String spec) {
      return switch (chain) {
        case "INPUT" ->
            spec.contains("--dport 22 ")
                ? INPUT_SSH
                : spec.contains("--dport 993 ") ? INPUT_IMAPS : null;
        case "FORWARD" ->
            spec.contains("--dport 22 ")
                ? FORWARD_SSH
                : spec.contains("--dport 993 ") ? FORWARD_IMAPS : null;
        case "MOBILESSH-ACCEPT" ->
            spec.startsWith("-j LOG")
                ? ACCEPT_LOG
                : spec.equals("-j ACCEPT") ? ACCEPT_ACCEPT : null;
        case "MOBILESSH-REMOVED" ->
            spec.startsWith("-j LOG")
                ? REMOVED_LOG
                : spec.equals("-j ACCEPT") ? REMOVED_ACCEPT : null;
        case "MOBILESSH-IMAPS" -> {
          if (spec.contains("--tcp-flags RST RST -j RETURN")) {
            yield IMAPS_RST;
          } else if (spec.contains("! --ctstate ESTABLISHED -j RETURN")) {
            yield IMAPS_NOT_ESTABLISHED;
          } else if (spec.contains("! --ctstatus ASSURED -j RETURN")) {
            yield IMAPS_NOT_ASSURED;
          } else if (spec.contains("! --rcheck") && spec.contains("-j LOG")) {
            yield SET_LOG;
          } else if (spec.contains(" --set ")) {
            yield SET;
          }
          yield null;
        }
        case "MOBILESSH-SSH" -> {
          if (spec.contains(" --remove ")) {
            yield REMOVE;
          } else if (spec.contains(" --update ")) {
            yield UPDATE;
          } else if (spec.equals("-m conntrack --ctstate ESTABLISHED -j ACCEPT")) {
            yield KEEP;
          } else if (spec.contains("--ctstate NEW") && spec.contains(" --rcheck ")) {
            yield RCHECK;
          } else if (spec.contains("-m hashlimit") && spec.contains("-j LOG")) {
            yield REJECT_LOG;
          } else if (spec.contains("-j REJECT")) {
            yield REJECT;
          }
          yield null;
        }
        default -> null;
      };
    }
  }

  /** A jump's counters depend on the packet's destination; the model has one mail server. */
  static final Set<Rule> JUMPS =
      EnumSet.of(Rule.INPUT_SSH, Rule.INPUT_IMAPS, Rule.FORWARD_SSH, Rule.FORWARD_IMAPS);

  private final long[][] packets = new long[2][Rule.values().length];
  private final long[][] bytes = new long[2][Rule.values().length];

  void count(int family, int length, Rule... rules) {
    int f = family == 6 ? 1 : 0;
    for (Rule r : rules) {
      packets[f][r.ordinal()]++;
      bytes[f][r.ordinal()] += length;
    }
  }

  long packets(int family, Rule r) {
    return packets[family == 6 ? 1 : 0][r.ordinal()];
  }

  long bytes(int family, Rule r) {
    return bytes[family == 6 ? 1 : 0][r.ordinal()];
  }
}
