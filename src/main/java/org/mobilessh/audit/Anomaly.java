package org.mobilessh.audit;

import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Something in the data that the model of the ruleset does not explain, or that limits what the
 * audit can claim, with the lines behind it.
 *
 * @param kind what was found
 * @param observer the router it concerns ("" when none)
 * @param address the client address it concerns, or {@code null}
 * @param at when (the first line's time, or the start of the affected stretch)
 * @param message a sentence for people, naming the numbers involved
 * @param evidence the lines behind it (may be empty for facts about the whole data set)
 */
public record Anomaly(
    Kind kind,
    String observer,
    InetAddress address,
    Instant at,
    String message,
    List<SourceLine> evidence) {

  /** The kinds of anomalies; {@link #id()} is the printed name. */
  public enum Kind {
    /** An {@code accept} line with no window open for its address: a lost set line or drift. */
    SESSION_WITHOUT_WINDOW("session-without-window"),
    /** A {@code remove} line with no window open: the address was in the list, unlogged. */
    REMOVE_WITHOUT_WINDOW("remove-without-window"),
    /** conntrack covers the window's opening but shows no IMAPS flow for its set line. */
    WINDOW_WITHOUT_IMAPS_FLOW("window-without-imaps-flow"),
    /** An entry vanished while fresh: eviction, manual deletion or lost lines. */
    EVICTED_WHILE_FRESH("evicted-while-fresh"),
    /** The kernel accepted a SYN after every known refresh had expired: a refresh went unseen. */
    UNEXPLAINED_REFRESH("unexplained-refresh"),
    /** "callbacks suppressed", "Suppressed N messages", or lines an earlier stage skipped. */
    RATE_LIMIT_MARKER("rate-limit-marker"),
    /** A counter snapshot counted more reject LOG packets than lines arrived. */
    LOG_LINES_MISSING("log-lines-missing"),
    /** More addresses were in the list at once than {@code ip_list_tot}: evictions possible. */
    LIST_OVERFLOW("list-overflow"),
    /** A source's timestamps went backwards by more than its clock's uncertainty. */
    CLOCK_BACKWARDS("clock-backwards"),
    /** A log stream fell silent while the same observer's other streams went on. */
    SOURCE_STOPPED("source-stopped"),
    /**
     * {@code mobilessh list add|del|flush} changed the list by hand (its syslog line): a window
     * opened or closed without IMAPS or an SSH FIN.
     */
    MANUAL_LIST_CHANGE("manual-list-change"),
    /** Two consecutive {@code rules snapshot}s of a router show different rulesets. */
    RULESET_CHANGED("ruleset-changed"),
    /** A {@code rules snapshot} shows IPv4 and IPv6 gating SSH differently. */
    PARITY_BROKEN("parity-broken"),
    /**
     * A {@code rules snapshot} shows a ruleset other than the one the audit was told about (N, step
     * 2, strict mode, a LOG prefix): the reconstruction used the wrong rules.
     */
    RULESET_MISMATCH("ruleset-mismatch"),
    /**
     * Strict mode cuts the other sessions of a removed address, yet this session's flow went on
     * after the removal.
     */
    SESSION_OUTLIVED_REMOVAL("session-outlived-removal");

    private final String id;

    Kind(String id) {
      this.id = id;
    }

    public String id() {
      return id;
    }

    @Override
    public String toString() {
      return id;
    }
  }

  /** CSV columns, in order. */
  public static final List<String> CSV_COLUMNS =
      List.of("at", "kind", "source_ip", "observer", "message", "evidence");

  public Anomaly {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(observer, "observer");
    Objects.requireNonNull(message, "message");
    evidence = List.copyOf(evidence);
  }

  /** The values of {@link #CSV_COLUMNS}; evidence as {@code path:line} pointers. */
  public List<String> csvValues() {
    StringBuilder ev = new StringBuilder();
    for (SourceLine l : evidence) {
      ev.append(ev.length() == 0 ? "" : " ")
          .append(l.sourcePath())
          .append(':')
          .append(l.lineNumber());
    }
    return List.of(
        AuditFormat.time(at),
        kind.id(),
        AuditFormat.address(address),
        observer,
        message,
        ev.toString());
  }
}
