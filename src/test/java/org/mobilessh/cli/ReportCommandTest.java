package org.mobilessh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mobilessh.audit.AuditCache;

/** {@code mobilessh report} on the real capture in sample-logs/ (November 2026). */
class ReportCommandTest {
  @TempDir static Path dir;
  static Path index;

  @BeforeAll
  static void ingest() {
    index = dir.resolve("index");
    CliResult r =
        CliResult.run(
            "ingest",
            "--index",
            index.toString(),
            "--tz",
            "UTC",
            "sample-logs/kern.log",
            "sample-logs/conntrack-extended.log");
    assertThat(r.exitCode()).as(r.err()).isZero();
  }

  @Test
  void writesHtmlAndSaysWhatItFound() throws Exception {
    Path out = dir.resolve("nov.html");
    CliResult r =
        CliResult.run(
            "report",
            "--index",
            index.toString(),
            "--month",
            "2026-11",
            "--out",
            out.toString(),
            "--mail-server",
            "198.51.100.10",
            "--mail-server",
            "2001:db8:1::10",
            "--seconds",
            "5");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.err()).containsPattern("nov\\.html: windows \\d+, sessions \\d+");
    String html = Files.readString(out);
    assertThat(html).contains("November 2026", "Window length N (--seconds)", "5 s");
  }

  @Test
  void noCacheNeitherReadsNorFillsTheResultsKeptWithTheIndexAndGivesTheSameReport()
      throws Exception {
    Path cache = index.resolve(AuditCache.DIRECTORY);
    Path figures = index.resolve("mobilessh-report-cache");
    for (Path c : new Path[] {cache, figures}) {
      if (Files.exists(c)) {
        try (Stream<Path> s = Files.walk(c)) {
          for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
            Files.delete(p);
          }
        }
      }
    }
    Path bare = dir.resolve("bare.html");
    CliResult r =
        CliResult.run(
            "report",
            "--index",
            index.toString(),
            "--month",
            "2026-11",
            "--no-cache",
            "--out",
            bare.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(cache).doesNotExist();
    assertThat(figures).doesNotExist();
    assertThat(r.err()).contains("report: event figures (").doesNotContain("from the cache");

    Path cached = dir.resolve("cached.html");
    r =
        CliResult.run(
            "report",
            "--index",
            index.toString(),
            "--month",
            "2026-11",
            "--out",
            cached.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(cache).isDirectoryContaining(p -> !p.getFileName().toString().startsWith("."));
    assertThat(figures).isDirectoryContaining(p -> p.getFileName().toString().endsWith(".figures"));
    assertThat(r.err()).contains("kept in the cache");
    assertThat(Files.readString(cached)).isEqualTo(Files.readString(bare));

    Path again = dir.resolve("again.html");
    r =
        CliResult.run(
            "report", "--index", index.toString(), "--month", "2026-11", "--out", again.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.err())
        .containsPattern("report: event figures \\([0-9,]+ events\\) from the cache");
    assertThat(Files.readString(again)).isEqualTo(Files.readString(bare));
  }

  @Test
  void writesPdf() throws Exception {
    Path out = dir.resolve("nov.pdf");
    CliResult r =
        CliResult.run(
            "report",
            "--index",
            index.toString(),
            "--month",
            "2026-11",
            "--paper",
            "letter",
            "--out",
            out.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    byte[] pdf = Files.readAllBytes(out);
    assertThat(new String(pdf, 0, 8, java.nio.charset.StandardCharsets.ISO_8859_1))
        .startsWith("%PDF-");
    if (Files.isExecutable(Path.of("/usr/bin/pdfinfo"))) {
      Process p = new ProcessBuilder("pdfinfo", out.toString()).start();
      String info =
          new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertThat(p.waitFor()).isZero();
      assertThat(info).contains("612 x 792 pts (letter)");
    }
  }

  @Test
  void badOptionsAreUsageErrors() {
    String idx = index.toString();
    assertThat(CliResult.run("report", "--index", idx, "--month", "2026-13", "--out", "x.pdf"))
        .satisfies(r -> assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE))
        .satisfies(r -> assertThat(r.err()).contains("--month must be a calendar month"));
    assertThat(CliResult.run("report", "--index", idx, "--month", "2026-11", "--out", "x.docx"))
        .satisfies(r -> assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE))
        .satisfies(r -> assertThat(r.err()).contains("must end in .pdf or .html"));
    assertThat(
            CliResult.run(
                "report", "--index", idx, "--month", "2026-11", "--paper", "a5", "--out", "x.pdf"))
        .satisfies(r -> assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE))
        .satisfies(r -> assertThat(r.err()).contains("--paper must be a4 or letter"));
    assertThat(
            CliResult.run(
                "report",
                "--index",
                idx,
                "--month",
                "2026-11",
                "--template",
                "nope",
                "--out",
                "x.pdf"))
        .satisfies(r -> assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE))
        .satisfies(r -> assertThat(r.err()).contains("no template 'nope'"));
    assertThat(
            CliResult.run(
                "report", "--index", idx, "--month", "2026-11", "--top", "0", "--out", "x.pdf"))
        .satisfies(r -> assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE))
        .satisfies(r -> assertThat(r.err()).contains("--top must be at least 1, not 0"));
    assertThat(CliResult.run("report", "--index", idx, "--out", "x.pdf"))
        .satisfies(r -> assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE));
  }

  /** A mistyped directory is refused before any work, not created to hold the report. */
  @Test
  void aReportInADirectoryThatDoesNotExistIsAUsageError() throws Exception {
    Path out = dir.resolve("no-such-dir").resolve("r.pdf");
    CliResult r =
        CliResult.run(
            "report", "--index", index.toString(), "--month", "2026-11", "--out", out.toString());
    assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.out()).isEmpty();
    assertThat(r.err())
        .startsWith("mobilessh report: --out " + out + ": no directory " + out.getParent())
        .contains("(create it first: mkdir -p " + out.getParent() + ")")
        .hasLineCount(1);
    assertThat(out.getParent()).doesNotExist();
    Path file = Files.writeString(dir.resolve("a-file"), "");
    CliResult underAFile =
        CliResult.run(
            "report",
            "--index",
            index.toString(),
            "--month",
            "2026-11",
            "--out",
            file.resolve("r.pdf").toString());
    assertThat(underAFile.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(underAFile.err()).contains(file + " is not a directory");
  }

  @Test
  void missingIndexFailsClearly() {
    Path out = dir.resolve("none.html");
    CliResult r =
        CliResult.run(
            "report",
            "--index",
            dir.resolve("absent").toString(),
            "--month",
            "2026-11",
            "--out",
            out.toString());
    assertThat(r.exitCode()).isEqualTo(ExitCodes.FAILURE);
    assertThat(r.err()).contains("no index at");
    assertThat(out).doesNotExist();
  }
}
