package org.mobilessh.audit;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;
import org.mobilessh.index.EventSearcher;
import org.mobilessh.index.Fields;

/**
 * Builds an {@link AuditInput} from the event index: the events of a stretch of time (and
 * optionally one router), re-parsed from their stored lines, each with its {@code file:line}.
 *
 * <p>Callers widen the stretch beyond the period they report on: a window open at the start of the
 * period was opened by a {@code set} line before it (possibly long before, while IMAPS kept
 * refreshing it), and a session accepted at its end ends later. The engine's answer for the period
 * is then {@link AuditResult#between}.
 *
 * <p>The {@code rules snapshot} files ingested for the stretch come as {@link RulesetInForce}s (for
 * ruleset changes, parity, LOG counters) and as reject {@link CounterSnapshot}s. Manual list
 * changes and loss markers are indexed events ({@code list-add}, {@code list-del}, {@code
 * list-flush}, {@code loss-marker}) and come with the others.
 */
public final class IndexedAuditInput {
  private IndexedAuditInput() {}

  /**
   * The timed events in {@code [from, to]} of router {@code host}.
   *
   * @param from first instant to load, {@code null} for the start of the index
   * @param to last instant to load, {@code null} for the end of the index
   * @param host {@code observer.hostname} to keep, {@code null} for every router
   */
  public static AuditInput load(EventSearcher searcher, Instant from, Instant to, String host) {
    List<TracedEvent> events = new ArrayList<>();
    forEach(searcher, from, to, host, events::add);
    RulesetHistory rulesets = RulesetHistory.load(searcher, from, to, host);
    return new AuditInput(events, List.of(), rulesets.rejectCounters(), rulesets.snapshots());
  }

  /**
   * Reconstructs the timed events in {@code [from, to]} of router {@code host} as they are read
   * (time order), without holding them: the records go to {@code sink} as they become final.
   */
  public static void stream(
      EventSearcher searcher,
      Instant from,
      Instant to,
      String host,
      AuditEngine engine,
      AuditSink sink) {
    RulesetHistory rulesets = RulesetHistory.load(searcher, from, to, host);
    try (AuditEngine.Stream s =
        engine.open(List.of(), rulesets.rejectCounters(), rulesets.snapshots(), sink)) {
      forEach(searcher, from, to, host, s::accept);
      s.finish();
    }
  }

  private static void forEach(
      EventSearcher searcher,
      Instant from,
      Instant to,
      String host,
      java.util.function.Consumer<TracedEvent> out) {
    Query q = query(from, to, host);
    // every stored path is a String of its own; a month holds a few dozen distinct ones
    Map<String, String> paths = new HashMap<>();
    searcher.forEach(
        q,
        h -> {
          // untimed events (plain conntrack -E) and lines today's parser refuses carry no
          // evidence the engine can place in time
          if (h.event() == null || h.timestamp() == null) {
            return;
          }
          String path = h.sourcePath() == null ? "" : paths.computeIfAbsent(h.sourcePath(), p -> p);
          out.accept(
              new TracedEvent(h.event(), path, Math.max(0, h.lineNumber()), h.originalLine()));
        });
  }

  /** The index query for a period and router. */
  static Query query(Instant from, Instant to, String host) {
    long lo = from == null ? Long.MIN_VALUE : micros(from);
    long hi = to == null ? Long.MAX_VALUE : micros(to);
    BooleanQuery.Builder b = new BooleanQuery.Builder();
    b.add(LongPoint.newRangeQuery(Fields.TIMESTAMP, lo, hi), BooleanClause.Occur.FILTER);
    if (host != null) {
      b.add(new TermQuery(new Term(Fields.OBSERVER, host)), BooleanClause.Occur.FILTER);
    }
    return b.build();
  }

  private static long micros(Instant t) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, t);
  }
}
