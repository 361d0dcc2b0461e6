package org.mobilessh.audit;

import java.util.List;

/**
 * Everything the audit reconstructs from. Only {@code events} is required.
 *
 * @param events parsed events with their source lines, in any order (the engine sorts, and drops
 *     exact duplicates and the same kernel line arriving through several sources)
 * @param lossMarkers rate-limit markers and skipped-line counts (optional)
 * @param snapshots reject counter snapshots (optional)
 * @param rulesets the rulesets {@code rules snapshot} files recorded (optional): their changes,
 *     IPv4/IPv6 parity and differences from the audit's configuration become anomalies
 */
public record AuditInput(
    List<TracedEvent> events,
    List<LossMarker> lossMarkers,
    List<CounterSnapshot> snapshots,
    List<RulesetInForce> rulesets) {
  public AuditInput {
    events = List.copyOf(events);
    lossMarkers = List.copyOf(lossMarkers);
    snapshots = List.copyOf(snapshots);
    rulesets = List.copyOf(rulesets);
  }

  /** Without rulesets. */
  public AuditInput(
      List<TracedEvent> events, List<LossMarker> lossMarkers, List<CounterSnapshot> snapshots) {
    this(events, lossMarkers, snapshots, List.of());
  }

  public static AuditInput of(List<TracedEvent> events) {
    return new AuditInput(events, List.of(), List.of(), List.of());
  }
}
