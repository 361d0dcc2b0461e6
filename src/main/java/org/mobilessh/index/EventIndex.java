package org.mobilessh.index;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.FieldExistsQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.SimpleCollector;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TermRangeQuery;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.LockObtainFailedException;
import org.mobilessh.parse.EventTime;
import org.mobilessh.parse.LogEvent;

/**
 * The event index: one writer per index directory (Lucene's write lock), idempotent adds, a
 * quarantine, and per-source checkpoints committed atomically with the data.
 *
 * <p>Nothing is visible to readers or survives a crash until {@link #commit}: a re-run after kill
 * -9 resumes from the checkpoints of the last commit and re-reads exactly what was lost. {@link
 * #close()} does not commit.
 *
 * <p>Not thread-safe: one ingest thread calls it. Deciding whether an event is new happens in the
 * caller's thread (it is cheap and must be sequential); building and indexing the Lucene documents
 * happens in background indexing threads (one by default), so parsing and indexing use both cores.
 * {@link #commit} waits for them; an indexing failure surfaces at the next call.
 */
public final class EventIndex implements Closeable {
  /** Commit user data key of the schema version; the rest of the user data are checkpoints. */
  static final String SCHEMA_KEY = "mobilessh.index.schema";

  /**
   * The schema of new indexes. 3: an event's ports, transport and format are one packed doc value
   * ({@link PackedColumn}) instead of two point and two keyword fields; 2: an event's stored fields
   * are one binary field plus the commit's string table ({@link StoredEvent}); 1 stored them as
   * separate fields. The reader reads all three; the writer adds to an index of version 2 in
   * version 2 (so one index never mixes them) and refuses version 1.
   */
  static final String SCHEMA_VERSION = "3";

  /** The earlier version the writer still adds to, in its own form. */
  static final String SCHEMA_VERSION_2 = "2";

  /**
   * Default bound of the dedupe cache (entries; 25 bytes a slot at a load factor of 1/4 to 1/2, so
   * 50-100 bytes an entry). 500,000 entries are ~350 hours of a busy router, far more than a
   * time-ordered source needs at once, and leave most of a 256 MB heap to the writer's buffer and
   * young objects: at 2,000,000, 10 M lines under -Xmx256m filled the old generation to ~200 MB and
   * ran young collections on a 13 MB eden (113 s of pauses in 18 minutes).
   */
  static final long DEFAULT_CACHE_ENTRIES = 500_000L;

  /**
   * Indexing threads unless the system property {@code mobilessh.index.threads} says otherwise.
   * One: at load 11-15 on the 2-core VM, two threads (two IndexWriter thread states) cost 20-50 %
   * more CPU for the same 1 M lines and were not faster, also on an idle machine, and on the later
   * pipeline 27 % more CPU for 10 M lines (docs/performance-log.md, "Session 2" and "Session 7:
   * ingest-fast").
   */
  static final int DEFAULT_INDEXING_THREADS = 1;

  /**
   * The writer's buffer is flushed into a segment when it holds this much: by the flusher thread,
   * beside the indexing; 1 M events make 2 segments. 48 rather than 32 (session 7): two thirds as
   * many segments for the merges to rewrite, and merges still running when a batch ingest ends are
   * thrown away by its close; 10 M lines, two side-by-side pairs: merges 2.6 / 0.6 CPU-s against
   * 5.2 / 1.5, the whole run 7-9 % less CPU (docs/performance-log.md, "Session 8: ingest-index").
   * The final commit's flush of the last buffer, with nothing else running, is the price.
   */
  static final double FLUSH_AT_MB = 48;

  /**
   * Lucene's own flush by the indexing thread, only reached if the flusher falls behind: above one
   * full buffer being flushed while the next one fills.
   */
  static final double FALLBACK_RAM_MB = 100;

  private final Path path;
  private final Directory directory;
  private final IndexWriter writer;
  private final Deduplicator dedupe;
  private final EventIdentity.Memo identity = new EventIdentity.Memo();
  private final Indexers indexer;
  private final StoredEvent.StringTable strings;
  // the schema this index is written in: SCHEMA_VERSION, or SCHEMA_VERSION_2 for an index of it
  private final String schema;
  private DirectoryReader nrtReader;
  private volatile Map<String, String> committed;

  private EventIndex(
      Path path, Directory directory, IndexWriter writer, long cacheEntries, int threads)
      throws IOException {
    this.path = path;
    this.directory = directory;
    this.writer = writer;
    this.dedupe = new Deduplicator(new IndexStore(), cacheEntries);
    Map<String, String> data = readUserData(directory, path);
    String version = data.remove(SCHEMA_KEY);
    this.schema = version == null ? SCHEMA_VERSION : version;
    this.strings = StoredEvent.StringTable.load(data);
    StoredEvent.StringTable.strip(data);
    this.committed = Collections.unmodifiableMap(data);
    this.indexer = new Indexers(writer, path, threads, strings, schema, this::committed);
    ((CommitPointDirectory) directory).indexer = indexer;
    indexer.start();
  }

  private static int indexingThreads() {
    int n = Integer.getInteger("mobilessh.index.threads", DEFAULT_INDEXING_THREADS);
    return Math.max(1, Math.min(n, 16));
  }

  /**
   * Opens the index in {@code dir}, creating the directory and an empty index if missing.
   *
   * @throws IndexException if another process writes to it, or it cannot be opened
   */
  public static EventIndex open(Path dir) {
    return open(dir, DEFAULT_CACHE_ENTRIES);
  }

  static EventIndex open(Path dir, long cacheEntries) {
    return open(dir, cacheEntries, indexingThreads());
  }

  static EventIndex open(Path dir, long cacheEntries, int threads) {
    Directory directory = null;
    try {
      Files.createDirectories(dir);
      directory = new CommitPointDirectory(FSDirectory.open(dir));
      IndexWriterConfig config = new IndexWriterConfig();
      config.setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND);
      config.setCommitOnClose(false);
      // A bounded buffer keeps -Xmx256m enough for any input size. The flusher thread (Indexers)
      // flushes it at FLUSH_AT_MB, so the indexing thread goes on adding meanwhile; Lucene's own
      // flush, done by the indexing thread itself, is the fallback should the flusher fall behind.
      config.setRAMBufferSizeMB(FALLBACK_RAM_MB);
      // buffers the flusher marked for flushing are left to it: an indexing thread that helped
      // would stop adding while it flushes, which is what the flusher is there to avoid
      config.setCheckPendingFlushUpdate(false);
      // a compound file is a copy of every flushed segment into one file: with a segment every few
      // hundred thousand events that is CPU and I/O for nothing (merged segments are not compound
      // by default either)
      config.setUseCompoundFile(false);
      // Lucene's codec and format, with a cheaper stored-fields compressor (EventCodec)
      config.setCodec(new EventCodec());
      IndexWriter writer = new IndexWriter(directory, config);
      return new EventIndex(dir, directory, writer, cacheEntries, threads);
    } catch (LockObtainFailedException e) {
      closeQuietly(directory);
      throw new IndexException(
          "index " + dir + " is being written by another process (" + e.getMessage() + ")", e);
    } catch (IOException | UncheckedIOException e) {
      closeQuietly(directory);
      throw new IndexException("cannot open index " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Adds an event unless the same event is already indexed, from this source or another one (see
   * {@link Deduplicator} for what "the same" means). A source path must be fed in line order, at
   * most one event per line; feeding it again from a smaller line number starts a new pass over it.
   *
   * @return {@code false} if it was a duplicate: nothing new was added (when this copy's time is
   *     better than the indexed copy's, it replaces that copy; still {@code false})
   */
  public boolean add(SourcedEvent e) {
    LogEvent ev = e.event();
    String observer = ev.hostname() == null ? "" : ev.hostname();
    long hash = identity.of(ev, observer);
    long time = ev.time() == null ? Deduplicator.TIMELESS : ev.time().epochMicros();
    switch (dedupe.admit(
        observer, e.sourcePath(), e.lineNumber(), hash, time, quality(ev.time()))) {
      case Deduplicator.NEW:
        indexer.submit(e, observer, hash, time);
        return true;
      case Deduplicator.BETTER_COPY:
        indexer.replace(hash, dedupe.replacedTime, dedupe.replacedOrigin);
        indexer.submit(e, observer, hash, time);
        return false;
      default:
        return false;
    }
  }

  /**
   * How good an event's time is, 0..15: whose clock (the kernel's own &gt; journald &gt; the syslog
   * daemon &gt; ulogd2's write time) and how fine. When the same event comes again with a better
   * time (dmesg after kern.log), the indexed copy is replaced: the audit wants the best time.
   */
  static int quality(EventTime t) {
    if (t == null) {
      return 0;
    }
    int clock =
        switch (t.source()) {
          case KERNEL, NFLOG, FLOW, CONNTRACK -> 3;
          case JOURNAL -> 2;
          case SYSLOG -> 1;
          case ULOGD_WRITE -> 0;
        };
    int precision =
        switch (t.precision()) {
          case SECOND -> 1;
          case MILLISECOND -> 2;
          case MICROSECOND -> 3;
        };
    return clock * 4 + precision;
  }

  /**
   * Keeps a rejected line in the index as a {@code quarantine} document; quarantining the same
   * {@code sourcePath} + {@code byteOffset} again replaces it.
   */
  public void quarantine(QuarantinedLine q) {
    indexer.checkFailure();
    Document doc = new Document();
    doc.add(new StringField(Fields.ACTION, Fields.QUARANTINE, Field.Store.YES));
    doc.add(new StringField(Fields.REASON, q.reason(), Field.Store.YES));
    doc.add(new StoredField(Fields.ORIGINAL, q.text()));
    if (q.raw() != null) {
      doc.add(new StoredField(Fields.ORIGINAL_RAW, q.raw()));
    }
    doc.add(new StoredField(Fields.FILE_PATH, q.sourcePath()));
    doc.add(new StoredField(Fields.OFFSET, q.byteOffset()));
    doc.add(new StoredField(Fields.LINE_NUMBER, q.lineNumber()));
    String id = q.sourcePath() + '\u0000' + q.byteOffset();
    doc.add(new StringField(Fields.QUARANTINE_ID, id, Field.Store.NO));
    try {
      writer.updateDocument(new Term(Fields.QUARANTINE_ID, id), doc);
    } catch (IOException ex) {
      throw new IndexException("cannot write to index " + path + ": " + ex.getMessage(), ex);
    }
  }

  /**
   * Keeps a verified {@code rules snapshot} file as one {@code snapshot} document, identified by
   * its SHA-256: storing the same file again replaces it.
   */
  public void snapshot(StoredSnapshot s) {
    indexer.checkFailure();
    long micros = ChronoUnit.MICROS.between(Instant.EPOCH, s.timestamp());
    Document doc = new Document();
    doc.add(new StringField(Fields.ACTION, Fields.SNAPSHOT, Field.Store.YES));
    doc.add(new StringField(Fields.SNAPSHOT_ID, s.sha256(), Field.Store.YES));
    doc.add(new LongPoint(Fields.SNAPSHOT_TIME, micros));
    doc.add(new StoredField(Fields.SNAPSHOT_TIME, micros));
    doc.add(new StringField(Fields.OBSERVER, s.observer(), Field.Store.YES));
    doc.add(new StoredField(Fields.ORIGINAL, s.text()));
    doc.add(new StoredField(Fields.FILE_PATH, s.sourcePath()));
    try {
      writer.updateDocument(new Term(Fields.SNAPSHOT_ID, s.sha256()), doc);
    } catch (IOException ex) {
      throw new IndexException("cannot write to index " + path + ": " + ex.getMessage(), ex);
    }
  }

  /**
   * Makes everything added so far durable and visible, together with the checkpoints (commit user
   * data): both or neither survive a crash. Returns when they are durable.
   */
  public void commit(Map<String, String> checkpoints) {
    Map<String, String> data = commitData(checkpoints);
    if (indexer.inOrder()) {
      indexer.commitInOrder(data, checkpoints);
      indexer.awaitCommits();
      return;
    }
    indexer.drain();
    // after the drain: every string the documents of this commit refer to is in the table
    strings.putInto(data);
    writer.setLiveCommitData(data.entrySet());
    try {
      writer.commit();
    } catch (IOException ex) {
      throw new IndexException("cannot commit index " + path + ": " + ex.getMessage(), ex);
    }
    committed = Collections.unmodifiableMap(new LinkedHashMap<>(checkpoints));
  }

  /**
   * Commits everything added so far together with the checkpoints, as {@link #commit}, but returns
   * at once: the reading thread goes on while the writer flushes and syncs. The indexing thread
   * hands the commit to a committer thread when it reaches it in its queue, i.e. after every event
   * added before this call and before any added after it, and goes on as soon as the commit point
   * is fixed (the writer's full flush), so the files are synced beside the indexing instead of
   * stopping it. The next commit, {@link #close} or a failure report waits for it; a failed commit
   * is reported by the next call. With several indexing threads (no queue order) it is {@link
   * #commit}.
   */
  public void commitInBackground(Map<String, String> checkpoints) {
    if (!indexer.inOrder()) {
      commit(checkpoints);
      return;
    }
    indexer.commitInOrder(commitData(checkpoints), checkpoints);
  }

  private Map<String, String> commitData(Map<String, String> checkpoints) {
    Map<String, String> data = new LinkedHashMap<>(checkpoints);
    for (String key : data.keySet()) {
      if (key.equals(SCHEMA_KEY) || key.startsWith(StoredEvent.TABLE_PREFIX)) {
        throw new IllegalArgumentException("checkpoint key " + key + " is reserved");
      }
    }
    data.put(SCHEMA_KEY, schema);
    return data;
  }

  private void committed(Map<String, String> checkpoints) {
    committed = Collections.unmodifiableMap(new LinkedHashMap<>(checkpoints));
  }

  /** The checkpoints of the last commit; empty for a new index. */
  public Map<String, String> checkpoints() {
    return committed;
  }

  /** The index directory. */
  public Path path() {
    return path;
  }

  /**
   * Closes without committing: work since the last {@link #commit} or {@link #commitInBackground}
   * is dropped; a background commit not yet durable is waited for.
   */
  @Override
  public void close() {
    try {
      try {
        indexer.awaitCommits();
      } catch (IndexException ex) {
        // failed or interrupted: there is nothing more to wait for, and the rollback below is
        // what close does anyway
      }
      indexer.discardAndEnd();
      if (nrtReader != null) {
        nrtReader.close();
      }
      writer.rollback();
    } catch (IOException ex) {
      throw new IndexException("cannot close index " + path + ": " + ex.getMessage(), ex);
    } finally {
      dedupe.clear();
      closeQuietly(directory);
    }
  }

  /**
   * Refuses an index of a schema version this program does not know (a newer mobilessh wrote it):
   * read with this program's fields, its queries would silently miss what the newer one indexes
   * another way (as schema 2 readers miss schema 3's packed ports).
   *
   * @param schema the commit's {@link #SCHEMA_KEY} value, {@code null} for a schema-1 index
   */
  static void requireReadable(String schema, Path path) {
    if (schema == null
        || schema.equals("1")
        || schema.equals(SCHEMA_VERSION_2)
        || schema.equals(SCHEMA_VERSION)) {
      return;
    }
    throw new IndexException(
        "index "
            + path
            + " has schema version "
            + schema
            + ", written by a newer mobilessh; this one reads versions 1 to "
            + SCHEMA_VERSION
            + ": use the mobilessh that wrote it");
  }

  /** The schema version this index is written in ({@link #SCHEMA_VERSION} for a new one). */
  String schema() {
    return schema;
  }

  /**
   * The last commit's user data: checkpoints, string table, and the schema key if it is a version
   * this writer adds to.
   */
  private static Map<String, String> readUserData(Directory directory, Path path)
      throws IOException {
    if (!DirectoryReader.indexExists(directory)) {
      return new LinkedHashMap<>();
    }
    Map<String, String> data =
        new LinkedHashMap<>(SegmentInfos.readLatestCommit(directory).getUserData());
    String schema = data.get(SCHEMA_KEY);
    requireReadable(schema, path);
    if (schema != null && !SCHEMA_VERSION.equals(schema) && !SCHEMA_VERSION_2.equals(schema)) {
      throw new IndexException(
          "index "
              + path
              + " has schema version "
              + schema
              + ", this mobilessh writes version "
              + SCHEMA_VERSION
              + " (and adds to version "
              + SCHEMA_VERSION_2
              + " indexes); ingest into a new --index directory (it can still be searched and"
              + " audited)");
    }
    return data;
  }

  private static void closeQuietly(Closeable c) {
    if (c != null) {
      try {
        c.close();
      } catch (IOException ignored) {
        // already failing; the first error is the one to report
      }
    }
  }

  /** The dedupe cache's view of the index: a near-real-time reader over the writer. */
  private final class IndexStore implements Deduplicator.Store {
    @Override
    public void refresh() {
      indexer.drain();
      try {
        if (nrtReader != null) {
          DirectoryReader newer = DirectoryReader.openIfChanged(nrtReader, writer);
          if (newer != null) {
            nrtReader.close();
            nrtReader = newer;
          }
        }
      } catch (IOException ex) {
        throw new IndexException("cannot read index " + path + ": " + ex.getMessage(), ex);
      }
    }

    @Override
    public void load(String observer, long bucket, long from, long to, OccurrenceTable into) {
      try {
        if (nrtReader == null) {
          indexer.drain();
          nrtReader = DirectoryReader.open(writer);
        }
        if (nrtReader.maxDoc() == 0) {
          return;
        }
        BooleanQuery.Builder q = new BooleanQuery.Builder();
        if (bucket == Deduplicator.TIMELESS) {
          q.add(new FieldExistsQuery(Fields.HASH), BooleanClause.Occur.FILTER)
              .add(new FieldExistsQuery(Fields.TIMESTAMP), BooleanClause.Occur.MUST_NOT);
        } else {
          q.add(
              LongPoint.newRangeQuery(Fields.TIMESTAMP, from, to - 1), BooleanClause.Occur.FILTER);
        }
        if (observer.isEmpty()) {
          // events without an observer have no observer.hostname term (DocumentMapper)
          q.add(
              TermRangeQuery.newStringRange(Fields.OBSERVER, null, null, true, true),
              BooleanClause.Occur.MUST_NOT);
        } else {
          // a segment without the term gets no scorer at all: other routers' hours cost nothing
          q.add(new TermQuery(new Term(Fields.OBSERVER, observer)), BooleanClause.Occur.FILTER);
        }
        new IndexSearcher(nrtReader).search(q.build(), new OccurrenceCollector(into));
      } catch (IOException ex) {
        throw new IndexException("cannot read index " + path + ": " + ex.getMessage(), ex);
      }
    }
  }

  /** Reads the {@code event.hash}, {@code @timestamp} and {@code event.origin} doc values. */
  private static final class OccurrenceCollector extends SimpleCollector {
    private final OccurrenceTable into;
    private NumericDocValues hashes;
    private NumericDocValues times;
    private NumericDocValues origins;

    OccurrenceCollector(OccurrenceTable into) {
      this.into = into;
    }

    @Override
    protected void doSetNextReader(LeafReaderContext context) throws IOException {
      hashes = context.reader().getNumericDocValues(Fields.HASH);
      times = context.reader().getNumericDocValues(Fields.TIMESTAMP);
      origins = context.reader().getNumericDocValues(Fields.ORIGIN);
    }

    @Override
    public void collect(int doc) throws IOException {
      if (hashes == null || !hashes.advanceExact(doc)) {
        return;
      }
      long time =
          times != null && times.advanceExact(doc) ? times.longValue() : Deduplicator.TIMELESS;
      long origin = origins != null && origins.advanceExact(doc) ? origins.longValue() : 0L;
      into.put(hashes.longValue(), time, origin);
    }

    @Override
    public ScoreMode scoreMode() {
      return ScoreMode.COMPLETE_NO_SCORES;
    }
  }

  /**
   * The index directory, telling the indexing threads when a commit starts syncing files: by then
   * the writer has fixed what the commit contains (IndexWriter syncs only after its full flush), so
   * the indexing thread can go on adding while the files are synced.
   */
  private static final class CommitPointDirectory extends org.apache.lucene.store.FilterDirectory {
    volatile Indexers indexer;

    CommitPointDirectory(Directory in) {
      super(in);
    }

    @Override
    public void sync(java.util.Collection<String> names) throws IOException {
      Indexers i = indexer;
      if (i != null) {
        i.syncing();
      }
      super.sync(names);
    }
  }

  /**
   * Builds and adds documents off the caller's thread, on several threads (each an {@link
   * IndexWriter} thread state of its own, so documents are inverted and stored in parallel), in
   * batches: a queue hand-off per event would cost more than it saves.
   *
   * <p>Adds may reach the writer in any order across threads; nothing depends on document order
   * (hits are sorted by time). Deletes do: the delete of a replaced copy must come after that
   * copy's add. They are therefore kept in the caller's thread and applied in {@link #drain}, after
   * every add submitted before them is in the writer. A delete names its copy exactly (time, hash
   * and origin, and the new copy's origin differs in its quality bits), so applying it later never
   * hits the copy that replaces it.
   */
  private static final class Indexers {
    private static final int BATCH = 512;
    private static final Batch STOP = new Batch(0);

    private final IndexWriter writer;
    private final Path path;
    private final StoredEvent.StringTable strings;
    private final String schema;
    private final java.util.function.Consumer<Map<String, String>> onCommitted;
    private final Thread[] threads;
    private final Thread flusher;
    // runs the writer's commits handed over by the indexing thread, one at a time
    private final java.util.concurrent.ExecutorService committer;
    private volatile Thread committerThread;
    // the running commit's "point fixed" signal; committer thread only
    private volatile java.util.concurrent.CountDownLatch commitPointFixed;
    private volatile boolean stopFlusher;
    private final java.util.concurrent.ArrayBlockingQueue<Batch> queue;
    private final Object progress = new Object();
    // batches the indexing threads are done with, for the caller to fill again
    private final java.util.concurrent.ArrayBlockingQueue<Batch> free;
    // the caller's half of the document mapping (DocumentMapper#prepare)
    private final DocumentMapper preparer;
    private Batch batch = new Batch(BATCH);
    // caller thread only
    private long handed;
    // caller thread only
    private long commitsRequested;
    // guarded by progress
    private long completed;
    private long commitsDone;
    private long[] deletes = new long[3 * 64];
    private int deleteCount;
    private volatile Throwable failure;

    Indexers(
        IndexWriter writer,
        Path path,
        int count,
        StoredEvent.StringTable strings,
        String schema,
        java.util.function.Consumer<Map<String, String>> onCommitted) {
      this.writer = writer;
      this.path = path;
      this.strings = strings;
      this.schema = schema;
      this.onCommitted = onCommitted;
      this.queue = new java.util.concurrent.ArrayBlockingQueue<>(8 * count);
      this.free = new java.util.concurrent.ArrayBlockingQueue<>(8 * count + 2);
      this.preparer = new DocumentMapper(strings, schema);
      this.threads = new Thread[count];
      for (int i = 0; i < count; i++) {
        Thread t = new Thread(this::work, "mobilessh-indexer-" + (i + 1));
        t.setDaemon(true);
        threads[i] = t;
      }
      flusher = new Thread(this::flushWhenFull, "mobilessh-flusher");
      flusher.setDaemon(true);
      committer =
          java.util.concurrent.Executors.newSingleThreadExecutor(
              r -> {
                Thread t = new Thread(r, "mobilessh-committer");
                t.setDaemon(true);
                return t;
              });
    }

    /** One indexing thread: the queue's order is the writer's order, so commits can be queued. */
    boolean inOrder() {
      return threads.length == 1;
    }

    /**
     * Queues a commit of everything submitted so far (deletes included) with this user data; the
     * indexing thread starts it when it gets there ({@link #commitAt}). One indexing thread only.
     */
    void commitInOrder(Map<String, String> data, Map<String, String> checkpoints) {
      checkFailure();
      if (batch.size > 0) {
        hand(batch);
        batch = fresh();
      }
      Batch marker = Batch.commit(data, checkpoints, deletes, deleteCount);
      deletes = new long[3 * 64];
      deleteCount = 0;
      commitsRequested++;
      hand(marker);
    }

    /** Returns when every queued commit is durable; throws if one failed. */
    void awaitCommits() {
      await(() -> commitsDone >= commitsRequested, "committing");
    }

    /**
     * Waits (holding {@code progress}'s monitor between checks) until {@code done} holds, failing
     * as soon as a thread has failed or the indexing threads stopped with work still handed to
     * them.
     */
    private void await(java.util.function.BooleanSupplier done, String doing) {
      try {
        synchronized (progress) {
          while (!done.getAsBoolean()) {
            progress.wait(100);
            checkFailure();
            if (completed < handed && !anyAlive()) {
              throw new IndexException("index " + path + ": the indexing threads stopped");
            }
          }
        }
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        throw new IndexException("interrupted while " + doing + " index " + path, ex);
      }
      checkFailure();
    }

    /**
     * In the indexing thread, at a commit marker: every earlier event is in the writer and no later
     * one. Applies the marker's deletes, hands the commit to the committer thread and waits only
     * until the commit point is fixed (its first sync, see {@link CommitPointDirectory}): events
     * added from then on go to the writer's next segments, which this commit does not include.
     *
     * @return whether the committer took it (it then counts it done)
     */
    private boolean commitAt(Batch marker) throws IOException {
      applyDeletes(marker.deletes, marker.deleteCount);
      // every document before the marker has been mapped: the table holds all their strings
      strings.putInto(marker.commitData);
      writer.setLiveCommitData(marker.commitData.entrySet());
      java.util.concurrent.CountDownLatch fixed = new java.util.concurrent.CountDownLatch(1);
      committer.execute(
          () -> {
            committerThread = Thread.currentThread();
            commitPointFixed = fixed;
            try {
              writer.commit();
              onCommitted.accept(marker.checkpoints);
            } catch (Throwable ex) {
              failure = ex;
            } finally {
              commitPointFixed = null;
              fixed.countDown();
              synchronized (progress) {
                commitsDone++;
                progress.notifyAll();
              }
            }
          });
      try {
        fixed.await();
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        failure = ex;
      }
      return true;
    }

    /** Called by the directory before it syncs files: in the committer, the point is fixed. */
    void syncing() {
      if (Thread.currentThread() == committerThread) {
        java.util.concurrent.CountDownLatch fixed = commitPointFixed;
        if (fixed != null) {
          fixed.countDown();
        }
      }
    }

    void start() {
      for (Thread t : threads) {
        t.start();
      }
      flusher.start();
    }

    /**
     * Flushes the writer's buffer into a segment whenever it holds {@link #FLUSH_AT_MB}, in this
     * thread: the writer hands the indexing thread a fresh buffer after its current batch, so
     * sorting and writing the segment (points, postings, doc values) runs beside the indexing and
     * parsing instead of stopping them. Commits still flush what is left, in the caller.
     */
    private void flushWhenFull() {
      long at = (long) (FLUSH_AT_MB * 1024 * 1024);
      try {
        while (!stopFlusher) {
          if (writer.ramBytesUsed() < at || !writer.flushNextBuffer()) {
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L);
          }
        }
      } catch (org.apache.lucene.store.AlreadyClosedException ex) {
        // closed under us (a failed open or close); the caller reports its own error
      } catch (IOException | RuntimeException ex) {
        failure = ex;
      }
    }

    /**
     * Adds an event to the batch being filled, and prepares its document's bytes here, in the
     * caller's thread: the indexing thread is the busier one (docs/performance-log.md, "Session 7:
     * ingest-fast").
     */
    void submit(SourcedEvent e, String observer, long hash, long time) {
      Batch b = batch;
      int n = b.size;
      b.observers[n] = observer;
      b.hashes[n] = hash;
      b.times[n] = time;
      preparer.prepare(e, observer, b.prepared, n);
      b.size = n + 1;
      if (b.size == BATCH) {
        hand(b);
        batch = fresh();
      }
    }

    /** An empty batch: one the indexing threads are done with, or a new one. */
    private Batch fresh() {
      Batch b = free.poll();
      if (b == null) {
        return new Batch(BATCH);
      }
      b.size = 0;
      b.prepared.clear();
      return b;
    }

    /** Deletes the indexed copy of an event, at the next {@link #drain}. */
    void replace(long hash, long time, long origin) {
      if (deleteCount * 3 == deletes.length) {
        deletes = java.util.Arrays.copyOf(deletes, deletes.length * 2);
      }
      int i = deleteCount * 3;
      deletes[i] = hash;
      deletes[i + 1] = time;
      deletes[i + 2] = origin;
      deleteCount++;
    }

    /** Returns when everything submitted so far is in the writer, deletes included. */
    void drain() {
      if (batch.size > 0) {
        hand(batch);
        batch = fresh();
      }
      await(() -> completed >= handed, "writing");
      if (deleteCount > 0) {
        try {
          applyDeletes(deletes, deleteCount);
        } catch (IOException ex) {
          throw new IndexException("cannot write to index " + path + ": " + ex.getMessage(), ex);
        }
        deleteCount = 0;
        if (deletes.length > 3 * 4096) {
          deletes = new long[3 * 64];
        }
      }
    }

    private void applyDeletes(long[] d, int count) throws IOException {
      if (count == 0) {
        return;
      }
      Query[] qs = new Query[count];
      for (int i = 0; i < count; i++) {
        qs[i] = copyOf(d[3 * i], d[3 * i + 1], d[3 * i + 2]);
      }
      writer.deleteDocuments(qs);
    }

    /** Drops what is queued (close without commit) and ends the threads. */
    void discardAndEnd() {
      batch = new Batch(BATCH);
      deleteCount = 0;
      queue.clear();
      try {
        // one STOP: each thread that takes it puts it back for the next
        while (anyAlive() && !queue.offer(STOP, 100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
          queue.clear();
        }
        for (Thread t : threads) {
          t.join();
        }
        // a commit already handed over finishes (or fails) before the caller rolls back
        committer.shutdown();
        while (!committer.awaitTermination(100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
          // a sync can take a while
        }
        stopFlusher = true;
        flusher.join();
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
      }
    }

    void checkFailure() {
      Throwable f = failure;
      if (f != null) {
        throw new IndexException("cannot write to index " + path + ": " + f.getMessage(), f);
      }
    }

    private boolean anyAlive() {
      for (Thread t : threads) {
        if (t.isAlive()) {
          return true;
        }
      }
      return false;
    }

    private void hand(Batch items) {
      try {
        while (!queue.offer(items, 100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
          checkFailure();
          if (!anyAlive()) {
            throw new IndexException("index " + path + ": the indexing threads stopped");
          }
        }
        handed++;
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        throw new IndexException("interrupted while writing index " + path, ex);
      }
    }

    private void work() {
      DocumentMapper mapper = new DocumentMapper(strings, schema);
      try {
        while (true) {
          Batch items = queue.take();
          if (items == STOP) {
            queue.clear();
            queue.offer(STOP);
            return;
          }
          if (items.commitData != null) {
            boolean taken = false;
            try {
              if (failure == null) {
                taken = commitAt(items);
              }
            } catch (IOException | RuntimeException ex) {
              failure = ex;
            } finally {
              synchronized (progress) {
                completed++;
                if (!taken) {
                  commitsDone++;
                }
                progress.notifyAll();
              }
            }
            continue;
          }
          try {
            if (failure == null) {
              // one call per batch: the writer locks a thread state and checks its flush
              // policy once per call, not per document; the batch's documents are mapped one at
              // a time into the mapper's reused document as the writer asks for them
              writer.addDocuments(items.documents(mapper));
            }
          } catch (IOException | RuntimeException ex) {
            // later batches are counted but skipped; drain() and the next add report this
            failure = ex;
          } finally {
            // the writer is done with the batch's documents and the bytes they pointed at
            free.offer(items);
            synchronized (progress) {
              completed++;
              progress.notifyAll();
            }
          }
        }
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
      }
    }

    /**
     * Up to {@link #BATCH} events with their decisions, in columns (no boxing per event); or a
     * commit marker ({@link #commitData} set) with the deletes to apply before it.
     */
    private static final class Batch {
      final String[] observers;
      final long[] hashes;
      final long[] times;
      final DocumentMapper.Prepared prepared;
      int size;
      Map<String, String> commitData;
      Map<String, String> checkpoints;
      long[] deletes;
      int deleteCount;

      Batch(int capacity) {
        observers = new String[capacity];
        hashes = new long[capacity];
        times = new long[capacity];
        prepared = new DocumentMapper.Prepared(capacity);
      }

      static Batch commit(
          Map<String, String> data, Map<String, String> checkpoints, long[] deletes, int count) {
        Batch b = new Batch(0);
        b.commitData = data;
        b.checkpoints = checkpoints;
        b.deletes = deletes;
        b.deleteCount = count;
        return b;
      }

      /**
       * The batch's documents, each mapped when the iterator hands it out, into {@code mapper}'s
       * one reused document: valid because the writer indexes a document before it asks for the
       * next (IndexWriter.addDocuments).
       */
      Iterable<Document> documents(DocumentMapper mapper) {
        return () ->
            new java.util.Iterator<>() {
              private int i;

              @Override
              public boolean hasNext() {
                return i < size;
              }

              @Override
              public Document next() {
                if (i >= size) {
                  throw new java.util.NoSuchElementException();
                }
                int k = i++;
                return mapper.map(observers[k], hashes[k], times[k], prepared, k);
              }
            };
      }
    }

    /** The one document with this hash, time and origin. */
    private static Query copyOf(long hash, long time, long origin) {
      return new BooleanQuery.Builder()
          .add(LongPoint.newExactQuery(Fields.TIMESTAMP, time), BooleanClause.Occur.FILTER)
          .add(
              org.apache.lucene.document.NumericDocValuesField.newSlowExactQuery(Fields.HASH, hash),
              BooleanClause.Occur.FILTER)
          .add(
              org.apache.lucene.document.NumericDocValuesField.newSlowExactQuery(
                  Fields.ORIGIN, origin),
              BooleanClause.Occur.FILTER)
          .build();
    }
  }
}
