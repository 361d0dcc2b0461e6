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
import java.util.List;
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
import org.mobilessh.index.Fields;

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
