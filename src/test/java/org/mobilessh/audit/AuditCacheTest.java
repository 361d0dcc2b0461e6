package org.mobilessh.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mobilessh.cli.MobilesshCommand;
import org.mobilessh.index.EventSearcher;
import org.mobilessh.index.StoredSnapshot;
import org.mobilessh.rules.Cidr;
import picocli.CommandLine;

/**
 * Per-router streams merged, and the results kept with the index: a simulated month of three
 * routers (conntrack, rotated files, rules snapshots) ingested through {@code mobilessh ingest}.
 */
class AuditCacheTest {
  private static final YearMonth MONTH = YearMonth.of(2026, 10);
  private static final Instant FROM = Instant.parse("2026-09-29T00:00:00Z");
  private static final Instant TO = Instant.parse("2026-11-02T00:00:00Z");

  @TempDir static Path dir;
  static Path sim;
  static Path index;

  @BeforeAll
  static void ingest() {
    sim = dir.resolve("sim");
    cli("simulate", "--routers", "3", "--scale", "0.05", "--month", "2026-10", "--out", sim + "");
    index = dir.resolve("index");
    for (int r = 1; r <= 3; r++) {
      cli("ingest", "--index", index + "", "--tz", "UTC", "--year", "2026", sim + "/router" + r);
    }
  }

  private static String cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = MobilesshCommand.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    assertThat(code).as(String.join(" ", args) + ": " + err).isZero();
    return out.toString();
  }

  private static AuditEngine engine() {
    return new AuditEngine(
        AuditConfig.defaults()
            .withMailServers(List.of(Cidr.parse("192.0.2.0/24"), Cidr.parse("2001:db8::/32"))));
  }

  /** What one stream over every router gives, collected (AuditEngine.reconstruct). */
  private static AuditResult single(Path idx) {
    try (EventSearcher s = EventSearcher.open(idx)) {
      return engine().reconstruct(IndexedAuditInput.load(s, FROM, TO, null)).month(MONTH);
    }
  }

  private record Streamed(AuditResult result, List<String> progress) {}

  private static Streamed streamed(Path idx, boolean cache, int threads) {
    List<String> progress = new ArrayList<>();
    AuditResult.Collector c = new AuditResult.Collector();
    try (EventSearcher s = EventSearcher.open(idx)) {
      IndexedAuditInput.stream(
          s,
          FROM,
          TO,
          null,
          engine(),
          AuditSink.month(MONTH, c),
          new IndexedAuditInput.Options(cache, threads, progress::add));
    }
    return new Streamed(c.result(), progress);
  }

  private static Path copy(String name) throws IOException {
    Path to = dir.resolve(name);
    try (Stream<Path> s = Files.walk(index)) {
      for (Path p : s.toList()) {
        Path q = to.resolve(index.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(q);
        } else if (!p.toString().contains(AuditCache.DIRECTORY)) {
          Files.copy(p, q);
        }
      }
    }
    return to;
  }

  @Test
  void perRouterStreamsMergedEqualOneStreamOverEveryRouter() throws IOException {
    Path idx = copy("merge");
    AuditResult one = single(idx);
    assertThat(one.windows()).hasSizeGreaterThan(100);
    assertThat(one.rejections()).hasSizeGreaterThan(100);
    assertThat(one.windows().stream().map(Window::observer).distinct()).hasSize(3);
    assertThat(one.totals()).isNotEmpty();
    for (int threads : new int[] {1, 3}) {
      Streamed cold = streamed(idx, false, threads);
      assertThat(cold.result()).isEqualTo(one);
      assertThat(cold.progress()).anyMatch(m -> m.contains("3 computed"));
    }
    Streamed miss = streamed(idx, true, 2);
    assertThat(miss.result()).isEqualTo(one);
    assertThat(miss.progress()).anyMatch(m -> m.contains("0 from the cache, 3 computed"));
    Streamed hit = streamed(idx, true, 2);
    assertThat(hit.result()).isEqualTo(one);
    assertThat(hit.progress()).anyMatch(m -> m.contains("3 from the cache, 0 computed"));
  }

  @Test
  void aDamagedEntryIsReportedAndComputedAgain() throws IOException {
    Path idx = copy("damage");
    AuditResult one = streamed(idx, true, 2).result();
    List<Path> runs;
    try (Stream<Path> s = Files.walk(AuditCache.directory(idx))) {
      runs = s.filter(p -> p.getFileName().toString().equals("windows.run")).sorted().toList();
    }
    assertThat(runs).hasSize(3);
    // one byte flipped in one entry, another entry cut short
    try (RandomAccessFile f = new RandomAccessFile(runs.get(0).toFile(), "rw")) {
      f.seek(f.length() / 2);
      int b = f.read();
      f.seek(f.length() / 2);
      f.write(b ^ 0x20);
    }
    try (RandomAccessFile f = new RandomAccessFile(runs.get(1).toFile(), "rw")) {
      f.setLength(f.length() - 1);
    }
    Streamed again = streamed(idx, true, 2);
    assertThat(again.result()).isEqualTo(one);
    assertThat(again.progress())
        .filteredOn(m -> m.contains("is damaged") && m.contains("computing it again"))
        .hasSize(2);
    assertThat(again.progress()).anyMatch(m -> m.contains("1 from the cache, 2 computed"));
    assertThat(streamed(idx, true, 2).progress())
        .anyMatch(m -> m.contains("3 from the cache, 0 computed"));
  }

  @Test
  void anEntryWithoutRejectionsDoesNotAnswerForThem() throws IOException {
    Path idx = copy("rejections");
    List<String> progress = new ArrayList<>();
    List<Window> windows = new ArrayList<>();
    List<Rejection> none = new ArrayList<>();
    AuditSink windowsOnly =
        new AuditSink() {
          @Override
          public boolean wantsRejections() {
            return false;
          }

          @Override
          public void window(Window w) {
            windows.add(w);
          }

          @Override
          public void rejection(Rejection r) {
            none.add(r);
          }
        };
    try (EventSearcher s = EventSearcher.open(idx)) {
      IndexedAuditInput.stream(
          s,
          FROM,
          TO,
          null,
          engine(),
          windowsOnly,
          new IndexedAuditInput.Options(true, 2, progress::add));
    }
    assertThat(none).isEmpty();
    Streamed all = streamed(idx, true, 2);
    assertThat(windows).hasSizeGreaterThan(100);
    assertThat(all.progress()).anyMatch(m -> m.contains("0 from the cache, 3 computed"));
    assertThat(all.result()).isEqualTo(single(idx));
    assertThat(streamed(idx, true, 2).progress())
        .anyMatch(m -> m.contains("3 from the cache, 0 computed"));
  }

  @Test
  void theKeyChangesWithDataConfigBuildAndSnapshots() throws IOException {
    Path idx = copy("key");
    AuditConfig config = engine().config();
    String before;
    EventSearcher.Digest d1;
    List<StoredSnapshot> snaps;
    try (EventSearcher s = EventSearcher.open(idx)) {
      d1 = s.digest(IndexedAuditInput.query(FROM, TO, "router2"));
      snaps = s.snapshots(FROM, TO, "router2");
      before = AuditCache.key("router2", "q", FROM, TO, config, "b1", d1, snaps);
      assertThat(AuditCache.key("router2", "q", FROM, TO, config, "b1", d1, snaps))
          .isEqualTo(before);
      assertThat(AuditCache.key("router2", "q", FROM, TO, config, "b2", d1, snaps))
          .isNotEqualTo(before);
      assertThat(AuditCache.key("router2", "q", FROM, TO, config.withSeconds(61), "b1", d1, snaps))
          .isNotEqualTo(before);
      assertThat(
              AuditCache.key(
                  "router2",
                  "q",
                  FROM,
                  TO,
                  config.withMailServers(List.of(Cidr.parse("192.0.2.0/24"))),
                  "b1",
                  d1,
                  snaps))
          .isNotEqualTo(before);
      assertThat(AuditCache.key("router2", "q", FROM, TO, config, "b1", d1, snaps.subList(1, 3)))
          .isNotEqualTo(before);
      assertThat(AuditCache.key("router2", "q", FROM.plusSeconds(1), TO, config, "b1", d1, snaps))
          .isNotEqualTo(before);
      // the same settings built again (another map and list instance): the same key
      assertThat(AuditCache.canonical(engine().config())).isEqualTo(AuditCache.canonical(config));
    }
    // a line of router2 added: its digest changes, router1's does not
    EventSearcher.Digest r1;
    try (EventSearcher s = EventSearcher.open(idx)) {
      r1 = s.digest(IndexedAuditInput.query(FROM, TO, "router1"));
    }
    Path extra = dir.resolve("extra.log");
    Files.writeString(
        extra,
        "Oct 10 12:00:00 router2 kernel: [100.000000] mobilessh-reject: IN=eth0 OUT= MAC="
            + " SRC=198.51.100.99 DST=192.0.2.2 LEN=60 TOS=0x00 PREC=0x00 TTL=50 ID=1 DF"
            + " PROTO=TCP SPT=40000 DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0\n");
    cli("ingest", "--index", idx + "", "--tz", "UTC", "--year", "2026", extra + "");
    try (EventSearcher s = EventSearcher.open(idx)) {
      EventSearcher.Digest d2 = s.digest(IndexedAuditInput.query(FROM, TO, "router2"));
      assertThat(d2.count()).isEqualTo(d1.count() + 1);
      assertThat(d2).isNotEqualTo(d1);
      assertThat(AuditCache.key("router2", "q", FROM, TO, config, "b1", d2, snaps))
          .isNotEqualTo(before);
      assertThat(s.digest(IndexedAuditInput.query(FROM, TO, "router1"))).isEqualTo(r1);
    }
  }

  @Test
  void anIngestIntoOneRouterRecomputesThatRouterOnly() throws IOException {
    Path idx = copy("ingest");
    streamed(idx, true, 2);
    Path extra = dir.resolve("extra3.log");
    Files.writeString(
        extra,
        "Oct 11 12:00:00 router3 kernel: [100.000000] mobilessh-reject: IN=eth0 OUT= MAC="
            + " SRC=198.51.100.98 DST=192.0.2.3 LEN=60 TOS=0x00 PREC=0x00 TTL=50 ID=1 DF"
            + " PROTO=TCP SPT=40001 DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0\n");
    cli("ingest", "--index", idx + "", "--tz", "UTC", "--year", "2026", extra + "");
    Streamed after = streamed(idx, true, 2);
    assertThat(after.progress()).anyMatch(m -> m.contains("2 from the cache, 1 computed"));
    assertThat(after.progress()).anyMatch(m -> m.contains("router3") && m.contains("computed"));
    assertThat(after.result()).isEqualTo(single(idx));
    assertThat(after.result().rejections())
        .anyMatch(r -> r.source().getHostAddress().equals("198.51.100.98"));
  }

  @Test
  void theCacheStaysWithinItsBound() throws IOException {
    Path idx = copy("bound");
    streamed(idx, true, 2);
    long size = AuditCache.size(AuditCache.directory(idx));
    assertThat(size).isPositive();
    List<String> progress = new ArrayList<>();
    AuditCache small = new AuditCache(AuditCache.directory(idx), size / 2, progress::add);
    small.evict(java.util.Set.of());
    assertThat(AuditCache.size(AuditCache.directory(idx))).isLessThanOrEqualTo(size / 2);
    assertThat(progress).anyMatch(m -> m.contains("used least recently"));
    assertThat(AuditCache.clear(idx)).isPositive();
    try (Stream<Path> s = Files.list(AuditCache.directory(idx))) {
      assertThat(s.count()).isZero();
    }
  }

  @Test
  void theIndexStaysCleanWithTheCacheInside() throws Exception {
    Path idx = copy("lucene");
    streamed(idx, true, 2);
    // an ingest (IndexWriter: commit, merges, deletion of unreferenced files) leaves it alone
    Path extra = dir.resolve("extra1.log");
    Files.writeString(
        extra,
        "Oct 12 12:00:00 router1 kernel: [100.000000] mobilessh-reject: IN=eth0 OUT= MAC="
            + " SRC=198.51.100.97 DST=192.0.2.1 LEN=60 TOS=0x00 PREC=0x00 TTL=50 ID=1 DF"
            + " PROTO=TCP SPT=40002 DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0\n");
    cli("ingest", "--index", idx + "", "--tz", "UTC", "--year", "2026", extra + "");
    try (Stream<Path> s = Files.list(AuditCache.directory(idx))) {
      // three routers' entries, and the memo of their segment digests
      assertThat(s.map(p -> p.getFileName().toString()))
          .hasSize(4)
          .filteredOn(n -> n.length() == 64)
          .hasSize(3);
    }
    assertThat(AuditCache.directory(idx).resolve("digests")).isDirectory();
    try (org.apache.lucene.store.Directory d = org.apache.lucene.store.FSDirectory.open(idx);
        org.apache.lucene.index.CheckIndex check = new org.apache.lucene.index.CheckIndex(d)) {
      check.setInfoStream(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
      assertThat(check.checkIndex().clean).isTrue();
    }
  }

  static Instant at(String iso) {
    return java.time.LocalDateTime.parse(iso).toInstant(ZoneOffset.UTC);
  }
}
