package org.mobilessh.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.zip.GZIPOutputStream;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mobilessh.index.EventIndex;
import org.mobilessh.index.EventSearcher;
import org.mobilessh.index.Fields;
import org.mobilessh.rules.SectionedFile;

/**
 * {@code --follow} on real file operations in a temp dir: growth with a torn line, rename and
 * create (with late writes to the renamed file), compression of the rotated file, copytruncate.
 */
class IngestFollowTest {
  @TempDir Path tmp;

  static final List<String> LINES = sampleLines();

  static List<String> sampleLines() {
    try {
      return Files.readAllLines(Path.of("sample-logs", "kern-rfc3339.log"));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  static String lines(int from, int to) {
    StringBuilder b = new StringBuilder();
    for (int i = from; i < to; i++) {
      b.append(LINES.get(i)).append('\n');
    }
    return b.toString();
  }

  static void append(Path f, String text) throws IOException {
    Files.writeString(
        f, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  static void await(LongSupplier value, long expected) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (value.getAsLong() < expected && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(value.getAsLong()).isEqualTo(expected);
  }

  @Test
  void followsGrowthRenameCompressionAndCopytruncate() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("log"));
    Path kern = dir.resolve("kern.log");
    Path index = tmp.resolve("index");
    append(kern, lines(0, 10));
    AtomicBoolean stop = new AtomicBoolean();
    IngestStats stats;
    Ingester ingester;
    try (EventIndex idx = EventIndex.open(index)) {
      ingester =
          new Ingester(
              idx,
              IngestOptions.defaults(ZoneId.of("UTC"))
                  .withCommitEvery(1000, Duration.ofMillis(300)),
              null);
      Ingester ing = ingester;
      Thread t =
          new Thread(() -> ing.follow(List.of(Source.of(kern)), stop::get, Duration.ofMillis(50)));
      t.start();
      try {
        LongSupplier indexed = () -> ing.stats().eventsIndexed();
        await(indexed, 10);

        String l15 = LINES.get(15);
        append(kern, lines(10, 15) + l15.substring(0, 40)); // torn: no newline yet
        await(indexed, 15);
        Thread.sleep(300);
        assertThat(indexed.getAsLong()).isEqualTo(15);
        append(kern, l15.substring(40) + "\n");
        await(indexed, 16);

        // logrotate: rename, the daemon writes two more lines to the old file, then a new file
        Path rotated = dir.resolve("kern.log.1");
        Files.move(kern, rotated);
        append(rotated, lines(16, 18));
        append(kern, lines(18, 23));
        await(indexed, 23);

        // delaycompress's later step: compress the rotated file and delete it
        try (OutputStream out =
            new GZIPOutputStream(Files.newOutputStream(dir.resolve("kern.log.1.gz")))) {
          out.write(Files.readAllBytes(rotated));
        }
        Files.delete(rotated);

        // copytruncate: the file is emptied in place and written again
        try (FileChannel ch = FileChannel.open(kern, StandardOpenOption.WRITE)) {
          ch.truncate(0);
        }
        append(kern, lines(23, 27));
        await(indexed, 27);
      } finally {
        stop.set(true);
        t.join(20_000);
      }
      stats = ingester.stats();
    }
    assertThat(stats.duplicates()).isZero();
    assertThat(stats.quarantinedTotal()).isZero();
    try (var d = FSDirectory.open(index);
        var reader = DirectoryReader.open(d)) {
      BooleanQuery.Builder q = new BooleanQuery.Builder();
      for (String a : List.of("set", "remove", "accept", "reject")) {
        q.add(new TermQuery(new Term(Fields.ACTION, a)), BooleanClause.Occur.SHOULD);
      }
      assertThat(new IndexSearcher(reader).count(q.build())).isEqualTo(27);
    }
    // what follow committed is where a batch run resumes: nothing is read twice
    try (EventIndex idx = EventIndex.open(index)) {
      IngestStats again =
          new Ingester(idx, IngestOptions.defaults(ZoneId.of("UTC")), null)
              .run(SourceResolver.resolve(List.of(dir.toString())));
      assertThat(again.linesRead()).isZero();
      assertThat(again.resumedFiles()).isEqualTo(2);
    }
  }

  static SectionedFile sampleSnapshot(String timestamp) throws IOException {
    SectionedFile f =
        SectionedFile.parse(
            Files.readString(Path.of("sample-logs", "rules-snapshot.txt"), StandardCharsets.UTF_8));
    Map<String, String> headers = new LinkedHashMap<>(f.headers());
    headers.put("timestamp", timestamp);
    return new SectionedFile(f.title(), headers, f.sections());
  }

  @Test
  void followedDirectoriesAndPatternsPickUpNewFilesAndSnapshotsOnce() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("log"));
    Path kern = dir.resolve("kern.log");
    Path later = tmp.resolve("elsewhere").resolve("later-snapshot.txt");
    String pattern = tmp.resolve("r*").resolve("kern.log").toString();
    Path index = tmp.resolve("index");
    append(kern, lines(0, 5));
    List<String> operands = List.of(dir.toString(), later.toString(), pattern);
    List<String> notices = new java.util.concurrent.CopyOnWriteArrayList<>();
    AtomicBoolean stop = new AtomicBoolean();
    IngestStats stats;
    try (EventIndex idx = EventIndex.open(index)) {
      Ingester ing =
          new Ingester(
              idx,
              IngestOptions.defaults(ZoneId.of("UTC"))
                  .withHost("router1")
                  .withCommitEvery(1000, Duration.ofMillis(300)),
              new Ingester.Listener() {
                @Override
                public void notice(String message) {
                  notices.add(message);
                }
              });
      Thread t =
          new Thread(
              () ->
                  ing.follow(
                      SourceResolver.resolve(operands),
                      SourceResolver.watches(operands),
                      stop::get,
                      Duration.ofMillis(50)));
      t.start();
      try {
        LongSupplier indexed = () -> ing.stats().eventsIndexed();
        LongSupplier snapshots = () -> ing.stats().snapshots();
        await(indexed, 5);
        // a new live file in the directory is followed (not read once: it grows later)
        Path kern2 = dir.resolve("kern2.log");
        append(kern2, lines(5, 10));
        await(indexed, 10);
        append(kern2, lines(10, 12));
        await(indexed, 12);
        // logrotate: the rotated name is the file being read; no second reader
        Path rotated = dir.resolve("kern.log.1");
        Files.move(kern, rotated);
        append(rotated, lines(12, 14));
        append(kern, lines(14, 16));
        await(indexed, 16);
        Thread.sleep(1500); // a rescan has seen kern.log.1
        // a directory matching the pattern appears
        append(Files.createDirectories(tmp.resolve("r1")).resolve("kern.log"), lines(16, 18));
        await(indexed, 18);

        // rules snapshot --out writes atomically: stored once
        sampleSnapshot("2026-11-27T01:16:24.182553Z").write(dir.resolve("rules-snapshot.txt"));
        await(snapshots, 1);
        // a copy in progress (two writes 400 ms apart) is not read half-written
        String second = sampleSnapshot("2026-11-27T02:00:00.000000Z").text();
        Path copy = dir.resolve("copied-snapshot.txt");
        append(copy, second.substring(0, second.length() / 2));
        Thread.sleep(400);
        append(copy, second.substring(second.length() / 2));
        await(snapshots, 2);
        // the same name replaced by the next snapshot: stored too
        sampleSnapshot("2026-11-27T03:00:00.000000Z").write(dir.resolve("rules-snapshot.txt"));
        await(snapshots, 3);
        // a snapshot named on the command line that appears later
        sampleSnapshot("2026-11-27T04:00:00.000000Z").write(later);
        await(snapshots, 4);
        Thread.sleep(1500);
        assertThat(snapshots.getAsLong()).isEqualTo(4);
      } finally {
        stop.set(true);
        t.join(20_000);
      }
      stats = ing.stats();
    }
    assertThat(stats.duplicates()).as(notices.toString()).isZero();
    assertThat(stats.quarantinedTotal()).as(notices.toString()).isZero();
    assertThat(notices).anyMatch(n -> n.contains("no file matches yet"));
    try (EventSearcher s = EventSearcher.open(index)) {
      assertThat(s.snapshots(null, null, null)).hasSize(4);
    }
    try (var d = FSDirectory.open(index);
        var reader = DirectoryReader.open(d)) {
      BooleanQuery.Builder q = new BooleanQuery.Builder();
      for (String a : List.of("set", "remove", "accept", "reject")) {
        q.add(new TermQuery(new Term(Fields.ACTION, a)), BooleanClause.Occur.SHOULD);
      }
      assertThat(new IndexSearcher(reader).count(q.build())).isEqualTo(18);
    }
  }

  @Test
  void copytruncateInAFollowedDirectoryLosesNoLineWrittenJustBeforeTheTruncate() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("log"));
    Path kern = dir.resolve("kern.log");
    Path index = tmp.resolve("index");
    append(kern, lines(0, 10));
    List<String> operands = List.of(dir.toString());
    AtomicBoolean stop = new AtomicBoolean();
    IngestStats stats;
    try (EventIndex idx = EventIndex.open(index)) {
      Ingester ing =
          new Ingester(
              idx,
              IngestOptions.defaults(ZoneId.of("UTC"))
                  .withHost("router1")
                  .withCommitEvery(1000, Duration.ofMillis(300)),
              null);
      Thread t =
          new Thread(
              () ->
                  ing.follow(
                      SourceResolver.resolve(operands),
                      SourceResolver.watches(operands),
                      stop::get,
                      Duration.ofMillis(200)));
      t.start();
      try {
        await(() -> ing.stats().eventsIndexed(), 10);
        // the daemon writes, and logrotate's copytruncate copies and truncates, all before the
        // next poll: these lines exist only in the copy
        append(kern, lines(10, 16));
        Files.copy(kern, dir.resolve("kern.log.1"));
        try (FileChannel ch = FileChannel.open(kern, StandardOpenOption.WRITE)) {
          ch.truncate(0);
        }
        append(kern, lines(16, 20));
        await(() -> ing.stats().eventsIndexed(), 20);
      } finally {
        stop.set(true);
        t.join(20_000);
      }
      stats = ing.stats();
    }
    assertThat(stats.quarantinedTotal()).isZero();
  }

  @Test
  void followsAPipeLineByLineAndWaitsForTheNewlineOfATornLine() throws Exception {
    PipedOutputStream writer = new PipedOutputStream();
    PipedInputStream pipe = new PipedInputStream(writer, 1 << 16);
    AtomicBoolean stop = new AtomicBoolean();
    try (EventIndex idx = EventIndex.open(tmp.resolve("index"))) {
      Ingester ing =
          new Ingester(
              idx,
              IngestOptions.defaults(ZoneId.of("UTC"))
                  .withStdin(pipe)
                  .withCommitEvery(1000, Duration.ofMillis(200)),
              null);
      Thread t =
          new Thread(() -> ing.follow(List.of(Source.stdin()), stop::get, Duration.ofMillis(50)));
      t.start();
      try {
        String l5 = LINES.get(5);
        writer.write((lines(0, 5) + l5.substring(0, 30)).getBytes(StandardCharsets.UTF_8));
        writer.flush();
        await(() -> ing.stats().eventsIndexed(), 5);
        Thread.sleep(200);
        assertThat(ing.stats().eventsIndexed()).isEqualTo(5);
        writer.write((l5.substring(30) + "\n").getBytes(StandardCharsets.UTF_8));
        writer.flush();
        await(() -> ing.stats().eventsIndexed(), 6);
      } finally {
        stop.set(true);
        t.join(20_000);
      }
      assertThat(ing.stats().quarantinedTotal()).isZero();
    }
  }
}
