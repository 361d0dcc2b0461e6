package org.mobilessh.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.DocValues;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.index.NumericDocValues;
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
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.Bits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mobilessh.parse.LogFormat;

/**
 * The matches a digest keeps for the time-ordered read ({@link EventSearcher#matches}) change
 * nothing: the digest is the one computed from scratch (a persisted cache key), and the read hands
 * over the documents, in the order, of a read that runs the query — over several segments with
 * deletions, with and without a memo of some segments' parts.
 */
class SharedMatchesTest {
  @TempDir Path dir;

  @Test
  void keptMatchesGiveTheDigestAndTheReadOfTheQuery() throws IOException {
    Path idx = dir.resolve("index");
    // a segment per router: the kernel log under four names
    List<String> lines = SampleLogs.lines("kern.log.1", "kern.log", "kern.log.1", "kern.log");
    for (int i = 1; i <= 4; i++) {
      Path file = dir.resolve("kern" + i + ".log");
      String router = "router" + i;
      Files.write(
          file, lines.stream().map(l -> l.replace(" router1 ", " " + router + " ")).toList());
      try (EventIndex index = EventIndex.open(idx)) {
        assertThat(
                SampleLogs.addAll(
                    index, SampleLogs.events(file, file.toString(), LogFormat.SYSLOG, router)))
            .isPositive();
        index.commit(Map.of());
      }
    }
    // deletions in every segment (what a re-ingest of a changed file leaves): every fifth document
    try (FSDirectory d = FSDirectory.open(idx);
        IndexWriter w =
            new IndexWriter(d, new IndexWriterConfig().setMergePolicy(NoMergePolicy.INSTANCE))) {
      try (DirectoryReader r = DirectoryReader.open(w)) {
        for (LeafReaderContext leaf : r.leaves()) {
          for (int doc = 0; doc < leaf.reader().maxDoc(); doc += 5) {
            assertThat(w.tryDeleteDocument(leaf.reader(), doc)).isNotEqualTo(-1);
          }
        }
      }
      w.commit();
    }
    try (EventSearcher s = EventSearcher.open(idx);
        FSDirectory d = FSDirectory.open(idx);
        DirectoryReader r = DirectoryReader.open(d)) {
      assertThat(r.leaves()).hasSizeGreaterThan(2);
      assertThat(r.leaves()).allMatch(l -> l.reader().hasDeletions());
      List<Query> queries =
          List.of(
              EventSearcher.all(),
              s.parse("action:reject"),
              new BooleanQuery.Builder()
                  .add(
                      LongPoint.newRangeQuery(Fields.TIMESTAMP, Long.MIN_VALUE, Long.MAX_VALUE),
                      BooleanClause.Occur.FILTER)
                  .add(
                      new TermQuery(new Term(Fields.OBSERVER, SampleLogs.HOST)),
                      BooleanClause.Occur.FILTER)
                  .build());
      for (Query q : queries) {
        EventSearcher.Digest scratch = digestFromScratch(r, s, q);
        assertThat(scratch.count()).as("%s", q).isPositive();
        assertThat(s.digest(q)).isEqualTo(scratch);
        Map<String, EventSearcher.Digest> memo = new HashMap<>();
        EventSearcher.Matches all = s.matches(q, memo);
        assertThat(all.digest()).isEqualTo(scratch);
        assertThat(memo).hasSize(r.leaves().size());
        // some segments' parts from the memo: those the read finds by running the query
        Map<String, EventSearcher.Digest> some = new HashMap<>();
        memo.entrySet().stream().limit(2).forEach(e -> some.put(e.getKey(), e.getValue()));
        EventSearcher.Matches partly = s.matches(q, some);
        assertThat(partly.digest()).isEqualTo(scratch);
        assertThat(s.matches(q, memo).digest()).isEqualTo(scratch);

        List<String> queried = read(s, q, null);
        assertThat(queried).hasSize((int) scratch.count());
        assertThat(read(s, q, all)).as("%s", q).isEqualTo(queried);
        assertThat(read(s, q, all)).as("read twice").isEqualTo(queried);
        assertThat(read(s, q, partly)).as("%s, partly memo", q).isEqualTo(queried);
        assertThat(read(s, q, s.matches(q, null))).isEqualTo(queried);
      }
    }
  }

  /** (doc, time, line) of each hit in the order handed over. */
  private static List<String> read(EventSearcher s, Query q, EventSearcher.Matches matches) {
    List<String> out = new ArrayList<>();
    EventSearcher.OrderedHitConsumer c =
        (h, doc) -> out.add(doc + " " + h.timestamp() + " " + h.originalLine());
    if (matches == null) {
      s.forEachOrdered(q, c);
    } else {
      s.forEachOrdered(matches, c);
    }
    return out;
  }

  /**
   * The digest as it was first written (persisted in cache keys): the query's scorer iterated
   * document by document, deleted ones skipped.
   */
  private static EventSearcher.Digest digestFromScratch(DirectoryReader r, EventSearcher s, Query q)
      throws IOException {
    IndexSearcher searcher = new IndexSearcher(r);
    // scoped as the searcher scopes it: quarantined lines and snapshots left out
    Query scoped =
        new BooleanQuery.Builder()
            .add(q, BooleanClause.Occur.MUST)
            .add(
                new TermQuery(new Term(Fields.ACTION, Fields.SNAPSHOT)),
                BooleanClause.Occur.MUST_NOT)
            .add(
                new TermQuery(new Term(Fields.ACTION, Fields.QUARANTINE)),
                BooleanClause.Occur.MUST_NOT)
            .build();
    Weight w = searcher.createWeight(searcher.rewrite(scoped), ScoreMode.COMPLETE_NO_SCORES, 1);
    long count = 0;
    long sum = 0;
    long xor = 0;
    for (LeafReaderContext leaf : r.leaves()) {
      Scorer sc = w.scorer(leaf);
      if (sc == null) {
        continue;
      }
      NumericDocValues hash = DocValues.getNumeric(leaf.reader(), Fields.HASH);
      NumericDocValues origin = DocValues.getNumeric(leaf.reader(), Fields.ORIGIN);
      NumericDocValues time = DocValues.getNumeric(leaf.reader(), Fields.TIMESTAMP);
      Bits live = leaf.reader().getLiveDocs();
      DocIdSetIterator it = sc.iterator();
      for (int d = it.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = it.nextDoc()) {
        if (live != null && !live.get(d)) {
          continue;
        }
        long h = hash.advanceExact(d) ? hash.longValue() : 0x6a09e667f3bcc909L;
        long o = origin.advanceExact(d) ? origin.longValue() : 0xbb67ae8584caa73bL;
        long t = time.advanceExact(d) ? time.longValue() : 0x3c6ef372fe94f82bL;
        long x = mix(h ^ mix(o + 0x9e3779b97f4a7c15L ^ mix(t)));
        count++;
        sum += x;
        xor ^= x;
      }
    }
    return new EventSearcher.Digest(count, sum, xor);
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
