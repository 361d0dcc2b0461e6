package org.mobilessh.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.mobilessh.audit.AuditEngine;
import org.mobilessh.audit.AuditException;
import org.mobilessh.audit.AuditSink;
import org.mobilessh.audit.IndexedAuditInput;
import org.mobilessh.audit.RejectTotals;
import org.mobilessh.audit.RulesetHistory;
import org.mobilessh.audit.TracedEvent;
import org.mobilessh.index.EventSearcher;
import org.mobilessh.index.Fields;
import org.mobilessh.ingest.Checkpoint;

/**
 * The entry point of the report stage: reads the month from the index, reconstructs it, and renders
 * the template to HTML or PDF. Other stages (the evidence bundle) call {@link
 * #render(ReportRequest)} or {@link #write(ReportRequest, Path)}.
 */
public final class ReportRenderer {
  private ReportRenderer() {}

  /**
   * A rendered report.
   *
   * @param bytes the HTML (UTF-8) or PDF file content
   * @param format which of the two
   * @param model the data it was rendered from (its figures, for checks)
   */
  public record Rendered(byte[] bytes, ReportRequest.Format format, ReportModel model) {}

  /**
   * Renders the report of {@code req} in memory. The month is reconstructed as a stream ({@link
   * IndexedAuditInput#stream}) and tallied as its records come ({@link MonthTally}); the figures of
   * the events read come from the index's {@link EventFiguresCache} or a second pass over the same
   * stretch of the index ({@link EventTally}). Neither keeps the month's events or records, so
   * memory does not grow with the month.
   */
  public static Rendered render(ReportRequest req) {
    return render(req, List.of(), Long.MAX_VALUE, null, null, m -> {});
  }

  /**
   * Renders the PDF of {@code req} into {@code out} (through a temporary file in the same
   * directory), attaching {@code files} as they are on disk beside the request's own attachments:
   * the attached evidence is streamed from its files, never held in memory. Every file is attached,
   * whatever its size.
   *
   * @return the report's model (its figures)
   */
  public static ReportModel writePdf(ReportRequest req, Map<String, Path> files, Path out) {
    return writePdf(req, files, out, m -> {});
  }

  /**
   * As {@link #writePdf(ReportRequest, Map, Path)}, telling {@code progress} one line at a time
   * what was done and how long it took (for the error stream).
   */
  public static ReportModel writePdf(
      ReportRequest req, Map<String, Path> files, Path out, Consumer<String> progress) {
    List<Attachments.File> all = new ArrayList<>();
    files.forEach((name, file) -> all.add(new Attachments.File(name, file, null, null)));
    return writePdf(req, all, Long.MAX_VALUE, out, progress);
  }

  /**
   * Renders the PDF of {@code req} into {@code out} (through a temporary file in the same
   * directory), attaching the request's own attachments and {@code files} only as far as {@link
   * Attachments#plan} allows within {@code limit} bytes in total; the report then names every file
   * it left out, with its size, SHA-256 and where to find it. The PDF's scratch file lives in a
   * directory beside {@code out} that is removed before this returns.
   *
   * @param limit the most bytes of attachments ({@link Long#MAX_VALUE}: no bound)
   * @return the report's model (its figures)
   */
  public static ReportModel writePdf(
      ReportRequest req,
      List<Attachments.File> files,
      long limit,
      Path out,
      Consumer<String> progress) {
    if (req.format() != ReportRequest.Format.PDF) {
      throw new IllegalArgumentException("writePdf needs a PDF request");
    }
    Path dir = out.toAbsolutePath().getParent();
    try {
      Files.createDirectories(dir);
      ScratchFiles.removeStale(out, "tmp", "scratch");
      Path tmp = ScratchFiles.beside(out, "tmp");
      Path scratch = ScratchFiles.beside(out, "scratch");
      try {
        Files.createDirectories(scratch);
        ReportModel model;
        try (java.io.OutputStream o =
            new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
          model = render(req, files, limit, o, scratch, progress).model();
        }
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return model;
      } finally {
        Files.deleteIfExists(tmp);
        ScratchFiles.deleteTree(scratch);
      }
    } catch (IOException e) {
      throw new ReportException("cannot write " + out + ": " + e.getMessage(), e);
    }
  }

  private static Rendered render(
      ReportRequest req,
      List<Attachments.File> files,
      long limit,
      java.io.OutputStream out,
      Path scratch,
      Consumer<String> each) {
    // steps run on several threads; the caller's consumer sees one line at a time
    Object lock = new Object();
    Consumer<String> progress =
        m -> {
          synchronized (lock) {
            each.accept(m);
          }
        };
    // a bad template is reported before any index work
    Templates templates = Templates.find(req.template());
    YearMonth ym = req.month();
    Instant from = ym.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    Instant to = ym.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    Instant loadFrom = from.minus(req.lookback()).minusSeconds(req.config().seconds());
    Instant loadTo = to.plus(req.lookback());
    MonthTally month = new MonthTally(req.topN());
    Facts facts;
    EventFigures events;
    Clock clock = new Clock(progress);
    AtomicBoolean stop = new AtomicBoolean();
    try (EventSearcher searcher = EventSearcher.open(req.index())) {
      // the audit's merge runs on this thread alone (all of it when its results come from the
      // cache): the facts and the event figures take another core meanwhile
      ExecutorService side =
          Executors.newSingleThreadExecutor(
              r -> {
                Thread t = new Thread(r, "mobilessh-report");
                t.setDaemon(true);
                return t;
              });
      // the event figures are counted from the audit's own read (routers it takes from its
      // cache are read for them on the side thread), unless they are in the report's cache
      // the digest's sort runs go to the report's scratch directory beside its output when there
      // is one (removed with it, or by the next run if this one is killed), else to java.io.tmpdir
      FiguresTap tap =
          new FiguresTap(
              new EventTally(from, to, EventTally.RUN_RECORDS, scratch), searcher, side, stop);
      try {
        long t0 = System.nanoTime();
        Future<Kept> keptLater =
            req.cache()
                ? side.submit(() -> keptFigures(searcher, req, loadFrom, loadTo, clock, tap))
                : null;
        Future<Facts> factsLater =
            side.submit(
                () ->
                    clock.timed(
                        "facts (sources re-hashed, quarantine, query counts, rulesets)",
                        () -> facts(searcher, req)));
        clock.timed(
            "audit",
            () -> {
              IndexedAuditInput.stream(
                  searcher,
                  loadFrom,
                  loadTo,
                  req.host(),
                  new AuditEngine(req.config()),
                  AuditSink.month(ym, month),
                  IndexedAuditInput.Options.defaults()
                      .withCache(req.cache())
                      .withProgress(progress),
                  tap);
              return null;
            });
        facts = join(factsLater);
        Kept kept = keptLater == null ? null : join(keptLater);
        if (kept != null && kept.figures() != null) {
          events = kept.figures();
        } else {
          events = tap.figures();
          if (kept != null) {
            kept.cache().store(kept.key(), events);
          }
          clock.since(
              t0,
              "event figures ("
                  + fmtCount(events.read())
                  + " events) counted"
                  + (kept == null ? "" : ", kept in the cache"));
        }
      } finally {
        // a failure: the other steps stop before the searcher closes under them
        stop.set(true);
        side.shutdownNow();
        try {
          while (!side.awaitTermination(1, TimeUnit.MINUTES)) {
            // the facts' source hashing ends on its own
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        tap.close();
      }
    }
    clock.restart();
    Attachments.Plan plan =
        req.format() == ReportRequest.Format.PDF
            ? Attachments.plan(req.attachments(), files, limit)
            : Attachments.Plan.all(Map.of(), Map.of());
    return render(req, templates, events, month, facts, plan, out, scratch, clock);
  }

  static <T> T join(Future<T> f) {
    try {
      return f.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new ReportException("report step failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ReportException("interrupted", e);
    }
  }

  /**
   * The report cache's entry for the event figures of {@code [from, to]}: its key, and the figures
   * when they were kept for exactly these documents ({@code figures} {@code null}: count them).
   */
  private record Kept(EventFiguresCache cache, String key, EventFigures figures) {}

  private static Kept keptFigures(
      EventSearcher searcher,
      ReportRequest req,
      Instant from,
      Instant to,
      Clock clock,
      FiguresTap tap) {
    long t0 = System.nanoTime();
    Query query = query(from, to, req.host());
    EventFiguresCache cache = new EventFiguresCache(req.index(), clock.progress);
    String key =
        EventFiguresCache.key(
            query.toString(),
            from,
            to,
            req.month(),
            EventFiguresCache.build(),
            searcher.digest(query));
    EventFigures hit = cache.lookup(key);
    if (hit != null) {
      tap.unwanted();
      clock.since(t0, "event figures (" + fmtCount(hit.read()) + " events) from the cache");
    }
    return new Kept(cache, key, hit);
  }

  private static String fmtCount(long n) {
    return String.format(java.util.Locale.ROOT, "%,d", n);
  }

  /** Tells how long each step took. */
  private static final class Clock {
    final Consumer<String> progress;
    long at = System.nanoTime();

    Clock(Consumer<String> progress) {
      this.progress = progress;
    }

    /** A step since the previous lap (or restart). */
    void lap(String what) {
      long now = System.nanoTime();
      since(at, what);
      at = now;
    }

    void restart() {
      at = System.nanoTime();
    }

    /** A step that began at {@code t0} ({@link System#nanoTime}). */
    void since(long t0, String what) {
      progress.accept(
          String.format(
              java.util.Locale.ROOT, "report: %s in %.1f s", what, (System.nanoTime() - t0) / 1e9));
    }

    <T> T timed(String what, java.util.function.Supplier<T> step) {
      long t0 = System.nanoTime();
      T t = step.get();
      since(t0, what);
      return t;
    }
  }

  /**
   * The index query of every event in {@code [from, to]} of router {@code host} (every router when
   * {@code null}): what {@link IndexedAuditInput} reads for the audit.
   */
  static Query query(Instant from, Instant to, String host) {
    BooleanQuery.Builder b = new BooleanQuery.Builder();
    b.add(
        LongPoint.newRangeQuery(Fields.TIMESTAMP, micros(from), micros(to)),
        BooleanClause.Occur.FILTER);
    if (host != null) {
      b.add(new TermQuery(new Term(Fields.OBSERVER, host)), BooleanClause.Occur.FILTER);
    }
    return b.build();
  }

  /** Every timed event {@code query} matches, as {@link IndexedAuditInput} reads them. */
  static void events(EventSearcher searcher, Query query, EventTally out) {
    events(searcher, query, out, new AtomicBoolean());
  }

  private static void events(
      EventSearcher searcher, Query query, EventTally out, AtomicBoolean stop) {
    Map<String, String> paths = new HashMap<>();
    searcher.forEach(
        query,
        h -> {
          if (stop.get()) {
            throw new java.util.concurrent.CancellationException("the report failed");
          }
          if (h.event() == null || h.timestamp() == null) {
            return;
          }
          String path = h.sourcePath() == null ? "" : paths.computeIfAbsent(h.sourcePath(), p -> p);
          out.accept(
              new TracedEvent(h.event(), path, Math.max(0, h.lineNumber()), h.originalLine()));
        });
  }

  private static long micros(Instant t) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, t);
  }

  static Rendered render(
      ReportRequest req, Templates templates, EventFigures events, MonthTally month, Facts facts) {
    return render(
        req,
        templates,
        events,
        month,
        facts,
        Attachments.Plan.all(req.attachments(), Map.of()),
        null,
        null,
        new Clock(m -> {}));
  }

  /** With {@code out}, the PDF goes there (and {@link Rendered#bytes} is empty). */
  private static Rendered render(
      ReportRequest req,
      Templates templates,
      EventFigures events,
      MonthTally month,
      Facts facts,
      Attachments.Plan plan,
      java.io.OutputStream out,
      Path scratch,
      Clock clock) {
    Messages msg = Messages.load(templates, req.lang());
    Map<String, Charts.Chart> charts =
        Charts.draw(month, req.month(), ReportModel.Queries.of(req), msg, Charts.font(req));
    clock.lap("charts");
    ReportModel model =
        ReportModel.build(req, events, month, facts, charts, templates.description(), msg);
    Map<String, Object> root = model.root();
    if (!plan.leftOut().isEmpty()) {
      root = new LinkedHashMap<>(root);
      root.put("attachments", ReportModel.attachments(plan, req));
    }
    String html = templates.render(root);
    clock.lap("model and template");
    if (req.format() == ReportRequest.Format.HTML) {
      return new Rendered(html.getBytes(StandardCharsets.UTF_8), req.format(), model);
    }
    String title =
        msg.get("pdf.title", req.month()) + (req.host() == null ? "" : " (" + req.host() + ")");
    if (out != null) {
      PdfOutput.render(
          html,
          templates.baseUri(),
          req,
          title,
          model.generatedAt(),
          plan.attachedBytes(),
          plan.attachedFiles(),
          out,
          scratch);
      clock.lap("PDF");
      return new Rendered(new byte[0], req.format(), model);
    }
    byte[] pdf =
        PdfOutput.render(
            html, templates.baseUri(), req, title, model.generatedAt(), plan.attachedBytes());
    clock.lap("PDF");
    return new Rendered(pdf, req.format(), model);
  }

  /**
   * Renders and writes the report to {@code out} (through a temporary file in the same directory,
   * so a failed run leaves no half-written report).
   */
  public static Rendered write(ReportRequest req, Path out) {
    return write(req, out, m -> {});
  }

  /**
   * As {@link #write(ReportRequest, Path)}, telling {@code progress} one line at a time what was
   * done and how long it took (for the error stream).
   */
  public static Rendered write(ReportRequest req, Path out, Consumer<String> progress) {
    Path dir = out.toAbsolutePath().getParent();
    Path scratch = ScratchFiles.beside(out, "scratch");
    try {
      Files.createDirectories(dir);
      ScratchFiles.removeStale(out, "tmp", "scratch");
      Files.createDirectories(scratch);
      Rendered r = render(req, List.of(), Long.MAX_VALUE, null, scratch, progress);
      // not createTempFile: its 0600 mode would stay on the report; this one gets the umask's
      Path tmp = ScratchFiles.beside(out, "tmp");
      try {
        Files.write(tmp, r.bytes());
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(tmp);
      }
      return r;
    } catch (IOException e) {
      throw new ReportException("cannot write " + out + ": " + e.getMessage(), e);
    } finally {
      ScratchFiles.deleteTree(scratch);
    }
  }

  /**
   * Coverage facts of the index: checkpointed sources, quarantine reasons, query counts, and the
   * ruleset snapshots up to the end of the month's lookback with their reject counters.
   */
  public static Facts facts(EventSearcher searcher, ReportRequest req) {
    Map<String, Long> quarantine = new TreeMap<>();
    var q = searcher.parse("action:" + Fields.QUARANTINE);
    searcher.forEach(
        q, h -> quarantine.merge(h.reason() == null ? "unknown" : h.reason(), 1L, Long::sum));
    Map<String, Long> counts = new LinkedHashMap<>();
    for (String query : ReportModel.queries(req)) {
      count(searcher, query).ifPresent(n -> counts.put(query, n));
    }
    Instant to = req.month().plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    RulesetHistory history;
    try {
      // every snapshot before the month too: the one in force when it began may be weeks older
      history = RulesetHistory.load(searcher, null, to.plus(req.lookback()), req.host());
    } catch (AuditException e) {
      throw new ReportException(e.getMessage(), e);
    }
    List<RejectTotals> totals =
        history.rejectCounters().isEmpty()
            ? List.of()
            : RejectTotals.between(
                history.rejectCounters(),
                (observer, family, from, until) ->
                    count(
                            searcher,
                            ReportModel.Queries.rejectStretch(observer, family, from, until))
                        .orElse(-1L));
    return new Facts(sources(req.index()), quarantine, counts, history, totals);
  }

  private static java.util.Optional<Long> count(EventSearcher searcher, String query) {
    try {
      return java.util.Optional.of(searcher.count(searcher.parse(query)));
    } catch (org.mobilessh.index.QuerySyntaxException e) {
      // a router name the query syntax cannot express: the report shows no index count
      return java.util.Optional.empty();
    }
  }

  /**
   * The sources the ingest stage checkpointed, from the last commit's user data, each with the
   * SHA-256 of the bytes ingested from it, read again from its path.
   */
  static List<Facts.IngestedSource> sources(Path index) {
    List<Facts.IngestedSource> out = new ArrayList<>();
    try (Directory d = FSDirectory.open(index)) {
      Map<String, String> data = SegmentInfos.readLatestCommit(d).getUserData();
      for (Map.Entry<String, String> e : new TreeMap<>(data).entrySet()) {
        Checkpoint c = Checkpoint.parse(e.getKey(), e.getValue());
        if (c != null) {
          String[] hash = SourceHash.of(c);
          out.add(
              new Facts.IngestedSource(
                  c.path(),
                  c.fingerprint(),
                  c.fingerprintLength(),
                  c.lineNumber(),
                  c.offset(),
                  hash[0],
                  hash[1]));
        }
      }
    } catch (IOException e) {
      throw new ReportException("cannot read the index's checkpoints: " + e.getMessage(), e);
    }
    out.sort(java.util.Comparator.comparing(Facts.IngestedSource::path));
    return out;
  }
}
