package org.mobilessh.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.DoubleSummaryStatistics;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mobilessh.audit.Anomaly;
import org.mobilessh.audit.AuditConfig;
import org.mobilessh.audit.AuditSink;
import org.mobilessh.audit.CloseReason;
import org.mobilessh.audit.Rejection;
import org.mobilessh.audit.Session;
import org.mobilessh.audit.SourceLine;
import org.mobilessh.audit.TracedEvent;
import org.mobilessh.audit.Window;
import org.mobilessh.parse.Action;
import org.mobilessh.parse.ClockSource;
import org.mobilessh.parse.EventTime;
import org.mobilessh.parse.NoticeEvent;
import org.mobilessh.parse.Protocol;
import org.mobilessh.parse.TcpFlag;
import org.mobilessh.parse.TimePrecision;
import org.mobilessh.rules.Cidr;

/**
 * The report consumes the audit as a stream: a month of far more records and events than it may
 * hold goes through {@link MonthTally} and {@link EventTally} into the rendered report, and what
 * they hold stays bounded by addresses, ports, days, routers and the report's {@code --top}, never
 * by records or events. Structural (what is held, by reflection over the tallies' fields), not
 * timed.
 */
class ReportStreamingTest {
  private static final YearMonth MONTH = YearMonth.of(2026, 10);
  private static final Instant START = MONTH.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
  private static final Instant END =
      MONTH.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
  private static final int ADDRESSES = 300;
  private static final int TOP = 25;

  @TempDir Path tmp;

  @Test
  void aMonthOfManyRecordsLeavesOnlyBoundedTalliesAndRendersTheirFigures() throws Exception {
    Path runs = Files.createDirectories(tmp.resolve("runs"));
    int windows = 400_000;
    int sessions = 100_000;
    int rejections = 400_000;
    int anomalies = 2_000;
    MonthTally tally = new MonthTally(TOP);
    AuditSink sink = AuditSink.month(MONTH, tally);
    DoubleSummaryStatistics open = new DoubleSummaryStatistics();
    long ipv6Windows = 0;
    long step = (END.getEpochSecond() - START.getEpochSecond()) / windows;
    for (int i = 0; i < windows; i++) {
      Instant at = START.plusSeconds(i * step);
      Window w = window(i, at);
      open.accept(w.durationS());
      if (w.family() == org.mobilessh.rules.Family.IPV6) {
        ipv6Windows++;
      }
      sink.window(w);
      if (i < sessions) {
        sink.session(session(i, at));
      }
      sink.rejection(rejection(i, at));
      if (i < anomalies) {
        sink.anomaly(
            new Anomaly(
                Anomaly.Kind.SESSION_WITHOUT_WINDOW,
                "r1",
                address(i),
                at,
                "synthetic " + i,
                List.of(new SourceLine("/var/log/kern.log", i + 1L, "line " + i))));
      }
      if (i > 0 && i % 100_000 == 0) {
        assertBounded(tally);
      }
    }
    // a window of the previous month reaching into this one is clipped, one entirely before not
    for (Window w :
        List.of(window(-1, START.minusSeconds(30)), window(-2, START.minusSeconds(9 * 86_400)))) {
      if (w.clip(START, END).isPresent()) {
        open.accept(w.clip(START, END).get().durationS());
        ipv6Windows += w.family() == org.mobilessh.rules.Family.IPV6 ? 1 : 0;
      }
      sink.window(w);
    }
    sink.end(List.of(), 123, 4, 5);
    assertBounded(tally);

    assertThat(tally.windows()).isEqualTo(windows + 1);
    assertThat(tally.clipped()).isEqualTo(1);
    assertThat(tally.sessions()).isEqualTo(sessions);
    assertThat(tally.rejections()).isEqualTo(rejections);
    assertThat(tally.anomalies()).isEqualTo(anomalies);
    assertThat(tally.windowAddresses()).isEqualTo(ADDRESSES);
    assertThat(tally.rejectSources()).isEqualTo(ADDRESSES);
    assertThat(tally.perFamily(org.mobilessh.rules.Family.IPV6)[0]).isEqualTo(ipv6Windows);
    assertThat(tally.firstWindows()).hasSize(TOP);
    assertThat(tally.firstWindows().get(0).openedAt()).isEqualTo(START);
    assertThat(tally.firstAnomalies()).hasSize(TOP);
    assertThat(tally.openSeconds()).isEqualTo(open.getSum());
    assertThat(java.util.Arrays.stream(tally.durationBuckets()).sum()).isEqualTo(windows + 1);

    // the events: many more than one run of the digest's sort, from two routers
    EventTally events = new EventTally(START, END, 10_000, runs);
    List<String> expected = new ArrayList<>();
    int n = 120_000;
    long evStep = (END.getEpochSecond() - START.getEpochSecond()) / n;
    for (int i = 0; i < n; i++) {
      String router = i % 2 == 0 ? "r1" : "r2";
      String path = "/var/log/" + router + "/kern.log";
      // lines of a file come out of their order now and then (a clock stepped back)
      long line = i % 1000 == 999 ? i / 2 - 700 : i / 2 + 1;
      String text = "line " + i + " \u00e9";
      events.accept(event(router, START.plusSeconds(i * evStep), path, line, text));
      if (i % 10_000 == 0) {
        assertThat(events.linesHeld()).isLessThanOrEqualTo(10_000);
        assertThat(events.keysHeld()).isLessThan(200);
      }
    }
    // lines in order go straight to a run file; r1's lines, each below the r2 line before it,
    // wait in memory up to 10,000 at a time and go out as a run of their own
    assertThat(events.runsSpilled()).isGreaterThanOrEqualTo(n / 2 / 10_000);
    assertThat(events.read()).isEqualTo(n);
    assertThat(events.inMonth()).isEqualTo(n);

    ReportRequest req =
        ReportRequest.of(tmp, MONTH, AuditConfig.defaults(), ReportRequest.Format.HTML)
            .withToolVersion("test")
            .withTopN(TOP);
    Facts facts = new Facts(List.of(), Map.of(), Map.of(), null, List.of());
    String html =
        new String(
            ReportRenderer.render(
                    req, Templates.find(req.template()), events.figures(), tally, facts)
                .bytes(),
            StandardCharsets.UTF_8);
    assertThat(html)
        .contains(ReportModel.fmt(windows + 1))
        .contains(ReportModel.fmt(rejections))
        .contains(ReportModel.fmt(n));
    try (Stream<Path> left = Files.list(runs)) {
      assertThat(left).as("run files left").isEmpty();
    }
  }

  @Test
  void theDigestIsTheSameWhetherItsSortSpillsOrNot() throws Exception {
    List<TracedEvent> in = new ArrayList<>();
    for (int i = 0; i < 25_000; i++) {
      String path = "/logs/" + (char) ('c' - i % 3) + ".log";
      // duplicates of one path and line (a file rotated in place) keep their reading order
      long line = i % 7 == 0 ? 5 : (i * 7919L) % 40_000;
      in.add(event("r" + i % 3, START.plusSeconds(i), path, line, "text " + i));
    }
    List<TracedEvent> sorted = new ArrayList<>(in);
    sorted.sort(
        Comparator.comparing(TracedEvent::sourcePath).thenComparing(TracedEvent::lineNumber));
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    for (TracedEvent e : sorted) {
      md.update(
          (e.sourcePath() + "\t" + e.lineNumber() + "\t" + e.originalLine() + "\n")
              .getBytes(StandardCharsets.UTF_8));
    }
    String want = HexFormat.of().formatHex(md.digest());
    for (int run : new int[] {1_000_000, 1_000, 997, 50}) {
      try (EventTally t = new EventTally(START, END, run, tmp)) {
        in.forEach(t);
        assertThat(t.figures().digest()).as("runs of %d", run).isEqualTo(want);
      }
    }
  }

  @Test
  void shardsOfOneReadPerRouterAddUpToOneReadOfAll() throws Exception {
    // one read of three routers in (time, doc) order; ties in time, paths shared between routers,
    // a path and line met twice (a file rotated in place), silences, events outside the month
    java.util.Random rnd = new java.util.Random(11);
    record Ev(TracedEvent e, int doc) {}
    List<Ev> all = new ArrayList<>();
    long t = START.getEpochSecond() - 3600;
    for (int doc = 0; doc < 30_000; doc++) {
      t += rnd.nextInt(5) == 0 ? 0 : rnd.nextInt(doc % 9_000 == 0 ? 200_000 : 300);
      String router = "r" + rnd.nextInt(3);
      String path = "/logs/" + (char) ('a' + rnd.nextInt(4)) + ".log";
      long line = rnd.nextInt(10) == 0 ? 7 : rnd.nextInt(50_000);
      Instant at = Instant.ofEpochSecond(t, rnd.nextInt(1_000_000) * 1000L);
      all.add(new Ev(event(router, at, path, line, "text " + doc + " \u00e9"), doc));
    }
    all.sort(Comparator.comparing((Ev x) -> x.e().time()).thenComparingInt(Ev::doc));
    EventFigures want;
    try (EventTally one = new EventTally(START, END, 1_000, tmp)) {
      all.forEach(x -> one.accept(x.e()));
      want = one.figures();
    }
    try (EventTally root = new EventTally(START, END, 1_000, tmp)) {
      java.util.Map<String, EventTally> shards = new java.util.TreeMap<>();
      for (String r : List.of("r2", "r0", "r1")) {
        shards.put(r, root.shard());
      }
      for (Ev x : all) {
        shards.get(x.e().observer()).accept(x.e(), x.doc());
      }
      shards.values().forEach(EventTally::done);
      EventFigures got = root.figures();
      assertThat(got).isEqualTo(want);
      assertThat(got.gaps()).isNotEmpty();
    }
    try (Stream<Path> left = Files.list(tmp)) {
      assertThat(left.filter(f -> f.toString().endsWith(".run"))).as("run files left").isEmpty();
    }
  }

  /** What the tally's fields hold: the size of every collection, map and array, nested. */
  private static void assertBounded(MonthTally tally) {
    long held = held(tally);
    // per address (5 tables), per port, per family, per day, per router, per reason and kind,
    // the 24 x 7 heat map, the buckets, per family, and TOP records of three kinds
    long bound = 5L * ADDRESSES + 10 + 2 + 40 + 5 + 20 + 7 * 24 + 7 + 6 + 8 + 3L * TOP;
    assertThat(held).as("entries held by the tally").isLessThan(bound);
    assertThat(tally.recordsHeld()).isLessThanOrEqualTo(3 * TOP);
  }

  private static long held(Object o) {
    long n = 0;
    for (Field f : o.getClass().getDeclaredFields()) {
      if (Modifier.isStatic(f.getModifiers())) {
        continue;
      }
      f.setAccessible(true);
      try {
        n += size(f.get(o));
      } catch (IllegalAccessException e) {
        throw new AssertionError(e);
      }
    }
    return n;
  }

  private static long size(Object v) {
    if (v instanceof Collection<?> c) {
      return c.size();
    }
    if (v instanceof Map<?, ?> m) {
      long n = m.size();
      for (Object x : m.values()) {
        if (x instanceof Collection<?> || x instanceof Map<?, ?>) {
          n += size(x);
        }
      }
      return n;
    }
    if (v != null && v.getClass().isArray()) {
      long n = Array.getLength(v);
      if (v instanceof Object[] arr) {
        for (Object x : arr) {
          n += size(x);
        }
      }
      return n;
    }
    return 0;
  }

  private static InetAddress address(int i) {
    int a = Math.floorMod(i, ADDRESSES);
    return Cidr.parseAddress(
        a % 2 == 0 ? "203.0.113." + a / 2 : "2001:db8::" + Integer.toHexString(a));
  }

  private static Window window(int i, Instant at) {
    double duration = 60 + Math.floorMod(i, 5000);
    return new Window(
        "r1",
        address(i),
        at,
        0.001,
        at.plusMillis(Math.round(duration * 1000)),
        at.plusSeconds(30),
        i % 3 == 0 ? CloseReason.FIN_REMOVE : CloseReason.EXPIRED,
        i % 3 == 0 ? 0.000001 : 2.5,
        i % 4,
        false,
        false,
        List.of(new SourceLine("/var/log/kern.log", Math.abs(i) + 1L, "set " + i)),
        Window.Opening.SET);
  }

  private static Session session(int i, Instant at) {
    return new Session(
        "r1",
        address(i),
        40_000 + i % 20_000,
        Cidr.parseAddress("198.51.100.10"),
        22,
        at.plusSeconds(1),
        0.001,
        at.plusSeconds(100),
        0.001,
        1000L,
        2000L,
        10L,
        20L,
        i % 2 == 0 ? (long) i : null,
        at,
        i % 10 == 0,
        List.of(new SourceLine("/var/log/kern.log", i + 2L, "accept " + i)));
  }

  private static Rejection rejection(int i, Instant at) {
    return new Rejection(
        "r1",
        at.plusSeconds(2),
        0.001,
        address(i * 7),
        50_000 + i % 1000,
        Cidr.parseAddress("198.51.100.10"),
        22 + i % 3,
        Protocol.TCP,
        Set.of(TcpFlag.SYN),
        i % 5 == 0,
        new SourceLine("/var/log/kern.log", i + 3L, "reject " + i));
  }

  private static TracedEvent event(String router, Instant at, String path, long line, String text) {
    NoticeEvent e =
        new NoticeEvent(
            new EventTime(
                at,
                at.toString(),
                TimePrecision.MICROSECOND,
                ClockSource.SYSLOG,
                EventTime.ZoneResolution.EXPLICIT),
            router,
            Action.LIST_ADD,
            null,
            null,
            "MOBILE",
            false,
            text);
    return new TracedEvent(e, path, line, text);
  }
}
