package org.mobilessh.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The choice of what a PDF attaches under a bound, and the bound's syntax. */
class AttachmentsTest {
  @TempDir Path dir;

  private Attachments.File file(String name, int size, String bundlePath) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, "x".repeat(size).getBytes(StandardCharsets.US_ASCII));
    return new Attachments.File(name, p, null, bundlePath);
  }

  @Test
  void filesAreTakenInNameOrderWhileTheTotalFitsAndALargeOneDoesNotKeepASmallerOneOut()
      throws IOException {
    List<Attachments.File> files =
        List.of(
            file("windows.csv", 300, "csv/windows.csv"),
            file("anomalies.csv", 100, "csv/anomalies.csv"),
            file("events.csv", 5000, "csv/events.csv"),
            file("rejects.csv", 500, "csv/rejects.csv"),
            file("sessions.csv", 200, "csv/sessions.csv"));
    Attachments.Plan p = Attachments.plan(Map.of(), files, 800);
    // anomalies 100, events no (5100), rejects 600, sessions 800, windows no (1100)
    assertThat(p.attachedFiles().keySet())
        .containsExactly("anomalies.csv", "rejects.csv", "sessions.csv");
    assertThat(p.leftOut())
        .extracting(Attachments.LeftOut::name)
        .containsExactly("events.csv", "windows.csv");
    Attachments.LeftOut events = p.leftOut().get(0);
    assertThat(events.size()).isEqualTo(5000);
    assertThat(events.bundlePath()).isEqualTo("csv/events.csv");
    // computed from the file when the caller did not know it
    assertThat(events.sha256())
        .isEqualTo(Attachments.sha256(Files.readAllBytes(dir.resolve("events.csv"))));
    assertThat(p.limit()).isEqualTo(800);
  }

  @Test
  void aKnownHashIsTakenAsGivenAndBytesInMemoryHaveNoBundlePath() throws IOException {
    Path p = dir.resolve("a.csv");
    Files.writeString(p, "abc");
    Attachments.Plan plan =
        Attachments.plan(
            Map.of("b.csv", new byte[] {1, 2}),
            List.of(new Attachments.File("a.csv", p, "feed", "csv/a.csv")),
            0);
    assertThat(plan.attachedFiles()).isEmpty();
    assertThat(plan.attachedBytes()).isEmpty();
    assertThat(plan.leftOut())
        .containsExactly(
            new Attachments.LeftOut("a.csv", 3, "feed", "csv/a.csv"),
            new Attachments.LeftOut("b.csv", 2, Attachments.sha256(new byte[] {1, 2}), null));
  }

  @Test
  void noBoundAttachesEverything() throws IOException {
    Attachments.Plan p =
        Attachments.plan(
            Map.of("m.csv", new byte[10]), List.of(file("big.csv", 100_000, null)), Long.MAX_VALUE);
    assertThat(p.leftOut()).isEmpty();
    assertThat(p.attachedFiles()).containsOnlyKeys("big.csv");
    assertThat(p.attachedBytes()).containsOnlyKeys("m.csv");
  }

  @Test
  void twoFilesOfOneNameAreRefused() throws IOException {
    Attachments.File a = file("a.csv", 1, null);
    assertThatThrownBy(() -> Attachments.plan(Map.of("a.csv", new byte[1]), List.of(a), 10))
        .isInstanceOf(ReportException.class)
        .hasMessageContaining("two attachments are named a.csv");
  }

  @Test
  void sizesParseInBinaryUnits() {
    assertThat(Attachments.parseSize("0", "x")).isZero();
    assertThat(Attachments.parseSize("812", "x")).isEqualTo(812);
    assertThat(Attachments.parseSize("500k", "x")).isEqualTo(500L << 10);
    assertThat(Attachments.parseSize("64MiB", "x")).isEqualTo(64L << 20);
    assertThat(Attachments.parseSize(" 64 mb ", "x")).isEqualTo(64L << 20);
    assertThat(Attachments.parseSize("2G", "x")).isEqualTo(2L << 30);
    assertThat(Attachments.parseSize("1TiB", "x")).isEqualTo(1L << 40);
    assertThat(Attachments.parseSize("unlimited", "x")).isEqualTo(Long.MAX_VALUE);
    assertThat(Attachments.parseSize("99999999999999999999", "x")).isEqualTo(Long.MAX_VALUE);
    assertThat(Attachments.parseSize("9000000T", "x")).isEqualTo(Long.MAX_VALUE);
    for (String bad : List.of("", "-1", "1.5M", "64 MiBs", "lots")) {
      assertThatThrownBy(() -> Attachments.parseSize(bad, "--attach-limit"))
          .as(bad)
          .isInstanceOf(ReportException.class)
          .hasMessageContaining("--attach-limit must be a size");
    }
  }

  @Test
  void anOptionWinsOverTheDefault() {
    assertThat(Attachments.limit("1k", "--attach-limit")).isEqualTo(1024);
    if (System.getenv(Attachments.ENV) == null) {
      assertThat(Attachments.limit(null, "--attach-limit")).isEqualTo(Attachments.DEFAULT_LIMIT);
    }
  }

  @Test
  void byteCountsReadInBinaryUnits() {
    assertThat(ReportModel.bytes(812)).isEqualTo("812 B");
    assertThat(ReportModel.bytes(64L << 20)).isEqualTo("64 MiB");
    assertThat(ReportModel.bytes(255_383)).isEqualTo("249.4 KiB");
    assertThat(ReportModel.bytes(5_583_457_484L)).isEqualTo("5.2 GiB");
  }
}
