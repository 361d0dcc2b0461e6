package org.mobilessh.audit;

import java.time.Instant;
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

  /** Rejected packets that no line stands for (rate-limited or lost). */
  public long unlogged() {
    return Math.max(0, rejected - linesSeen);
  }

  /** Lines the kernel wrote that never arrived (lost in transport, not by the rate limit). */
  public long linesLost() {
    return Math.max(0, logged - linesSeen);
  }
}
