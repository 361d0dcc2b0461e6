package org.mobilessh.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/mobilessh ingest}'s class data sharing archive, run through the real launcher and the
 * shaded jar (a copy, so that it can be replaced): the first run writes the archive, later runs map
 * classes from it, a torn archive or a changed jar is never used, no cache directory costs nothing
 * but the archive, an interrupt stops the JVM, and the ingest's output is the same with and without
 * it.
 */
class LauncherCdsIT {
  private static final Pattern ARCHIVE = Pattern.compile("ingest-(\\d+)-(\\d+)-(\\d+)\\.jsa");
  private static final Path SAMPLE = Path.of("sample-logs", "kern-rfc3339.log");

  private Path work;
  private Path home;
  private Path cache;
  private Path jar;
  private int runs;

  @BeforeEach
  void setUp() throws IOException {
    work = Path.of("target", "it-launcher-cds").toAbsolutePath();
    IngestCrashIT.deleteTree(work);
    // a space in the cache path: the launcher must quote the archive option
    home = Files.createDirectories(work.resolve("home dir"));
    cache = home.resolve(".cache").resolve("mobilessh");
    jar = work.resolve("mobilessh.jar");
    Files.copy(shadedJar(), jar);
  }

  @Test
  void firstRunWritesTheArchiveLaterRunsUseItOutputUnchanged() throws Exception {
    Run first = ingest(Map.of(), SAMPLE.toString());
    assertThat(first.status).as(first.err).isZero();
    Path archive = onlyArchive();

    Path classLog = work.resolve("class-load.log");
    Run second =
        ingest(
            Map.of("MOBILESSH_JAVA_OPTS", "-Xlog:class+load=info:file=" + classLog),
            SAMPLE.toString());
    assertThat(second.status).as(second.err).isZero();
    assertThat(Files.readString(classLog)).contains("source: shared objects file (top)");
    assertThat(onlyArchive()).isEqualTo(archive);

    Run without = ingest(Map.of("MOBILESSH_CDS", "off"), SAMPLE.toString());
    assertThat(without.status).as(without.err).isZero();
    assertThat(summary(first)).isEqualTo(summary(without)).isEqualTo(summary(second));
    assertThat(summary(first)).anyMatch(l -> l.contains("events indexed:"));
    assertThat(first.out).isEqualTo(without.out).isEqualTo(second.out);
  }

  @Test
  void aHelpRunWritesNoArchiveTheNextIngestDoes() throws Exception {
    ProcessBuilder pb = launcher(Map.of(), "--help");
    pb.redirectOutput(work.resolve("help.out").toFile());
    pb.redirectError(work.resolve("help.err").toFile());
    Process p = pb.start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
    assertThat(Files.readString(work.resolve("help.out"))).contains("--follow");
    assertThat(Files.exists(cache)).as("a --help run writes no archive").isFalse();
    assertThat(ingest(Map.of(), SAMPLE.toString()).status).isZero();
    onlyArchive();
  }

  @Test
  void aTornArchiveIsNeverUsedAndIsWrittenAgain() throws Exception {
    assertThat(ingest(Map.of(), SAMPLE.toString()).status).isZero();
    Path archive = onlyArchive();
    long size = Files.size(archive);
    // JDK 17 dies with SIGBUS on a truncated archive: the size in the name must stop its use
    archive.toFile().setWritable(true);
    try (var ch =
        java.nio.channels.FileChannel.open(archive, java.nio.file.StandardOpenOption.WRITE)) {
      ch.truncate(size / 2);
    }
    Run torn = ingest(Map.of(), SAMPLE.toString());
    assertThat(torn.status).as(torn.err).isZero();
    assertThat(torn.err).contains("events indexed:");
    Path again = onlyArchive();
    Matcher m = ARCHIVE.matcher(again.getFileName().toString());
    assertThat(m.matches()).isTrue();
    assertThat(Files.size(again)).isEqualTo(Long.parseLong(m.group(3)));
  }

  @Test
  void aReplacedJarGetsANewArchiveAndTheOldOneGoes() throws Exception {
    assertThat(ingest(Map.of(), SAMPLE.toString()).status).isZero();
    Path before = onlyArchive();
    Files.copy(shadedJar(), jar, StandardCopyOption.REPLACE_EXISTING);
    Run after = ingest(Map.of(), SAMPLE.toString());
    assertThat(after.status).as(after.err).isZero();
    Path now = onlyArchive();
    assertThat(now).isNotEqualTo(before);
    // the same jar path: the first number (the path's key) stays, the identity's changes
    assertThat(key(now, 1)).isEqualTo(key(before, 1));
    assertThat(key(now, 2)).isNotEqualTo(key(before, 2));
  }

  @Test
  void noUsableCacheDirectoryMeansNoArchiveAndTheSameRun() throws Exception {
    Path notADirectory = Files.writeString(work.resolve("cache-file"), "x");
    Run run = ingest(Map.of("XDG_CACHE_HOME", notADirectory.toString()), SAMPLE.toString());
    Run without = ingest(Map.of("MOBILESSH_CDS", "off"), SAMPLE.toString());
    assertThat(run.status).as(run.err).isZero();
    assertThat(summary(run)).isEqualTo(summary(without));
    assertThat(Files.readString(notADirectory)).isEqualTo("x");
    assertThat(Files.exists(cache)).isFalse();
  }

  @Test
  void aStatThatFailsMeansNoArchive() throws Exception {
    // without the jar's identity there is no key: never an archive under a key of nothing
    Path bin = Files.createDirectories(work.resolve("bin-without-stat"));
    Path stat = Files.writeString(bin.resolve("stat"), "#!/bin/sh\nexit 1\n");
    assertThat(stat.toFile().setExecutable(true)).isTrue();
    Run run = ingest(Map.of("PATH", bin + ":" + System.getenv("PATH")), SAMPLE.toString());
    assertThat(run.status).as(run.err).isZero();
    assertThat(run.err).contains("events indexed:");
    assertThat(Files.exists(cache)).isFalse();
  }

  @Test
  void theRunWritingTheArchiveReadsStandardInputAndStopsOnAnInterrupt() throws Exception {
    Run file = ingest(Map.of("MOBILESSH_CDS", "off"), SAMPLE.toString());
    Run piped = ingest(Map.of(), "-"); // the first run: the archive-writing one, JVM as a child
    assertThat(piped.status).as(piped.err).isZero();
    assertThat(line(piped, "events indexed:")).isEqualTo(line(file, "events indexed:"));
    onlyArchive();

    IngestCrashIT.deleteTree(cache);
    ProcessBuilder pb = launcher(Map.of(), "-"); // standard input stays open: it waits for lines
    pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    Process p = pb.start();
    List<ProcessHandle> jvm = new ArrayList<>();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (jvm.isEmpty() && System.nanoTime() < until) {
      p.children().forEach(jvm::add);
      Thread.sleep(100);
    }
    assertThat(jvm)
        .as("the launcher runs the JVM as its child when it writes an archive")
        .hasSize(1);
    Thread.sleep(1500); // let it start reading
    // the shell's own kill: no procps needed
    new ProcessBuilder("sh", "-c", "kill -INT " + p.pid()).start().waitFor();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(130);
    jvm.get(0).onExit().get(30, TimeUnit.SECONDS);
    assertThat(jvm.get(0).isAlive()).isFalse();
    p.getOutputStream().close();
    try (Stream<Path> left = Files.exists(cache) ? Files.list(cache) : Stream.empty()) {
      assertThat(left.toList())
          .as("no archive from an interrupted run, no temporary file")
          .isEmpty();
    }
  }

  private record Run(int status, String out, String err) {}

  private Run ingest(Map<String, String> env, String input) throws Exception {
    ProcessBuilder pb = launcher(env, input);
    Path out = work.resolve("run-" + runs + ".out");
    Path err = work.resolve("run-" + runs + ".err");
    pb.redirectOutput(out.toFile());
    pb.redirectError(err.toFile());
    if (input.equals("-")) {
      pb.redirectInput(SAMPLE.toFile());
    }
    Process p = pb.start();
    assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
    return new Run(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  private ProcessBuilder launcher(Map<String, String> env, String input) {
    Path index = work.resolve("index-" + ++runs);
    ProcessBuilder pb =
        new ProcessBuilder(
            "sh",
            Path.of("bin", "mobilessh").toString(),
            "ingest",
            "--index",
            index.toString(),
            "--tz",
            "UTC",
            "--year",
            "2026",
            input);
    Map<String, String> e = pb.environment();
    e.remove("XDG_CACHE_HOME");
    e.remove("MOBILESSH_JAVA_OPTS");
    e.remove("MOBILESSH_CDS");
    e.put("HOME", home.toString());
    e.put("MOBILESSH_JAR", jar.toString());
    e.put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
    e.putAll(env);
    return pb;
  }

  /** The ingest summary without the lines that differ from run to run (index path, rate). */
  private static List<String> summary(Run r) {
    return r.err
        .lines()
        .filter(l -> !l.startsWith("ingest summary (index ") && !l.contains("rate:"))
        .toList();
  }

  private static String line(Run r, String label) {
    return r.err.lines().filter(l -> l.contains(label)).findFirst().orElse("(none)");
  }

  private Path onlyArchive() throws IOException {
    try (Stream<Path> files = Files.list(cache)) {
      List<Path> all = files.toList();
      assertThat(all).as("one archive and nothing else in %s", cache).hasSize(1);
      Matcher m = ARCHIVE.matcher(all.get(0).getFileName().toString());
      assertThat(m.matches()).as(all.get(0).toString()).isTrue();
      assertThat(Files.size(all.get(0))).isEqualTo(Long.parseLong(m.group(3)));
      return all.get(0);
    }
  }

  private static String key(Path archive, int group) {
    Matcher m = ARCHIVE.matcher(archive.getFileName().toString());
    assertThat(m.matches()).isTrue();
    return m.group(group);
  }

  private static Path shadedJar() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("target"))) {
      return files
          .filter(f -> f.getFileName().toString().matches("mobilessh-.*\\.jar"))
          .findFirst()
          .orElseThrow(() -> new IllegalStateException("no shaded jar: run mvn package first"));
    }
  }
}
