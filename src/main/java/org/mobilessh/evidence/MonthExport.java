package org.mobilessh.evidence;

import java.io.BufferedWriter;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.commons.csv.CSVPrinter;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.Weight;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.mobilessh.audit.Anomaly;
import org.mobilessh.audit.AuditConfig;
import org.mobilessh.audit.AuditEngine;
import org.mobilessh.audit.AuditException;
import org.mobilessh.audit.AuditFormat;
import org.mobilessh.audit.AuditSink;
import org.mobilessh.audit.IndexedAuditInput;
import org.mobilessh.audit.Rejection;
import org.mobilessh.audit.Session;
import org.mobilessh.audit.SourceLine;
import org.mobilessh.audit.Window;
import org.mobilessh.index.EventSearcher;
import org.mobilessh.index.IndexException;
import org.mobilessh.index.StoredEvent;
import org.mobilessh.index.StoredSnapshot;
import org.mobilessh.report.SpillSort;

/**
 * The month's CSV files ({@link CsvExport#FILES}) and the raw source lines behind them, written to
 * files as the audit streams: the four record files row by row as the records come ({@link
 * IndexedAuditInput#stream}), then {@code events.csv} and the raw files from the evidence pointers
 * of those rows, joined with the index's documents by sorting both on (path, line) in bounded runs
 * ({@link SpillSort}). Memory does not grow with the month; the same bytes as {@link
 * CsvExport#render} of a collected {@link MonthAudit}.
 */
public final class MonthExport {
  /** Records sorted in memory at once; more are spilled to temporary files. */
  static final int RUN_RECORDS = 100_000;

  private MonthExport() {}

  /**
   * What was written.
   *
   * @param rows data rows per file name (the CSV files, in {@link CsvExport#FILES} order)
   * @param indexedEvents documents of the index read for the month (with its lookback)
   * @param rawFiles the raw files written (names under {@code raw/}), {@code index.csv} last
   * @param snapshots the index's {@code rules snapshot} files of the month ({@link
   *     MonthAudit#relevant})
   */
  public record Written(
      YearMonth month,
      String host,
      long windows,
      long sessions,
      long rejections,
      long anomalies,
      Map<String, Long> rows,
      long indexedEvents,
      List<String> rawFiles,
      List<StoredSnapshot> snapshots) {
    public Written {
      rows = Map.copyOf(rows);
      rawFiles = List.copyOf(rawFiles);
      snapshots = List.copyOf(snapshots);
    }
  }

  /**
   * Reads the month as {@link MonthAudit#load} does and writes the five CSV files into {@code
   * csvDir} and, when {@code rawDir} is not null, the raw source lines ({@code NN-NAME.txt} and
   * {@code index.csv}) into {@code rawDir}. Both directories are created if missing; files of those
   * names are replaced.
   */
  public static Written write(
      Path index,
      YearMonth month,
      String host,
      AuditConfig config,
      Duration lookback,
      CsvExport.Variant variant,
      Path csvDir,
      Path rawDir) {
    return write(
        index, month, host, config, lookback, variant, csvDir, rawDir, true, null, Progress.NONE);
  }

  /**
   * Like {@link #write(Path, YearMonth, String, AuditConfig, Duration, CsvExport.Variant, Path,
   * Path)}, with or without the audit results kept with the index ({@code false}: reconstructed
   * from the events alone), the sort's run files in {@code tempDir} ({@code null}: the JVM's
   * temporary directory) and each step told to {@code progress}.
   */
  public static Written write(
      Path index,
      YearMonth month,
      String host,
      AuditConfig config,
      Duration lookback,
      CsvExport.Variant variant,
      Path csvDir,
      Path rawDir,
      boolean cache,
      Path tempDir,
      Progress progress) {
    return write(
        index,
        month,
        host,
        config,
        lookback,
        variant,
        csvDir,
        rawDir,
        RUN_RECORDS,
        null,
        tempDir,
        cache,
        progress);
  }

  /** With the run size and a check called with what is held after each record (for tests). */
  static Written write(
      Path index,
      YearMonth month,
      String host,
      AuditConfig config,
      Duration lookback,
      CsvExport.Variant variant,
      Path csvDir,
      Path rawDir,
      int runRecords,
      java.util.function.LongConsumer held,
      Path tempDir,
      boolean cache,
      Progress progress) {
    Instant start = month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    Instant end = month.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    Instant from = start.minus(lookback).minusSeconds(config.seconds());
    Instant to = end.plus(lookback);
    try {
      Files.createDirectories(csvDir);
      if (rawDir != null) {
        Files.createDirectories(rawDir);
      }
    } catch (IOException e) {
      throw new EvidenceException("cannot create " + csvDir + ": " + e.getMessage(), e);
    }
    try (SpillSort<Use> uses = new SpillSort<>(Use.ORDER, Use.CODEC, runRecords, tempDir);
        SpillSort<Doc> docs = new SpillSort<>(Doc.ORDER, Doc.CODEC, runRecords, tempDir);
        SpillSort<Ev> events = new SpillSort<>(Ev.ORDER, Ev.CODEC, runRecords, tempDir)) {
      List<StoredSnapshot> snapshots;
      long t0 = System.nanoTime();
      Rows rows =
          new Rows(csvDir, variant, uses, held, progress.phase("audit and CSV rows", "rows"));
      try (EventSearcher searcher = EventSearcher.open(index)) {
        snapshots = MonthAudit.relevant(searcher.snapshots(null, to, host), start, end);
        IndexedAuditInput.stream(
            searcher,
            from,
            to,
            host,
            new AuditEngine(config),
            AuditSink.month(month, rows),
            IndexedAuditInput.Options.defaults().withCache(cache).withProgress(progress::step));
      } catch (IndexException | AuditException e) {
        throw new EvidenceException(e.getMessage(), e);
      } finally {
        rows.close();
      }
      progress.step(
          "audit and CSV rows: "
              + Progress.count(rows.windows)
              + " windows, "
              + Progress.count(rows.sessions)
              + " sessions, "
              + Progress.count(rows.rejections)
              + " rejections, "
              + Progress.count(rows.anomalies)
              + " anomalies in "
              + Progress.since(t0));
      t0 = System.nanoTime();
      long indexed =
          docs(
              index,
              MonthAudit.query(from, to, host),
              docs,
              progress.phase("index documents", "documents"));
      progress.step(
          "index documents: " + Progress.count(indexed) + " read in " + Progress.since(t0));
      t0 = System.nanoTime();
      Map<String, Long> counts = new LinkedHashMap<>(rows.counts());
      List<String> raw = new ArrayList<>();
      long evidence =
          join(
              uses,
              docs,
              events,
              rows.paths,
              rawDir,
              raw,
              progress.phase("source lines behind the rows", "lines"));
      progress.step(
          "source lines behind the rows: "
              + Progress.count(evidence)
              + (rawDir == null ? "" : " in " + Math.max(0, raw.size() - 1) + " raw files")
              + " in "
              + Progress.since(t0));
      t0 = System.nanoTime();
      writeEvents(
          csvDir.resolve("events.csv"), variant, events, progress.phase("events.csv", "rows"));
      progress.step("events.csv: " + Progress.count(evidence) + " rows in " + Progress.since(t0));
      counts.put("events.csv", evidence);
      return new Written(
          month,
          host,
          rows.windows,
          rows.sessions,
          rows.rejections,
          rows.anomalies,
          counts,
          indexed,
          raw,
          snapshots);
    }
  }

  /** One evidence pointer of one row: which line, which row ({@code kind} in file order). */
  private record Use(String path, long line, int kind, long row, int position, String text) {
    static final Comparator<Use> ORDER =
        Comparator.comparing(Use::path)
            .thenComparingLong(Use::line)
            .thenComparingInt(Use::kind)
            .thenComparingLong(Use::row)
            .thenComparingInt(Use::position);

    static final SpillSort.Codec<Use> CODEC =
        new SpillSort.Codec<>() {
          @Override
          public void write(DataOutputStream out, Use u) throws IOException {
            string(out, u.path);
            out.writeLong(u.line);
            out.writeByte(u.kind);
            out.writeLong(u.row);
            out.writeInt(u.position);
            string(out, u.text);
          }

          @Override
          public Use read(DataInputStream in) throws IOException {
            return new Use(
                string(in), in.readLong(), in.readByte(), in.readLong(), in.readInt(), string(in));
          }
        };
  }

  /** What the index holds for one line ({@link IndexedLine} without the text), in doc order. */
  private record Doc(
      String path,
      long line,
      long seq,
      long offset,
      long micros,
      boolean timed,
      String action,
      String dataset,
      String observer,
      long hash,
      boolean hashed) {
    static final Comparator<Doc> ORDER =
        Comparator.comparing(Doc::path).thenComparingLong(Doc::line).thenComparingLong(Doc::seq);

    static final SpillSort.Codec<Doc> CODEC =
        new SpillSort.Codec<>() {
          @Override
          public void write(DataOutputStream out, Doc d) throws IOException {
            string(out, d.path);
            out.writeLong(d.line);
            out.writeLong(d.seq);
            out.writeLong(d.offset);
            out.writeLong(d.micros);
            out.writeBoolean(d.timed);
            string(out, d.action);
            string(out, d.dataset);
            string(out, d.observer);
            out.writeLong(d.hash);
            out.writeBoolean(d.hashed);
          }

          @Override
          public Doc read(DataInputStream in) throws IOException {
            return new Doc(
                string(in),
                in.readLong(),
                in.readLong(),
                in.readLong(),
                in.readLong(),
                in.readBoolean(),
                string(in),
                string(in),
                string(in),
                in.readLong(),
                in.readBoolean());
          }
        };

    IndexedLine indexed() {
      return new IndexedLine(
          path,
          line,
          offset,
          timed ? Instant.EPOCH.plus(micros, ChronoUnit.MICROS) : null,
          action,
          dataset,
          observer,
          hashed ? hash : null,
          null);
    }
  }

  /** One row of {@code events.csv}, before its sort by time. */
  private record Ev(Doc doc, String path, long line, String text, String usedBy) {
    static final Comparator<Ev> ORDER =
        Comparator.comparing(
                (Ev e) -> e.doc == null || !e.doc.timed ? Long.MAX_VALUE : e.doc.micros)
            .thenComparing(e -> e.doc == null || !e.doc.timed ? 1 : 0)
            .thenComparing(Ev::path)
            .thenComparingLong(Ev::line);

    static final SpillSort.Codec<Ev> CODEC =
        new SpillSort.Codec<>() {
          @Override
          public void write(DataOutputStream out, Ev e) throws IOException {
            out.writeBoolean(e.doc != null);
            if (e.doc != null) {
              Doc.CODEC.write(out, e.doc);
            }
            string(out, e.path);
            out.writeLong(e.line);
            string(out, e.text);
            string(out, e.usedBy);
          }

          @Override
          public Ev read(DataInputStream in) throws IOException {
            Doc d = in.readBoolean() ? Doc.CODEC.read(in) : null;
            return new Ev(d, string(in), in.readLong(), string(in), string(in));
          }
        };
  }

  /** The sink writing the four record files row by row and noting each row's evidence. */
  private static final class Rows implements AuditSink {
    private final Printer windowsCsv;
    private final Printer sessionsCsv;
    private final Printer rejectsCsv;
    private final Printer anomaliesCsv;
    private final SpillSort<Use> uses;
    private final java.util.function.LongConsumer held;
    private final AtomicLong done;
    final TreeSet<String> paths = new TreeSet<>();
    long windows;
    long sessions;
    long rejections;
    long anomalies;

    Rows(
        Path dir,
        CsvExport.Variant variant,
        SpillSort<Use> uses,
        java.util.function.LongConsumer held,
        AtomicLong done) {
      this.uses = uses;
      this.held = held;
      this.done = done;
      windowsCsv = new Printer(dir.resolve("windows.csv"), Window.CSV_COLUMNS, variant);
      sessionsCsv = new Printer(dir.resolve("sessions.csv"), Session.CSV_COLUMNS, variant);
      rejectsCsv = new Printer(dir.resolve("rejects.csv"), Rejection.CSV_COLUMNS, variant);
      anomaliesCsv = new Printer(dir.resolve("anomalies.csv"), Anomaly.CSV_COLUMNS, variant);
    }

    @Override
    public void window(Window w) {
      windowsCsv.row(w.csvValues());
      use(w.evidence(), 0, ++windows);
    }

    @Override
    public void session(Session s) {
      sessionsCsv.row(s.csvValues());
      use(s.evidence(), 1, ++sessions);
    }

    @Override
    public void rejection(Rejection r) {
      rejectsCsv.row(r.csvValues());
      use(List.of(r.evidence()), 2, ++rejections);
    }

    @Override
    public void anomaly(Anomaly a) {
      anomaliesCsv.row(a.csvValues());
      use(a.evidence(), 3, ++anomalies);
    }

    private void use(List<SourceLine> evidence, int kind, long row) {
      done.lazySet(done.get() + 1);
      for (int i = 0; i < evidence.size(); i++) {
        SourceLine l = evidence.get(i);
        paths.add(l.sourcePath());
        uses.add(new Use(l.sourcePath(), l.lineNumber(), kind, row, i, l.line()));
      }
      if (held != null) {
        held.accept(uses.held() + paths.size());
      }
    }

    Map<String, Long> counts() {
      Map<String, Long> m = new LinkedHashMap<>();
      m.put("windows.csv", windows);
      m.put("sessions.csv", sessions);
      m.put("rejects.csv", rejections);
      m.put("anomalies.csv", anomalies);
      return m;
    }

    void close() {
      windowsCsv.close();
      sessionsCsv.close();
      rejectsCsv.close();
      anomaliesCsv.close();
    }
  }

  /** One CSV file written row by row, as {@link CsvExport#csv} writes it whole. */
  private static final class Printer {
    private final Path file;
    private final CsvExport.Variant variant;
    private final CSVPrinter printer;

    Printer(Path file, List<String> header, CsvExport.Variant variant) {
      this.file = file;
      this.variant = variant;
      try {
        Writer w =
            new BufferedWriter(
                new OutputStreamWriter(Files.newOutputStream(file), StandardCharsets.UTF_8),
                1 << 16);
        if (variant == CsvExport.Variant.SPREADSHEET_SAFE) {
          w.write('\uFEFF');
        }
        printer = new CSVPrinter(w, CsvExport.FORMAT);
        printer.printRecord(CsvExport.cells(header, variant));
      } catch (IOException e) {
        throw new EvidenceException("cannot write " + file + ": " + e.getMessage(), e);
      }
    }

    void row(List<String> cells) {
      try {
        printer.printRecord(CsvExport.cells(cells, variant));
      } catch (IOException e) {
        throw new EvidenceException("cannot write " + file + ": " + e.getMessage(), e);
      }
    }

    void close() {
      try {
        printer.close();
      } catch (IOException e) {
        throw new EvidenceException("cannot write " + file + ": " + e.getMessage(), e);
      }
    }
  }

  /** Every document of {@code query}, as {@link MonthAudit} reads them; returns how many. */
  private static long docs(Path index, Query query, SpillSort<Doc> out, AtomicLong done) {
    long seq = 0;
    try (Directory d = FSDirectory.open(index);
        DirectoryReader reader = DirectoryReader.open(d)) {
      IndexSearcher searcher = new IndexSearcher(reader);
      StoredEvent.Decoder decoder = StoredEvent.Decoder.of(reader.getIndexCommit().getUserData());
      Weight w = searcher.createWeight(searcher.rewrite(query), ScoreMode.COMPLETE_NO_SCORES, 1);
      java.util.Map<String, String> shared = new java.util.HashMap<>();
      for (LeafReaderContext leaf : reader.leaves()) {
        Scorer s = w.scorer(leaf);
        if (s == null) {
          continue;
        }
        NumericDocValues hash = leaf.reader().getNumericDocValues(org.mobilessh.index.Fields.HASH);
        NumericDocValues time =
            leaf.reader().getNumericDocValues(org.mobilessh.index.Fields.TIMESTAMP);
        StoredFields stored = leaf.reader().storedFields();
        DocIdSetIterator it = s.iterator();
        for (int doc = it.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = it.nextDoc()) {
          StoredEvent f = decoder.decode(stored.document(doc, StoredEvent.Decoder.fields()));
          String path =
              f.sourcePath() == null ? "" : shared.computeIfAbsent(f.sourcePath(), p -> p);
          boolean hashed = hash != null && hash.advanceExact(doc);
          boolean timed = time != null && time.advanceExact(doc);
          out.add(
              new Doc(
                  path,
                  Math.max(0, f.lineNumber()),
                  seq++,
                  f.byteOffset(),
                  timed ? time.longValue() : 0,
                  timed,
                  f.action(),
                  f.dataset(),
                  f.observer(),
                  hashed ? hash.longValue() : 0,
                  hashed));
          done.lazySet(seq);
        }
      }
    } catch (IOException | IndexException e) {
      throw new EvidenceException("cannot read index " + index + ": " + e.getMessage(), e);
    }
    return seq;
  }

  /**
   * Joins the evidence pointers with the index's documents on (path, line): per distinct line, the
   * text of its first use, the rows using it (in file and row order) and the last document of that
   * path and line (as a map keyed by them would keep). Writes the raw files in (path, line) order
   * and hands each line on to the time sort of {@code events.csv}. Returns the distinct lines.
   */
  private static long join(
      SpillSort<Use> uses,
      SpillSort<Doc> docs,
      SpillSort<Ev> events,
      TreeSet<String> paths,
      Path rawDir,
      List<String> rawFiles,
      AtomicLong done) {
    String[] kinds = {"windows:", "sessions:", "rejects:", "anomalies:"};
    int width = Math.max(2, Integer.toString(paths.size()).length());
    long lines = 0;
    RawWriter raw = rawDir == null ? null : new RawWriter(rawDir, width, rawFiles);
    try (SpillSort<Use>.Cursor u = uses.sorted();
        SpillSort<Doc>.Cursor d = docs.sorted()) {
      Use next = u.next();
      Doc doc = d.next();
      while (next != null) {
        Use first = next;
        StringBuilder usedBy = new StringBuilder();
        int lastKind = -1;
        long lastRow = -1;
        while (next != null && next.path.equals(first.path) && next.line == first.line) {
          if (next.kind != lastKind || next.row != lastRow) {
            if (usedBy.length() > 0) {
              usedBy.append(' ');
            }
            usedBy.append(kinds[next.kind]).append(next.row);
            lastKind = next.kind;
            lastRow = next.row;
          }
          next = u.next();
        }
        // documents before this line have no use; of this line's, the last in index order counts
        while (doc != null && before(doc, first)) {
          doc = d.next();
        }
        Doc match = null;
        while (doc != null && doc.path.equals(first.path) && doc.line == first.line) {
          match = doc;
          doc = d.next();
        }
        lines++;
        done.lazySet(lines);
        if (raw != null) {
          raw.line(first, match);
        }
        events.add(new Ev(match, first.path, first.line, first.text, usedBy.toString()));
      }
    }
    if (raw != null) {
      raw.finish();
    }
    return lines;
  }

  private static boolean before(Doc d, Use u) {
    int c = d.path.compareTo(u.path);
    return c < 0 || (c == 0 && d.line < u.line);
  }

  /** The raw files of the bundle, one source at a time, and their {@code index.csv}. */
  private static final class RawWriter {
    private final Path dir;
    private final int width;
    private final List<String> names;
    private final Printer index;
    private String path;
    private OutputStream out;
    private int line;
    private final MessageDigest sha = BagWriter.digest();

    RawWriter(Path dir, int width, List<String> names) {
      this.dir = dir;
      this.width = width;
      this.names = names;
      this.index =
          new Printer(
              dir.resolve("index.csv"), EvidenceBundle.RAW_INDEX_COLUMNS, CsvExport.Variant.RAW);
    }

    void line(Use u, Doc d) {
      try {
        if (!u.path.equals(path)) {
          closeFile();
          path = u.path;
          String file = path.substring(path.lastIndexOf('/') + 1);
          String name =
              String.format("%0" + width + "d", names.size() + 1)
                  + "-"
                  + BagPaths.segment(file)
                  + ".txt";
          names.add(name);
          out = new java.io.BufferedOutputStream(Files.newOutputStream(dir.resolve(name)), 1 << 16);
          line = 0;
        }
        line++;
        byte[] text = u.text.getBytes(StandardCharsets.UTF_8);
        out.write(text);
        out.write('\n');
        index.row(
            List.of(
                names.get(names.size() - 1),
                Integer.toString(line),
                u.path,
                Long.toString(u.line),
                d == null || d.offset < 0 ? "" : Long.toString(d.offset),
                HexFormat.of().formatHex(sha.digest(text)),
                d == null || !d.hashed ? "" : String.format("%016x", d.hash)));
      } catch (IOException e) {
        throw new EvidenceException("cannot write " + dir + ": " + e.getMessage(), e);
      }
    }

    private void closeFile() throws IOException {
      if (out != null) {
        out.close();
        out = null;
      }
    }

    void finish() {
      try {
        closeFile();
      } catch (IOException e) {
        throw new EvidenceException("cannot write " + dir + ": " + e.getMessage(), e);
      }
      index.close();
      names.add("index.csv");
    }
  }

  private static void writeEvents(
      Path file, CsvExport.Variant variant, SpillSort<Ev> events, AtomicLong done) {
    Printer p = new Printer(file, CsvExport.EVENT_COLUMNS, variant);
    try {
      events.drain(
          e -> {
            done.lazySet(done.get() + 1);
            IndexedLine l = e.doc == null ? null : e.doc.indexed();
            p.row(
                List.of(
                    l == null ? "" : AuditFormat.time(l.timestamp()),
                    l == null || l.action() == null ? "" : l.action(),
                    l == null || l.observer() == null ? "" : l.observer(),
                    l == null || l.dataset() == null ? "" : l.dataset(),
                    e.path,
                    Long.toString(e.line),
                    l == null || l.offset() < 0 ? "" : Long.toString(l.offset()),
                    l == null ? "" : l.hashText(),
                    e.text,
                    e.usedBy));
          });
    } finally {
      p.close();
    }
  }

  private static void string(DataOutputStream out, String s) throws IOException {
    if (s == null) {
      out.writeInt(-1);
      return;
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static String string(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      return null;
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }
}
