package org.mobilessh.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.lucene.index.CheckIndex;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexNotFoundException;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.mobilessh.index.Fields;

/**
 * {@code mobilessh ingest --follow journal:FILE} as its own JVM on a real journal file that grows
 * while it runs (systemd-journal-remote appends, journalctl -f reads): killed with SIGKILL at
 * random moments and started again, then stopped with SIGTERM. Every entry must be in the index
 * exactly once, the last run must skip no duplicate (it resumed after the committed cursor, it did
 * not re-read and dedupe), and CheckIndex must find the index clean.
 */
class IngestJournalIT {
  static final int TOTAL = 3000;
  static final int BATCH = 60;
  static final int KILLS = 3;

  @Test
  void killNineWhileTheJournalGrowsLosesAndDuplicatesNothing() throws Exception {
    JournalFiles.require();
    Path work = Files.createDirectories(Path.of("target", "it-ingest-journal"));
    IngestCrashIT.deleteTree(work);
    Files.createDirectories(work);
    Path journal = work.resolve("router1.journal");
    Path index = work.resolve("index");
    JournalFiles.append(journal, 0, BATCH);
    AtomicReference<Exception> writerFailed = new AtomicReference<>();
    Thread writer =
        new Thread(
            () -> {
              try {
                for (int i = BATCH; i < TOTAL; i += BATCH) {
                  JournalFiles.append(journal, i, Math.min(TOTAL, i + BATCH));
                  Thread.sleep(120);
                }
              } catch (Exception e) {
                writerFailed.set(e);
              }
            },
            "journal-writer");
    writer.start();
    Random random = new Random(Long.getLong("crash.seed", System.nanoTime()));
    List<Long> committedAfterKill = new ArrayList<>();
    try {
      for (int k = 0; k < KILLS; k++) {
        long before = count(index);
        Process p = start(index, journal, work.resolve("run" + k + ".out"));
        // kill at a random moment after this run has committed something: a fixed delay killed
        // every run before its first commit when the machine was busy
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (count(index) <= before && p.isAlive() && System.nanoTime() < deadline) {
          Thread.sleep(100);
        }
        Thread.sleep(random.nextInt(1500));
        List<ProcessHandle> children = p.descendants().toList();
        p.destroyForcibly(); // SIGKILL: no shutdown hook, no last commit
        p.waitFor();
        for (ProcessHandle c : children) {
          c.destroyForcibly(); // the orphaned journalctl
        }
        committedAfterKill.add(count(index));
      }
      writer.join(120_000);
      assertThat(writerFailed.get()).isNull();
      System.out.println("IngestJournalIT: committed after each kill " + committedAfterKill);
      assertThat(committedAfterKill)
          .as("each killed run committed something; one was killed before the end")
          .allMatch(c -> c > 0)
          .anyMatch(c -> c < TOTAL);

      Path lastOut = work.resolve("last.out");
      Process last = start(index, journal, lastOut);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      // SIGTERM only once it is following (its shutdown hook is in place) and has looked at the
      // journal, also when the killed runs had already committed everything
      while ((!Files.readString(lastOut, StandardCharsets.UTF_8).contains("following")
              || count(index) < TOTAL)
          && System.nanoTime() < deadline
          && last.isAlive()) {
        Thread.sleep(500);
      }
      Thread.sleep(1500);
      List<ProcessHandle> children = last.descendants().toList();
      new ProcessBuilder("kill", "-TERM", Long.toString(last.pid())).start().waitFor();
      assertThat(last.waitFor(60, TimeUnit.SECONDS)).isTrue();
      children.forEach(ProcessHandle::destroy);
      String out = Files.readString(lastOut, StandardCharsets.UTF_8);
      assertThat(out)
          .contains("files:               1 (1 resumed")
          .contains("duplicates skipped:  0")
          .contains("quarantined:         0");
    } finally {
      writer.join(120_000);
    }
    try (var dir = FSDirectory.open(index)) {
      try (var reader = DirectoryReader.open(dir)) {
        assertThat(new IndexSearcher(reader).count(kernelEvents())).isEqualTo(TOTAL);
      }
      try (CheckIndex check = new CheckIndex(dir)) {
        assertThat(check.checkIndex().clean).isTrue();
      }
    }
  }

  static org.apache.lucene.search.Query kernelEvents() {
    var q = new org.apache.lucene.search.BooleanQuery.Builder();
    for (String a : List.of("set", "remove", "accept", "reject")) {
      q.add(
          new TermQuery(new Term(Fields.ACTION, a)),
          org.apache.lucene.search.BooleanClause.Occur.SHOULD);
    }
    return q.build();
  }

  static long count(Path index) throws IOException {
    try (var dir = FSDirectory.open(index);
        var reader = DirectoryReader.open(dir)) {
      return new IndexSearcher(reader).count(kernelEvents());
    } catch (IndexNotFoundException e) {
      return 0;
    }
  }

  static Process start(Path index, Path journal, Path output) throws IOException {
    String jar = System.getenv("MOBILESSH_JAR");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-cp");
    cmd.add(
        jar != null && Files.isRegularFile(Path.of(jar))
            ? jar
            : System.getProperty("java.class.path"));
    cmd.add("org.mobilessh.cli.Main");
    cmd.addAll(
        List.of(
            "ingest",
            "--follow",
            "--index",
            index.toString(),
            "--tz",
            "UTC",
            "--commit-lines",
            "250",
            "journal:" + journal));
    return new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(output.toFile())
        .start();
  }
}
