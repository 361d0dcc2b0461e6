package org.mobilessh.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;
import org.mobilessh.index.EventSearcher;
import org.mobilessh.index.Fields;
import org.mobilessh.index.StoredSnapshot;

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
    forEach(searcher, query(from, to, host), null, events::add, null);
    RulesetHistory rulesets = RulesetHistory.load(searcher, from, to, host);
    return new AuditInput(events, List.of(), rulesets.rejectCounters(), rulesets.snapshots());
  }

  /**
   * How {@link #stream} runs.
   *
   * @param cache whether results are taken from and kept in the index's {@link AuditCache}
   * @param threads how many routers are reconstructed at once
   * @param progress one line at a time about what is done (for the error stream); never called from
   *     two threads at once
   */
  public record Options(boolean cache, int threads, Consumer<String> progress) {
    public Options {
      Objects.requireNonNull(progress, "progress");
      threads = Math.max(1, threads);
    }

    /** With the cache, one thread per core, silent. */
    public static Options defaults() {
      return new Options(true, Runtime.getRuntime().availableProcessors(), m -> {});
    }

    public Options withCache(boolean on) {
      return new Options(on, threads, progress);
    }

    public Options withProgress(Consumer<String> p) {
      return new Options(cache, threads, p);
    }

    public Options withThreads(int n) {
      return new Options(cache, n, progress);
    }
  }

  /**
   * Reconstructs the timed events in {@code [from, to]} of router {@code host} ({@code null}: every
   * router), with the index's cache and one thread per core ({@link Options#defaults()}); see
   * {@link #stream(EventSearcher, Instant, Instant, String, AuditEngine, AuditSink, Options)}.
   */
  public static void stream(
      EventSearcher searcher,
      Instant from,
      Instant to,
      String host,
      AuditEngine engine,
      AuditSink sink) {
    stream(searcher, from, to, host, engine, sink, Options.defaults());
  }

  /**
   * Reconstructs the timed events in {@code [from, to]} of router {@code host} ({@code null}: every
   * router) and delivers the records to {@code sink} in the order {@link AuditSink} promises.
   *
   * <p>Routers are independent in the audit (every state, rule, anomaly and total is kept per
   * router), so each router is one engine stream of its own (the index read filtered by {@code
   * observer.hostname}), run {@code threads} at a time, each writing its records to a run file; the
   * runs are then merged in the order one stream over every router gives: by time, then router
   * (anomalies: time, kind, router), each router's records in its own order; reject totals as
   * {@link RejectTotals#between} orders them; the counts added up. The run files are the cache's
   * entries (see {@link AuditCache}): a router whose key is found is not computed again.
   */
  public static void stream(
      EventSearcher searcher,
      Instant from,
      Instant to,
      String host,
      AuditEngine engine,
      AuditSink sink,
      Options options) {
    new Run(searcher, from, to, host, engine, sink, options, null).run();
  }

  /**
   * As {@link #stream(EventSearcher, Instant, Instant, String, AuditEngine, AuditSink, Options)},
   * showing {@code tap} every event the audit reads from the index as it is read: a caller that
   * tallies something else over the same events (the report's event figures) need not read the
   * index a second time. Routers whose results come from the cache are not read; the tap is told
   * which.
   */
  public static void stream(
      EventSearcher searcher,
      Instant from,
      Instant to,
      String host,
      AuditEngine engine,
      AuditSink sink,
      Options options,
      EventTap tap) {
    new Run(searcher, from, to, host, engine, sink, options, tap).run();
  }

  /**
   * Sees the events an audit reads. Its methods are called from the audit's threads (several
   * routers are read at once), so an implementation is thread-safe.
   */
  public interface EventTap {
    /**
     * A stream is about to read the events of {@code router}; they go to the returned reader, from
     * one thread, in reading order (time, then document number). {@code null}: nowhere.
     *
     * @param router the router, {@code ""} for the events that name none, {@code null} for one
     *     stream over every router of the read
     */
    TapReader open(String router);

    /**
     * The events of {@code router} that {@code query} finds (scoped as {@link
     * EventSearcher#forEach} scopes it) are not read: the router's results come from the cache.
     */
    void notRead(String router, Query query);

    /** What the streams gave so far is void: every router is read again, as one stream. */
    void restart();

    /**
     * Every stream has read its last event (its reader was told {@link TapReader#done}) and none
     * will be opened any more; what is left of the audit is the merge of the routers' records. A
     * tap may finish its own work now, beside the merge, rather than after it.
     */
    default void readsDone() {}
  }

  /** Where one stream's events go; see {@link EventTap#open}. */
  public interface TapReader {
    /**
     * One event read, as the engine gets it (timed, parsed).
     *
     * @param doc its document number in the searcher: with the time, its place in the reading order
     *     of one read of every router
     */
    void accept(TracedEvent event, int doc);

    /** The stream read its last event. */
    void done();
  }

  /** One stream over the whole query, straight into the sink (no run file). */
  private static void single(
      EventSearcher searcher,
      Instant from,
      Instant to,
      String host,
      AuditEngine engine,
      AuditSink sink,
      EventTap tap) {
    RulesetHistory rulesets = RulesetHistory.load(searcher, from, to, host);
    TapReader reader = tap == null ? null : tap.open(host);
    try (AuditEngine.Stream s =
        engine.open(List.of(), rulesets.rejectCounters(), rulesets.snapshots(), sink)) {
      forEach(searcher, query(from, to, host), null, s::accept, reader);
      s.finish();
    }
    if (reader != null) {
      reader.done();
    }
  }

  /** What one router's stream reads. */
  private record Part(String router, Query query, List<StoredSnapshot> snapshots) {}

  /**
   * A router's records, ready to merge.
   *
   * @param kept per kind, the rows printed of it before in the form asked, checked
   */
  private record Done(
      Part part,
      AuditRunFile.Checked run,
      boolean cached,
      boolean removeAfter,
      Map<AuditRunFile.Kind, PrintedRun.Reader> kept) {}

  /** Thrown when an event's router is not the one its stream reads (the runs fall back). */
  private static final class OtherRouter extends RuntimeException {
    OtherRouter(String message) {
      super(message, null, false, false);
    }
  }

  private static final class Run {
    private final EventSearcher searcher;
    private final Instant from;
    private final Instant to;
    private final String host;
    private final AuditEngine engine;
    private final AuditSink sink;
    private final Options options;
    private final EventTap tap;
    private final boolean rejections;
    private final java.util.EnumSet<AuditRunFile.Kind> merged;
    private final java.util.EnumSet<AuditRunFile.Kind> text;
    private final Map<AuditRunFile.Kind, String> forms =
        new java.util.EnumMap<>(AuditRunFile.Kind.class);
    private AuditCache cache;
    private Path scratch;

    /** Texts resolved inside entries that could not keep them: removed after the merge. */
    private final List<Path> removeAfter =
        java.util.Collections.synchronizedList(new ArrayList<>());

    /** No progress line per router: one router without the cache, which says nothing either. */
    private boolean quiet;

    Run(
        EventSearcher searcher,
        Instant from,
        Instant to,
        String host,
        AuditEngine engine,
        AuditSink sink,
        Options options,
        EventTap tap) {
      this.searcher = searcher;
      this.from = from;
      this.to = to;
      this.host = host;
      this.engine = engine;
      this.sink = sink;
      // the routers' threads report as they finish; the caller's consumer (a test's list, a
      // progress line) need not be safe for two of them at once
      Consumer<String> progress = options.progress();
      this.options =
          options.withProgress(
              m -> {
                synchronized (progress) {
                  progress.accept(m);
                }
              });
      this.tap = tap;
      this.rejections = sink.wantsRejections();
      // the kinds the sink takes, and of those the ones whose evidence texts it reads
      merged = java.util.EnumSet.noneOf(AuditRunFile.Kind.class);
      text = java.util.EnumSet.noneOf(AuditRunFile.Kind.class);
      want(sink.wantsWindows(), AuditRunFile.Kind.WINDOWS, sink.windowPrinter(), Window.class);
      want(sink.wantsSessions(), AuditRunFile.Kind.SESSIONS, sink.sessionPrinter(), Session.class);
      want(rejections, AuditRunFile.Kind.REJECTIONS, sink.rejectionPrinter(), Rejection.class);
      want(
          sink.wantsAnomalies(), AuditRunFile.Kind.ANOMALIES, sink.anomalyPrinter(), Anomaly.class);
    }

    private void want(
        boolean wanted, AuditRunFile.Kind k, RecordPrinter<?> printer, Class<?> records) {
      if (wanted) {
        merged.add(k);
        // the texts are most of a run's bytes: a sink that counts records reads none of them
        if (printer == null ? sink.wantsEvidenceText(records) : printer.wantsEvidenceText()) {
          text.add(k);
        }
      }
    }

    /**
     * The form of the rows a printer makes, with the program: what kept rows are kept for. Rows
     * that carry the evidence texts (JSON) are not kept: they are several times the entry's size.
     */
    private void form(AuditRunFile.Kind k, RecordPrinter<?> printer) {
      String f =
          printer == null || !merged.contains(k) || printer.wantsEvidenceText()
              ? null
              : printer.form();
      if (f != null) {
        forms.put(k, f + "\nprogram: " + AuditCache.program());
      }
    }

    void run() {
      if (options.cache()) {
        AuditCache.buildAhead(); // the jar's digest, while the routers are listed
      }
      List<Part> parts = parts();
      if (!options.cache() && parts.size() <= 1) {
        if (host == null || !sink.wantsWindows()) {
          single(searcher, from, to, host, engine, sink, tap); // nothing to merge, nothing to keep
          return;
        }
        // One router without the cache, as a run file all the same: the engine then gives the
        // windows as sequences (AuditSink#windowSequences) instead of holding nearly all of them
        // (one open until the end of the data holds back every window after it) and spilling
        // them through its reorder buffer's run files; the run is as quiet as the direct stream.
        quiet = true;
      }
      if (options.cache()) {
        cache = AuditCache.of(searcher.path(), options.progress());
        form(AuditRunFile.Kind.WINDOWS, sink.windowPrinter());
        form(AuditRunFile.Kind.SESSIONS, sink.sessionPrinter());
        form(AuditRunFile.Kind.REJECTIONS, sink.rejectionPrinter());
        form(AuditRunFile.Kind.ANOMALIES, sink.anomalyPrinter());
      }
      List<Done> done = new ArrayList<>();
      try {
        try {
          done = compute(parts);
        } catch (OtherRouter e) {
          options.progress().accept("audit: " + e.getMessage() + "; reading all routers as one");
          if (tap != null) {
            tap.restart();
          }
          single(searcher, from, to, host, engine, sink, tap);
          return;
        }
        if (tap != null) {
          tap.readsDone();
        }
        merge(done);
        if (cache != null) {
          Set<Path> keep = new HashSet<>();
          for (Done d : done) {
            keep.add(d.run().dir());
          }
          cache.evict(keep);
        }
      } finally {
        for (Done d : done) {
          d.kept().values().forEach(PrintedRun.Reader::close);
          if (d.removeAfter()) {
            AuditCache.delete(d.run().dir());
          }
        }
        removeAfter.forEach(AuditCache::delete);
        if (scratch != null) {
          AuditCache.delete(scratch);
        }
      }
    }

    /** The routers to reconstruct, each with its query and snapshots. */
    private List<Part> parts() {
      if (host != null) {
        return List.of(new Part(host, query(from, to, host), searcher.snapshots(from, to, host)));
      }
      Map<String, List<StoredSnapshot>> snaps = new TreeMap<>();
      for (StoredSnapshot s : searcher.snapshots(from, to, null)) {
        snaps.computeIfAbsent(s.observer(), k -> new ArrayList<>()).add(s);
      }
      java.util.TreeSet<String> routers = new java.util.TreeSet<>(searcher.observers());
      routers.add(""); // events without a router have no term
      routers.addAll(snaps.keySet());
      List<Part> out = new ArrayList<>();
      for (String r : routers) {
        Query q = r.isEmpty() ? hostless(from, to) : query(from, to, r);
        out.add(new Part(r, q, snaps.getOrDefault(r, List.of())));
      }
      return out;
    }

    private List<Done> compute(List<Part> parts) {
      int threads = Math.min(options.threads(), parts.size());
      ExecutorService pool = Executors.newFixedThreadPool(threads, daemon());
      List<Done> done = new ArrayList<>();
      try {
        List<Future<Done>> fs = new ArrayList<>();
        for (Part p : parts) {
          fs.add(pool.submit(() -> part(p)));
        }
        RuntimeException failure = null;
        for (Future<Done> f : fs) {
          try {
            Done d = f.get();
            if (d != null) {
              done.add(d);
            }
          } catch (ExecutionException e) {
            Throwable c = e.getCause();
            RuntimeException r =
                c instanceof RuntimeException re
                    ? re
                    : new AuditException("audit stream failed: " + c, c);
            if (failure == null || r instanceof OtherRouter) {
              failure = r;
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AuditException("interrupted", e);
          }
        }
        if (failure != null) {
          for (Done d : done) {
            d.kept().values().forEach(PrintedRun.Reader::close);
            if (d.removeAfter()) {
              AuditCache.delete(d.run().dir());
            }
          }
          throw failure;
        }
      } finally {
        pool.shutdownNow();
      }
      long cached = done.stream().filter(Done::cached).count();
      if (done.size() > 1 || cache != null) {
        options
            .progress()
            .accept(
                "audit: "
                    + done.size()
                    + (done.size() == 1 ? " router" : " routers")
                    + ": "
                    + cached
                    + " from the cache, "
                    + (done.size() - cached)
                    + " computed"
                    + (cache == null ? " (cache not used)" : ""));
      }
      return done;
    }

    private static java.util.concurrent.ThreadFactory daemon() {
      return r -> {
        Thread t = new Thread(r, "mobilessh-audit");
        t.setDaemon(true);
        return t;
      };
    }

    /** One router: from the cache, or computed into a run file (kept in the cache). */
    private Done part(Part p) throws IOException {
      // the digest's matches serve the read on a miss: the query is iterated once
      EventSearcher.Matches matches;
      if (cache != null) {
        AuditCache.Memo memo = cache.memo(p.query().toString());
        matches = searcher.matches(p.query(), memo);
        cache.keep(memo);
      } else {
        matches = searcher.matches(p.query(), null);
      }
      EventSearcher.Digest data = matches.digest();
      if (data.count() == 0 && p.snapshots().isEmpty()) {
        return null; // no event, no snapshot: the router has nothing to say
      }
      String key =
          AuditCache.key(
              p.router(),
              p.query().toString(),
              from,
              to,
              engine.config(),
              AuditCache.build(),
              data,
              p.snapshots());
      if (cache != null) {
        AuditCache.Hit hit = cache.lookup(key, rejections, p.router(), merged, text, forms);
        if (hit != null) {
          AuditRunFile.Checked run = hit.run();
          String texts = "";
          if (run.textsInIndex() && !text.isEmpty()) {
            long t0 = System.nanoTime();
            // every kind's texts into the entry, kept there for the commands after this one
            // (AuditRunFile.keepTexts); where the entry cannot take them, this command's kinds
            // into the scratch, as before
            Path into = null;
            try {
              into = Files.createDirectory(run.dir().resolve(ScratchNames.of(".tmp-texts-")));
            } catch (IOException e) {
              // a read-only cache: the scratch
            }
            try {
              if (into != null) {
                AuditRunFile.Checked resolved =
                    EvidenceTexts.resolve(
                        run,
                        java.util.EnumSet.allOf(AuditRunFile.Kind.class),
                        searcher,
                        p.query(),
                        into);
                try {
                  run = AuditRunFile.keepTexts(resolved, into);
                } catch (IOException e) {
                  // another process kept them first, or the entry cannot be changed: these
                  // texts serve this command, then are removed
                  run = resolved;
                  removeAfter.add(into);
                }
              } else {
                run =
                    EvidenceTexts.resolve(
                        run,
                        text,
                        searcher,
                        p.query(),
                        Files.createDirectory(scratch().resolve(UUID.randomUUID().toString())));
              }
            } catch (IOException | RuntimeException e) {
              if (into != null) {
                AuditCache.delete(into);
              }
              throw e;
            } catch (EvidenceTexts.Unresolved e) {
              if (into != null) {
                AuditCache.delete(into);
              }
              hit.kept().values().forEach(PrintedRun.Reader::close);
              options
                  .progress()
                  .accept(
                      "audit cache: entry "
                          + run.dir().getFileName()
                          + " of router "
                          + AuditCache.label(p.router())
                          + " cannot be given its evidence texts ("
                          + e.getMessage()
                          + "): computing it again, with its texts");
              return computeRouter(p, key, matches, true);
            }
            texts =
                String.format(
                    java.util.Locale.ROOT,
                    ", evidence texts read from the index in %.1f s",
                    (System.nanoTime() - t0) / 1e9);
          }
          if (tap != null) {
            tap.notRead(p.router(), p.query());
          }
          options
              .progress()
              .accept(
                  "audit: "
                      + AuditCache.label(p.router())
                      + ": "
                      + data.count()
                      + " events, results from the cache ("
                      + hit.run().dir().getFileName()
                      + ")"
                      + texts);
          return new Done(p, run, true, false, hit.kept());
        }
      }
      // a command that prints no evidence text leaves the texts in the index (EvidenceTexts)
      return computeRouter(p, key, matches, cache == null || !text.isEmpty());
    }

    /**
     * Computes one router into a run file, kept in the cache when there is one.
     *
     * @param matches the router's query's, read in time order
     * @param keepTexts whether the entry keeps the evidence texts (else only their pointers)
     */
    private Done computeRouter(Part p, String key, EventSearcher.Matches matches, boolean keepTexts)
        throws IOException {
      Path dir = null;
      if (cache != null) {
        try {
          dir = cache.temp();
        } catch (IOException e) {
          options
              .progress()
              .accept(
                  "audit cache: cannot write in "
                      + cache.dir()
                      + " ("
                      + e.getMessage()
                      + "): computing without it");
        }
      }
      boolean inCache = dir != null;
      if (dir == null) {
        dir = Files.createDirectory(scratch().resolve(UUID.randomUUID().toString()));
      }
      long t0 = System.nanoTime();
      try {
        RulesetHistory rulesets = RulesetHistory.of(p.snapshots());
        // an entry kept in the cache holds every kind, so that one run (say windows, which
        // wants no rejections) serves the next question (rejects, report) too
        try (AuditRunFile.Writer w =
                new AuditRunFile.Writer(dir, rejections || inCache, inCache && !keepTexts);
            AuditEngine.Stream s =
                engine.open(List.of(), rulesets.rejectCounters(), rulesets.snapshots(), w)) {
          TapReader reader = tap == null ? null : tap.open(p.router());
          forEach(h -> searcher.forEachOrdered(matches, h), p.router(), s::accept, reader);
          if (reader != null) {
            reader.done();
          }
          s.finish();
          w.finish(key);
        }
        Path at = inCache ? cache.commit(key, dir) : dir;
        AuditRunFile.Checked run = AuditRunFile.read(at);
        run.verifyRecords(merged);
        run.verifyText(text);
        (quiet ? (Consumer<String>) m -> {} : options.progress())
            .accept(
                "audit: "
                    + AuditCache.label(p.router())
                    + ": "
                    + matches.digest().count()
                    + " events, computed in "
                    + String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - t0) / 1e9)
                    + " s"
                    + (inCache && at.getParent().equals(cache.dir()) && !at.equals(dir)
                        ? ", kept in the cache"
                        : ""));
        return new Done(p, run, false, !inCache || at.equals(dir), Map.of());
      } catch (IOException | RuntimeException e) {
        AuditCache.delete(dir);
        throw e;
      }
    }

    private synchronized Path scratch() throws IOException {
      if (scratch == null) {
        scratch =
            ScratchNames.createDirectory(
                Path.of(System.getProperty("java.io.tmpdir")), "mobilessh-audit-");
      }
      return scratch;
    }

    // -------------------------------------------------------------- the merge

    private void merge(List<Done> done) {
      try {
        if (merged.contains(AuditRunFile.Kind.WINDOWS)) {
          mergeKind(
              done, AuditRunFile.Kind.WINDOWS, sink.windowPrinter(), WINDOW_KEY, sink::window);
        }
        if (merged.contains(AuditRunFile.Kind.SESSIONS)) {
          mergeKind(
              done, AuditRunFile.Kind.SESSIONS, sink.sessionPrinter(), SESSION_KEY, sink::session);
        }
        if (merged.contains(AuditRunFile.Kind.REJECTIONS)) {
          mergeKind(
              done,
              AuditRunFile.Kind.REJECTIONS,
              sink.rejectionPrinter(),
              REJECTION_KEY,
              sink::rejection);
        }
        if (merged.contains(AuditRunFile.Kind.ANOMALIES)) {
          mergeKind(
              done, AuditRunFile.Kind.ANOMALIES, sink.anomalyPrinter(), ANOMALY_KEY, sink::anomaly);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read audit run files", e);
      }
      List<RejectTotals> totals = new ArrayList<>();
      long used = 0;
      long dropped = 0;
      long untimed = 0;
      for (Done d : done) {
        AuditRunFile.End e = d.run().end();
        totals.addAll(e.totals());
        used += e.eventsUsed();
        dropped += e.duplicatesDropped();
        untimed += e.untimedEvents();
      }
      // RejectTotals.between groups by this key in a TreeMap; within a group, a router's order
      totals.sort(Comparator.comparing((RejectTotals t) -> t.observer() + "|" + t.family()));
      sink.end(totals, used, dropped, untimed);
    }

    /**
     * Where the rows printed of a run's kind are kept for the next time, or {@code null}: no form,
     * a run that is not (or no longer) an entry of the cache, or the form's first use of the entry
     * ({@link PrintedRun#askedBefore}: the cold run, or a form asked once, writes no copy of its
     * output that nobody may read).
     */
    private PrintedRun.Writer keep(Done d, AuditRunFile.Kind kind) {
      String form = forms.get(kind);
      if (form == null || cache == null || d.removeAfter()) {
        return null;
      }
      Path file = PrintedRun.file(d.run().dir(), d.run().key(), form);
      if (!PrintedRun.askedBefore(file)) {
        return null;
      }
      try {
        return new PrintedRun.Writer(file, form);
      } catch (IOException | RuntimeException e) {
        return null; // only time is lost: printed again next time
      }
    }

    /**
     * The records of one kind of every run, in the single stream's order: by their key, then by
     * router ({@code done} is in router order, and a run holds one router's records), each run's
     * records in its own order. With a printer, each run is printed on a thread of its own and only
     * the bytes are merged; else the records go to {@code out}.
     */
    private <T> void mergeKind(
        List<Done> done,
        AuditRunFile.Kind kind,
        RecordPrinter<T> printer,
        MergeKey<T> key,
        Consumer<T> out)
        throws IOException {
      List<AuditRunFile.Records<T>> runs = new ArrayList<>();
      try {
        if (printer != null) {
          List<PrintedMerge.Source<T>> sources = new ArrayList<>();
          for (Done d : done) {
            if (d.run().count(kind) == 0) {
              continue;
            }
            PrintedRun.Reader kept = d.kept().get(kind);
            if (kept != null) {
              sources.add(PrintedMerge.Source.kept(kept));
              continue;
            }
            AuditRunFile.Records<T> r = d.run().open(kind, text.contains(kind));
            runs.add(r);
            sources.add(PrintedMerge.Source.printing(r, keep(d, kind), printer, key));
          }
          if (!sources.isEmpty()) {
            PrintedMerge.merge(sources, sink);
          }
          return;
        }
        for (Done d : done) {
          if (d.run().count(kind) > 0) {
            runs.add(d.run().open(kind, text.contains(kind)));
          }
        }
        if (runs.isEmpty()) {
          return;
        }
        if (runs.size() == 1) {
          AuditRunFile.Records<T> r = runs.get(0);
          for (T t = r.next(); t != null; t = r.next()) {
            out.accept(t);
          }
          return;
        }
        // a heap of run indexes by (key, run index); each run's head decoded once
        int n = runs.size();
        List<T> heads = new ArrayList<>(n);
        long[] k1 = new long[n];
        long[] k2 = new long[n];
        int[] heap = new int[n];
        int size = 0;
        for (int i = 0; i < n; i++) {
          T t = runs.get(i).next();
          heads.add(t);
          if (t != null) {
            k1[i] = key.major(t);
            k2[i] = key.minor(t);
            heap[size++] = i;
          }
        }
        Heap h = new Heap(heap, size, k1, k2);
        while (h.size > 0) {
          int i = h.top();
          out.accept(heads.get(i));
          T t = runs.get(i).next();
          heads.set(i, t);
          if (t == null) {
            h.pop();
          } else {
            k1[i] = key.major(t);
            k2[i] = key.minor(t);
            h.siftTop();
          }
        }
      } finally {
        for (AuditRunFile.Records<T> r : runs) {
          r.close();
        }
      }
    }
  }

  /**
   * The order of one stream over every router between records of different routers, as two longs
   * (compared as signed numbers, then the router): {@link AuditEngine}'s output buffers order
   * windows by opening, sessions by acceptance, rejections by time, anomalies by time (none: first)
   * and kind, each then by router.
   */
  record MergeKey<T>(Function<T, Instant> time, ToIntFunction<T> rank) {
    long major(T t) {
      return seconds(time.apply(t));
    }

    long minor(T t) {
      return nanos(time.apply(t), rank.applyAsInt(t));
    }
  }

  /** Seconds of {@code t}; {@code null} sorts first, as {@link Instant#MIN}. */
  static long seconds(Instant t) {
    return t == null ? Instant.MIN.getEpochSecond() : t.getEpochSecond();
  }

  /** Nanoseconds of {@code t} times 64, plus {@code rank} (below 64). */
  static long nanos(Instant t, int rank) {
    return (t == null ? 0L : (long) t.getNano()) * 64 + rank;
  }

  static final MergeKey<Window> WINDOW_KEY = new MergeKey<>(Window::openedAt, w -> 0);
  static final MergeKey<Session> SESSION_KEY = new MergeKey<>(Session::acceptedAt, s -> 0);
  static final MergeKey<Rejection> REJECTION_KEY = new MergeKey<>(Rejection::at, r -> 0);
  static final MergeKey<Anomaly> ANOMALY_KEY = new MergeKey<>(Anomaly::at, a -> a.kind().ordinal());

  static {
    if (Anomaly.Kind.values().length > 64) {
      throw new IllegalStateException("ANOMALY_KEY holds the kind in 6 bits");
    }
  }

  /** A binary min-heap of run indexes by (k1, k2, index). */
  static final class Heap {
    final int[] a;
    int size;
    final long[] k1;
    final long[] k2;

    Heap(int[] a, int size, long[] k1, long[] k2) {
      this.a = a;
      this.size = size;
      this.k1 = k1;
      this.k2 = k2;
      for (int i = size / 2 - 1; i >= 0; i--) {
        down(i);
      }
    }

    int top() {
      return a[0];
    }

    /** The top's key grew: back into place. */
    void siftTop() {
      down(0);
    }

    void pop() {
      a[0] = a[--size];
      if (size > 0) {
        down(0);
      }
    }

    private boolean less(int x, int y) {
      if (k1[x] != k1[y]) {
        return k1[x] < k1[y];
      }
      if (k2[x] != k2[y]) {
        return k2[x] < k2[y];
      }
      return x < y;
    }

    private void down(int i) {
      int v = a[i];
      while (true) {
        int c = 2 * i + 1;
        if (c >= size) {
          break;
        }
        if (c + 1 < size && less(a[c + 1], a[c])) {
          c++;
        }
        if (!less(a[c], v)) {
          break;
        }
        a[i] = a[c];
        i = c;
      }
      a[i] = v;
    }
  }

  private static void forEach(
      EventSearcher searcher, Query q, String router, Consumer<TracedEvent> out, TapReader tap) {
    forEach(h -> searcher.forEachOrdered(q, h), router, out, tap);
  }

  /**
   * @param read hands the matches over in time order ({@link EventSearcher#forEachOrdered})
   */
  private static void forEach(
      Consumer<EventSearcher.OrderedHitConsumer> read,
      String router,
      Consumer<TracedEvent> out,
      TapReader tap) {
    // every stored path is a String of its own; a month holds a few dozen distinct ones
    Map<String, String> paths = new HashMap<>();
    // the last path seen and its shared instance: consecutive events nearly always share it
    String[] last = {null, null};
    read.accept(
        (h, doc) -> {
          // untimed events (plain conntrack -E) and lines today's parser refuses carry no
          // evidence the engine can place in time
          if (h.event() == null || h.timestamp() == null) {
            return;
          }
          String stored = h.sourcePath();
          String path;
          if (stored == null) {
            path = "";
          } else if (stored == last[0]) {
            path = last[1];
          } else {
            path = paths.computeIfAbsent(stored, p -> p);
            last[0] = stored;
            last[1] = path;
          }
          TracedEvent te =
              new TracedEvent(h.event(), path, Math.max(0, h.lineNumber()), h.originalLine());
          if (router != null && !router.equals(te.observer())) {
            // the stream of one router must hold that router's events only, or the merge would
            // not be the single stream's answer
            throw new OtherRouter(
                "an event of router '"
                    + te.observer()
                    + "' was indexed under '"
                    + router
                    + "' ("
                    + path
                    + ":"
                    + te.lineNumber()
                    + ")");
          }
          out.accept(te);
          if (tap != null) {
            tap.accept(te, doc);
          }
        });
  }

  /**
   * The events of one address or network (as the packet's or the conntrack flow's source or
   * destination) in a period, in time order, as the engine reads them: for a command that shows an
   * address's own lines beside its records, without reading every other address's.
   */
  public static void forEachOf(
      EventSearcher searcher,
      org.mobilessh.rules.Cidr ip,
      Instant from,
      Instant to,
      String host,
      Consumer<TracedEvent> out) {
    java.net.InetAddress net = ip.address();
    BooleanQuery.Builder either = new BooleanQuery.Builder();
    for (String field : List.of(Fields.SOURCE_IP, Fields.DESTINATION_IP)) {
      either.add(
          org.apache.lucene.document.InetAddressPoint.newPrefixQuery(field, net, ip.prefixLength()),
          BooleanClause.Occur.SHOULD);
    }
    BooleanQuery.Builder b = new BooleanQuery.Builder();
    b.add(query(from, to, host), BooleanClause.Occur.FILTER);
    b.add(either.build(), BooleanClause.Occur.FILTER);
    forEach(searcher, b.build(), null, out, null);
  }

  /** The events in the period without a router (no {@code observer.hostname} term). */
  static Query hostless(Instant from, Instant to) {
    BooleanQuery.Builder b = new BooleanQuery.Builder();
    b.add(query(from, to, null), BooleanClause.Occur.FILTER);
    b.add(
        new org.apache.lucene.search.TermRangeQuery(Fields.OBSERVER, null, null, true, true),
        BooleanClause.Occur.MUST_NOT);
    return b.build();
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
