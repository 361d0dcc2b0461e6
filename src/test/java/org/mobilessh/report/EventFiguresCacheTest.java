package org.mobilessh.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mobilessh.index.EventSearcher;

/**
 * The report's event figures kept with the index ({@link EventFiguresCache}): the same report from
 * the cache as counted, another key when the data changes, a damaged entry never used, and nothing
 * written without the cache.
 */
class EventFiguresCacheTest {
  @TempDir Path tmp;

  private record Run(String html, List<String> progress) {
    String figuresLine() {
      return progress.stream()
          .filter(l -> l.startsWith("report: event figures"))
          .findFirst()
          .orElseThrow();
    }
  }

  private static Run render(ReportRequest req, Path out) throws IOException {
    List<String> progress = new ArrayList<>();
    ReportRenderer.write(req, out, progress::add);
    return new Run(Files.readString(out, StandardCharsets.UTF_8), progress);
  }

  private static List<Path> entries(Path index) throws IOException {
    Path dir = EventFiguresCache.directory(index);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    }
  }

  @Test
  void aSecondReportTakesTheFiguresFromTheCacheAndIsTheSame() throws Exception {
    Path index = tmp.resolve("index");
    SampleMonth.ingest(index);
    ReportRequest req = SampleMonth.request(index, ReportRequest.Format.HTML);

    Run bare = render(req.withCache(false), tmp.resolve("bare.html"));
    assertThat(entries(index)).as("--no-cache keeps nothing").isEmpty();
    assertThat(bare.figuresLine()).contains("counted").doesNotContain("cache");

    Run cold = render(req, tmp.resolve("cold.html"));
    assertThat(cold.figuresLine()).contains("counted, kept in the cache");
    assertThat(entries(index)).hasSize(1);
    assertThat(entries(index).get(0).getFileName().toString()).endsWith(".figures");

    Run warm = render(req, tmp.resolve("warm.html"));
    assertThat(warm.figuresLine()).contains("from the cache");
    assertThat(warm.html()).isEqualTo(cold.html()).isEqualTo(bare.html());
    assertThat(entries(index)).hasSize(1);

    // the figures kept are the figures counted, field by field
    byte[] file = Files.readAllBytes(entries(index).get(0));
    try (EventSearcher s = EventSearcher.open(index)) {
      String key = key(s, req);
      EventFigures kept = EventFiguresCache.decode(file, key);
      EventFigures counted;
      try (EventTally t = new EventTally(monthStart(req), monthEnd(req))) {
        ReportRenderer.events(s, query(req), t);
        counted = t.figures();
      }
      assertThat(kept).isEqualTo(counted);
      assertThat(counted.read()).isPositive();
      assertThat(counted.routers()).contains("router1");
      assertThat(counted.perDay()).isNotEmpty();
    }
  }

  @Test
  void newDataGivesAnotherKeyAndNewFigures() throws Exception {
    Path index = tmp.resolve("index");
    SampleMonth.ingest(index);
    ReportRequest req = SampleMonth.request(index, ReportRequest.Format.HTML);
    Run before = render(req, tmp.resolve("before.html"));
    assertThat(before.figuresLine()).contains("counted, kept in the cache");

    Path extra = Files.createDirectories(tmp.resolve("extra"));
    Files.writeString(
        extra.resolve("kern-extra.log"),
        "Oct 12 03:04:05 router1 kernel: mobilessh-reject: IN=eth0 OUT= MAC=00:00:5e:00:53:01:"
            + "00:00:5e:00:53:f1:08:00 SRC=192.0.2.199 DST=192.0.2.1 LEN=40 TOS=0x00 PREC=0x00"
            + " TTL=240 ID=4711 PROTO=TCP SPT=38476 DPT=22 WINDOW=1024 RES=0x00 SYN URGP=0 \n");
    SampleMonth.ingest(index, extra);

    Run after = render(req, tmp.resolve("after.html"));
    assertThat(after.figuresLine()).contains("counted, kept in the cache");
    assertThat(entries(index)).hasSize(2);
    Run bare = render(req.withCache(false), tmp.resolve("bare.html"));
    assertThat(after.html()).isEqualTo(bare.html()).isNotEqualTo(before.html());
    assertThat(after.html()).contains("kern-extra.log");
    assertThat(before.html()).doesNotContain("kern-extra.log");

    // another month is another key too
    ReportRequest september =
        ReportRequest.of(index, YearMonth.of(2026, 9), req.config(), req.format())
            .withToolVersion("test");
    Run sept = render(september, tmp.resolve("sept.html"));
    assertThat(sept.figuresLine()).contains("counted, kept in the cache");
    assertThat(entries(index)).hasSize(3);
  }

  @Test
  void aDamagedEntryIsReportedRemovedAndCountedAgain() throws Exception {
    Path index = tmp.resolve("index");
    SampleMonth.ingest(index);
    ReportRequest req = SampleMonth.request(index, ReportRequest.Format.HTML);
    Run cold = render(req, tmp.resolve("cold.html"));
    Path entry = entries(index).get(0);
    byte[] good = Files.readAllBytes(entry);

    // one byte changed in the middle (a count or a time), then the file cut short
    byte[] bad = good.clone();
    bad[bad.length / 2] ^= 0x10;
    Files.write(entry, bad);
    Run flipped = render(req, tmp.resolve("flipped.html"));
    assertThat(flipped.progress())
        .anyMatch(l -> l.contains("report cache: entry") && l.contains("is damaged"));
    assertThat(flipped.figuresLine()).contains("counted, kept in the cache");
    assertThat(flipped.html()).isEqualTo(cold.html());
    assertThat(Files.readAllBytes(entry)).isEqualTo(good);

    Files.write(entry, java.util.Arrays.copyOf(good, good.length - 3));
    Run cut = render(req, tmp.resolve("cut.html"));
    assertThat(cut.progress()).anyMatch(l -> l.contains("is damaged"));
    assertThat(cut.html()).isEqualTo(cold.html());

    Run warm = render(req, tmp.resolve("warm.html"));
    assertThat(warm.figuresLine()).contains("from the cache");
    assertThat(warm.progress()).noneMatch(l -> l.contains("damaged"));
  }

  @Test
  void everySingleByteChangeOfAnEntryIsCaughtAndAnotherKeyIsNotTaken() throws Exception {
    EventFigures f = sample();
    String key = "mobilessh report event figures 1\nquery: x\n";
    byte[] file = EventFiguresCache.encode(key, f);
    assertThat(EventFiguresCache.decode(file, key)).isEqualTo(f);
    assertThat(EventFiguresCache.decode(file, key + "other\n")).isNull();
    for (int i = 0; i < file.length; i++) {
      for (int bit : new int[] {0x01, 0x80}) {
        byte[] bad = file.clone();
        bad[i] ^= (byte) bit;
        int at = i;
        assertThatThrownBy(() -> EventFiguresCache.decode(bad, key))
            .as("byte %d of %d changed", at, file.length)
            .isInstanceOf(IOException.class);
      }
    }
    for (int n = 0; n < file.length; n += 7) {
      byte[] cut = java.util.Arrays.copyOf(file, n);
      assertThatThrownBy(() -> EventFiguresCache.decode(cut, key)).isInstanceOf(IOException.class);
    }
  }

  @Test
  void theKeyHoldsEverythingTheFiguresDependOn() {
    EventSearcher.Digest d = new EventSearcher.Digest(10, 20, 30);
    YearMonth m = YearMonth.of(2026, 10);
    Instant a = Instant.parse("2026-09-29T23:59:00Z");
    Instant b = Instant.parse("2026-11-02T00:00:00Z");
    String k = EventFiguresCache.key("q", a, b, m, "build", d);
    assertThat(
            Set.of(
                EventFiguresCache.key("q2", a, b, m, "build", d),
                EventFiguresCache.key("q", a.plusSeconds(1), b, m, "build", d),
                EventFiguresCache.key("q", a, b.plusSeconds(1), m, "build", d),
                EventFiguresCache.key("q", a, b, m.plusMonths(1), "build", d),
                EventFiguresCache.key("q", a, b, m, "build2", d),
                EventFiguresCache.key("q", a, b, m, "build", new EventSearcher.Digest(11, 20, 30)),
                EventFiguresCache.key("q", a, b, m, "build", new EventSearcher.Digest(10, 21, 30)),
                EventFiguresCache.key("q", a, b, m, "build", new EventSearcher.Digest(10, 20, 31))))
        .hasSize(8)
        .doesNotContain(k);
    assertThat(EventFiguresCache.key("q", a, b, m, "build", d)).isEqualTo(k);
    assertThat(EventFiguresCache.build()).hasSize(64).isEqualTo(EventFiguresCache.build());
  }

  private static EventFigures sample() {
    Instant t = Instant.parse("2026-10-03T04:05:06.123456Z");
    TreeMap<String, EventFigures.Source> sources = new TreeMap<>();
    sources.put("/var/log/kern.log", new EventFigures.Source(12, t, t.plusSeconds(99)));
    sources.put("/var/log/b\u00e9\ud800.log", new EventFigures.Source(1, t, t));
    TreeMap<LocalDate, java.util.SortedMap<String, Long>> perDay = new TreeMap<>();
    perDay.put(LocalDate.of(2026, 10, 3), new TreeMap<>(Map.of("r1", 12L, "", 1L)));
    return new EventFigures(
        14,
        t.plusSeconds(100),
        13,
        sources,
        new java.util.TreeSet<>(Set.of("r1", "")),
        perDay,
        List.of(new EventFigures.Gap("r1", t.minusSeconds(20_000), t, 20_000)),
        "ab".repeat(32));
  }

  private static Instant monthStart(ReportRequest req) {
    return req.month().atDay(1).atStartOfDay().toInstant(java.time.ZoneOffset.UTC);
  }

  private static Instant monthEnd(ReportRequest req) {
    return req.month().plusMonths(1).atDay(1).atStartOfDay().toInstant(java.time.ZoneOffset.UTC);
  }

  private static Instant readFrom(ReportRequest req) {
    return monthStart(req).minus(req.lookback()).minusSeconds(req.config().seconds());
  }

  private static Instant readTo(ReportRequest req) {
    return monthEnd(req).plus(req.lookback());
  }

  private static org.apache.lucene.search.Query query(ReportRequest req) {
    return ReportRenderer.query(readFrom(req), readTo(req), req.host());
  }

  private static String key(EventSearcher s, ReportRequest req) {
    return EventFiguresCache.key(
        query(req).toString(),
        readFrom(req),
        readTo(req),
        req.month(),
        EventFiguresCache.build(),
        s.digest(query(req)));
  }
}
