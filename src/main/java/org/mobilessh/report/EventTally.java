package org.mobilessh.report;

import java.io.Closeable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.mobilessh.audit.TracedEvent;

/**
 * Counts the report's {@link EventFigures} one event at a time, in time order. Bounded by sources,
 * days, routers and silences, not by events.
 *
 * <p>The input digest is a SHA-256 over every event in (source path, line number) order, which is
 * not the order events are read in: the lines go through a {@link LineSort} (at most {@link
 * #RUN_RECORDS} out of order in memory, the rest in temporary files), so memory stays bounded
 * however many events the month has.
 *
 * <p>The events may also come as several reads, one per router, each in its own time order (the
 * audit's per-router streams, see {@link FiguresTap}): each read goes into a {@link #shard} with
 * the events' places in the order one read of them all has (time, then document number), and {@link
 * #figures} adds the shards up into the figures that one read would give.
 */
public final class EventTally implements Consumer<TracedEvent>, Closeable {
  /** Events sorted in memory at once for the digest; more go to run files. */
  static final int RUN_RECORDS = 100_000;

  private final Instant from;
  private final Instant to;
  private final Paths paths;
  private final int runRecords;
  private final java.nio.file.Path tempDir;

  private long read;
  private Instant lastRead;
  private long inMonth;
  private final Map<String, long[]> perSource = new TreeMap<>();
  private final Map<String, Instant[]> spans = new TreeMap<>();
  private final Map<LocalDate, SortedMap<String, Long>> perDay = new TreeMap<>();
  private final TreeSet<String> routers = new TreeSet<>();
  private final Map<String, Instant> lastOfRouter = new HashMap<>();
  private final Map<String, List<EventFigures.Gap>> gaps = new TreeMap<>();
  // consecutive events nearly always share source, router and day: the tables above are looked up
  // when one of them changes, not per event (the router's last time stays in lastTime meanwhile)
  private String lastPath;
  private long[] lastCount;
  private Instant[] lastSpan;
  private String lastRouter;
  private Instant lastTime;
  private long lastDay = Long.MIN_VALUE;
  private long[] lastDayCount;
  // per UTC day (epoch day): events per router, as counters while counting
  private final Map<Long, Map<String, long[]>> dayCounts = new HashMap<>();

  // the digest's sort: the lines' texts by source path, line number, then place in the read
  private final LineSort lines;
  private final Map<String, Integer> pathIds = new HashMap<>(); // this tally's memo of paths
  private long seq;
  private final List<EventTally> shards = new ArrayList<>(); // guarded by itself
  private EventFigures figures;

  /** The source paths of a tally and its shards, numbered as first met. Thread-safe. */
  private static final class Paths {
    private final Map<String, Integer> ids = new HashMap<>();
    private final List<String> names = new ArrayList<>();
    private final List<byte[]> utf8 = new ArrayList<>();

    synchronized int id(String path) {
      Integer id = ids.get(path);
      if (id == null) {
        id = names.size();
        ids.put(path, id);
        names.add(path);
        utf8.add(path.getBytes(StandardCharsets.UTF_8));
      }
      return id;
    }

    synchronized String name(int id) {
      return names.get(id);
    }

    synchronized byte[] utf8(int id) {
      return utf8.get(id);
    }

    synchronized int size() {
      return names.size();
    }

    /** Each path's place in name order, once no path is added any more; else {@code null}. */
    volatile int[] rank;

    /** No path is added from now on: the order compares ranks instead of names. */
    synchronized void freeze() {
      Integer[] byName = new Integer[names.size()];
      for (int i = 0; i < byName.length; i++) {
        byName[i] = i;
      }
      java.util.Arrays.sort(byName, (x, y) -> names.get(x).compareTo(names.get(y)));
      int[] r = new int[byName.length];
      for (int i = 0; i < byName.length; i++) {
        r[byName[i]] = i;
      }
      rank = r;
    }

    int compare(int a, int b) {
      if (a == b) {
        return 0;
      }
      int[] r = rank;
      return r != null ? Integer.compare(r[a], r[b]) : name(a).compareTo(name(b));
    }
  }

  /**
   * @param from the first instant of the month
   * @param to the first instant after it
   */
  public EventTally(Instant from, Instant to) {
    this(from, to, RUN_RECORDS, null);
  }

  /** With the run size, and where run files go ({@code null}: the JVM's temp directory). */
  EventTally(Instant from, Instant to, int runRecords, java.nio.file.Path tempDir) {
    this(from, to, runRecords, tempDir, new Paths());
  }

  private EventTally(
      Instant from, Instant to, int runRecords, java.nio.file.Path tempDir, Paths paths) {
    this.from = from;
    this.to = to;
    this.paths = paths;
    this.runRecords = runRecords;
    this.tempDir = tempDir;
    this.lines = new LineSort(paths::compare, runRecords, tempDir);
  }

  /**
   * A tally of one of several reads that together are this tally's read (see the class comment);
   * fed with {@link #accept(TracedEvent, int)} on one thread, while other shards are fed on others.
   * This tally takes no event of its own then.
   */
  public EventTally shard() {
    if (read > 0 || figures != null) {
      throw new IllegalStateException("a tally with events of its own has no shards");
    }
    EventTally s = new EventTally(from, to, runRecords, tempDir, paths);
    synchronized (shards) {
      shards.add(s);
    }
    return s;
  }

  /** Drops every shard and what they counted (their reads start again). */
  public void dropShards() {
    synchronized (shards) {
      for (EventTally s : shards) {
        s.close();
      }
      shards.clear();
    }
  }

  /** One event read; events come in time order (as {@code EventSearcher.forEach} reads them). */
  @Override
  public void accept(TracedEvent e) {
    synchronized (shards) {
      if (!shards.isEmpty()) {
        throw new IllegalStateException("a tally with shards takes no events of its own");
      }
    }
    count(e, 0, seq++);
  }

  /**
   * One event of a shard's read, in that read's order.
   *
   * @param doc its document number in the index reader every shard reads
   */
  public void accept(TracedEvent e, int doc) {
    Instant t = e.time();
    if (t == null) {
      throw new IllegalArgumentException("a shard's events have a time");
    }
    count(
        e,
        Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000),
        doc);
  }

  /** This shard's read is over: its lines leave memory for a run file. */
  public void done() {
    lines.finishRead();
  }

  private void count(TracedEvent e, long order1, long order2) {
    if (figures != null) {
      throw new IllegalStateException("the figures were taken already");
    }
    read++;
    sortForDigest(e, order1, order2);
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
    String path = e.sourcePath();
    if (lastCount == null || !path.equals(lastPath)) {
      lastCount = perSource.computeIfAbsent(path, k -> new long[1]);
      lastSpan = spans.computeIfAbsent(path, k -> new Instant[2]);
      lastPath = path;
    }
    lastCount[0]++;
    Instant[] s = lastSpan;
    if (s[0] == null || t.isBefore(s[0])) {
      s[0] = t;
    }
    if (s[1] == null || t.isAfter(s[1])) {
      s[1] = t;
    }
    String router = e.observer();
    boolean sameRouter = lastRouter != null && router.equals(lastRouter);
    if (!sameRouter) {
      leaveRouter();
      routers.add(router);
      lastRouter = router;
      lastTime = lastOfRouter.get(router);
      lastDay = Long.MIN_VALUE;
    }
    // the UTC day without a ZonedDateTime (and the ZoneRules it builds) per event
    long day = Math.floorDiv(t.getEpochSecond(), 86_400L);
    if (day != lastDay) {
      lastDayCount =
          dayCounts
              .computeIfAbsent(day, k -> new HashMap<>())
              .computeIfAbsent(router, k -> new long[1]);
      lastDay = day;
    }
    lastDayCount[0]++;
    Instant prev = lastTime;
    if (prev != null && t.isBefore(prev)) {
      throw new IllegalStateException(
          "events of " + router + " out of time order: " + t + " after " + prev);
    }
    gap(router, prev == null ? from : prev, t);
    lastTime = t;
  }

  /** The router counted last gets its last time back into the table (another one comes). */
  private void leaveRouter() {
    if (lastRouter != null) {
      lastOfRouter.put(lastRouter, lastTime);
      lastRouter = null;
    }
  }

  /** The per-day counters as the figures have them. */
  private void foldDays() {
    dayCounts.forEach(
        (day, m) -> {
          SortedMap<String, Long> mine =
              perDay.computeIfAbsent(LocalDate.ofEpochDay(day), x -> new TreeMap<>());
          m.forEach((r, n) -> mine.merge(r, n[0], Long::sum));
        });
    dayCounts.clear();
    lastDay = Long.MIN_VALUE;
    lastDayCount = null;
  }

  private void gap(String router, Instant a, Instant b) {
    // Duration.between(a, b).getSeconds(), without the Duration
    long s = b.getEpochSecond() - a.getEpochSecond() - (b.getNano() < a.getNano() ? 1 : 0);
    if (s >= ReportModel.GAP.getSeconds()) {
      gaps.computeIfAbsent(router, k -> new ArrayList<>())
          .add(new EventFigures.Gap(router, a, b, s));
    }
  }

  /** Events read so far. */
  long read() {
    return read;
  }

  /** Events read inside the month so far. */
  long inMonth() {
    return inMonth;
  }

  /**
   * Entries of the per-source, per-day and per-router tables and silences held; with the digest's
   * in-memory run, what this tally holds (for tests that prove it does not keep the events).
   */
  int keysHeld() {
    int n =
        perSource.size()
            + spans.size()
            + routers.size()
            + lastOfRouter.size()
            + paths.size()
            + pathIds.size();
    for (Map<String, Long> d : perDay.values()) {
      n += 1 + d.size();
    }
    for (Map<String, long[]> d : dayCounts.values()) {
      n += 1 + d.size();
    }
    for (List<EventFigures.Gap> g : gaps.values()) {
      n += g.size();
    }
    return n;
  }

  /** Events held in memory for the digest's sort (at most one run). */
  int linesHeld() {
    return lines.held();
  }

  /** Run files written so far. */
  int runsSpilled() {
    return lines.spilled();
  }

  private void sortForDigest(TracedEvent e, long order1, long order2) {
    Integer id = pathIds.get(e.sourcePath());
    if (id == null) {
      id = paths.id(e.sourcePath());
      pathIds.put(e.sourcePath(), id);
    }
    // the path and line number are added back when the digest is taken
    lines.add(id, e.lineNumber(), order1, order2, e.originalLine());
  }

  /**
   * The figures of the events read; takes the digest (see {@link EventFigures#digest}), so it ends
   * the tally: no event may follow.
   */
  public EventFigures figures() {
    if (figures != null) {
      return figures;
    }
    List<EventTally> parts = new ArrayList<>();
    parts.add(this);
    synchronized (shards) {
      parts.addAll(shards);
    }
    for (EventTally p : parts) {
      p.leaveRouter();
      p.foldDays();
    }
    for (int i = 1; i < parts.size(); i++) {
      EventTally p = parts.get(i);
      p.figures = EMPTY_MARK;
      lines.absorb(p.lines);
      read += p.read;
      if (p.lastRead != null && (lastRead == null || p.lastRead.isAfter(lastRead))) {
        lastRead = p.lastRead;
      }
      inMonth += p.inMonth;
      p.perSource.forEach((k, n) -> perSource.computeIfAbsent(k, x -> new long[1])[0] += n[0]);
      p.spans.forEach(
          (k, v) -> {
            Instant[] s = spans.computeIfAbsent(k, x -> new Instant[2]);
            if (s[0] == null || v[0].isBefore(s[0])) {
              s[0] = v[0];
            }
            if (s[1] == null || v[1].isAfter(s[1])) {
              s[1] = v[1];
            }
          });
      p.perDay.forEach(
          (d, m) -> {
            SortedMap<String, Long> mine = perDay.computeIfAbsent(d, x -> new TreeMap<>());
            m.forEach((r, n) -> mine.merge(r, n, Long::sum));
          });
      routers.addAll(p.routers);
      p.lastOfRouter.forEach(
          (r, t) -> {
            if (lastOfRouter.put(r, t) != null) {
              // a router's silences are only seen in one read of all its events
              throw new IllegalStateException("events of router " + r + " in two shards");
            }
          });
      gaps.putAll(p.gaps);
    }
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
    paths.freeze();
    byte[][] prefix = {null};
    int[] prefixPath = {-1};
    long[] prefixLine = {0};
    lines.drain(
        (path, line, text, off, len) -> {
          // PATH TAB LINE TAB, the same for the lines of one path and number
          if (path != prefixPath[0] || line != prefixLine[0] || prefix[0] == null) {
            byte[] p = paths.utf8(path);
            byte[] n = Long.toString(line).getBytes(StandardCharsets.US_ASCII);
            byte[] b = new byte[p.length + n.length + 2];
            System.arraycopy(p, 0, b, 0, p.length);
            b[p.length] = '\t';
            System.arraycopy(n, 0, b, p.length + 1, n.length);
            b[b.length - 1] = '\t';
            prefix[0] = b;
            prefixPath[0] = path;
            prefixLine[0] = line;
          }
          md.update(prefix[0]);
          md.update(text, off, len);
          md.update((byte) '\n');
        });
    String digest = HexFormat.of().formatHex(md.digest());
    TreeMap<String, EventFigures.Source> sources = new TreeMap<>();
    perSource.forEach(
        (p, n) -> sources.put(p, new EventFigures.Source(n[0], spans.get(p)[0], spans.get(p)[1])));
    List<EventFigures.Gap> all = new ArrayList<>();
    for (String r : routers) {
      all.addAll(gaps.getOrDefault(r, List.of()));
      Instant last = lastOfRouter.get(r);
      long s = Duration.between(last, to).getSeconds();
      if (s >= ReportModel.GAP.getSeconds()) {
        all.add(new EventFigures.Gap(r, last, to, s));
      }
    }
    figures =
        new EventFigures(
            read, lastRead, inMonth, sources, routers, new TreeMap<>(perDay), all, digest);
    return figures;
  }

  /** What a shard's {@link #figures} field holds once its parent took it in. */
  private static final EventFigures EMPTY_MARK =
      new EventFigures(
          0, null, 0, new TreeMap<>(), new TreeSet<>(), new TreeMap<>(), List.of(), "absorbed");

  /** Deletes the digest's temporary files. */
  @Override
  public void close() {
    lines.close();
    dropShards();
  }
}
