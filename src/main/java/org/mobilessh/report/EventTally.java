package org.mobilessh.report;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.mobilessh.audit.TracedEvent;

/**
 * The report's figures of the events read (the month widened by the lookback), tallied one event at
 * a time in time order: how many, the last time read, and for the events inside the month the
 * counts and first/last times per source, the counts per day and router, and the silences of {@link
 * ReportModel#GAP} or more per router. Bounded by sources, days, routers and silences, not by
 * events.
 *
 * <p>The input digest ({@link #digest}) is a SHA-256 over every event in (source path, line number)
 * order, which is not the order events are read in: the lines are sorted in runs of bounded size,
 * spilled to temporary files past {@link #RUN_RECORDS} records and merged back, so memory stays
 * bounded however many events the month has.
 */
public final class EventTally implements Consumer<TracedEvent>, Closeable {
  /** Events sorted in memory at once for the digest; more go to run files. */
  static final int RUN_RECORDS = 100_000;

  /** Runs merged at once (open files); more are merged in rounds. */
  static final int FAN_IN = 64;

  /** A silence in one router's events. */
  record Gap(String router, Instant from, Instant to, long seconds) {}

  private final Instant from;
  private final Instant to;
  private final int runRecords;
  private final Path tempDir;

  private long read;
  private Instant lastRead;
  private long inMonth;
  private final Map<String, long[]> perSource = new TreeMap<>();
  private final Map<String, Instant[]> spans = new TreeMap<>();
  private final Map<LocalDate, Map<String, Long>> perDay = new TreeMap<>();
  private final TreeSet<String> routers = new TreeSet<>();
  private final Map<String, Instant> lastOfRouter = new HashMap<>();
  private final Map<String, List<Gap>> gaps = new TreeMap<>();

  // the digest's sort: source paths by id, the current run in memory, the spilled runs
  private final Map<String, Integer> pathIds = new HashMap<>();
  private final List<String> paths = new ArrayList<>();
  private final List<Line> run = new ArrayList<>();
  private final List<Path> runFiles = new ArrayList<>();
  private long seq;
  private String digest;

  private record Line(int path, long line, long seq, String text) {}

  /**
   * @param from the first instant of the month
   * @param to the first instant after it
   */
  public EventTally(Instant from, Instant to) {
    this(from, to, RUN_RECORDS, null);
  }

  /** For tests: the run size, and where run files go ({@code null}: the JVM's temp directory). */
  EventTally(Instant from, Instant to, int runRecords, Path tempDir) {
    this.from = from;
    this.to = to;
    this.runRecords = runRecords;
    this.tempDir = tempDir;
  }

  /** One event read; events come in time order (as {@code EventSearcher.forEach} reads them). */
  @Override
  public void accept(TracedEvent e) {
    if (digest != null) {
      throw new IllegalStateException("the digest was taken already");
    }
    read++;
    sortForDigest(e);
    Instant t = e.time();
    if (t == null) {
      return;
    }
    if (lastRead == null || t.isAfter(lastRead)) {
      lastRead = t;
    }
    if (t.isBefore(from) || !t.isBefore(to)) {
      return;
    }
    inMonth++;
    perSource.computeIfAbsent(e.sourcePath(), k -> new long[1])[0]++;
    Instant[] s = spans.computeIfAbsent(e.sourcePath(), k -> new Instant[2]);
    if (s[0] == null || t.isBefore(s[0])) {
      s[0] = t;
    }
    if (s[1] == null || t.isAfter(s[1])) {
      s[1] = t;
    }
    String router = e.observer();
    routers.add(router);
    perDay
        .computeIfAbsent(t.atZone(ZoneOffset.UTC).toLocalDate(), k -> new TreeMap<>())
        .merge(router, 1L, Long::sum);
    Instant prev = lastOfRouter.get(router);
    if (prev != null && t.isBefore(prev)) {
      throw new IllegalStateException(
          "events of " + router + " out of time order: " + t + " after " + prev);
    }
    gap(router, prev == null ? from : prev, t);
    lastOfRouter.put(router, t);
  }

  private void gap(String router, Instant a, Instant b) {
    long s = Duration.between(a, b).getSeconds();
    if (s >= ReportModel.GAP.getSeconds()) {
      gaps.computeIfAbsent(router, k -> new ArrayList<>()).add(new Gap(router, a, b, s));
    }
  }

  /** Events read. */
  public long read() {
    return read;
  }

  /** The latest event time read, or {@code null}. */
  public Instant lastRead() {
    return lastRead;
  }

  /** Events read inside the month. */
  public long inMonth() {
    return inMonth;
  }

  /** Per source path: events inside the month. */
  Map<String, long[]> perSource() {
    return Collections.unmodifiableMap(perSource);
  }

  /** Per source path: first and last event time inside the month. */
  Map<String, Instant[]> spans() {
    return Collections.unmodifiableMap(spans);
  }

  /** Per UTC day: events per router. */
  Map<LocalDate, Map<String, Long>> perDay() {
    return Collections.unmodifiableMap(perDay);
  }

  /** The routers with events in the month ({@code ""} for events that name none). */
  TreeSet<String> routers() {
    return new TreeSet<>(routers);
  }

  /**
   * The silences of {@link ReportModel#GAP} or more: per router (in name order) from the month's
   * start to its first event, between events, and from its last event to the month's end.
   */
  List<Gap> gaps() {
    List<Gap> out = new ArrayList<>();
    for (String r : routers) {
      out.addAll(gaps.getOrDefault(r, List.of()));
      Instant last = lastOfRouter.get(r);
      long s = Duration.between(last, to).getSeconds();
      if (s >= ReportModel.GAP.getSeconds()) {
        out.add(new Gap(r, last, to, s));
      }
    }
    return out;
  }

  /**
   * Entries of the per-source, per-day and per-router tables and silences held; with the digest's
   * in-memory run, what this tally holds (for tests that prove it does not keep the events).
   */
  int keysHeld() {
    int n = perSource.size() + spans.size() + routers.size() + lastOfRouter.size() + paths.size();
    for (Map<String, Long> d : perDay.values()) {
      n += 1 + d.size();
    }
    for (List<Gap> g : gaps.values()) {
      n += g.size();
    }
    return n;
  }

  /** Events held in memory for the digest's sort (at most one run). */
  int linesHeld() {
    return run.size();
  }

  /** Run files written so far. */
  int runsSpilled() {
    return runFiles.size();
  }

  private void sortForDigest(TracedEvent e) {
    Integer id = pathIds.get(e.sourcePath());
    if (id == null) {
      id = paths.size();
      pathIds.put(e.sourcePath(), id);
      paths.add(e.sourcePath());
    }
    run.add(new Line(id, e.lineNumber(), seq++, e.originalLine()));
    if (run.size() >= runRecords) {
      spill();
    }
  }

  private Comparator<Line> order() {
    return Comparator.comparing((Line l) -> paths.get(l.path()))
        .thenComparingLong(Line::line)
        .thenComparingLong(Line::seq);
  }

  private byte[] bytes(Line l) {
    return (paths.get(l.path()) + "\t" + l.line() + "\t" + l.text() + "\n")
        .getBytes(StandardCharsets.UTF_8);
  }

  private void spill() {
    run.sort(order());
    Path f = tempFile();
    runFiles.add(f);
    try (DataOutputStream out = output(f)) {
      for (Line l : run) {
        write(out, l.path(), l.line(), l.seq(), bytes(l));
      }
    } catch (IOException e) {
      throw new ReportException("cannot write a temporary file: " + e.getMessage(), e);
    }
    run.clear();
  }

  private Path tempFile() {
    try {
      return tempDir == null
          ? Files.createTempFile("mobilessh-report-digest-", ".run")
          : Files.createTempFile(tempDir, "mobilessh-report-digest-", ".run");
    } catch (IOException e) {
      throw new ReportException("cannot create a temporary file: " + e.getMessage(), e);
    }
  }

  private static DataOutputStream output(Path f) throws IOException {
    return new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(f), 1 << 16));
  }

  private static void write(DataOutputStream out, int path, long line, long seq, byte[] b)
      throws IOException {
    out.writeInt(path);
    out.writeLong(line);
    out.writeLong(seq);
    out.writeInt(b.length);
    out.write(b);
  }

  /**
   * SHA-256 over the events read, in order of source path, then line number, then reading order:
   * for each {@code PATH TAB LINE TAB TEXT LF} in UTF-8, so anyone with the same index (or the
   * evidence CSVs) recomputes it. Ends the tally (no event may follow).
   */
  public String digest() {
    if (digest != null) {
      return digest;
    }
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
    if (runFiles.isEmpty()) {
      run.sort(order());
      for (Line l : run) {
        md.update(bytes(l));
      }
      run.clear();
    } else {
      if (!run.isEmpty()) {
        spill();
      }
      while (runFiles.size() > FAN_IN) {
        List<Path> group = new ArrayList<>(runFiles.subList(0, FAN_IN));
        runFiles.subList(0, FAN_IN).clear();
        Path merged = tempFile();
        runFiles.add(merged);
        try (DataOutputStream out = output(merged)) {
          merge(group, r -> write(out, r.path, r.line, r.seq, r.bytes));
        } catch (IOException e) {
          throw new ReportException("cannot write a temporary file: " + e.getMessage(), e);
        } finally {
          delete(group);
        }
      }
      merge(runFiles, r -> md.update(r.bytes));
    }
    digest = HexFormat.of().formatHex(md.digest());
    close();
    return digest;
  }

  /** One spilled run being merged: its next record. */
  private final class Reader {
    final DataInputStream in;
    int path;
    long line;
    long seq;
    byte[] bytes;

    Reader(Path f) throws IOException {
      in = new DataInputStream(new BufferedInputStream(Files.newInputStream(f), 1 << 16));
    }

    boolean next() throws IOException {
      try {
        path = in.readInt();
      } catch (EOFException end) {
        in.close();
        return false;
      }
      line = in.readLong();
      seq = in.readLong();
      bytes = new byte[in.readInt()];
      in.readFully(bytes);
      return true;
    }
  }

  /** What is done with each record of a merge, in order. */
  private interface Each {
    void accept(Reader r) throws IOException;
  }

  private void merge(List<Path> files, Each each) {
    Comparator<Reader> c =
        Comparator.comparing((Reader r) -> paths.get(r.path))
            .thenComparingLong(r -> r.line)
            .thenComparingLong(r -> r.seq);
    PriorityQueue<Reader> heads = new PriorityQueue<>(c);
    List<Reader> open = new ArrayList<>();
    try {
      for (Path f : files) {
        Reader r = new Reader(f);
        open.add(r);
        if (r.next()) {
          heads.add(r);
        }
      }
      while (!heads.isEmpty()) {
        Reader r = heads.poll();
        each.accept(r);
        if (r.next()) {
          heads.add(r);
        }
      }
    } catch (IOException e) {
      throw new ReportException("cannot read a temporary file: " + e.getMessage(), e);
    } finally {
      for (Reader r : open) {
        try {
          r.in.close();
        } catch (IOException ignored) {
          // the run files are deleted next
        }
      }
    }
  }

  private static void delete(List<Path> files) {
    for (Path f : files) {
      try {
        Files.deleteIfExists(f);
      } catch (IOException ignored) {
        // a temporary file left behind is not worth failing the report for
      }
    }
  }

  /** Deletes the digest's temporary files. */
  @Override
  public void close() {
    delete(runFiles);
    runFiles.clear();
    run.clear();
  }
}
