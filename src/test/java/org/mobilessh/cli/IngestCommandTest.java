package org.mobilessh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mobilessh.index.Fields;

/**
 * {@code mobilessh ingest} end to end on the real captured logs in {@code sample-logs/} and on bad
 * input made from them: exact counts in the summary and in the index, exit codes.
 */
class IngestCommandTest {
  static final Path SAMPLES = Path.of("sample-logs");

  /** Kernel LOG records in the capture, per action (each appears once per kernel-log source). */
  static final int SET = 10;

  static final int REMOVE = 8;
  static final int ACCEPT = 9;
  static final int REJECT = 17;
  static final int KERNEL = SET + REMOVE + ACCEPT + REJECT;

  @TempDir Path tmp;
  Path logs;
  Path index;

  @BeforeEach
  void copySamples() throws IOException {
    logs = Files.createDirectories(tmp.resolve("logs"));
    index = tmp.resolve("index");
    try (var files = Files.list(SAMPLES)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(f)) {
          // COPY_ATTRIBUTES keeps the mtime, which the year of traditional syslog comes from
          Files.copy(f, logs.resolve(f.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }

  CliResult ingest(String... args) {
    List<String> all =
        new ArrayList<>(List.of("ingest", "--index", index.toString(), "--tz", "UTC"));
    all.addAll(Arrays.asList(args));
    return CliResult.run(all.toArray(String[]::new));
  }

  String log(String name) {
    return logs.resolve(name).toString();
  }

  long count(String action) throws IOException {
    try (var dir = FSDirectory.open(index);
        var reader = DirectoryReader.open(dir)) {
      return new IndexSearcher(reader).count(new TermQuery(new Term(Fields.ACTION, action)));
    }
  }

  @Test
  void sampleKernelLogsFromFourSourcesAreIndexedOnceAndReingestAddsNothing() throws IOException {
    assertThat(Files.readAllLines(SAMPLES.resolve("kern-rfc3339.log"))).hasSize(KERNEL);
    CliResult r =
        ingest(
            log("kern.log"),
            log("kern.log.1"),
            log("syslog"),
            log("syslog.1"),
            log("kern-rfc3339.log"),
            log("dmesg-iso.log"));
    assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.OK);
    assertThat(r.out()).isEmpty();
    assertThat(r.err())
        .contains(
            "events indexed:      "
                + KERNEL
                + " (set "
                + SET
                + ", remove "
                + REMOVE
                + ", accept "
                + ACCEPT
                + ", reject "
                + REJECT
                + ")")
        .contains("duplicates skipped:  " + 3 * KERNEL)
        .contains("files:               6 (0 resumed")
        .contains("quarantined:         0")
        .contains("lines read:          " + (4 * KERNEL + 8)) // + 8 lines of other programs
        .containsPattern("rate:                \\d+ lines/s \\(\\d+\\.\\d\\d s\\)")
        .contains("time zone:           UTC")
        .contains("default observer:    router1");
    assertThat(count("set")).isEqualTo(SET);
    assertThat(count("remove")).isEqualTo(REMOVE);
    assertThat(count("accept")).isEqualTo(ACCEPT);
    assertThat(count("reject")).isEqualTo(REJECT);

    CliResult again =
        ingest(
            log("kern.log"),
            log("kern.log.1"),
            log("syslog"),
            log("syslog.1"),
            log("kern-rfc3339.log"),
            log("dmesg-iso.log"));
    assertThat(again.exitCode()).as(again.err()).isEqualTo(ExitCodes.OK);
    assertThat(again.err())
        .contains("files:               6 (6 resumed")
        .contains("lines read:          0")
        .contains("events indexed:      0")
        .contains("duplicates skipped:  0");
    assertThat(count("reject")).isEqualTo(REJECT);
  }

  @Test
  void directoryInputDetectsEveryFormatAndSkipsOtherPrograms() {
    CliResult r = ingest("--boot-time", bootTime(), logs.toString());
    // the directory also holds README.md, record.sh, ground truth, iptables-save files: no log
    // format, reported and quarantined once each, the logs are read anyway
    assertThat(r.err()).contains("other-program 8").contains("unknown log format");
    assertThat(r.err()).contains("set " + SET + ", remove " + REMOVE);
    assertThat(r.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
  }

  private String bootTime() {
    try {
      for (String l : Files.readAllLines(SAMPLES.resolve("dmesg-boot-time.txt"))) {
        if (l.startsWith("boot_time_utc=")) {
          return l.substring("boot_time_utc=".length());
        }
      }
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("no boot_time_utc in dmesg-boot-time.txt");
  }

  @Test
  void rawDmesgWithBootTimeDedupesAgainstIsoDmesg() {
    CliResult r = ingest("--boot-time", bootTime(), log("dmesg-iso.log"), log("dmesg-raw.log"));
    assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.OK);
    assertThat(r.err())
        .contains("events indexed:      " + KERNEL)
        .contains("duplicates skipped:  " + KERNEL);
  }

  @Test
  void rawDmesgWithoutBootTimeIsQuarantinedWithTheReason() {
    CliResult r = ingest(log("dmesg-raw.log"));
    assertThat(r.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(r.err()).contains("quarantined:         " + KERNEL + " (needs-boot-time " + KERNEL);
  }

  static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
      gz.write(data);
    }
    return bos.toByteArray();
  }

  @Test
  void gzipAndMultiMemberGzipAreReadByMagicNotName() throws IOException {
    byte[] rfc = Files.readAllBytes(logs.resolve("kern-rfc3339.log"));
    int half = indexAfterLine(rfc, KERNEL / 2);
    ByteArrayOutputStream multi = new ByteArrayOutputStream();
    multi.write(gzip(Arrays.copyOfRange(rfc, 0, half)));
    multi.write(gzip(Arrays.copyOfRange(rfc, half, rfc.length)));
    Path noSuffix = logs.resolve("rfc-multi-member"); // no .gz: detected by magic bytes
    Files.write(noSuffix, multi.toByteArray());
    CliResult r = ingest(noSuffix.toString());
    assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.OK);
    assertThat(r.err()).contains("lines read:          " + KERNEL);
    assertThat(r.err()).contains("events indexed:      " + KERNEL);
  }

  static int indexAfterLine(byte[] data, int lines) {
    int seen = 0;
    for (int i = 0; i < data.length; i++) {
      if (data[i] == '\n' && ++seen == lines) {
        return i + 1;
      }
    }
    throw new AssertionError("fewer than " + lines + " lines");
  }

  @Test
  void rotationAndCompressionAreRecognisedByContent() throws IOException {
    Path live = logs.resolve("kern-rfc3339.log");
    byte[] all = Files.readAllBytes(live);
    int part = indexAfterLine(all, 30);
    Path dir = Files.createDirectories(tmp.resolve("rot"));
    Path kern = dir.resolve("kern.log");
    Files.write(kern, Arrays.copyOfRange(all, 0, part));
    CliResult first = ingest(kern.toString());
    assertThat(first.err()).contains("events indexed:      30");
    // more lines arrive, then logrotate renames and compresses (delaycompress skipped here)
    Files.write(kern, Arrays.copyOfRange(all, part, all.length), StandardOpenOption.APPEND);
    Path rotated = dir.resolve("kern.log.1.gz");
    Files.write(rotated, gzip(Files.readAllBytes(kern)));
    Files.delete(kern);
    Files.writeString(kern, "");
    CliResult second = ingest(dir.resolve("kern.log*").toString());
    assertThat(second.exitCode()).as(second.err()).isEqualTo(ExitCodes.OK);
    assertThat(second.err())
        .contains("(1 resumed")
        .contains("lines read:          " + (KERNEL - 30))
        .contains("events indexed:      " + (KERNEL - 30))
        .contains("duplicates skipped:  0")
        .contains("1 empty");
  }

  @Test
  void tornLastLineIsHeldBackUntilItsNewlineArrives() throws IOException {
    byte[] all = Files.readAllBytes(logs.resolve("kern-rfc3339.log"));
    int two = indexAfterLine(all, 2);
    int three = indexAfterLine(all, 3);
    Path f = tmp.resolve("growing.log");
    Files.write(f, Arrays.copyOfRange(all, 0, three - 20));
    CliResult first = ingest(f.toString());
    assertThat(first.exitCode()).isEqualTo(ExitCodes.OK);
    assertThat(first.err()).contains("events indexed:      2").contains("held back:           1");
    assertThat(Files.size(f)).isGreaterThan(two);
    Files.write(f, Arrays.copyOfRange(all, three - 20, three), StandardOpenOption.APPEND);
    CliResult second = ingest(f.toString());
    assertThat(second.err())
        .contains("lines read:          1")
        .contains("events indexed:      1")
        .contains("duplicates skipped:  0");
  }

  @Test
  void badLinesAreQuarantinedByReasonAndGoodLinesAreAllKept() throws IOException {
    List<String> good = Files.readAllLines(logs.resolve("kern-rfc3339.log"));
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write((good.get(0) + "\n").getBytes(StandardCharsets.UTF_8));
    b.write(new byte[] {'2', '0', (byte) 0xff, (byte) 0xfe, ' ', 'x', '\n'}); // invalid UTF-8
    b.write(new byte[] {0, 0, 0, 0}); // zero-filled hole after a crash, then a good line
    b.write((good.get(1) + "\n").getBytes(StandardCharsets.UTF_8));
    b.write((good.get(2) + "\r").getBytes(StandardCharsets.UTF_8)); // bare CR
    byte[] huge = new byte[(1 << 20) + 10];
    Arrays.fill(huge, (byte) 'A');
    b.write(huge);
    b.write('\n');
    b.write("garbage in the middle\n".getBytes(StandardCharsets.UTF_8));
    // two writers interleaved: a line cut off by the start of another
    b.write((good.get(5).substring(0, 150) + good.get(6) + "\n").getBytes(StandardCharsets.UTF_8));
    b.write((good.get(3) + "\r\n").getBytes(StandardCharsets.UTF_8));
    b.write((good.get(4) + "\n").getBytes(StandardCharsets.UTF_8));
    Path bad = tmp.resolve("bad.log");
    Files.write(bad, b.toByteArray());

    CliResult r = ingest("--format", "syslog-rfc3339", bad.toString());
    assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(r.err())
        .contains("events indexed:      5")
        .contains(
            "quarantined:         5 (bad-field 1, invalid-utf8 1, line-too-long 1,"
                + " not-this-format 1, nul-bytes 1)")
        .contains("bare-CR line ends:   1")
        .contains("recovered after NUL: 1")
        .contains("bad.log:5: line of " + huge.length + " bytes");
    assertThat(count(Fields.QUARANTINE)).isEqualTo(5);
    // a re-run neither re-adds nor re-quarantines
    CliResult again = ingest(bad.toString());
    assertThat(again.exitCode()).as(again.err()).isEqualTo(ExitCodes.OK);
    assertThat(again.err()).contains("lines read:          0");
    assertThat(count(Fields.QUARANTINE)).isEqualTo(5);
  }

  @Test
  void truncatedGzipKeepsTheGoodPrefix() throws IOException {
    byte[] gz = gzip(Files.readAllBytes(logs.resolve("kern-rfc3339.log")));
    Path cut = tmp.resolve("kern.log.2.gz");
    Files.write(cut, Arrays.copyOf(gz, gz.length * 2 / 3));
    CliResult r = ingest(cut.toString(), log("dmesg-iso.log"));
    assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(r.err())
        .contains("compressed data ends early")
        .contains("quarantined:         1 (gzip-truncated 1)")
        .contains("events indexed:      " + KERNEL); // dmesg fills in what the cut file lost
  }

  @Test
  void corruptGzipIsReportedAndTheRunGoesOn() throws IOException {
    byte[] gz = gzip(Files.readAllBytes(logs.resolve("kern-rfc3339.log")));
    for (int i = gz.length / 2; i < gz.length / 2 + 40; i++) {
      gz[i] ^= 0x5a;
    }
    Path bad = tmp.resolve("corrupt.gz");
    Files.write(bad, gz);
    CliResult r = ingest(bad.toString(), log("dmesg-iso.log"));
    assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(r.err()).containsPattern("quarantined:         1 \\(gzip-(corrupt|truncated) 1\\)");
    assertThat(r.err()).contains("events indexed:      " + KERNEL);
  }

  @Test
  void emptyAndMissingFilesAreReportedAndTheOthersRead() throws IOException {
    Path empty = Files.createFile(tmp.resolve("empty.log"));
    CliResult r =
        ingest(empty.toString(), tmp.resolve("missing.log").toString(), log("dmesg-iso.log"));
    assertThat(r.exitCode()).isEqualTo(ExitCodes.FAILURE);
    assertThat(r.err())
        .contains("cannot read " + tmp.resolve("missing.log") + ": no such file")
        .contains("empty.log: empty")
        .contains("1 empty, 1 unreadable")
        .contains("events indexed:      " + KERNEL);
  }

  /** A directory with nothing to read (the logs one level deeper) read nothing and exited 0. */
  @Test
  void aDirectoryWithNoFilesIsReportedAndTheOthersRead() throws IOException {
    Path routers = tmp.resolve("routers-empty");
    Files.createDirectories(routers.resolve("router1"));
    Files.writeString(routers.resolve(".hidden.log"), "");
    CliResult r = ingest(routers.toString(), log("dmesg-iso.log"));
    assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.FAILURE);
    assertThat(r.out()).isEmpty();
    assertThat(r.err())
        .contains(
            "ingest: "
                + routers
                + ": no files to read in this directory (hidden files and subdirectories are not"
                + " read)")
        .contains("events indexed:      " + KERNEL);
  }

  /**
   * A ruleset installed with its own LOG prefixes: ingest files each line under its step with the
   * same prefixes the audit commands read (options or the config file), so {@code action:set} finds
   * them; with the default prefixes the lines are only "firewall" lines.
   */
  @Test
  void ownLogPrefixesFromTheOptionsOrTheConfigFileNameEachLinesStep() throws IOException {
    Path renamed = logs.resolve("own-prefixes.log");
    Files.writeString(
        renamed, Files.readString(logs.resolve("dmesg-iso.log")).replace("mobilessh-", "gw."));
    CliResult r =
        ingest(
            "--log-prefix-set",
            "gw.set:",
            "--log-prefix-remove",
            "gw.remove:",
            "--log-prefix-accept",
            "gw.accept:",
            "--log-prefix-reject",
            "gw.reject:",
            renamed.toString());
    assertThat(r.exitCode()).isEqualTo(ExitCodes.OK);
    assertThat(List.of(count("set"), count("remove"), count("accept"), count("reject")))
        .containsExactly((long) SET, (long) REMOVE, (long) ACCEPT, (long) REJECT);

    Path config =
        Files.writeString(
            tmp.resolve("mobilessh.conf"),
            "log-prefix-set = gw.set:\nlog-prefix-remove = gw.remove:\n"
                + "log-prefix-accept = gw.accept:\nlog-prefix-reject = gw.reject:\n");
    index = tmp.resolve("from-config");
    assertThat(ingest("--config", config.toString(), renamed.toString()).exitCode())
        .isEqualTo(ExitCodes.OK);
    assertThat(List.of(count("set"), count("remove"), count("accept"), count("reject")))
        .containsExactly((long) SET, (long) REMOVE, (long) ACCEPT, (long) REJECT);

    index = tmp.resolve("default-prefixes");
    assertThat(ingest("--config", emptyConfig(), renamed.toString()).exitCode())
        .isEqualTo(ExitCodes.OK);
    assertThat(count("set") + count("remove") + count("accept") + count("reject")).isZero();
    assertThat(count("firewall")).isEqualTo(KERNEL);
  }

  /** A config file without settings: the defaults, whatever /etc/mobilessh holds. */
  private String emptyConfig() throws IOException {
    return Files.writeString(tmp.resolve("empty.conf"), "# defaults\n").toString();
  }

  @Test
  void aCommitEveryNoLinesIsAUsageErrorNamingTheOption() {
    CliResult r = ingest("--commit-lines", "0", log("dmesg-iso.log"));
    assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err())
        .isEqualTo(
            "mobilessh ingest: --commit-lines must be 1 or more, not 0" + System.lineSeparator());
  }

  /** Opening it said "cannot open index X: X". */
  @Test
  void anIndexThatIsAFileIsAUsageError() throws IOException {
    Path file = Files.writeString(tmp.resolve("not-an-index"), "x");
    CliResult r =
        CliResult.run("ingest", "--index", file.toString(), "--tz", "UTC", log("dmesg-iso.log"));
    assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err())
        .isEqualTo(
            "mobilessh ingest: the index "
                + file
                + " is a file; the index is a directory (--index DIR)"
                + System.lineSeparator());
    assertThat(Files.readString(file)).isEqualTo("x");
  }

  @Test
  void patternsExpandInEveryComponentAndOneMatchingNothingIsAnErrorTheOthersAreRead()
      throws IOException {
    Path routers = tmp.resolve("routers");
    Path r1 = Files.createDirectories(routers.resolve("router1"));
    Path r2 = Files.createDirectories(routers.resolve("router2"));
    Files.copy(logs.resolve("kern-rfc3339.log"), r1.resolve("kern.log"));
    Files.copy(logs.resolve("dmesg-iso.log"), r2.resolve("kern.log.1"));
    String unmatched = routers.resolve("nope*").resolve("kern.log").toString();
    CliResult r =
        ingest("--host", "router1", routers.resolve("router?/kern.log*").toString(), unmatched);
    assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.FAILURE);
    assertThat(r.err())
        .contains("cannot read " + unmatched + ": no file matches this pattern")
        .contains("files:               2 (0 resumed from a checkpoint, 0 empty, 1 unreadable)")
        .contains("events indexed:      " + KERNEL)
        .contains("duplicates skipped:  " + KERNEL);
  }

  @Test
  void anInputThatFailsToReadIsAnIoFailureWithTheSystemsReasonAndTheOthersAreRead() {
    // /proc/self/mem opens, but reading its offset 0 (unmapped) fails with EIO: a real read error
    CliResult r = ingest("/proc/self/mem", log("dmesg-iso.log"));
    assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.FAILURE);
    assertThat(r.err())
        .contains("cannot read /proc/self/mem: Input/output error")
        .contains("1 unreadable")
        .contains("quarantined:         0")
        .contains("events indexed:      " + KERNEL);
  }

  @Test
  void syslogYearComesFromMtimeAndFutureLinesAreRefused() throws IOException {
    Path f = tmp.resolve("kern.log");
    Files.copy(logs.resolve("kern.log"), f);
    // mtime before the lines' month-day in 2026: the lines must be from 2025
    String firstLine = Files.readAllLines(f).get(0);
    Files.setLastModifiedTime(f, FileTime.from(Instant.parse("2026-11-01T00:00:00Z")));
    CliResult r = ingest(f.toString());
    assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.OK);
    assertThat(firstLine).startsWith("Nov 2");
    // forced into the far future: every line is refused, none indexed
    Path g = tmp.resolve("future.log");
    Files.copy(logs.resolve("kern.log"), g);
    index = tmp.resolve("index2"); // same content as kern.log: the first index would skip it
    CliResult future = ingest("--year", "2099", g.toString());
    assertThat(future.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(future.err()).contains("events indexed:      0").contains("future-timestamp");
  }

  long countBetween(Instant from, Instant to) throws IOException {
    try (var dir = FSDirectory.open(index);
        var reader = DirectoryReader.open(dir)) {
      return new IndexSearcher(reader)
          .count(
              LongPoint.newRangeQuery(
                  Fields.TIMESTAMP,
                  ChronoUnit.MICROS.between(Instant.EPOCH, from),
                  ChronoUnit.MICROS.between(Instant.EPOCH, to) - 1));
    }
  }

  @Test
  void rotatedSyslogOverNewYearGetsItsYearsFromMtimeAndRotationOrder() throws IOException {
    List<String> lines = Files.readAllLines(logs.resolve("kern.log"));
    Path dir = Files.createDirectories(tmp.resolve("newyear"));
    String[] stamps1 = {"Dec 31 23:59:57", "Dec 31 23:59:58", "Dec 31 23:59:59"};
    String[] stamps0 = {"Jan  1 00:00:00", "Jan  1 00:00:01", "Dec 31 23:59:59", "Jan  1 00:00:02"};
    StringBuilder older = new StringBuilder();
    for (int i = 0; i < stamps1.length; i++) {
      older.append(stamps1[i]).append(lines.get(i).substring(15)).append('\n');
    }
    StringBuilder newer = new StringBuilder();
    for (int i = 0; i < stamps0.length; i++) {
      newer.append(stamps0[i]).append(lines.get(10 + i).substring(15)).append('\n');
    }
    Path k1 = dir.resolve("kern.log.1.gz");
    Files.write(k1, gzip(older.toString().getBytes(StandardCharsets.UTF_8)));
    Path k0 = dir.resolve("kern.log");
    Files.writeString(k0, newer.toString());
    // the compressed file's mtime says little (it was copied: now); kern.log's first line bounds it
    Files.setLastModifiedTime(k0, FileTime.from(Instant.parse("2026-01-01T00:05:00Z")));
    CliResult r = ingest(dir.toString());
    assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.OK);
    assertThat(r.err()).contains("events indexed:      7");
    Instant newYear = Instant.parse("2026-01-01T00:00:00Z");
    assertThat(countBetween(newYear.minusSeconds(5), newYear)).isEqualTo(4);
    assertThat(countBetween(newYear, newYear.plusSeconds(5))).isEqualTo(3);
  }

  @Test
  void dstFallBackHourIsFlaggedAndOrderedByTheLines() throws IOException {
    List<String> lines = Files.readAllLines(logs.resolve("kern.log"));
    // Europe/Berlin 2025-10-26: 02:00-03:00 local happens twice (CEST, then CET)
    String[] stamps = {
      "Oct 26 01:59:00",
      "Oct 26 02:30:00",
      "Oct 26 02:59:00",
      "Oct 26 02:10:00",
      "Oct 26 02:40:00",
      "Oct 26 03:05:00"
    };
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < stamps.length; i++) {
      b.append(stamps[i]).append(lines.get(i).substring(15)).append('\n');
    }
    Path f = tmp.resolve("dst.log");
    Files.writeString(f, b.toString());
    Files.setLastModifiedTime(f, FileTime.from(Instant.parse("2025-10-26T03:00:00Z")));
    List<String> all =
        new ArrayList<>(List.of("ingest", "--index", index.toString(), "--tz", "Europe/Berlin"));
    all.add(f.toString());
    CliResult r = CliResult.run(all.toArray(String[]::new));
    assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.OK);
    assertThat(r.err()).contains("ambiguous DST times: 4").contains("Europe/Berlin");
    // first pass at +02:00 (00:30Z, 00:59Z), second pass at +01:00 (01:10Z, 01:40Z)
    assertThat(
            countBetween(
                Instant.parse("2025-10-26T00:30:00Z"), Instant.parse("2025-10-26T01:00:00Z")))
        .isEqualTo(2);
    assertThat(
            countBetween(
                Instant.parse("2025-10-26T01:10:00Z"), Instant.parse("2025-10-26T01:41:00Z")))
        .isEqualTo(2);
  }

  @Test
  void usageErrorsExitTwo() throws IOException {
    assertThat(ingest("--tz", "Mars/Olympus", log("kern.log")).exitCode())
        .isEqualTo(ExitCodes.USAGE);
    assertThat(ingest("--format", "nope", log("kern.log")).exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(CliResult.run("ingest", "--index", index.toString()).exitCode())
        .isEqualTo(ExitCodes.USAGE);
  }

  static void write(OutputStream out, String s) throws IOException {
    out.write(s.getBytes(StandardCharsets.UTF_8));
  }
}
