package org.mobilessh.report;

import java.net.InetAddress;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.DoubleSummaryStatistics;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.mobilessh.audit.Anomaly;
import org.mobilessh.audit.AuditFormat;
import org.mobilessh.audit.AuditResult;
import org.mobilessh.audit.AuditSink;
import org.mobilessh.audit.CloseReason;
import org.mobilessh.audit.RejectTotals;
import org.mobilessh.audit.Rejection;
import org.mobilessh.audit.Session;
import org.mobilessh.audit.Window;
import org.mobilessh.rules.Family;

/**
 * The report's figures of the month's audit, tallied as the records come from a streaming
 * reconstruction (an {@link AuditSink} behind {@link AuditSink#month}): counts per day, kind,
 * reason, family, hour and weekday; per address (bounded by the addresses seen, not by the
 * records); sums and maxima of durations and precisions; and only the first {@code topN} records of
 * each kind, which is all the report lists. Nothing here grows with the number of records.
 *
 * <p>Every figure is computed as the report computed it from the collected lists (same arithmetic,
 * same order of operations), so the rendered report does not change.
 */
public final class MonthTally implements AuditSink {
  private final int topN;

  // windows
  private long windows;
  private final List<Window> firstWindows = new ArrayList<>();
  // per source address of windows and rejections; its text (the key of every per-address table the
  // report prints) made once per address, not per record: equal addresses have equal texts
  private final Map<InetAddress, Address> addresses = new HashMap<>();
  private final Map<CloseReason, Long> closeReasons = new EnumMap<>(CloseReason.class);
  private long clipped;
  // DoubleStream.sum()'s compensated summation, one value at a time
  private final DoubleSummaryStatistics openTime = new DoubleSummaryStatistics();
  private double worstClose;
  private boolean anyClose;
  private double worstOpen;
  private boolean anyOpen;
  private long closeWithinOneSecond;
  private final long[] durationBuckets = new long[Charts.BUCKETS.length];
  private final long[][] heat = new long[7][24];

  // sessions
  private long sessions;
  private final List<Session> firstSessions = new ArrayList<>();
  private long outliving;
  private long withFlow;
  private long withoutWindow;

  // rejections
  private long rejections;
  private long sampled;
  private final Map<Integer, long[]> rejectsByPort = new HashMap<>();
  private long rejectsWithoutPort;

  // anomalies
  private long anomalies;
  private final List<Anomaly> firstAnomalies = new ArrayList<>();
  private final Map<Anomaly.Kind, Long> anomalyKinds = new EnumMap<>(Anomaly.Kind.class);
  private long rateLimitMarkers;

  // all kinds
  private final Map<LocalDate, long[]> perDay = new TreeMap<>();
  // records come in time order: most share the day of the one before
  private long lastEpochDay = Long.MIN_VALUE;
  private long[] lastDay;
  private final long[][] perFamily = new long[2][3];
  private final TreeSet<String> observers = new TreeSet<>();

  private List<RejectTotals> totals = List.of();
  private long eventsUsed;
  private long duplicatesDropped;
  private long untimedEvents;
  private boolean ended;

  /**
   * @param topN how many records of each kind the report lists (the first ones, in the audit's
   *     order)
   */
  public MonthTally(int topN) {
    if (topN < 0) {
      throw new IllegalArgumentException("topN " + topN);
    }
    this.topN = topN;
  }

  /** The tally of an audit result already collected (clipped to the month). */
  public static MonthTally of(AuditResult month, int topN) {
    MonthTally t = new MonthTally(topN);
    month.windows().forEach(t::window);
    month.sessions().forEach(t::session);
    month.rejections().forEach(t::rejection);
    month.anomalies().forEach(t::anomaly);
    t.end(month.totals(), month.eventsUsed(), month.duplicatesDropped(), month.untimedEvents());
    return t;
  }

  /** The report shows the evidence lines of anomalies only; of the rest it counts and lists. */
  @Override
  public boolean wantsEvidenceText(Class<?> kind) {
    return kind == Anomaly.class;
  }

  @Override
  public void window(Window w) {
    windows++;
    if (firstWindows.size() < topN) {
      firstWindows.add(w);
    }
    Address a = address(w.source());
    Double duration = w.durationS();
    double d = duration == null ? 0 : duration;
    if (a.windows == null) {
      a.windows = new double[3];
    }
    double[] v = a.windows;
    v[0]++;
    v[1] += d;
    v[2] = Math.max(v[2], d);
    a.family = w.family() == Family.IPV4 ? "IPv4" : "IPv6";
    closeReasons.merge(w.closeReason(), 1L, Long::sum);
    if (w.clippedStart() || w.clippedEnd()) {
      clipped++;
    }
    if (duration != null) {
      openTime.accept(duration);
      for (int i = 0; i < Charts.BUCKETS.length; i++) {
        if (duration < Charts.BUCKETS[i]) {
          durationBuckets[i]++;
          break;
        }
      }
    }
    Double close = w.closePrecisionS();
    if (close != null) {
      worstClose = anyClose ? Math.max(worstClose, close) : close;
      anyClose = true;
      if (close <= 1.0) {
        closeWithinOneSecond++;
      }
    }
    worstOpen = anyOpen ? Math.max(worstOpen, w.openPrecisionS()) : w.openPrecisionS();
    anyOpen = true;
    if (!w.clippedStart()) {
      // UTC weekday (Monday = 0; day 0 of the epoch was a Thursday) and hour, by arithmetic
      long sec = w.openedAt().getEpochSecond();
      long day = Math.floorDiv(sec, 86_400L);
      heat[(int) Math.floorMod(day + 3, 7L)][(int) (Math.floorMod(sec, 86_400L) / 3600)]++;
    }
    day(w.openedAt())[0]++;
    perFamily[family(w.family())][0]++;
    observers.add(w.observer());
  }

  @Override
  public void session(Session s) {
    sessions++;
    if (firstSessions.size() < topN) {
      firstSessions.add(s);
    }
    if (s.outlivesWindow()) {
      outliving++;
    }
    if (s.conntrackId() != null) {
      withFlow++;
    }
    if (s.windowOpenedAt() == null) {
      withoutWindow++;
    }
    day(s.acceptedAt())[1]++;
    perFamily[family(s.family())][1]++;
    observers.add(s.observer());
  }

  @Override
  public void rejection(Rejection r) {
    rejections++;
    if (r.sampled()) {
      sampled++;
    }
    address(r.source()).rejections++;
    if (r.destinationPort() == null) {
      rejectsWithoutPort++;
    } else {
      rejectsByPort.computeIfAbsent(r.destinationPort(), k -> new long[1])[0]++;
    }
    day(r.at())[2]++;
    perFamily[family(r.family())][2]++;
    observers.add(r.observer());
  }

  @Override
  public void anomaly(Anomaly a) {
    anomalies++;
    if (firstAnomalies.size() < topN) {
      firstAnomalies.add(a);
    }
    anomalyKinds.merge(a.kind(), 1L, Long::sum);
    if (a.kind() == Anomaly.Kind.RATE_LIMIT_MARKER) {
      rateLimitMarkers++;
    }
  }

  @Override
  public void end(
      List<RejectTotals> totals, long eventsUsed, long duplicatesDropped, long untimedEvents) {
    this.totals = List.copyOf(totals);
    this.eventsUsed = eventsUsed;
    this.duplicatesDropped = duplicatesDropped;
    this.untimedEvents = untimedEvents;
    this.ended = true;
  }

  private long[] day(Instant t) {
    long d = Math.floorDiv(t.getEpochSecond(), 86_400L);
    if (d != lastEpochDay) {
      lastDay = perDay.computeIfAbsent(LocalDate.ofEpochDay(d), k -> new long[3]);
      lastEpochDay = d;
    }
    return lastDay;
  }

  /** One source address: its text, its windows' figures, its rejections. */
  private static final class Address {
    final String text;
    double[] windows; // count, total open seconds, longest; null until a window
    String family; // of its last window
    long rejections;

    Address(String text) {
      this.text = text;
    }
  }

  private Address address(InetAddress a) {
    Address x = addresses.get(a);
    if (x == null) {
      x = new Address(AuditFormat.address(a));
      addresses.put(a, x);
    }
    return x;
  }

  private static int family(Family f) {
    return f == Family.IPV4 ? 0 : 1;
  }

  /** Whether the stream has ended ({@link #end} came). */
  public boolean ended() {
    return ended;
  }

  /**
   * Records of every kind held: the first {@code topN} of each. For tests that prove the tally does
   * not keep the month.
   */
  public int recordsHeld() {
    return firstWindows.size() + firstSessions.size() + firstAnomalies.size();
  }

  /**
   * Entries of the per-address, per-port, per-day and per-router tables: bounded by the distinct
   * addresses, ports, days and routers, not by the records.
   */
  public int keysHeld() {
    return addresses.size() + rejectsByPort.size() + perDay.size() + observers.size();
  }

  long windows() {
    return windows;
  }

  List<Window> firstWindows() {
    return Collections.unmodifiableList(firstWindows);
  }

  /** Per address (text, in order): windows, total open seconds, longest (seconds). */
  Map<String, double[]> perAddress() {
    Map<String, double[]> out = new TreeMap<>();
    for (Address a : addresses.values()) {
      if (a.windows != null) {
        put(out, a.text, a.windows.clone());
      }
    }
    return out;
  }

  /** Per address with windows: the family of its last window. */
  Map<String, String> addressFamily() {
    Map<String, String> out = new TreeMap<>();
    for (Address a : addresses.values()) {
      if (a.windows != null) {
        out.put(a.text, a.family);
      }
    }
    return out;
  }

  long windowAddresses() {
    return addresses.values().stream().filter(a -> a.windows != null).count();
  }

  // two addresses with one text would have been one row before: never (the text is the address)
  private static <V> void put(Map<String, V> m, String k, V v) {
    if (m.put(k, v) != null) {
      throw new IllegalStateException("two addresses print as " + k);
    }
  }

  Map<CloseReason, Long> closeReasons() {
    return closeReasons;
  }

  long clipped() {
    return clipped;
  }

  double openSeconds() {
    return openTime.getSum();
  }

  double worstClose() {
    return anyClose ? worstClose : 0;
  }

  double worstOpen() {
    return anyOpen ? worstOpen : 0;
  }

  long closeWithinOneSecond() {
    return closeWithinOneSecond;
  }

  long[] durationBuckets() {
    return durationBuckets.clone();
  }

  long[][] heat() {
    long[][] h = new long[7][];
    for (int i = 0; i < 7; i++) {
      h[i] = heat[i].clone();
    }
    return h;
  }

  long sessions() {
    return sessions;
  }

  List<Session> firstSessions() {
    return Collections.unmodifiableList(firstSessions);
  }

  long outliving() {
    return outliving;
  }

  long withFlow() {
    return withFlow;
  }

  long withoutWindow() {
    return withoutWindow;
  }

  long rejections() {
    return rejections;
  }

  long sampled() {
    return sampled;
  }

  long rejectSources() {
    return addresses.values().stream().filter(a -> a.rejections > 0).count();
  }

  /** Per source address (text, in order): rejections. */
  Map<String, Long> rejectsBySource() {
    Map<String, Long> out = new TreeMap<>();
    for (Address a : addresses.values()) {
      if (a.rejections > 0) {
        put(out, a.text, a.rejections);
      }
    }
    return out;
  }

  /** Per destination port (text, in text order; "-" for none): rejections. */
  Map<String, Long> rejectsByPort() {
    Map<String, Long> out = new TreeMap<>();
    rejectsByPort.forEach((p, n) -> out.put(p.toString(), n[0]));
    if (rejectsWithoutPort > 0) {
      out.put("-", rejectsWithoutPort);
    }
    return out;
  }

  /** Per family ("IPv4", "IPv6"; only those with any): rejections. */
  Map<String, Long> rejectsByFamily() {
    Map<String, Long> out = new TreeMap<>();
    if (perFamily[0][2] > 0) {
      out.put("IPv4", perFamily[0][2]);
    }
    if (perFamily[1][2] > 0) {
      out.put("IPv6", perFamily[1][2]);
    }
    return out;
  }

  long anomalies() {
    return anomalies;
  }

  List<Anomaly> firstAnomalies() {
    return Collections.unmodifiableList(firstAnomalies);
  }

  Map<Anomaly.Kind, Long> anomalyKinds() {
    return anomalyKinds;
  }

  long rateLimitMarkers() {
    return rateLimitMarkers;
  }

  /** Per UTC day: windows opened, sessions accepted, rejections logged. */
  Map<LocalDate, long[]> perDay() {
    return perDay;
  }

  /** Windows, sessions, rejections of IPv4 ({@code [0]}) and IPv6 ({@code [1]}). */
  long[] perFamily(Family f) {
    return perFamily[family(f)].clone();
  }

  /** The routers named by windows, sessions and rejections. */
  Set<String> observers() {
    return Collections.unmodifiableSet(observers);
  }

  List<RejectTotals> totals() {
    return totals;
  }

  long eventsUsed() {
    return eventsUsed;
  }

  long duplicatesDropped() {
    return duplicatesDropped;
  }

  long untimedEvents() {
    return untimedEvents;
  }
}
