package org.mobilessh.index;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.FieldDoc;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopFieldDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.mobilessh.parse.Action;
import org.mobilessh.parse.ConntrackEvent;
import org.mobilessh.parse.EventTime;
import org.mobilessh.parse.LineParser;
import org.mobilessh.parse.LogEvent;
import org.mobilessh.parse.LogFormat;
import org.mobilessh.parse.NetfilterEvent;
import org.mobilessh.parse.NoticeEvent;
import org.mobilessh.parse.ParseContext;
import org.mobilessh.parse.ParseResult;

/**
 * Reads the index: counts, and hits sorted by {@code @timestamp} whose stored original line is
 * re-parsed into the event. A searcher sees the index as of its last commit when it was opened.
 *
 * <p>Quarantined lines are kept out of results unless the query asks for them ({@code
 * action:quarantine}).
 */
public final class EventSearcher implements Closeable {
  private static final Sort BY_TIME;

  static {
    SortField time = new SortField(Fields.TIMESTAMP, SortField.Type.LONG);
    time.setMissingValue(Long.MAX_VALUE);
    BY_TIME = new Sort(time, SortField.FIELD_DOC);
  }

  private static final Query QUARANTINE = new TermQuery(new Term(Fields.ACTION, Fields.QUARANTINE));
  private static final Query SNAPSHOT = new TermQuery(new Term(Fields.ACTION, Fields.SNAPSHOT));

  private final Path path;
  private final Directory directory;
  private final DirectoryReader reader;
  private final IndexSearcher searcher;
  private final StoredEvent.Decoder decoder;

  private EventSearcher(Path path, Directory directory, DirectoryReader reader) throws IOException {
    this.path = path;
    this.directory = directory;
    this.reader = reader;
    this.searcher = new IndexSearcher(reader);
    this.decoder = StoredEvent.Decoder.of(reader.getIndexCommit().getUserData());
  }

  /**
   * Opens the last commit of the index in {@code dir}.
   *
   * @throws IndexException if there is no index there (nothing ingested yet) or it is unreadable
   */
  public static EventSearcher open(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new IndexException("no index at " + dir + " (run mobilessh ingest first)");
    }
    Directory d = null;
    try {
      d = FSDirectory.open(dir);
      if (!DirectoryReader.indexExists(d)) {
        d.close();
        throw new IndexException("no index at " + dir + " (run mobilessh ingest first)");
      }
      DirectoryReader r = DirectoryReader.open(d);
      try {
        EventIndex.requireReadable(
            r.getIndexCommit().getUserData().get(EventIndex.SCHEMA_KEY), dir);
        return new EventSearcher(dir, d, r);
      } catch (IOException | RuntimeException e) {
        r.close();
        throw e;
      }
    } catch (IOException | RuntimeException e) {
      try {
        if (d != null) {
          d.close();
        }
      } catch (IOException ignored) {
        // reporting the first failure
      }
      if (e instanceof RuntimeException r) {
        throw r;
      }
      throw new IndexException("cannot read index " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Parses query syntax; see {@link QueryTranslator}. */
  public Query parse(String text) {
    return QueryTranslator.parse(text);
  }

  /** How many documents match (events only, unless the query names the quarantine). */
  public long count(Query query) {
    try {
      return searcher.count(scoped(query));
    } catch (IOException e) {
      throw new IndexException("cannot read index " + path + ": " + e.getMessage(), e);
    }
  }

  /**
   * The first {@code limit} matches in time order (events without a time last, then index order).
   */
  public List<Hit> search(Query query, int limit) {
    if (limit <= 0) {
      return List.of();
    }
    try {
      TopFieldDocs top = searcher.search(scoped(query), limit, BY_TIME);
      StoredFields stored = searcher.storedFields();
      Reparser reparser = new Reparser();
      List<Hit> hits = new ArrayList<>(top.scoreDocs.length);
      for (ScoreDoc sd : top.scoreDocs) {
        long time = (Long) ((FieldDoc) sd).fields[0];
        Document doc = stored.document(sd.doc);
        hits.add(
            hit(decoder.decode(doc), doc, time == Long.MAX_VALUE ? null : time, reparser, false));
      }
      return hits;
    } catch (IOException e) {
      throw new IndexException("cannot read index " + path + ": " + e.getMessage(), e);
    }
  }

  /**
   * Every match in time order (as {@link #search} orders them), handed over one at a time: memory
   * stays bounded however many events match (use this rather than {@link #search} with a huge
   * limit). Reads each segment's stored fields sequentially and merges by the time doc values; see
   * {@link TimeOrderedReader}.
   *
   * @return how many hits were handed over
   */
  public long forEach(Query query, java.util.function.Consumer<Hit> consumer) {
    return forEachOrdered(query, (hit, doc) -> consumer.accept(hit));
  }

  /** What {@link #forEachOrdered} hands each hit to. */
  public interface OrderedHitConsumer {
    /**
     * @param hit the hit
     * @param doc its document number in this searcher: hits of equal time are read in this order,
     *     so (time, doc) orders the hits of several reads as one read of them all would
     */
    void accept(Hit hit, int doc);
  }

  /**
   * {@link #forEach(Query, java.util.function.Consumer)}, telling each hit's document number too.
   *
   * @return how many hits were handed over
   */
  public long forEachOrdered(Query query, OrderedHitConsumer consumer) {
    return forEachOrdered(TimeOrderedReader.of(searcher, scoped(query)), consumer);
  }

  /**
   * {@link #forEachOrdered(Query, OrderedHitConsumer)} of the query {@code matches} was found for,
   * reading the segments' matches it kept rather than running the query again (a second read of the
   * same {@code matches} runs it).
   *
   * @param matches of this searcher
   */
  public long forEachOrdered(Matches matches, OrderedHitConsumer consumer) {
    if (matches.searcher != this) {
      throw new IllegalArgumentException("matches of another searcher");
    }
    return forEachOrdered(matches.take(), consumer);
  }

  private long forEachOrdered(TimeOrderedReader.LeafMatches matches, OrderedHitConsumer consumer) {
    HitVisitor visitor = new HitVisitor();
    ReadBatch batch = new ReadBatch(new Reparser(), consumer);
    try {
      long n =
          TimeOrderedReader.forEach(
              reader,
              matches,
              (stored, doc, globalDoc, micros) -> {
                visitor.reset();
                stored.document(doc, visitor);
                batch.add(visitor, micros, globalDoc, decoder);
              });
      batch.reparse();
      return n;
    } catch (IOException e) {
      throw new IndexException("cannot read index " + path + ": " + e.getMessage(), e);
    }
  }

  /**
   * Documents read (stored bytes decompressed and decoded) {@value #SIZE} at a time, then all of
   * them re-parsed, then all handed over in their order: reading a document, re-parsing its line
   * and the consumer's work on it (the audit's engine), one after the other per document, evicted
   * each other's code and tables (Lucene's block and decoder, the parser's heads and address
   * tables, the engine's state) from the core's caches at every event. Taking turns a batch at a
   * time: audit threads 4-10 % less CPU on a cold 10 M-event {@code windows --month}; 64-256
   * helped, 1024 (events of ~1 KB each no longer fitting a core's cache) did not
   * (docs/performance-log.md, "Session 12: reparse" and "Session 12: readbatch").
   */
  private static final class ReadBatch {
    static final int SIZE = 128;
    private final Reparser reparser;
    private final OrderedHitConsumer consumer;
    private final StoredEvent[] events = new StoredEvent[SIZE];
    private final Hit[] hits = new Hit[SIZE];
    private final Document[] docs = new Document[SIZE];
    private final boolean[] canonical = new boolean[SIZE];
    private final Long[] micros = new Long[SIZE];
    private final int[] globalDocs = new int[SIZE];
    private int size;

    ReadBatch(Reparser reparser, OrderedHitConsumer consumer) {
      this.reparser = reparser;
      this.consumer = consumer;
    }

    /** Decodes what {@code visitor} read of one document; re-parses the batch when it is full. */
    void add(HitVisitor visitor, Long time, int globalDoc, StoredEvent.Decoder decoder) {
      int i = size;
      docs[i] = visitor.document();
      // the layout's strings are the decoder's table's own: one instance each already
      canonical[i] = visitor.length >= 0;
      events[i] = visitor.stored(decoder);
      micros[i] = time;
      globalDocs[i] = globalDoc;
      if (++size == SIZE) {
        reparse();
      }
    }

    /** Re-parses the documents read so far, then hands them over in their order. */
    void reparse() {
      int n = size;
      size = 0;
      for (int i = 0; i < n; i++) {
        hits[i] = hit(events[i], docs[i], micros[i], reparser, canonical[i]);
        events[i] = null;
        docs[i] = null;
        micros[i] = null;
      }
      for (int i = 0; i < n; i++) {
        Hit h = hits[i];
        hits[i] = null;
        consumer.accept(h, globalDocs[i]);
      }
    }
  }

  /** What {@link #forEachLine} hands each match to. */
  public interface LineConsumer {
    /**
     * @param sourcePath {@code log.file.path}, or {@code null}
     * @param lineNumber 1-based line number in the source, -1 if not stored
     * @param micros {@code @timestamp} in µs, {@link Long#MIN_VALUE} without one
     * @param originalLine the line as stored
     */
    void accept(String sourcePath, long lineNumber, long micros, String originalLine);
  }

  /**
   * The source pointer, time and stored line of every match, in index order (not time order), not
   * re-parsed: for a caller that looks lines up by where they came from (the audit cache's evidence
   * texts). Each segment's stored fields are read sequentially; only the matches are decoded.
   *
   * @return how many matches were handed over
   */
  public long forEachLine(Query query, LineConsumer consumer) {
    HitVisitor visitor = new HitVisitor();
    // in index order: merge instances decompress each block once, not once per document
    try (TimeOrderedReader.SequentialReaders sequential =
        new TimeOrderedReader.SequentialReaders()) {
      org.apache.lucene.search.Weight w =
          searcher.createWeight(
              searcher.rewrite(scoped(query)),
              org.apache.lucene.search.ScoreMode.COMPLETE_NO_SCORES,
              1);
      long n = 0;
      for (org.apache.lucene.index.LeafReaderContext leaf : reader.leaves()) {
        org.apache.lucene.search.Scorer sc = w.scorer(leaf);
        if (sc == null) {
          continue;
        }
        org.apache.lucene.index.NumericDocValues time =
            org.apache.lucene.index.DocValues.getNumeric(leaf.reader(), Fields.TIMESTAMP);
        org.apache.lucene.util.Bits live = leaf.reader().getLiveDocs();
        StoredFields stored = sequential.of(leaf.reader());
        org.apache.lucene.search.DocIdSetIterator it = sc.iterator();
        for (int d = it.nextDoc();
            d != org.apache.lucene.search.DocIdSetIterator.NO_MORE_DOCS;
            d = it.nextDoc()) {
          if (live != null && !live.get(d)) {
            continue;
          }
          visitor.reset();
          stored.document(d, visitor);
          StoredEvent e = visitor.stored(decoder);
          consumer.accept(
              e.sourcePath(),
              e.lineNumber(),
              time.advanceExact(d) ? time.longValue() : Long.MIN_VALUE,
              e.originalLine());
          n++;
        }
      }
      return n;
    } catch (IOException e) {
      throw new IndexException("cannot read index " + path + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads a hit's stored fields: an event's one {@link Fields#STORED} value into a buffer reused
   * from one document to the next, anything else (quarantined lines, schema 1) into a {@link
   * Document} as before. Saves a Document, a field object and a copy of the line per event.
   */
  private static final class HitVisitor extends org.apache.lucene.index.StoredFieldVisitor {
    private byte[] buf = new byte[1024];
    private int length = -1; // -1: no event.stored value
    private org.apache.lucene.document.DocumentStoredFieldVisitor other;

    void reset() {
      length = -1;
      other = null;
    }

    private org.apache.lucene.document.DocumentStoredFieldVisitor other() {
      if (other == null) {
        other = new org.apache.lucene.document.DocumentStoredFieldVisitor();
      }
      return other;
    }

    StoredEvent stored(StoredEvent.Decoder decoder) {
      return length >= 0
          ? decoder.decode(buf, 0, length)
          : decoder.decode(other == null ? EMPTY : other.getDocument());
    }

    /** The fields read other than an event's {@link Fields#STORED} value. */
    Document document() {
      return other == null ? EMPTY : other.getDocument();
    }

    @Override
    public Status needsField(org.apache.lucene.index.FieldInfo fieldInfo) {
      return Status.YES;
    }

    @Override
    public void binaryField(
        org.apache.lucene.index.FieldInfo fieldInfo, org.apache.lucene.store.DataInput value, int n)
        throws IOException {
      if (length < 0 && fieldInfo.name.equals(Fields.STORED)) {
        if (n > buf.length) {
          buf = new byte[Math.max(n, buf.length * 2)];
        }
        value.readBytes(buf, 0, n);
        length = n;
      } else {
        other().binaryField(fieldInfo, value, n);
      }
    }

    @Override
    public void binaryField(org.apache.lucene.index.FieldInfo fieldInfo, byte[] value)
        throws IOException {
      other().binaryField(fieldInfo, value);
    }

    @Override
    public void stringField(org.apache.lucene.index.FieldInfo fieldInfo, String value)
        throws IOException {
      other().stringField(fieldInfo, value);
    }

    @Override
    public void intField(org.apache.lucene.index.FieldInfo fieldInfo, int value)
        throws IOException {
      other().intField(fieldInfo, value);
    }

    @Override
    public void longField(org.apache.lucene.index.FieldInfo fieldInfo, long value)
        throws IOException {
      other().longField(fieldInfo, value);
    }

    @Override
    public void floatField(org.apache.lucene.index.FieldInfo fieldInfo, float value)
        throws IOException {
      other().floatField(fieldInfo, value);
    }

    @Override
    public void doubleField(org.apache.lucene.index.FieldInfo fieldInfo, double value)
        throws IOException {
      other().doubleField(fieldInfo, value);
    }
  }

  private static final Document EMPTY = new Document();

  /** The index directory this searcher reads. */
  public Path path() {
    return path;
  }

  /**
   * Every {@code observer.hostname} the index holds a term for (events and snapshots of any time),
   * sorted. Documents without a router have no term.
   */
  public List<String> observers() {
    try {
      java.util.TreeSet<String> out = new java.util.TreeSet<>();
      for (org.apache.lucene.index.LeafReaderContext leaf : reader.leaves()) {
        org.apache.lucene.index.Terms terms = leaf.reader().terms(Fields.OBSERVER);
        if (terms == null) {
          continue;
        }
        org.apache.lucene.index.TermsEnum te = terms.iterator();
        for (org.apache.lucene.util.BytesRef b = te.next(); b != null; b = te.next()) {
          out.add(b.utf8ToString());
        }
      }
      return List.copyOf(out);
    } catch (IOException e) {
      throw new IndexException("cannot read index " + path + ": " + e.getMessage(), e);
    }
  }

  /**
   * What the documents {@link #forEach} would read for {@code query} are, in 64 bits per document:
   * their number and the sum and xor of a mix of each one's {@code event.hash} (router and content)
   * {@code event.origin} (source file and line) and {@code @timestamp}. Adding, deleting or
   * replacing a matching document changes it; merging segments does not. Reads doc values only (no
   * stored fields).
   */
  public Digest digest(Query query) {
    return digest(query, null);
  }

  /**
   * {@link #digest(Query)}, taking each segment's part from {@code memo} when it is there and
   * putting there what is computed. A segment's part is keyed by {@link #segmentKey}, which changes
   * whenever the segment's documents, deletions or doc values do; {@code memo} must hold parts of
   * this same {@code query} only. The digest is the same with or without a memo.
   *
   * @param memo segment key to that segment's part; {@code null}: compute every segment
   */
  public Digest digest(Query query, java.util.Map<String, Digest> memo) {
    return matches(query, memo, false).digest();
  }

  /**
   * {@link #digest(Query, java.util.Map)}, keeping each segment's matches it found for one {@link
   * #forEachOrdered(Matches, OrderedHitConsumer)} of the same query: a cold audit computes a
   * router's digest (its cache key) and then, on a miss, reads the same documents; the query is
   * iterated, and each match's time read and its segment split into time-ordered runs, once instead
   * of twice. Memory: one bit per document of the segments it iterated.
   *
   * @param memo as for {@link #digest(Query, java.util.Map)}; a segment whose part it holds is not
   *     iterated here, and the read runs the query for it
   */
  public Matches matches(Query query, java.util.Map<String, Digest> memo) {
    return matches(query, memo, true);
  }

  private Matches matches(Query query, java.util.Map<String, Digest> memo, boolean keep) {
    Query q = scoped(query);
    List<org.apache.lucene.index.LeafReaderContext> leaves = reader.leaves();
    // per segment (by its ord): its matches, split for the read, where they were looked for
    TimeOrderedReader.Segment[] segments = new TimeOrderedReader.Segment[leaves.size()];
    boolean[] found = new boolean[leaves.size()];
    try {
      org.apache.lucene.search.Weight w = null;
      long count = 0;
      long sum = 0;
      long xor = 0;
      for (org.apache.lucene.index.LeafReaderContext leaf : leaves) {
        String segment = memo == null ? null : segmentKey(leaf);
        Digest known = segment == null ? null : memo.get(segment);
        if (known != null) {
          count += known.count();
          sum += known.sum();
          xor ^= known.xor();
          continue;
        }
        if (w == null) {
          w =
              searcher.createWeight(
                  searcher.rewrite(q), org.apache.lucene.search.ScoreMode.COMPLETE_NO_SCORES, 1);
        }
        // the live matches as the time-ordered read finds them (a bulk scorer into bits), split
        // as the read splits them while the times are read for the digest: the read takes them
        // as they are
        org.apache.lucene.util.FixedBitSet matches = TimeOrderedReader.matches(w, leaf);
        found[leaf.ord] = true;
        Digest part;
        if (matches == null) {
          part = new Digest(0, 0, 0);
        } else {
          SegmentDigest d = new SegmentDigest(leaf);
          TimeOrderedReader.Segment split = TimeOrderedReader.split(leaf, matches, d);
          if (keep) {
            segments[leaf.ord] = split;
          }
          part = d.digest();
        }
        count += part.count();
        sum += part.sum();
        xor ^= part.xor();
        if (segment != null) {
          memo.put(segment, part);
        }
      }
      return new Matches(this, q, new Digest(count, sum, xor), segments, found);
    } catch (IOException e) {
      throw new IndexException("cannot read index " + path + ": " + e.getMessage(), e);
    }
  }

  /** One segment's part of the digest, told each match and its time in docid order. */
  private static final class SegmentDigest implements TimeOrderedReader.TimeVisitor {
    private final org.apache.lucene.index.NumericDocValues hash;
    private final org.apache.lucene.index.NumericDocValues origin;
    private long count;
    private long sum;
    private long xor;

    SegmentDigest(org.apache.lucene.index.LeafReaderContext leaf) throws IOException {
      hash = org.apache.lucene.index.DocValues.getNumeric(leaf.reader(), Fields.HASH);
      origin = org.apache.lucene.index.DocValues.getNumeric(leaf.reader(), Fields.ORIGIN);
    }

    @Override
    public void accept(int d, boolean timed, long time) throws IOException {
      long h = hash.advanceExact(d) ? hash.longValue() : 0x6a09e667f3bcc909L;
      long o = origin.advanceExact(d) ? origin.longValue() : 0xbb67ae8584caa73bL;
      long t = timed ? time : 0x3c6ef372fe94f82bL;
      long x = mix(h ^ mix(o + 0x9e3779b97f4a7c15L ^ mix(t)));
      count++;
      sum += x;
      xor ^= x;
    }

    Digest digest() {
      return new Digest(count, sum, xor);
    }
  }

  /**
   * A query's digest, and the matches found on the way for one time-ordered read of them ({@link
   * #matches}). Not thread-safe.
   */
  public static final class Matches {
    private final EventSearcher searcher;
    private final Query scoped;
    private final Digest digest;
    private TimeOrderedReader.Segment[] segments;
    private boolean[] found;

    private Matches(
        EventSearcher searcher,
        Query scoped,
        Digest digest,
        TimeOrderedReader.Segment[] segments,
        boolean[] found) {
      this.searcher = searcher;
      this.scoped = scoped;
      this.digest = digest;
      this.segments = segments;
      this.found = found;
    }

    /** The query's {@link EventSearcher#digest(Query, java.util.Map)}. */
    public Digest digest() {
      return digest;
    }

    /**
     * What the read finds each segment's matches with: the segments split here, once (no longer
     * held once read), then the query as for any read.
     */
    private TimeOrderedReader.LeafMatches take() {
      TimeOrderedReader.Segment[] b = segments;
      boolean[] f = found;
      segments = new TimeOrderedReader.Segment[b.length];
      found = new boolean[f.length];
      TimeOrderedReader.LeafMatches query = TimeOrderedReader.of(searcher.searcher, scoped);
      return leaf -> f[leaf.ord] ? b[leaf.ord] : query.of(leaf);
    }
  }

  /**
   * What identifies a segment's content as this searcher sees it: its name and id, and the id and
   * generations of its deletions, field infos and doc values (Lucene gives a segment a new id of
   * its commit whenever any of these change); {@code null} for a reader that is not a segment's.
   */
  static String segmentKey(org.apache.lucene.index.LeafReaderContext leaf) {
    org.apache.lucene.index.LeafReader r =
        org.apache.lucene.index.FilterLeafReader.unwrap(leaf.reader());
    if (!(r instanceof org.apache.lucene.index.SegmentReader sr)) {
      return null;
    }
    org.apache.lucene.index.SegmentCommitInfo ci = sr.getSegmentInfo();
    byte[] commitId = ci.getId();
    return ci.info.name
        + ':'
        + org.apache.lucene.util.StringHelper.idToString(ci.info.getId())
        + ':'
        + (commitId == null ? "-" : org.apache.lucene.util.StringHelper.idToString(commitId))
        + ':'
        + ci.getDelGen()
        + ':'
        + ci.getFieldInfosGen()
        + ':'
        + ci.getDocValuesGen()
        + ':'
        + sr.maxDoc()
        + ':'
        + sr.numDocs();
  }

  /** The finaliser of SplitMix64: every input bit reaches every output bit. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /**
   * See {@link #digest}.
   *
   * @param count matching documents
   * @param sum sum of their mixed hashes
   * @param xor xor of their mixed hashes
   */
  public record Digest(long count, long sum, long xor) {}

  /** Documents in the index, events, quarantined lines and snapshots together. */
  public int size() {
    return reader.numDocs();
  }

  private static Query scoped(Query query) {
    boolean[] quarantine = {false};
    query.visit(
        new QueryVisitor() {
          @Override
          public boolean acceptField(String field) {
            return true;
          }

          @Override
          public void consumeTerms(Query q, Term... terms) {
            for (Term t : terms) {
              if (t.field().equals(Fields.ACTION) && t.text().equals(Fields.QUARANTINE)) {
                quarantine[0] = true;
              }
            }
          }

          @Override
          public QueryVisitor getSubVisitor(BooleanClause.Occur occur, Query parent) {
            return this;
          }
        });
    BooleanQuery.Builder b =
        new BooleanQuery.Builder()
            .add(query, BooleanClause.Occur.MUST)
            .add(SNAPSHOT, BooleanClause.Occur.MUST_NOT);
    if (!quarantine[0]) {
      b.add(QUARANTINE, BooleanClause.Occur.MUST_NOT);
    }
    return b.build();
  }

  /**
   * The {@code rules snapshot} documents taken in {@code [from, to]}, oldest first.
   *
   * @param from first instant, {@code null} for no bound
   * @param to last instant, {@code null} for no bound
   * @param host {@code observer.hostname} to keep, {@code null} for every router
   */
  public List<StoredSnapshot> snapshots(Instant from, Instant to, String host) {
    long lo = from == null ? Long.MIN_VALUE : ChronoUnit.MICROS.between(Instant.EPOCH, from);
    long hi = to == null ? Long.MAX_VALUE : ChronoUnit.MICROS.between(Instant.EPOCH, to);
    BooleanQuery.Builder b =
        new BooleanQuery.Builder()
            .add(SNAPSHOT, BooleanClause.Occur.FILTER)
            .add(
                org.apache.lucene.document.LongPoint.newRangeQuery(Fields.SNAPSHOT_TIME, lo, hi),
                BooleanClause.Occur.FILTER);
    if (host != null) {
      b.add(new TermQuery(new Term(Fields.OBSERVER, host)), BooleanClause.Occur.FILTER);
    }
    try {
      Query q = b.build();
      int n = Math.max(1, searcher.count(q));
      StoredFields stored = searcher.storedFields();
      List<StoredSnapshot> out = new ArrayList<>();
      for (ScoreDoc sd : searcher.search(q, n).scoreDocs) {
        Document d = stored.document(sd.doc);
        out.add(
            new StoredSnapshot(
                d.get(Fields.SNAPSHOT_ID),
                Instant.EPOCH.plus(number(d, Fields.SNAPSHOT_TIME), ChronoUnit.MICROS),
                d.get(Fields.OBSERVER),
                d.get(Fields.FILE_PATH),
                d.get(Fields.ORIGINAL)));
      }
      out.sort(
          java.util.Comparator.comparing(StoredSnapshot::timestamp)
              .thenComparing(StoredSnapshot::sha256));
      return out;
    } catch (IOException e) {
      throw new IndexException("cannot read index " + path + ": " + e.getMessage(), e);
    }
  }

  /** Every event, for callers that filter themselves. */
  public static Query all() {
    return new MatchAllDocsQuery();
  }

  /**
   * @param canonical whether the stored strings (action, router, format, path) are one instance
   *     each already (the decoder's string table), so need not be shared
   */
  private static Hit hit(
      StoredEvent stored, Document doc, Long micros, Reparser reparser, boolean canonical) {
    // what Instant.EPOCH.plus(micros, MICROS) gives, without its Duration
    Instant time =
        micros == null
            ? null
            : Instant.ofEpochSecond(
                Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
    String action = canonical ? stored.action() : reparser.shared(stored.action());
    String original = stored.originalLine();
    String observer = canonical ? stored.observer() : reparser.shared(stored.observer());
    String dataset = canonical ? stored.dataset() : reparser.shared(stored.dataset());
    IndexableField raw = doc.getField(Fields.ORIGINAL_RAW);
    byte[] rawBytes = null;
    if (raw != null && raw.binaryValue() != null) {
      rawBytes =
          java.util.Arrays.copyOfRange(
              raw.binaryValue().bytes,
              raw.binaryValue().offset,
              raw.binaryValue().offset + raw.binaryValue().length);
    }
    LogEvent event = null;
    if (!Fields.QUARANTINE.equals(action) && dataset != null && original != null) {
      event = reparser.reparse(original, reparser.format(dataset), observer, time, action);
    }
    return new Hit(
        time,
        action,
        dataset,
        observer,
        original,
        rawBytes,
        canonical ? stored.sourcePath() : reparser.shared(stored.sourcePath()),
        stored.byteOffset(),
        stored.lineNumber(),
        doc.get(Fields.REASON),
        event);
  }

  private static long number(Document doc, String field) {
    IndexableField f = doc.getField(field);
    return f == null || f.numericValue() == null ? -1 : f.numericValue().longValue();
  }

  /**
   * Re-parses a stored line. Year, zone and boot time are not in the line for every format, so the
   * indexed time and action replace what the parse yields; the rest comes from the line itself.
   */
  static LogEvent reparse(
      String line, LogFormat format, String observer, Instant time, String action) {
    ParseResult r = newParser(format, year(time), observer).parse(line, 1);
    return r instanceof ParseResult.Parsed p ? fix(p, time, action) : null;
  }

  private static int year(Instant time) {
    // the UTC day's date, without the zone rules and ZonedDateTime that atZone builds per event
    return time == null
        ? 2000
        : LocalDate.ofEpochDay(Math.floorDiv(time.getEpochSecond(), 86_400L)).getYear();
  }

  private static LineParser newParser(LogFormat format, int year, String observer) {
    ParseContext ctx =
        ParseContext.of("index", year, ZoneOffset.UTC)
            .withHostname(observer)
            .withBootTime(Instant.EPOCH);
    return format.newParser(ctx);
  }

  /** The parsed event with the indexed time and action. */
  private static LogEvent fix(ParseResult.Parsed p, Instant time, String action) {
    LogEvent ev = p.event();
    EventTime t = ev.time();
    // the same parser under the same year and zone gives the indexed time: nothing to replace
    boolean sameTime = time == null || t == null || time.equals(t.instant());
    EventTime fixed =
        sameTime
            ? t
            : new EventTime(time, t.original(), t.precision(), t.source(), t.zoneResolution());
    if (ev instanceof NetfilterEvent n) {
      Action a =
          action == null || action.equals(n.action().ecsName())
              ? n.action()
              : Action.ofEcsName(action);
      if (sameTime && a == n.action()) {
        return n;
      }
      return new NetfilterEvent(
          fixed,
          n.hostname(),
          n.kernelMicros(),
          n.bootId(),
          a,
          n.prefix(),
          n.inInterface(),
          n.outInterface(),
          n.physIn(),
          n.physOut(),
          n.mac(),
          n.packet(),
          n.uid(),
          n.gid(),
          n.mark(),
          n.repeated(),
          n.extra());
    }
    if (sameTime) {
      return ev; // notices and conntrack events keep their parsed action
    }
    if (ev instanceof NoticeEvent n) {
      return new NoticeEvent(
          fixed,
          n.hostname(),
          n.action(),
          n.address(),
          n.count(),
          n.list(),
          n.failed(),
          n.message());
    }
    ConntrackEvent c = (ConntrackEvent) ev;
    return new ConntrackEvent(
        fixed,
        c.hostname(),
        c.type(),
        c.family(),
        c.protocol(),
        c.protocolNumber(),
        c.timeout(),
        c.state(),
        c.original(),
        c.reply(),
        c.flags(),
        c.id(),
        c.mark(),
        c.zone(),
        c.start(),
        c.stop(),
        c.deltaSeconds(),
        c.use(),
        c.extra());
  }

  /**
   * Re-parses stored lines for one reading pass, with one parser per format, year and router rather
   * than one per line: building a parser costs about as much as parsing a line, and a parser's
   * string cache shares the repeated texts (prefix, interfaces, MAC) between events. Not
   * thread-safe.
   */
  static final class Reparser {
    private record Key(LogFormat format, int year, String observer) {}

    private final java.util.Map<Key, LineParser> parsers = new java.util.HashMap<>();
    private final java.util.Map<String, String> strings = new java.util.HashMap<>();

    /**
     * One instance of each repeated stored text (router, file path, action): a month's events share
     * a handful of them, and callers that keep the events keep one copy.
     */
    String shared(String s) {
      if (s == null) {
        return null;
      }
      if (strings.size() > 100_000) {
        strings.clear(); // not a handful after all: stop growing
      }
      String had = strings.putIfAbsent(s, s);
      return had == null ? s : had;
    }

    private String lastDataset;
    private LogFormat lastDatasetFormat;

    /** {@link LogFormat#ofId}, remembering the last one (consecutive lines share their format). */
    LogFormat format(String dataset) {
      if (!dataset.equals(lastDataset)) {
        lastDatasetFormat = LogFormat.ofId(dataset);
        lastDataset = dataset;
      }
      return lastDatasetFormat;
    }

    // the last parser used: consecutive lines nearly always share format, year and router
    private LogFormat lastFormat;
    private int lastYear;
    private String lastObserver;
    private LineParser last;

    // the UTC year of the last time asked, and the epoch seconds it spans: a month's events fall
    // in one year, and LocalDate.ofEpochDay per event showed in profiles
    private int cachedYear;
    private long cachedYearStart = 1;
    private long cachedYearEnd;

    private int year(Instant time) {
      if (time == null) {
        return EventSearcher.year(null);
      }
      long s = time.getEpochSecond();
      if (s < cachedYearStart || s >= cachedYearEnd) {
        int y = EventSearcher.year(time);
        cachedYear = y;
        cachedYearStart = LocalDate.of(y, 1, 1).toEpochDay() * 86_400L;
        cachedYearEnd = LocalDate.of(y + 1, 1, 1).toEpochDay() * 86_400L;
      }
      return cachedYear;
    }

    LogEvent reparse(String line, LogFormat format, String observer, Instant time, String action) {
      int year = year(time);
      LineParser parser;
      if (last != null
          && format == lastFormat
          && year == lastYear
          && java.util.Objects.equals(observer, lastObserver)) {
        parser = last;
      } else {
        parser =
            parsers.computeIfAbsent(
                new Key(format, year, observer), k -> newParser(format, year, observer));
        last = parser;
        lastFormat = format;
        lastYear = year;
        lastObserver = observer;
      }
      // the indexed time replaces the parsed one (fix): the parser need not resolve the stamp
      ParseResult r = parser.parseKnownInstant(line, 1, time);
      if (r instanceof ParseResult.Parsed p) {
        return fix(p, time, action);
      }
      // a parser keeps state between lines (the syslog year rollover); a fresh one decides alone,
      // as for a single line
      return EventSearcher.reparse(line, format, observer, time, action);
    }
  }

  @Override
  public void close() {
    try {
      reader.close();
      directory.close();
    } catch (IOException e) {
      throw new IndexException("cannot close index " + path + ": " + e.getMessage(), e);
    }
  }

  /**
   * One match.
   *
   * @param timestamp UTC, µs; {@code null} for events without a time and quarantined lines
   * @param action {@code event.action}
   * @param dataset the source format id, {@code null} for quarantined lines
   * @param observer the router, or {@code null}
   * @param originalLine the line as read (lossy text for quarantined invalid UTF-8)
   * @param raw a quarantined line's exact bytes, or {@code null}
   * @param sourcePath {@code log.file.path}
   * @param byteOffset {@code log.offset}
   * @param lineNumber 1-based line number in the source
   * @param reason why a line was quarantined, else {@code null}
   * @param event the re-parsed event (time and action as indexed), {@code null} for quarantined
   *     lines or a line the current parser no longer accepts
   */
  public record Hit(
      Instant timestamp,
      String action,
      String dataset,
      String observer,
      String originalLine,
      byte[] raw,
      String sourcePath,
      long byteOffset,
      long lineNumber,
      String reason,
      LogEvent event) {}
}
