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
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.search.Query;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
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
    return cliOutErr(args)[0];
  }

  /** What a command printed: {out, err}. */
  private static String[] cliOutErr(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = MobilesshCommand.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    assertThat(code).as(String.join(" ", args) + ": " + err).isZero();
    return new String[] {out.toString(), err.toString()};
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

  /**
   * One router without the cache ({@code --host X --no-cache}) goes through a run file of its own,
   * where the engine gives the windows as sequences: nothing through the reorder buffer's run
   * files, where a stream straight into the sink (which takes the windows in order) spills nearly
   * all of them, since windows open until the end of the data hold back every later one. A buffer
   * limit of 2,000 makes the direct stream spill; the result is the same, and the run as quiet.
   */
  @Test
  void oneRouterWithoutTheCacheSpillsNoWindowThroughTheReorderBuffer() throws Exception {
    Path idx = copy("one-router");
    AuditEngine small =
        new AuditEngine(engine().config(), AuditEngine.HORIZON, 1_000); // spills past 1,000
    Path tmp = dir.resolve("tmp-one-router");
    Files.createDirectories(tmp);
    String before = System.getProperty("java.io.tmpdir");
    List<String> created = new ArrayList<>();
    List<String> progress = new ArrayList<>();
    AuditResult.Collector sequences = new AuditResult.Collector();
    AuditResult.Collector direct = new AuditResult.Collector();
    try (java.nio.file.WatchService watch = tmp.getFileSystem().newWatchService();
        EventSearcher s = EventSearcher.open(idx)) {
      tmp.register(watch, java.nio.file.StandardWatchEventKinds.ENTRY_CREATE);
      System.setProperty("java.io.tmpdir", tmp.toString());
      IndexedAuditInput.stream(
          s,
          FROM,
          TO,
          "router1",
          small,
          AuditSink.month(MONTH, windowsOnly(sequences)),
          new IndexedAuditInput.Options(false, 2, progress::add));
      List<String> sequencesCreated = new ArrayList<>();
      drain(watch, sequencesCreated);
      // the same through a sink that takes windows in order only, streamed straight into it
      try (AuditEngine.Stream st =
          small.open(
              List.of(), List.of(), List.of(), AuditSink.month(MONTH, windowsOnly(direct)))) {
        IndexedAuditInput.load(s, FROM, TO, "router1").events().forEach(st::accept);
        st.finish();
      }
      drain(watch, created);
      assertThat(sequencesCreated)
          .as("what the one-router run made in the temporary directory")
          .noneMatch(n -> n.startsWith(Reorder.RUN_PREFIX))
          .anyMatch(n -> n.startsWith("mobilessh-audit-"));
    } finally {
      System.setProperty("java.io.tmpdir", before);
    }
    assertThat(created)
        .as("the direct stream spilled")
        .anyMatch(n -> n.startsWith("mobilessh-reorder-"));
    assertThat(progress).isEmpty();
    AuditResult got = sequences.result();
    assertThat(got.windows()).hasSizeGreaterThan(1_000);
    assertThat(got.windows()).isEqualTo(direct.result().windows());
    assertThat(got.sessions()).isEqualTo(direct.result().sessions());
    try (EventSearcher s = EventSearcher.open(idx)) {
      AuditResult all =
          engine().reconstruct(IndexedAuditInput.load(s, FROM, TO, "router1")).month(MONTH);
      assertThat(got.windows()).isEqualTo(all.windows());
      assertThat(got.sessions()).isEqualTo(all.sessions());
    }
  }

  /**
   * The windows and sessions to {@code c}; no anomalies (held in a buffer of their own, which a
   * small limit makes spill too) and no rejections.
   */
  private static AuditSink windowsOnly(AuditResult.Collector c) {
    return new AuditSink() {
      @Override
      public void window(Window w) {
        c.window(w);
      }

      @Override
      public void session(Session s) {
        c.session(s);
      }

      @Override
      public boolean wantsRejections() {
        return false;
      }

      @Override
      public boolean wantsAnomalies() {
        return false;
      }

      @Override
      public void end(List<RejectTotals> totals, long used, long dropped, long untimed) {
        c.end(totals, used, dropped, untimed);
      }
    };
  }

  /** The names created in the watched directory so far (their events are in by now). */
  private static void drain(java.nio.file.WatchService watch, List<String> names)
      throws InterruptedException {
    java.nio.file.WatchKey k;
    while ((k = watch.poll(200, java.util.concurrent.TimeUnit.MILLISECONDS)) != null) {
      for (java.nio.file.WatchEvent<?> e : k.pollEvents()) {
        assertThat(e.kind()).isNotEqualTo(java.nio.file.StandardWatchEventKinds.OVERFLOW);
        names.add(e.context().toString());
      }
      k.reset();
    }
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
  void anEntryOfTheFormatBeforeIsRefusedAndComputedAgain() throws IOException {
    Path idx = copy("version");
    AuditResult one = streamed(idx, true, 2).result();
    List<Path> manifests;
    try (Stream<Path> s = Files.walk(AuditCache.directory(idx))) {
      manifests =
          s.filter(p -> p.getFileName().toString().equals(AuditRunFile.MANIFEST)).sorted().toList();
    }
    assertThat(manifests).hasSize(3);
    // the windows of the routers' streams came late in part, as a sequence of their own
    assertThat(manifests)
        .anyMatch(m -> Files.exists(m.resolveSibling(AuditRunFile.Kind.WINDOWS.file(1))));
    // one entry as the format before wrote its manifest (version 4, its checksum right): its
    // rejections would be read in the wrong form, so it must not be read at all
    Path m = manifests.get(0);
    byte[] b = Files.readAllBytes(m);
    java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(b);
    assertThat(bb.getInt(4)).isEqualTo(AuditRunFile.VERSION).isEqualTo(5);
    bb.putInt(4, 4);
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(b, 0, b.length - 4);
    bb.putInt(b.length - 4, (int) crc.getValue());
    Files.write(m, b);
    Streamed again = streamed(idx, true, 2);
    assertThat(again.result()).isEqualTo(one);
    assertThat(again.progress())
        .filteredOn(p -> p.contains("is damaged (not a run manifest of this version)"))
        .hasSize(1);
    assertThat(again.progress()).anyMatch(p -> p.contains("2 from the cache, 1 computed"));
    assertThat(streamed(idx, true, 2).progress())
        .anyMatch(p -> p.contains("3 from the cache, 0 computed"));
  }

  /** As {@link #streamed}, by a sink that prints no evidence text (as every CSV does). */
  private static Streamed withoutTexts(Path idx) {
    List<String> progress = new ArrayList<>();
    AuditResult.Collector c = new AuditResult.Collector();
    AuditSink noTexts =
        new AuditSink() {
          @Override
          public void window(Window w) {
            c.window(w);
          }

          @Override
          public void session(Session s) {
            c.session(s);
          }

          @Override
          public void rejection(Rejection r) {
            c.rejection(r);
          }

          @Override
          public void anomaly(Anomaly a) {
            c.anomaly(a);
          }

          @Override
          public boolean wantsEvidenceText(Class<?> kind) {
            return false;
          }

          @Override
          public void end(List<RejectTotals> totals, long used, long dropped, long untimed) {
            c.end(totals, used, dropped, untimed);
          }
        };
    try (EventSearcher s = EventSearcher.open(idx)) {
      IndexedAuditInput.stream(
          s,
          FROM,
          TO,
          null,
          engine(),
          AuditSink.month(MONTH, noTexts),
          new IndexedAuditInput.Options(true, 2, progress::add));
    }
    return new Streamed(c.result(), progress);
  }

  private static long bytesOf(Path idx, String suffix) throws IOException {
    try (Stream<Path> s = Files.walk(AuditCache.directory(idx))) {
      long n = 0;
      for (Path p : s.filter(p -> p.getFileName().toString().endsWith(suffix)).toList()) {
        n += Files.size(p);
      }
      return n;
    }
  }

  private static int segments(Path idx) throws IOException {
    try (Directory d = FSDirectory.open(idx)) {
      return SegmentInfos.readLatestCommit(d).size();
    }
  }

  /**
   * An entry written for a command that prints no evidence text keeps each line's pointer (path,
   * line number, event time), not its text; a command that prints texts reads them from the index,
   * and gets exactly the texts the engine saw — also after the index's segments were merged into
   * one (documents renumbered, the entries' keys unchanged).
   */
  @Test
  void textsLeftInTheIndexAreReadBackAsTheEngineSawThemAcrossAMerge() throws IOException {
    Path idx = copy("pointers");
    AuditResult one = single(idx);
    Streamed cold = withoutTexts(idx);
    assertThat(cold.progress()).anyMatch(m -> m.contains("0 from the cache, 3 computed"));
    assertThat(cold.result().windows()).hasSameSizeAs(one.windows());
    // the texts are no part of the entries (only lines that are no indexed event's, none here)
    assertThat(bytesOf(idx, ".run")).isGreaterThan(100_000);
    assertThat(bytesOf(idx, ".text")).isZero();
    // a copy whose entries still leave their texts in the index, for after the merge (the first
    // command that prints texts keeps them in its entries)
    Path before = dir.resolve("pointers-before-merge");
    try (Stream<Path> s = Files.walk(idx)) {
      for (Path p : s.toList()) {
        Path q = before.resolve(idx.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(q);
        } else {
          Files.copy(p, q);
        }
      }
    }
    Streamed texts = streamed(idx, true, 2);
    assertThat(texts.progress()).anyMatch(m -> m.contains("3 from the cache, 0 computed"));
    assertThat(texts.result()).isEqualTo(one);
    assertThat(texts.result().windows().get(0).evidence().get(0).line()).isNotEmpty();

    idx = before;
    assertThat(segments(idx)).isGreaterThan(1);
    IndexWriterConfig config =
        new IndexWriterConfig().setOpenMode(IndexWriterConfig.OpenMode.APPEND);
    try (Directory d = FSDirectory.open(idx);
        IndexWriter w = new IndexWriter(d, config)) {
      w.forceMerge(1);
      w.commit();
    }
    assertThat(segments(idx)).isEqualTo(1);
    Streamed merged = streamed(idx, true, 2);
    assertThat(merged.progress()).anyMatch(m -> m.contains("3 from the cache, 0 computed"));
    assertThat(merged.progress()).anyMatch(m -> m.contains("evidence texts read from the index"));
    assertThat(merged.result()).isEqualTo(one);
  }

  /** The text files the entries keep in {@link AuditRunFile#KEPT}, by entry. */
  private static List<Path> keptTexts(Path idx) throws IOException {
    try (Stream<Path> s = Files.list(AuditCache.directory(idx))) {
      return s.map(e -> e.resolve(AuditRunFile.KEPT)).filter(Files::isDirectory).toList();
    }
  }

  /**
   * The first command that prints texts from entries that left them in the index reads them back
   * and keeps them in the entries (every kind's); the commands after it read them from the entries,
   * not the index, and print the same bytes.
   */
  @Test
  void textsReadBackFromTheIndexAreKeptInTheEntry() throws IOException {
    Path idx = copy("keptTexts");
    cliOutErr(month(idx, "windows", "csv"));
    assertThat(keptTexts(idx)).isEmpty();
    String[] first = cliOutErr(month(idx, "windows", "json"));
    assertThat(first[1]).contains("evidence texts read from the index");
    assertThat(keptTexts(idx)).hasSize(3);
    for (Path k : keptTexts(idx)) {
      assertThat(Files.size(k.resolve("windows.text"))).isPositive();
    }
    String[] second = cliOutErr(month(idx, "windows", "json"));
    assertThat(second[1]).contains("3 from the cache").doesNotContain("read from the index");
    assertThat(second[0]).isEqualTo(first[0]);
    // the other kinds' texts were kept too
    String[] sessions = cliOutErr(month(idx, "sessions", "json"));
    assertThat(sessions[1]).contains("3 from the cache").doesNotContain("read from the index");
    assertThat(sessions[0]).isEqualTo(cli(month(idx, "sessions", "json", "--no-cache")));
    assertThat(first[0]).isEqualTo(cli(month(idx, "windows", "json", "--no-cache")));
  }

  /** The arguments of {@code command} for October 2026 of {@code idx}, in {@code format}. */
  private static String[] month(Path idx, String command, String format, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(command, "--index", idx + "", "--month", "2026-10", "--format", format));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  /**
   * A file rewritten in place with another line at the same place and time: two documents with the
   * same pointer and different texts. The entry that points there cannot be given its texts; it is
   * computed again, keeping them, and serves from then on.
   */
  @Test
  void anEntryWhosePointersTheIndexCannotAnswerIsComputedAgainWithItsTexts() throws IOException {
    Path idx = copy("rewritten");
    Path log = dir.resolve("rewritten.log");
    for (int port : new int[] {40005, 40006}) {
      Files.writeString(
          log,
          "Oct 13 12:00:00 router2 kernel: [100.000000] mobilessh-reject: IN=eth0 OUT= MAC="
              + " SRC=198.51.100.97 DST=192.0.2.2 LEN=60 TOS=0x00 PREC=0x00 TTL=50 ID=1 DF"
              + " PROTO=TCP SPT="
              + port
              + " DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0\n");
      cli("ingest", "--index", idx + "", "--tz", "UTC", "--year", "2026", log + "");
    }
    AuditResult one = single(idx);
    assertThat(one.rejections())
        .filteredOn(r -> r.evidence().sourcePath().equals(log.toString()))
        .hasSize(2);
    assertThat(withoutTexts(idx).progress())
        .anyMatch(m -> m.contains("0 from the cache, 3 computed"));
    Streamed texts = streamed(idx, true, 2);
    assertThat(texts.result()).isEqualTo(one);
    assertThat(texts.progress())
        .filteredOn(
            m ->
                m.contains("of router router2 cannot be given its evidence texts")
                    && m.contains("two different lines in the index"))
        .hasSize(1);
    assertThat(texts.progress()).anyMatch(m -> m.contains("2 from the cache, 1 computed"));
    Streamed again = streamed(idx, true, 2);
    assertThat(again.result()).isEqualTo(one);
    assertThat(again.progress()).anyMatch(m -> m.contains("3 from the cache, 0 computed"));
  }

  @Test
  void anEntryWrittenForWindowsAnswersForRejectionsToo() throws IOException {
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
    assertThat(none).isEmpty(); // a sink that wants none is given none
    assertThat(windows).hasSizeGreaterThan(100);
    // the entries hold every kind: rejects (or a report) after windows computes nothing
    Streamed all = streamed(idx, true, 2);
    assertThat(all.progress()).anyMatch(m -> m.contains("3 from the cache, 0 computed"));
    assertThat(all.result()).isEqualTo(single(idx));
    assertThat(all.result().rejections()).hasSizeGreaterThan(100);
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

  /** A printer of windows that shows every field the tests care about, evidence texts or not. */
  private static RecordPrinter<Window> printer(
      boolean texts, java.util.function.Predicate<Window> keep) {
    return RecordPrinter.of(
        texts,
        (w, out) -> {
          if (!keep.test(w)) {
            return;
          }
          out.append(w.observer()).ascii(' ').append(w.openedAt().toString()).ascii(' ');
          out.append(w.source().getHostAddress()).ascii(' ').append(w.csvValues().toString());
          for (SourceLine l : w.evidence()) {
            out.ascii(' ').append(l.sourcePath()).ascii(':').append(l.lineNumber());
            if (texts) {
              out.ascii('=').append(l.line());
            }
          }
          out.ascii('\n');
        });
  }

  /** What the printer gives for the windows of one collected result, in their order. */
  private static String printed(AuditResult r, RecordPrinter<Window> p) {
    PrintBuffer b = new PrintBuffer(1 << 16);
    for (Window w : r.windows()) {
      p.print(w, b);
    }
    return b.toString();
  }

  private record Printed(String text, List<String> progress, int windowCalls) {}

  /** The windows of the month through a sink with a printer (printed on threads when merged). */
  private static Printed print(Path idx, RecordPrinter<Window> p, boolean cache, int threads) {
    return print(
        idx,
        p,
        cache,
        threads,
        MONTH.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC),
        MONTH.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC));
  }

  /** The windows of {@code [from, to)} through a sink with a printer. */
  private static Printed print(
      Path idx, RecordPrinter<Window> p, boolean cache, int threads, Instant from, Instant to) {
    StringBuilder text = new StringBuilder();
    int[] calls = {0};
    List<String> progress = new ArrayList<>();
    AuditSink sink =
        new AuditSink() {
          @Override
          public boolean wantsRejections() {
            return false;
          }

          @Override
          public boolean wantsSessions() {
            return false;
          }

          @Override
          public boolean wantsAnomalies() {
            return false;
          }

          @Override
          public void window(Window w) {
            calls[0]++;
            PrintBuffer b = new PrintBuffer(256);
            p.print(w, b);
            text.append(b);
          }

          @Override
          public RecordPrinter<Window> windowPrinter() {
            return p;
          }

          @Override
          public void printed(byte[] b, int off, int len) {
            text.append(new String(b, off, len, java.nio.charset.StandardCharsets.UTF_8));
          }
        };
    try (EventSearcher s = EventSearcher.open(idx)) {
      IndexedAuditInput.stream(
          s,
          FROM,
          TO,
          null,
          engine(),
          AuditSink.between(from, to, sink),
          new IndexedAuditInput.Options(cache, threads, progress::add));
    }
    return new Printed(text.toString(), progress, calls[0]);
  }

  @Test
  void recordsPrintedOnThreadsAndMergedAsBytesAreTheRecordsPrintedInOrder() throws IOException {
    Path idx = copy("printed");
    AuditResult one = single(idx);
    for (boolean texts : new boolean[] {false, true}) {
      for (java.util.function.Predicate<Window> keep :
          List.<java.util.function.Predicate<Window>>of(
              w -> true, w -> w.source().getAddress().length == 4, w -> false)) {
        RecordPrinter<Window> p = printer(texts, keep);
        String expected = printed(one, p);
        Printed cold = print(idx, p, true, 2);
        assertThat(cold.text()).isEqualTo(expected);
        Printed warm = print(idx, p, true, 2);
        assertThat(warm.text()).isEqualTo(expected);
        assertThat(warm.progress()).anyMatch(m -> m.contains("3 from the cache, 0 computed"));
        assertThat(warm.windowCalls()).isZero(); // all went through the printer
        assertThat(print(idx, p, false, 3).text()).isEqualTo(expected);
      }
    }
    // without texts the evidence lines carry "" only, and the pointers are the real ones
    assertThat(printed(one, printer(false, w -> true))).doesNotContain("=");
    assertThat(printed(one, printer(true, w -> true))).contains("=");
  }

  /** {@link #printer} with a form, counting the records it is given. */
  private static RecordPrinter<Window> formed(
      String form,
      java.util.function.Predicate<Window> keep,
      java.util.concurrent.atomic.AtomicLong calls) {
    RecordPrinter<Window> p = printer(false, keep);
    return RecordPrinter.of(
        false,
        form,
        (w, out) -> {
          calls.incrementAndGet();
          p.print(w, out);
        });
  }

  private static List<Path> kept(Path idx) throws IOException {
    if (!Files.isDirectory(AuditCache.directory(idx))) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(AuditCache.directory(idx))) {
      return s.filter(f -> f.getFileName().toString().startsWith("printed-")).sorted().toList();
    }
  }

  /**
   * Runs {@code p} (whose printing counts into {@code calls}) three times and checks the rows are
   * kept on their second use: the first run prints and keeps nothing, the second prints from the
   * records and keeps them ({@code routers} more files), the third copies them (prints nothing),
   * each time exactly {@code expected}.
   *
   * @return the first run
   */
  private static Printed keptOnSecondUse(
      Path idx,
      java.util.function.Supplier<Printed> p,
      java.util.concurrent.atomic.AtomicLong calls,
      String expected,
      int routers)
      throws IOException {
    int before = kept(idx).size();
    calls.set(0);
    Printed first = p.get();
    assertThat(first.text()).isEqualTo(expected);
    assertThat(calls.get()).isPositive();
    assertThat(kept(idx)).hasSize(before); // asked once: nothing written
    calls.set(0);
    Printed second = p.get();
    assertThat(second.text()).isEqualTo(expected);
    assertThat(second.progress()).anyMatch(m -> m.contains("3 from the cache, 0 computed"));
    assertThat(calls.get()).isPositive(); // printed from the entry's records
    assertThat(kept(idx)).hasSize(before + routers); // asked again: kept
    calls.set(0);
    Printed third = p.get();
    assertThat(third.text()).isEqualTo(expected);
    assertThat(calls.get()).isZero(); // copied: no record printed
    assertThat(third.windowCalls()).isZero();
    assertThat(kept(idx)).hasSize(before + routers);
    return first;
  }

  @Test
  void rowsPrintedInAFormAreKeptOnTheirSecondUseAndCopiedAfter() throws IOException {
    Path idx = copy("kept");
    AuditResult one = single(idx);
    java.util.concurrent.atomic.AtomicLong calls = new java.util.concurrent.atomic.AtomicLong();
    java.util.function.Predicate<Window> v4 = w -> w.source().getAddress().length == 4;
    RecordPrinter<Window> all = formed("all", w -> true, calls);
    String expected = printed(one, printer(false, w -> true));
    // cold: computed and printed, no rows kept; then printed again from the entries, and kept;
    // then copied (one file per router)
    assertThat(keptOnSecondUse(idx, () -> print(idx, all, true, 2), calls, expected, 3).progress())
        .anyMatch(m -> m.contains("0 from the cache, 3 computed"));
    // another form (a filter) is another file, kept on its own second use; its rows are its own
    String v4expected = printed(one, printer(false, v4));
    assertThat(v4expected).isNotEqualTo(expected).isNotEmpty();
    RecordPrinter<Window> onlyV4 = formed("v4", v4, calls);
    keptOnSecondUse(idx, () -> print(idx, onlyV4, true, 2), calls, v4expected, 3);
    // rows printed as nothing (filtered out) keep nothing and still come out right
    RecordPrinter<Window> none = formed("none", w -> false, calls);
    keptOnSecondUse(idx, () -> print(idx, none, true, 2), calls, "", 3);
    // without a form, or without the cache, nothing is kept and the records are printed
    int files = kept(idx).size();
    calls.set(0);
    for (int i = 0; i < 2; i++) {
      assertThat(print(idx, printer(false, w -> true), true, 2).text()).isEqualTo(expected);
      assertThat(print(idx, all, false, 2).text()).isEqualTo(expected);
    }
    assertThat(calls.get()).isPositive();
    assertThat(kept(idx)).hasSize(files);
    // a form that reads the evidence texts is not kept (its rows are several times the entry)
    RecordPrinter<Window> texts = printer(true, w -> true);
    RecordPrinter<Window> textForm = RecordPrinter.of(true, "texts", texts::print);
    for (int i = 0; i < 2; i++) {
      assertThat(print(idx, textForm, true, 2).text()).isEqualTo(printed(one, texts));
    }
    assertThat(kept(idx)).hasSize(files);
    // another period is another form (AuditSink.between adds it): kept on its second use too
    Instant from = Instant.parse("2026-10-10T00:00:00Z");
    Instant to = Instant.parse("2026-10-20T00:00:00Z");
    String part = printBetween(idx, printer(false, w -> true), from, to);
    assertThat(part).isNotEmpty().isNotEqualTo(expected);
    assertThat(part).contains("start").contains("end"); // windows clipped at both ends
    assertThat(kept(idx)).hasSize(files);
    keptOnSecondUse(idx, () -> print(idx, all, true, 2, from, to), calls, part, 3);
  }

  @Test
  void aFormAskedOnceOfEntriesAnotherCommandMadeKeepsNoRows() throws IOException {
    Path idx = copy("keptother");
    // the entries computed by a command that prints nothing (report, export): a form asked once
    // of them still writes no rows
    assertThat(streamed(idx, true, 2).progress()).anyMatch(m -> m.contains("0 from the cache"));
    java.util.concurrent.atomic.AtomicLong calls = new java.util.concurrent.atomic.AtomicLong();
    String expected = printed(single(idx), printer(false, w -> true));
    keptOnSecondUse(
        idx, () -> print(idx, formed("all", w -> true, calls), true, 2), calls, expected, 3);
  }

  /** The windows of {@code [from, to)} printed through a sink with printer {@code p} (cache on). */
  private static String printBetween(Path idx, RecordPrinter<Window> p, Instant from, Instant to) {
    return print(idx, p, true, 2, from, to).text();
  }

  @Test
  void damagedKeptRowsAreReportedAndPrintedAgain() throws IOException {
    Path idx = copy("keptdamage");
    AuditResult one = single(idx);
    java.util.concurrent.atomic.AtomicLong calls = new java.util.concurrent.atomic.AtomicLong();
    RecordPrinter<Window> all = formed("all", w -> true, calls);
    String expected = printed(one, printer(false, w -> true));
    keptOnSecondUse(idx, () -> print(idx, all, true, 2), calls, expected, 3);
    List<Path> files = kept(idx);
    // one byte flipped in one, another cut short, a third's form text altered (same length)
    try (RandomAccessFile f = new RandomAccessFile(files.get(0).toFile(), "rw")) {
      f.seek(f.length() / 2);
      int b = f.read();
      f.seek(f.length() / 2);
      f.write(b ^ 0x04);
    }
    try (RandomAccessFile f = new RandomAccessFile(files.get(1).toFile(), "rw")) {
      f.setLength(f.length() - 3);
    }
    byte[] third = Files.readAllBytes(files.get(2));
    third[12] ^= 0x01; // the form's first byte; the sum no longer matches either
    Files.write(files.get(2), third);
    calls.set(0);
    Printed again = print(idx, all, true, 2);
    assertThat(again.text()).isEqualTo(expected);
    assertThat(again.progress())
        .filteredOn(m -> m.contains("printed rows") && m.contains("damaged"))
        .hasSize(3);
    // the entries themselves are sound: nothing recomputed, the rows printed from the records
    assertThat(again.progress()).anyMatch(m -> m.contains("3 from the cache, 0 computed"));
    assertThat(calls.get()).isPositive();
    // and kept again
    assertThat(kept(idx)).hasSize(3);
    calls.set(0);
    assertThat(print(idx, all, true, 2).text()).isEqualTo(expected);
    assertThat(calls.get()).isZero();
  }

  @Test
  void keptRowsOfAnotherFormAreNeverUsed() throws IOException {
    Path idx = copy("keptform");
    java.util.concurrent.atomic.AtomicLong calls = new java.util.concurrent.atomic.AtomicLong();
    for (int i = 0; i < 2; i++) {
      print(idx, formed("one", w -> true, calls), true, 2); // kept on the second
    }
    List<Path> files = kept(idx);
    assertThat(files).hasSize(3);
    // the file of form "one" put where form "two"'s would be: its header names "one"
    RecordPrinter<Window> two = formed("two", w -> w.source().getAddress().length == 16, calls);
    AuditResult one = single(idx);
    for (Path f : files) {
      Path entry = f.getParent();
      AuditRunFile.Checked c = AuditRunFile.read(entry);
      String form2 =
          two.form() + "\nperiod: " + periodOf(MONTH) + "\nprogram: " + AuditCache.program();
      Files.copy(f, PrintedRun.file(entry, c.key(), form2));
    }
    Printed p = print(idx, two, true, 2);
    assertThat(p.text())
        .isEqualTo(printed(one, printer(false, w -> w.source().getAddress().length == 16)));
    assertThat(p.progress())
        .filteredOn(m -> m.contains("printed rows") && m.contains("another form"))
        .hasSize(3);
  }

  private static String periodOf(YearMonth m) {
    return m.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC)
        + " "
        + m.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
  }

  @Test
  void aDamagedTextFileIsFoundWhenTheTextsAreRead() throws IOException {
    Path idx = copy("text");
    AuditResult one = streamed(idx, true, 2).result();
    List<Path> texts;
    try (Stream<Path> s = Files.walk(AuditCache.directory(idx))) {
      texts = s.filter(p -> p.getFileName().toString().equals("windows.text")).sorted().toList();
    }
    assertThat(texts).hasSize(3);
    try (RandomAccessFile f = new RandomAccessFile(texts.get(0).toFile(), "rw")) {
      f.seek(f.length() / 2);
      int b = f.read();
      f.seek(f.length() / 2);
      f.write(b ^ 0x01);
    }
    // pointers only: the texts are not read, the entry serves
    RecordPrinter<Window> pointers = printer(false, w -> true);
    Printed p = print(idx, pointers, true, 2);
    assertThat(p.text()).isEqualTo(printed(one, pointers));
    assertThat(p.progress()).anyMatch(m -> m.contains("3 from the cache, 0 computed"));
    // the texts wanted: the damage is found before any record is used, and that router recomputed
    Streamed again = streamed(idx, true, 2);
    assertThat(again.result()).isEqualTo(one);
    assertThat(again.progress())
        .filteredOn(m -> m.contains("is damaged") && m.contains("windows.text"))
        .hasSize(1);
    assertThat(again.progress()).anyMatch(m -> m.contains("2 from the cache, 1 computed"));
  }

  @Test
  void segmentDigestsAreKeptAndGiveTheDigestOfEveryDocument() throws IOException {
    Path idx = copy("digests");
    java.util.Map<String, EventSearcher.Digest> kept = new java.util.HashMap<>();
    List<Query> queries =
        List.of(
            IndexedAuditInput.query(FROM, TO, "router1"),
            IndexedAuditInput.query(FROM, TO, "router2"),
            IndexedAuditInput.hostless(FROM, TO));
    List<java.util.Map<String, EventSearcher.Digest>> memos = new ArrayList<>();
    try (EventSearcher s = EventSearcher.open(idx)) {
      for (Query q : queries) {
        java.util.Map<String, EventSearcher.Digest> memo = new java.util.HashMap<>();
        EventSearcher.Digest all = s.digest(q);
        assertThat(s.digest(q, memo)).isEqualTo(all); // computed, and kept
        assertThat(memo).isNotEmpty();
        assertThat(s.digest(q, memo)).isEqualTo(all); // from what was kept
        memos.add(memo);
      }
      kept.putAll(memos.get(1));
    }
    // a line of router2 added (a new segment): old segments' parts reused, the sum still exact
    Path extra = dir.resolve("extra-digest.log");
    Files.writeString(
        extra,
        "Oct 13 12:00:00 router2 kernel: [100.000000] mobilessh-reject: IN=eth0 OUT= MAC="
            + " SRC=198.51.100.96 DST=192.0.2.2 LEN=60 TOS=0x00 PREC=0x00 TTL=50 ID=1 DF"
            + " PROTO=TCP SPT=40003 DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0\n");
    cli("ingest", "--index", idx + "", "--tz", "UTC", "--year", "2026", extra + "");
    try (EventSearcher s = EventSearcher.open(idx)) {
      for (int i = 0; i < queries.size(); i++) {
        java.util.Map<String, EventSearcher.Digest> memo = new java.util.HashMap<>(memos.get(i));
        assertThat(s.digest(queries.get(i), memo)).isEqualTo(s.digest(queries.get(i)));
      }
      java.util.Map<String, EventSearcher.Digest> memo = new java.util.HashMap<>(kept);
      EventSearcher.Digest d = s.digest(queries.get(1), memo);
      assertThat(d.count()).isEqualTo(s.digest(queries.get(1)).count());
      assertThat(memo.size()).isGreaterThan(kept.size()); // the new segment's part
      // a wrong part under a segment's key would show: the memo is trusted as given
      String any = kept.keySet().iterator().next();
      memo.put(any, new EventSearcher.Digest(kept.get(any).count() + 1, 0, 0));
      assertThat(s.digest(queries.get(1), memo)).isNotEqualTo(d);
    }
    // kept on disk by the cache, and a damaged memo file is only recomputed
    streamed(idx, true, 2);
    Path digests = AuditCache.directory(idx).resolve("digests");
    List<Path> files;
    try (Stream<Path> s = Files.list(digests)) {
      files = s.toList();
    }
    assertThat(files).isNotEmpty();
    for (Path f : files) {
      // one segment's count raised by one: the memo's checksum no longer matches
      List<String> lines = new ArrayList<>(Files.readAllLines(f));
      String[] v = lines.get(2).split(" ");
      assertThat(v[0]).isEqualTo("segment");
      v[2] = Long.toString(Long.parseLong(v[2]) + 1);
      lines.set(2, String.join(" ", v));
      Files.write(f, lines);
    }
    Streamed again = streamed(idx, true, 2);
    assertThat(again.progress()).anyMatch(m -> m.contains("3 from the cache, 0 computed"));
    assertThat(again.result()).isEqualTo(single(idx));
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
  void whatAStoppedRunLeftInTheCacheIsRemovedByTheNextRun() throws Exception {
    Path idx = copy("stopped");
    streamed(idx, true, 2);
    Path cacheDir = AuditCache.directory(idx);
    Path entry;
    try (Stream<Path> s = Files.list(cacheDir)) {
      entry = s.filter(p -> p.getFileName().toString().length() == 64).findFirst().orElseThrow();
    }
    long ended = ScratchNamesTest.endedPid();
    String uuid = java.util.UUID.randomUUID().toString();
    // a killed run: a half-written entry and half-written rows of a form inside a kept entry
    Path half = Files.createDirectory(cacheDir.resolve(".tmp-" + ended + "-" + uuid));
    Files.writeString(half.resolve("windows.records"), "half");
    Path halfRows = entry.resolve(".tmp-printed-" + ended + "-" + uuid);
    Files.writeString(halfRows, "half");
    // a run still writing
    Path writing = Files.createDirectory(cacheDir.resolve(ScratchNames.of(".tmp-")));
    Path writingRows = entry.resolve(ScratchNames.of(".tmp-printed-"));
    Files.writeString(writingRows, "rows");

    Streamed again = streamed(idx, true, 2);

    assertThat(again.progress()).anyMatch(m -> m.contains("3 from the cache, 0 computed"));
    assertThat(half).doesNotExist();
    assertThat(halfRows).doesNotExist();
    assertThat(writing).isDirectory();
    assertThat(writingRows).exists();
    assertThat(entry).isDirectory();
    assertThat(again.result()).isEqualTo(single(idx));
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
    try (Directory d = FSDirectory.open(idx);
        org.apache.lucene.index.CheckIndex check = new org.apache.lucene.index.CheckIndex(d)) {
      check.setInfoStream(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
      assertThat(check.checkIndex().clean).isTrue();
    }
  }

  static Instant at(String iso) {
    return java.time.LocalDateTime.parse(iso).toInstant(ZoneOffset.UTC);
  }
}
