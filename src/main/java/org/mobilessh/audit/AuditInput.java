package org.mobilessh.audit;

import java.util.List;

/**
 * Everything the audit reconstructs from. Only {@code events} is required.
 *
 * @param events parsed events with their source lines, in any order (the engine sorts, and drops
 *     exact duplicates and the same kernel line arriving through several sources)
 * @param lossMarkers rate-limit markers and skipped-line counts (optional)
 * @param snapshots reject counter snapshots (optional)
 */
public record AuditInput(
    List<TracedEvent> events, List<LossMarker> lossMarkers, List<CounterSnapshot> snapshots) {
  public AuditInput {
    events = List.copyOf(events);
    lossMarkers = List.copyOf(lossMarkers);
    snapshots = List.copyOf(snapshots);
  }

  public static AuditInput of(List<TracedEvent> events) {
    return new AuditInput(events, List.of(), List.of());
  }
}
