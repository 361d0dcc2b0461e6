package org.mobilessh.report;

import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
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
 * not the order events are read in: the lines go through a {@link SpillSort} (runs of at most
 * {@link #RUN_RECORDS} in memory, the rest in temporary files), so memory stays bounded however
 * many events the month has.
 */
public final class EventTally implements Consumer<TracedEvent>, Closeable {
  /** Events sorted in memory at once for the digest; more go to run files. */
  static final int RUN_RECORDS = 100_000;

  private final Instant from;
  private final Instant to;

  private long read;
  private Instant lastRead;
  private long inMonth;
  private final Map<String, long[]> perSource = new TreeMap<>();
  private final Map<String, Instant[]> spans = new TreeMap<>();
  private final Map<LocalDate, SortedMap<String, Long>> perDay = new TreeMap<>();
  private final TreeSet<String> routers = new TreeSet<>();
  private final Map<String, Instant> lastOfRouter = new HashMap<>();
  private final Map<String, List<EventFigures.Gap>> gaps = new TreeMap<>();

  // the digest's sort: source paths by id, the lines as their digested bytes
  private final Map<String, Integer> pathIds = new HashMap<>();
  private final List<String> paths = new ArrayList<>();
  private final SpillSort<Line> lines;
  private EventFigures figures;

  /** One event's digested bytes, sorted by path, then line; ties keep their reading order. */
  private record Line(int path, long line, byte[] bytes) {}

  private static final SpillSort.Codec<Line> LINE =
      new SpillSort.Codec<>() {
        @Override
        public void write(DataOutputStream out, Line l) throws IOException {
          out.writeInt(l.path());
          out.writeLong(l.line());
          out.writeInt(l.bytes().length);
          out.write(l.bytes());
        }

        @Override
        public Line read(DataInputStream in) throws IOException {
          int path = in.readInt();
          long line = in.readLong();
          byte[] b = new byte[in.readInt()];
          in.readFully(b);
          return new Line(path, line, b);
        }
      };

  /**
   * @param from the first instant of the month
   * @param to the first instant after it
   */
  public EventTally(Instant from, Instant to) {
    this(from, to, RUN_RECORDS, null);
  }

  /** For tests: the run size, and where run files go ({@code null}: the JVM's temp directory). */
  EventTally(Instant from, Instant to, int runRecords, java.nio.file.Path tempDir) {
    this.from = from;
    this.to = to;
    java.util.Comparator<Line> order =
        (a, b) -> {
          int c = a.path() == b.path() ? 0 : paths.get(a.path()).compareTo(paths.get(b.path()));
          return c != 0 ? c : Long.compare(a.line(), b.line());
        };
    this.lines = new SpillSort<>(order, LINE, runRecords, tempDir);
  }

  /** One event read; events come in time order (as {@code EventSearcher.forEach} reads them). */
  @Override
  public void accept(TracedEvent e) {
    if (figures != null) {
      throw new IllegalStateException("the figures were taken already");
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
    int n = perSource.size() + spans.size() + routers.size() + lastOfRouter.size() + paths.size();
    for (Map<String, Long> d : perDay.values()) {
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

  private void sortForDigest(TracedEvent e) {
    Integer id = pathIds.get(e.sourcePath());
    if (id == null) {
      id = paths.size();
      pathIds.put(e.sourcePath(), id);
      paths.add(e.sourcePath());
    }
    byte[] b =
        (e.sourcePath() + "\t" + e.lineNumber() + "\t" + e.originalLine() + "\n")
            .getBytes(StandardCharsets.UTF_8);
    lines.add(new Line(id, e.lineNumber(), b));
  }

  /**
   * The figures of the events read; takes the digest (see {@link EventFigures#digest}), so it ends
   * the tally: no event may follow.
   */
  public EventFigures figures() {
    if (figures != null) {
      return figures;
    }
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
    lines.drain(l -> md.update(l.bytes()));
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

  /** Deletes the digest's temporary files. */
  @Override
  public void close() {
    lines.close();
  }
}
