package org.mobilessh.audit;

import java.util.List;
import java.util.Objects;

/**
 * One step of the gate as a {@code rules snapshot} shows it: the rule that does the step and the
 * LOG rule that reports it, read back from {@code iptables-save -c}.
 *
 * @param kind which step
 * @param list the xt_recent list the step reads or writes ({@code ""} when it uses none)
 * @param seconds the step's {@code --seconds}, or {@code null} when it has none
 * @param hitcount the step's {@code --hitcount}, or {@code null} when it has none (the template
 *     never sets one; a snapshot that shows one was edited by hand)
 * @param logPrefix the prefix of the LOG rule that reports the step, without quotes ({@code ""}
 *     when nothing logs it)
 * @param packets the step rule's packet counter, -1 when the snapshot has no counters
 * @param logPackets the LOG rule's packet counter, -1 when unknown or when nothing logs the step
 * @param rules the rules behind the step as {@code iptables-save} prints them (without counters)
 */
public record RulesetStep(
    Kind kind,
    String list,
    Integer seconds,
    Integer hitcount,
    String logPrefix,
    long packets,
    long logPackets,
    List<String> rules) {

  /** The steps of {@code docs/rules.md}, in the order a packet meets them. */
  public enum Kind {
    /** Step 1: an ESTABLISHED IMAPS packet records the client ({@code --set}); logs openings. */
    SET("set"),
    /** Strict mode only: the connection whose FIN removed the address may finish its close. */
    CLOSING("closing"),
    /** Step 2: the FIN that ends an SSH session removes the address ({@code --remove}). */
    REMOVE("remove"),
    /** Step 3: established SSH packets keep a fresh address fresh ({@code --update}). */
    UPDATE("update"),
    /**
     * Running sessions keep running: every ESTABLISHED packet (default), or only those of a listed
     * address ({@code --rcheck} without {@code --seconds}: strict mode).
     */
    KEEP("keep"),
    /** Step 4: a NEW SSH connection from an address refreshed within N seconds is accepted. */
    RCHECK_ACCEPT("rcheck-accept"),
    /** Step 5: everything else gets a TCP reset; its LOG is rate limited. */
    REJECT("reject");

    private final String id;

    Kind(String id) {
      this.id = id;
    }

    /** The printed name. */
    public String id() {
      return id;
    }

    @Override
    public String toString() {
      return id;
    }
  }

  public RulesetStep {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(list, "list");
    Objects.requireNonNull(logPrefix, "logPrefix");
    rules = List.copyOf(rules);
  }

  /** Whether the step reads the list (KEEP in strict mode does; in default mode it does not). */
  public boolean usesList() {
    return !list.isEmpty();
  }

  /** {@code kind list=... seconds=... hitcount=... log="..."}, for messages. */
  public String describe() {
    StringBuilder s = new StringBuilder(kind.id());
    if (!list.isEmpty()) {
      s.append(" list=").append(list);
    }
    if (seconds != null) {
      s.append(" seconds=").append(seconds);
    }
    if (hitcount != null) {
      s.append(" hitcount=").append(hitcount);
    }
    if (!logPrefix.isEmpty()) {
      s.append(" log=\"").append(logPrefix).append('"');
    }
    return s.toString();
  }
}
