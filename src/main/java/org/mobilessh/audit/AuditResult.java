package org.mobilessh.audit;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * What the audit reconstructed, each list in time order (then observer, then address).
 *
 * @param windows windows, never overlapping per address and observer
 * @param sessions accepted SSH sessions
 * @param rejections logged rejections
 * @param totals exact reject totals from counter snapshots
 * @param anomalies what the model does not explain, with evidence
 * @param eventsUsed distinct events after dedupe
 * @param duplicatesDropped events dropped as duplicates (same line again, or the same kernel line
 *     through another source)
 * @param untimedEvents events without a time (plain {@code conntrack -E}), not usable
 */
public record AuditResult(
    List<Window> windows,
    List<Session> sessions,
    List<Rejection> rejections,
    List<RejectTotals> totals,
    List<Anomaly> anomalies,
    long eventsUsed,
    long duplicatesDropped,
    long untimedEvents) {

  public AuditResult {
    windows = List.copyOf(windows);
    sessions = List.copyOf(sessions);
    rejections = List.copyOf(rejections);
    totals = List.copyOf(totals);
    anomalies = List.copyOf(anomalies);
  }

  /**
   * The part of the result that falls into {@code [from, to)}: windows that reach into it, clipped
   * and marked; sessions accepted, rejections and anomalies dated inside it.
   */
  public AuditResult between(Instant from, Instant to) {
    if (!from.isBefore(to)) {
      throw new AuditException("period start " + from + " is not before its end " + to);
    }
    List<Window> w = new ArrayList<>();
    for (Window x : windows) {
      x.clip(from, to).ifPresent(w::add);
    }
    return new AuditResult(
        w,
        sessions.stream().filter(s -> in(s.acceptedAt(), from, to)).toList(),
        rejections.stream().filter(r -> in(r.at(), from, to)).toList(),
        totals.stream().filter(t -> in(t.to(), from, to)).toList(),
        anomalies.stream().filter(a -> a.at() == null || in(a.at(), from, to)).toList(),
        eventsUsed,
        duplicatesDropped,
        untimedEvents);
  }

  /** {@link #between} the first instant of {@code month} (UTC) and the first of the next. */
  public AuditResult month(YearMonth month) {
    return between(
        month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC),
        month.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC));
  }

  /** Collects what a streaming run delivers into an {@link AuditResult}. */
  public static final class Collector implements AuditSink {
    private final List<Window> windows = new ArrayList<>();
    private final List<Session> sessions = new ArrayList<>();
    private final List<Rejection> rejections = new ArrayList<>();
    private final List<Anomaly> anomalies = new ArrayList<>();
    private AuditResult result;

    @Override
    public void window(Window w) {
      windows.add(w);
    }

    @Override
    public void session(Session s) {
      sessions.add(s);
    }

    @Override
    public void rejection(Rejection r) {
      rejections.add(r);
    }

    @Override
    public void anomaly(Anomaly a) {
      anomalies.add(a);
    }

    @Override
    public void end(
        List<RejectTotals> totals, long eventsUsed, long duplicatesDropped, long untimedEvents) {
      result =
          new AuditResult(
              windows,
              sessions,
              rejections,
              totals,
              anomalies,
              eventsUsed,
              duplicatesDropped,
              untimedEvents);
    }

    /** The collected result; only after {@link #end}. */
    public AuditResult result() {
      if (result == null) {
        throw new IllegalStateException("the reconstruction has not ended");
      }
      return result;
    }
  }

  private static boolean in(Instant t, Instant from, Instant to) {
    return !t.isBefore(from) && t.isBefore(to);
  }
}
