package org.mobilessh.index;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import org.apache.lucene.codecs.StoredFieldsReader;
import org.apache.lucene.codecs.lucene90.Lucene90StoredFieldsFormat;
import org.apache.lucene.codecs.lucene90.compressing.Lucene90CompressingStoredFieldsReader;
import org.apache.lucene.index.CodecReader;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FilterLeafReader;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.SegmentInfo;
import org.apache.lucene.index.SegmentReader;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.search.BulkScorer;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.LeafCollector;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.Scorable;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Weight;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.util.FixedBitSet;

/**
 * Streams the matches of a query in {@code @timestamp} order (ties in index order, untimed
 * documents last in index order: the order of {@link EventSearcher#search}) without sorting them
 * and without random access to stored fields.
 *
 * <p>Why: stored fields are compressed in blocks of many documents, so reading hits in time order
 * from a top-N sort decompresses a block per hit, and paging with {@code searchAfter} re-runs the
 * query per page. But ingest writes each source file's lines in time order, so within a segment the
 * matches fall into a few docid stretches ("runs") whose times never decrease. This reader finds
 * the runs from the time doc values (8 bytes a document, no stored fields), then merges them by
 * time with one sequential stored-fields reader per run (a merge instance, which decompresses each
 * block once). Memory: one bit per document of the matching segments, and one reader per run. A
 * segment split into more than {@link #MAX_RUNS_PER_SEGMENT} runs (lines ingested out of order) is
 * read through a (time, doc) sort of its matches instead: 12 bytes a match, random access.
 */
final class TimeOrderedReader {
  /** Beyond this many runs in one segment, sort its matches instead (a reader costs ~100 kB). */
  static final int MAX_RUNS_PER_SEGMENT = 24;

  /**
   * What the caller does with one document: it reads what it needs of it from {@code stored} (with
   * a visitor of its own, which it may reuse from one document to the next).
   */
  interface DocConsumer {
    /**
     * @param stored the stored fields of the document's segment, valid during the call
     * @param doc the document in its segment
     * @param globalDoc the document in the whole reader: ties in time are read in this order
     * @param micros its {@code @timestamp}, {@code null} for none
     */
    void accept(StoredFields stored, int doc, int globalDoc, Long micros) throws IOException;
  }

  /**
   * Finds a segment's live matches, split for the read: the query's, or what a caller found already
   * (the audit's digest iterates the same query and reads the same times just before).
   */
  interface LeafMatches {
    /**
     * @return the segment's matches, or {@code null} for none; the read takes them as they are
     */
    Segment of(LeafReaderContext leaf) throws IOException;
  }

  /** What {@link #split} tells about each match it reads the time of, in docid order. */
  interface TimeVisitor {
    /**
     * @param doc the document in its segment
     * @param timed whether it has a time
     * @param time its {@code @timestamp}, when it has one
     */
    void accept(int doc, boolean timed, long time) throws IOException;
  }

  /**
   * One segment's live matches, split by {@link #split}: memory, one bit per document (two with
   * untimed matches) and two ints per run.
   *
   * @param timed the matches with a time
   * @param untimed the matches without, or {@code null} for none
   * @param runs {first doc, last doc} of each docid stretch whose times never decrease (more than
   *     {@link #MAX_RUNS_PER_SEGMENT}: some of them only, the segment is read sorted)
   */
  record Segment(FixedBitSet timed, FixedBitSet untimed, List<int[]> runs) {}

  private TimeOrderedReader() {}

  /** The matches of {@code query} (already scoped by the caller), its weight made at first use. */
  static LeafMatches of(IndexSearcher searcher, Query query) {
    Weight[] weight = {null};
    return leaf -> {
      if (weight[0] == null) {
        weight[0] =
            searcher.createWeight(searcher.rewrite(query), ScoreMode.COMPLETE_NO_SCORES, 1f);
      }
      FixedBitSet matches = matches(weight[0], leaf);
      return matches == null ? null : split(leaf, matches, null);
    };
  }

  /**
   * Hands over every live match of {@code query} (already scoped by the caller) in time order.
   *
   * @return how many documents were handed over
   */
  static long forEach(
      IndexSearcher searcher, DirectoryReader reader, Query query, DocConsumer consumer)
      throws IOException {
    return forEach(reader, of(searcher, query), consumer);
  }

  /** {@link #forEach}, each segment's matches found by {@code matches}. */
  static long forEach(DirectoryReader reader, LeafMatches matches, DocConsumer consumer)
      throws IOException {
    try (SequentialReaders sequential = new SequentialReaders()) {
      return forEach(reader, matches, consumer, sequential);
    }
  }

  /** {@link #forEach}, reading stored fields through {@code sequential}. */
  static long forEach(
      DirectoryReader reader,
      LeafMatches leafMatches,
      DocConsumer consumer,
      SequentialReaders sequential)
      throws IOException {
    PriorityQueue<Cursor> heap = new PriorityQueue<>();
    List<Untimed> untimed = new ArrayList<>();
    for (LeafReaderContext leaf : reader.leaves()) {
      Segment segment = leafMatches.of(leaf);
      if (segment == null) {
        continue;
      }
      addLeaf(leaf, segment, heap, untimed, sequential);
    }
    long n = 0;
    while (!heap.isEmpty()) {
      Cursor c = heap.poll();
      // the least cursor stays the least while its next document is before the heap's top (a
      // run usually covers a long stretch of time alone): no heap operation for those
      while (true) {
        c.emit(consumer);
        n++;
        if (!c.advance()) {
          break;
        }
        Cursor top = heap.peek();
        if (top != null && c.compareTo(top) > 0) {
          heap.add(c);
          break;
        }
      }
    }
    for (Untimed u : untimed) {
      StoredFields stored = sequential.of(u.leaf.reader());
      for (int d = next(u.docs, 0); d != NONE; d = next(u.docs, d + 1)) {
        consumer.accept(stored, d, u.leaf.docBase + d, null);
        n++;
      }
    }
    return n;
  }

  /** The live documents of a segment the query matches, or {@code null} for none. */
  static FixedBitSet matches(Weight weight, LeafReaderContext leaf) throws IOException {
    BulkScorer scorer = weight.bulkScorer(leaf);
    if (scorer == null) {
      return null;
    }
    FixedBitSet bits = new FixedBitSet(leaf.reader().maxDoc());
    scorer.score(
        new LeafCollector() {
          @Override
          public void setScorer(Scorable s) {}

          @Override
          public void collect(int doc) {
            bits.set(doc);
          }
        },
        leaf.reader().getLiveDocs());
    return bits.cardinality() == 0 ? null : bits;
  }

  /**
   * Splits one segment's matches into the untimed ones and the time-ordered runs of the others,
   * reading each one's time once.
   *
   * @param matches its live matches (the timed ones stay set)
   * @param visitor told each match's time as it is read, or {@code null}
   */
  static Segment split(LeafReaderContext leaf, FixedBitSet matches, TimeVisitor visitor)
      throws IOException {
    NumericDocValues times = leaf.reader().getNumericDocValues(Fields.TIMESTAMP);
    FixedBitSet none = null;
    List<int[]> runs = new ArrayList<>(); // {first doc, last doc}
    int start = -1;
    int prevDoc = -1;
    long prev = Long.MIN_VALUE;
    int max = matches.length();
    for (int d = next(matches, 0); d != NONE; d = next(matches, d + 1)) {
      if (times == null || !times.advanceExact(d)) {
        if (none == null) {
          none = new FixedBitSet(max);
        }
        none.set(d);
        matches.clear(d);
        if (visitor != null) {
          visitor.accept(d, false, 0);
        }
        continue;
      }
      long t = times.longValue();
      if (visitor != null) {
        visitor.accept(d, true, t);
      }
      if (start < 0) {
        start = d;
      } else if (t < prev) {
        addRun(runs, start, prevDoc);
        start = d;
      }
      prev = t;
      prevDoc = d;
    }
    if (start >= 0) {
      addRun(runs, start, prevDoc);
    }
    return new Segment(matches, none, runs);
  }

  /**
   * Adds a run, up to one more than {@link #MAX_RUNS_PER_SEGMENT}: beyond, the segment is sorted,
   * and the runs are kept until the read (lines out of order could make one a document).
   */
  private static void addRun(List<int[]> runs, int first, int last) {
    if (runs.size() <= MAX_RUNS_PER_SEGMENT) {
      runs.add(new int[] {first, last});
    }
  }

  /** Puts one segment's runs (or one sorted run) on the heap, its untimed matches in the list. */
  private static void addLeaf(
      LeafReaderContext leaf,
      Segment segment,
      PriorityQueue<Cursor> heap,
      List<Untimed> untimed,
      SequentialReaders sequential)
      throws IOException {
    if (segment.untimed() != null) {
      untimed.add(new Untimed(leaf, segment.untimed()));
    }
    List<int[]> runs = segment.runs();
    FixedBitSet matches = segment.timed();
    if (runs.isEmpty()) {
      return;
    }
    if (runs.size() > MAX_RUNS_PER_SEGMENT) {
      Cursor c = new SortedCursor(leaf, matches);
      if (c.advance()) {
        heap.add(c);
      }
      return;
    }
    for (int[] run : runs) {
      Cursor c = new RunCursor(leaf, matches, run[0], run[1], sequential.of(leaf.reader()));
      if (c.advance()) {
        heap.add(c);
      }
    }
  }

  /**
   * Readers that decompress each stored-fields block once when read in docid order (merge
   * instances), one per call; closes what it opened.
   *
   * <p>A segment in Lucene's {@code BEST_SPEED} stored-fields format (what {@link EventCodec}
   * writes) is read through a stored-fields reader of its own, opened on the segment's files with
   * {@link BulkLz4Decompressor}: the same bytes with less work (docs/performance-log.md, "Session
   * 11: read"). Any other segment, or one whose files cannot be opened so, is read through the
   * segment reader's own stored fields.
   */
  static final class SequentialReaders implements java.io.Closeable {
    private static final String FAST_DATA = "Lucene90StoredFieldsFastData";
    private static final String BEST_SPEED = Lucene90StoredFieldsFormat.Mode.BEST_SPEED.name();

    // per segment reader: the bulk reader opened on its files, or null for none
    private final java.util.Map<LeafReader, StoredFieldsReader> bulk = new java.util.HashMap<>();
    private final List<java.io.Closeable> opened = new ArrayList<>();

    /** A sequential reader of {@code r}'s stored fields, valid until {@link #close}. */
    StoredFields of(LeafReader r) throws IOException {
      if (!bulk.containsKey(r)) {
        bulk.put(r, openBulk(r));
      }
      StoredFieldsReader b = bulk.get(r);
      if (b != null) {
        return b.getMergeInstance();
      }
      if (r instanceof CodecReader cr && cr.getFieldsReader() != null) {
        return cr.getFieldsReader().getMergeInstance();
      }
      return r.storedFields();
    }

    private StoredFieldsReader openBulk(LeafReader r) {
      if (!(FilterLeafReader.unwrap(r) instanceof SegmentReader sr)) {
        return null;
      }
      SegmentInfo si = sr.getSegmentInfo().info;
      if (!(si.getCodec().storedFieldsFormat() instanceof Lucene90StoredFieldsFormat)
          || !BEST_SPEED.equals(si.getAttribute(Lucene90StoredFieldsFormat.MODE_KEY))) {
        return null;
      }
      Directory compound = null;
      try {
        Directory dir = si.dir;
        if (si.getUseCompoundFile()) {
          compound =
              si.getCodec().compoundFormat().getCompoundReader(si.dir, si, IOContext.DEFAULT);
          dir = compound;
        }
        StoredFieldsReader f =
            new Lucene90CompressingStoredFieldsReader(
                dir,
                si,
                "",
                sr.getFieldInfos(),
                IOContext.DEFAULT,
                FAST_DATA,
                BulkLz4Decompressor.MODE);
        if (compound != null) {
          opened.add(compound);
        }
        opened.add(f);
        return f;
      } catch (IOException | RuntimeException e) {
        // read as before, through the segment reader's own stored fields
        org.apache.lucene.util.IOUtils.closeWhileHandlingException(compound);
        return null;
      }
    }

    /** How many segments are read with {@link BulkLz4Decompressor} (for tests). */
    int bulkSegments() {
      return (int) bulk.values().stream().filter(java.util.Objects::nonNull).count();
    }

    @Override
    public void close() throws IOException {
      org.apache.lucene.util.IOUtils.close(opened);
    }
  }

  private static final int NONE = org.apache.lucene.search.DocIdSetIterator.NO_MORE_DOCS;

  /** The first set bit at or after {@code from}, or {@link #NONE}. */
  private static int next(FixedBitSet bits, int from) {
    return from >= bits.length() ? NONE : bits.nextSetBit(from);
  }

  private record Untimed(LeafReaderContext leaf, FixedBitSet docs) {}

  /** A position in one segment's matches, ordered by (time, global doc). */
  private abstract static class Cursor implements Comparable<Cursor> {
    final LeafReaderContext leaf;
    long time;
    int doc = -1;

    Cursor(LeafReaderContext leaf) {
      this.leaf = leaf;
    }

    /** Moves to the next match; false when done. */
    abstract boolean advance() throws IOException;

    abstract StoredFields stored();

    void emit(DocConsumer consumer) throws IOException {
      consumer.accept(stored(), doc, leaf.docBase + doc, time);
    }

    @Override
    public int compareTo(Cursor o) {
      int c = Long.compare(time, o.time);
      return c != 0 ? c : Integer.compare(leaf.docBase + doc, o.leaf.docBase + o.doc);
    }
  }

  /** A docid stretch whose times never decrease, read sequentially. */
  private static final class RunCursor extends Cursor {
    final FixedBitSet matches;
    final int last;
    final NumericDocValues times;
    final StoredFields stored;

    RunCursor(LeafReaderContext leaf, FixedBitSet matches, int first, int last, StoredFields stored)
        throws IOException {
      super(leaf);
      this.matches = matches;
      this.last = last;
      this.times = leaf.reader().getNumericDocValues(Fields.TIMESTAMP);
      this.stored = stored;
      this.doc = first - 1;
    }

    @Override
    boolean advance() throws IOException {
      if (doc >= last) {
        return false;
      }
      int d = next(matches, doc + 1);
      if (d > last) {
        return false;
      }
      doc = d;
      times.advanceExact(d);
      time = times.longValue();
      return true;
    }

    @Override
    StoredFields stored() {
      return stored;
    }
  }

  /** A segment's matches sorted by (time, doc): for segments whose lines are out of order. */
  private static final class SortedCursor extends Cursor {
    final long[] times;
    final int[] docs;
    final StoredFields stored;
    int next;

    SortedCursor(LeafReaderContext leaf, FixedBitSet matches) throws IOException {
      super(leaf);
      int n = matches.cardinality();
      long[] t = new long[n];
      int[] ds = new int[n];
      NumericDocValues dv = leaf.reader().getNumericDocValues(Fields.TIMESTAMP);
      int i = 0;
      for (int d = next(matches, 0); d != NONE; d = next(matches, d + 1)) {
        dv.advanceExact(d);
        t[i] = dv.longValue();
        ds[i] = d;
        i++;
      }
      // docs are ascending: a stable sort on time keeps doc order among equal times
      new org.apache.lucene.util.InPlaceMergeSorter() {
        @Override
        protected int compare(int a, int b) {
          return Long.compare(t[a], t[b]);
        }

        @Override
        protected void swap(int a, int b) {
          long x = t[a];
          t[a] = t[b];
          t[b] = x;
          int y = ds[a];
          ds[a] = ds[b];
          ds[b] = y;
        }
      }.sort(0, n);
      this.times = t;
      this.docs = ds;
      this.stored = leaf.reader().storedFields();
    }

    @Override
    boolean advance() {
      if (next >= docs.length) {
        return false;
      }
      time = times[next];
      doc = docs[next];
      next++;
      return true;
    }

    @Override
    StoredFields stored() {
      return stored;
    }
  }
}
