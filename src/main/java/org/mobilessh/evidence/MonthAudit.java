package org.mobilessh.evidence;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.Weight;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.mobilessh.audit.AuditConfig;
import org.mobilessh.audit.AuditEngine;
import org.mobilessh.audit.AuditException;
import org.mobilessh.audit.AuditInput;
import org.mobilessh.audit.AuditResult;
import org.mobilessh.audit.IndexedAuditInput;
import org.mobilessh.audit.SourceLine;
import org.mobilessh.index.EventSearcher;
import org.mobilessh.index.Fields;
import org.mobilessh.index.IndexException;
import org.mobilessh.index.StoredEvent;
import org.mobilessh.index.StoredSnapshot;

/**
 * The audit of one calendar month (UTC) read from the index, with every indexed line it was built
 * from, so each row can be traced to its file, line, byte offset and event identity.
 *
 * @param month the month
 * @param host the router it is limited to, or {@code null} for all
 * @param result the audit clipped to the month
 * @param lines every event read, by {@link #key(String, long) path and line number}
 * @param snapshots the {@code rules snapshot} files the index holds for the month, per router: the
 *     one in force when the month began, those taken during it, and the first after it (within the
 *     lookback), by time
 */
public record MonthAudit(
    YearMonth month,
    String host,
    AuditResult result,
    Map<String, IndexedLine> lines,
    List<StoredSnapshot> snapshots) {

  public MonthAudit {
    Objects.requireNonNull(month, "month");
    Objects.requireNonNull(result, "result");
    lines = Map.copyOf(lines);
    snapshots = List.copyOf(snapshots);
  }

  /** An audit without snapshots. */
  public MonthAudit(
      YearMonth month, String host, AuditResult result, Map<String, IndexedLine> lines) {
    this(month, host, result, lines, List.of());
  }

  /**
   * Of every snapshot up to the end of the lookback, those that speak about {@code [start, end)}:
   * per router the last taken at or before {@code start}, every one taken in the month, and the
   * first taken at or after {@code end}.
   */
  static List<StoredSnapshot> relevant(List<StoredSnapshot> all, Instant start, Instant end) {
    Map<String, StoredSnapshot> before = new TreeMap<>();
    Map<String, StoredSnapshot> after = new TreeMap<>();
    List<StoredSnapshot> out = new ArrayList<>();
    List<StoredSnapshot> sorted = new ArrayList<>(all);
    sorted.sort(
        Comparator.comparing(StoredSnapshot::timestamp).thenComparing(StoredSnapshot::sha256));
    for (StoredSnapshot s : sorted) {
      if (!s.timestamp().isAfter(start)) {
        before.put(s.observer(), s);
      } else if (s.timestamp().isBefore(end)) {
        out.add(s);
      } else {
        after.putIfAbsent(s.observer(), s);
      }
    }
    out.addAll(before.values());
    out.addAll(after.values());
    out.sort(
        Comparator.comparing(StoredSnapshot::timestamp)
            .thenComparing(StoredSnapshot::observer)
            .thenComparing(StoredSnapshot::sha256));
    // the same file ingested twice is one snapshot
    List<StoredSnapshot> unique = new ArrayList<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (StoredSnapshot s : out) {
      if (seen.add(s.sha256())) {
        unique.add(s);
      }
    }
    return unique;
  }

  /** The lookup key of a line in {@link #lines}. */
  public static String key(String path, long lineNumber) {
    return lineNumber + ":" + path;
  }

  /** The indexed line behind an evidence pointer, or {@code null} if the index does not hold it. */
  public IndexedLine line(SourceLine s) {
    return lines.get(key(s.sourcePath(), s.lineNumber()));
  }

  /** The first instant of the month, UTC. */
  public Instant start() {
    return month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
  }

  /** The first instant after the month, UTC. */
  public Instant end() {
    return month.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
  }

  /**
   * Reads the month from the index, widened by {@code lookback} (plus N seconds) before and by
   * {@code lookback} after, so that a window open at midnight of the 1st and a session still
   * running at the end of the month are reconstructed whole; reconstructs it and clips it to the
   * month. Events come through {@link IndexedAuditInput}, exactly as the audit commands read them.
   *
   * @param index the index directory
   * @param month the month (UTC)
   * @param host limit to this router, or {@code null}
   * @param config the ruleset the logs were written under
   * @param lookback how far outside the month events are read
   * @throws EvidenceException if the index cannot be read
   */
  public static MonthAudit load(
      Path index, YearMonth month, String host, AuditConfig config, Duration lookback) {
    Instant start = month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    Instant end = month.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    Instant from = start.minus(lookback).minusSeconds(config.seconds());
    Instant to = end.plus(lookback);
    AuditInput input;
    List<StoredSnapshot> snapshots;
    try (EventSearcher searcher = EventSearcher.open(index)) {
      input = IndexedAuditInput.load(searcher, from, to, host);
      snapshots = relevant(searcher.snapshots(null, to, host), start, end);
    } catch (IndexException | AuditException e) {
      throw new EvidenceException(e.getMessage(), e);
    }
    Map<String, IndexedLine> lines = lines(index, query(from, to, host));
    AuditResult result = new AuditEngine(config).reconstruct(input).between(start, end);
    return new MonthAudit(month, host, result, lines, snapshots);
  }

  static Query query(Instant from, Instant to, String host) {
    BooleanQuery.Builder b =
        new BooleanQuery.Builder()
            .add(
                LongPoint.newRangeQuery(Fields.TIMESTAMP, micros(from), micros(to) - 1),
                BooleanClause.Occur.FILTER);
    if (host != null) {
      b.add(new TermQuery(new Term(Fields.OBSERVER, host)), BooleanClause.Occur.FILTER);
    }
    b.add(new TermQuery(new Term(Fields.ACTION, Fields.QUARANTINE)), BooleanClause.Occur.MUST_NOT);
    return b.build();
  }

  private static long micros(Instant t) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, t);
  }

  /**
   * The stored pointer and identity of every matching document by {@link #key}. {@code event.hash}
   * is a doc-values column that {@link EventSearcher} does not return, so the documents are read
   * here, without re-parsing their lines.
   */
  private static Map<String, IndexedLine> lines(Path index, Query query) {
    Map<String, IndexedLine> out = new HashMap<>();
    try (Directory d = FSDirectory.open(index);
        DirectoryReader reader = DirectoryReader.open(d)) {
      IndexSearcher searcher = new IndexSearcher(reader);
      StoredEvent.Decoder decoder = StoredEvent.Decoder.of(reader.getIndexCommit().getUserData());
      Weight w = searcher.createWeight(searcher.rewrite(query), ScoreMode.COMPLETE_NO_SCORES, 1);
      for (LeafReaderContext leaf : reader.leaves()) {
        Scorer s = w.scorer(leaf);
        if (s == null) {
          continue;
        }
        NumericDocValues hash = leaf.reader().getNumericDocValues(Fields.HASH);
        NumericDocValues time = leaf.reader().getNumericDocValues(Fields.TIMESTAMP);
        StoredFields stored = leaf.reader().storedFields();
        DocIdSetIterator it = s.iterator();
        for (int doc = it.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = it.nextDoc()) {
          StoredEvent f = decoder.decode(stored.document(doc, StoredEvent.Decoder.fields()));
          String path = f.sourcePath() == null ? "" : f.sourcePath();
          long line = Math.max(0, f.lineNumber());
          Long h = hash != null && hash.advanceExact(doc) ? hash.longValue() : null;
          Instant t =
              time != null && time.advanceExact(doc)
                  ? Instant.EPOCH.plus(time.longValue(), ChronoUnit.MICROS)
                  : null;
          out.put(
              key(path, line),
              new IndexedLine(
                  path,
                  line,
                  f.byteOffset(),
                  t,
                  f.action(),
                  f.dataset(),
                  f.observer(),
                  h,
                  f.originalLine()));
        }
      }
    } catch (IOException | IndexException e) {
      throw new EvidenceException("cannot read index " + index + ": " + e.getMessage(), e);
    }
    return out;
  }
}
