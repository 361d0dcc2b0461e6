package org.mobilessh.audit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.mobilessh.rules.Family;

/**
 * Exact reject totals between two counter snapshots (or from the install, when counters were zero,
 * up to the first one), next to what the log shows for the same stretch.
 *
 * @param observer the router
 * @param family the family the counters count
 * @param from start of the stretch ({@code null}: since the counters were zero)
 * @param to the snapshot that ends it
 * @param rejected resets sent (the REJECT rule's packets): the exact number of rejected packets
 * @param logged lines the kernel wrote (the reject LOG rule's packets)
 * @param linesSeen reject lines the audit received for the stretch
 */
public record RejectTotals(
    String observer,
    Family family,
    Instant from,
    Instant to,
    long rejected,
    long logged,
    long linesSeen) {

  /** Counts the reject lines of one router and family in {@code (from, to]}. */
  @FunctionalInterface
  public interface LineCounter {
    /**
     * @param from exclusive start, {@code null} for no start
     * @param to inclusive end
     */
    long count(String observer, Family family, Instant from, Instant to);
  }

  /**
   * The totals between consecutive counter readings of each router and family. A reading lower than
   * the one before means the counters were reset (the ruleset was reloaded): that stretch counts
   * from zero.
   */
  public static List<RejectTotals> between(List<CounterSnapshot> readings, LineCounter seen) {
    Map<String, List<CounterSnapshot>> by = new TreeMap<>();
    for (CounterSnapshot s : readings) {
      by.computeIfAbsent(s.observer() + "|" + s.family(), k -> new ArrayList<>()).add(s);
    }
    List<RejectTotals> out = new ArrayList<>();
    for (List<CounterSnapshot> ss : by.values()) {
      ss.sort(Comparator.comparing(CounterSnapshot::takenAt));
      CounterSnapshot prev = null;
      for (CounterSnapshot s : ss) {
        Instant from = prev == null ? null : prev.takenAt();
        long rejected = s.rejectPackets() - (prev == null ? 0 : prev.rejectPackets());
        long logged = s.rejectLogPackets() - (prev == null ? 0 : prev.rejectLogPackets());
        if (rejected < 0 || logged < 0) {
          rejected = s.rejectPackets();
          logged = s.rejectLogPackets();
        }
        out.add(
            new RejectTotals(
                s.observer(),
                s.family(),
                from,
                s.takenAt(),
                rejected,
                logged,
                seen.count(s.observer(), s.family(), from, s.takenAt())));
        prev = s;
      }
    }
    return out;
  }

  /** Rejected packets that no line stands for (rate-limited or lost). */
  public long unlogged() {
    return Math.max(0, rejected - linesSeen);
  }

  /** Lines the kernel wrote that never arrived (lost in transport, not by the rate limit). */
  public long linesLost() {
    return Math.max(0, logged - linesSeen);
  }
}
