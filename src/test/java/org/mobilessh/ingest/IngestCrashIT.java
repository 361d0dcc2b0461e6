package org.mobilessh.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.apache.lucene.index.CheckIndex;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.mobilessh.index.Fields;

/**
 * Crash safety: {@code mobilessh ingest} runs as its own JVM on a large generated input and is
 * killed with SIGKILL at several random moments, each after that run's first commit; re-runs then
 * complete it. Every event must be in the index exactly once and Lucene's CheckIndex must find the
 * index clean.
 */
class IngestCrashIT {
  static final int LINES_PER_FILE = 100_000;

  /** Each killed run costs a JVM start and a commit (~5 s on the 2-core host): three suffice. */
  static final int KILLS = 3;

  @Test
  void killNineAtRandomMomentsLosesAndDuplicatesNothing() throws Exception {
    Path work = Files.createDirectories(Path.of("target", "it-ingest-crash"));
    Path logs = work.resolve("logs");
    Path index = work.resolve("index");
    deleteTree(work);
    Files.createDirectories(logs);
    List<String> template =
        Files.readAllLines(Path.of("sample-logs", "kern-rfc3339.log")).stream()
            .filter(l -> l.contains("mobilessh-reject:") && l.contains("SRC=203.0.113."))
            .toList();
    assertThat(template).isNotEmpty();
    Instant start = Instant.parse("2026-10-01T00:00:00Z");
    long n = 0;
    n += generate(logs.resolve("kern.log.1.gz"), template, start, 0, true);
    n += generate(logs.resolve("kern.log"), template, start, LINES_PER_FILE, false);

    long seed = Long.getLong("crash.seed", System.nanoTime());
    Random random = new Random(seed);
    int killed = 0;
    // kills that left part of the input committed: the ones that prove a resume (a kill before
    // the first commit only proves a fresh start)
    List<Long> committedAtKills = new ArrayList<>();
    for (int i = 0; i < KILLS; i++) {
      long before = committedRejects(index);
      Process p = start(index, logs);
      // A kill at a fixed wall-clock delay proved nothing once the first commit came later than
      // the longest delay (it does on a loaded 2-core host: ~4 s): every run died before it had
      // committed anything. So wait for this run's first commit, then kill at a random moment
      // after it: mid-batch, mid-commit or mid-merge.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (p.isAlive() && committedRejects(index) <= before && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      if (p.waitFor(random.nextInt(1500), TimeUnit.MILLISECONDS)) {
        break; // finished before the kill: the remaining runs resume from the end
      }
      p.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no rollback
      p.waitFor();
      killed++;
      committedAtKills.add(committedRejects(index));
    }
    System.out.println(
        "IngestCrashIT: "
            + n
            + " lines, killed "
            + killed
            + " runs with "
            + committedAtKills
            + " events committed (-Dcrash.seed="
            + seed
            + ")");
    long total = n;
    assertThat(committedAtKills)
        .as("a run was killed after a commit and before the end (seed %d)", seed)
        .anyMatch(c -> c > 0 && c < total);
    Process last = start(index, logs);
    String out = new String(last.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(last.waitFor()).as(out).isZero();
    assertThat(killed).as("at least one run was killed mid-way (input too small?)").isPositive();
    assertThat(out).contains("duplicates skipped:  0");

    try (var dir = FSDirectory.open(index)) {
      try (var reader = DirectoryReader.open(dir)) {
        assertThat(
                new IndexSearcher(reader).count(new TermQuery(new Term(Fields.ACTION, "reject"))))
            .isEqualTo(n);
      }
      try (CheckIndex check = new CheckIndex(dir)) {
        assertThat(check.checkIndex().clean).isTrue();
      }
    }
    // and once more: nothing new
    Process again = start(index, logs);
    String out2 = new String(again.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(again.waitFor()).as(out2).isZero();
    assertThat(out2).contains("lines read:          0").contains("events indexed:      0");
  }

  /** Reject events in the last commit of the index, 0 when none was committed yet. */
  static long committedRejects(Path index) throws IOException {
    if (!Files.isDirectory(index)) {
      return 0;
    }
    try (var dir = FSDirectory.open(index)) {
      if (!DirectoryReader.indexExists(dir)) {
        return 0;
      }
      try (var reader = DirectoryReader.open(dir)) {
        return new IndexSearcher(reader).count(new TermQuery(new Term(Fields.ACTION, "reject")));
      }
    }
  }

  /** Distinct reject events: each line a template line with a new time, port and IP ID. */
  static long generate(Path file, List<String> template, Instant start, int first, boolean gz)
      throws IOException {
    var os = Files.newOutputStream(file);
    try (Writer w =
        new BufferedWriter(
            new OutputStreamWriter(
                gz ? new GZIPOutputStream(os, 1 << 16) : os, StandardCharsets.US_ASCII),
            1 << 16)) {
      for (int i = first; i < first + LINES_PER_FILE; i++) {
        String t = template.get(i % template.size());
        Instant at = start.plus(i * 10_000L, ChronoUnit.MICROS);
        String stamp = at.toString().replace("Z", "");
        if (stamp.length() == 19) {
          stamp += ".000000";
        }
        while (stamp.length() < 26) {
          stamp += "0";
        }
        String rest = t.substring(t.indexOf(' '));
        rest = rest.replaceFirst(" SPT=\\d+", " SPT=" + (1024 + i % 60000));
        rest = rest.replaceFirst(" ID=\\d+", " ID=" + (i / 60000));
        w.write(stamp + "+00:00" + rest + "\n");
      }
    }
    return LINES_PER_FILE;
  }

  static Process start(Path index, Path logs) throws IOException {
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
            "--index",
            index.toString(),
            "--tz",
            "UTC",
            "--commit-lines",
            "7000",
            logs.toString()));
    return new ProcessBuilder(cmd).redirectErrorStream(true).start();
  }

  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (var walk = Files.walk(p)) {
      for (Path f : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
  }
}
