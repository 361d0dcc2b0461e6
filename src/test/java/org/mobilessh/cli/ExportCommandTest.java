package org.mobilessh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mobilessh.cli.ExportCommandFixture.concat;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mobilessh.evidence.BagWriter;
import org.mobilessh.evidence.CsvExport;

/**
 * {@code mobilessh export} through {@code execute} over indexes ingested from the sample logs:
 * exact headers, the audit commands' row counts, time format, formula neutralisation, raw bytes
 * stable across runs.
 */
class ExportCommandTest {
  static final Pattern TIME =
      Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z");

  static final String WINDOWS =
      "source_ip,opened_at,closed_at,close_reason,close_precision_s,duration_s,ssh_sessions,observer";
  static final String SESSIONS =
      "source_ip,source_port,destination_ip,destination_port,accepted_at,ended_at,duration_s,"
          + "bytes_in,bytes_out,window_opened_at,observer";
  static final String REJECTS =
      "at,source_ip,source_port,destination_ip,destination_port,protocol,tcp_flags,sampled,observer";

  @TempDir Path tmp;

  static List<CSVRecord> records(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    return CSVFormat.RFC4180.parse(new StringReader(text)).getRecords();
  }

  static String firstLine(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    return text.substring(0, text.indexOf("\r\n"));
  }

  CliResult export(Path index, String out, String... more) {
    String[] base = {"export", "--index", index.toString(), "--out", tmp.resolve(out).toString()};
    return CliResult.run(concat(base, more));
  }

  @Test
  void monthExportHasTheIssueColumnsTheAuditRowsAndIsByteStable() throws IOException {
    Path index = ExportCommandFixture.month();
    String config = ExportCommandFixture.monthConfig();
    CliResult a = export(index, "a", "--month", "2026-10", "--config", config);
    assertThat(a.exitCode()).as(a.err()).isZero();
    // stderr has the steps with their times, nothing else; the data is on stdout only
    assertThat(a.err().lines()).allMatch(l -> l.startsWith("export: "));
    assertThat(a.err())
        .contains("export: audit and CSV rows: 1,669 windows, 74 sessions, 855 rejections")
        .contains("export: index documents: ")
        .contains("export: events.csv: ")
        .contains("export: done in ");
    assertThat(a.out()).doesNotContain("export: ");
    CliResult b = export(index, "b", "--month", "2026-10", "--config", config);
    assertThat(b.exitCode()).as(b.err()).isZero();
    assertThat(a.out().replace(tmp.resolve("a").toString(), "DIR"))
        .isEqualTo(b.out().replace(tmp.resolve("b").toString(), "DIR"));

    Path dir = tmp.resolve("a");
    assertThat(firstLine(dir.resolve("windows.csv"))).startsWith(WINDOWS + ",");
    assertThat(firstLine(dir.resolve("sessions.csv"))).startsWith(SESSIONS + ",");
    assertThat(firstLine(dir.resolve("rejects.csv"))).isEqualTo(REJECTS);
    assertThat(firstLine(dir.resolve("anomalies.csv")))
        .isEqualTo("at,kind,source_ip,observer,message,evidence");
    assertThat(firstLine(dir.resolve("events.csv")))
        .isEqualTo(String.join(",", CsvExport.EVENT_COLUMNS));
    for (String f : CsvExport.FILES) {
      byte[] x = Files.readAllBytes(dir.resolve(f));
      assertThat(x).as(f).isEqualTo(Files.readAllBytes(tmp.resolve("b").resolve(f)));
      assertThat(a.out()).contains(f).contains(BagWriter.sha256(x));
    }

    // the same rows as the audit commands print for the month
    for (String kind : List.of("windows", "sessions", "rejects", "anomalies")) {
      CliResult q =
          CliResult.run(
              kind,
              "--index",
              index.toString(),
              "--month",
              "2026-10",
              "--config",
              config,
              "--format",
              "csv");
      List<CSVRecord> expected = AuditFixture.csv(q.out());
      List<CSVRecord> exported = records(dir.resolve(kind + ".csv"));
      assertThat(exported).as(kind).hasSize(expected.size() + 1);
      assertThat(expected.size()).as(kind).isGreaterThan(kind.equals("anomalies") ? 0 : 10);
      List<String> header = exported.get(0).toList();
      for (int i = 0; i < expected.size(); i++) {
        for (int c = 0; c < header.size(); c++) {
          if (expected.get(i).isMapped(header.get(c))) {
            assertThat(exported.get(i + 1).get(c))
                .as("%s row %d %s", kind, i + 1, header.get(c))
                .isEqualTo(expected.get(i).get(header.get(c)));
          }
        }
      }
    }

    // times: ISO-8601 UTC with microseconds wherever a time is given
    for (String f : CsvExport.FILES) {
      List<CSVRecord> rows = records(dir.resolve(f));
      List<String> header = rows.get(0).toList();
      for (int c = 0; c < header.size(); c++) {
        String h = header.get(c);
        if (h.endsWith("_at")
            || h.equals("at")
            || h.equals("timestamp")
            || h.equals("closed_at_earliest")) {
          for (CSVRecord r : rows.subList(1, rows.size())) {
            String v = r.get(c);
            if (!v.isEmpty()) {
              assertThat(v).as("%s %s", f, h).matches(TIME);
            }
          }
        }
      }
    }

    // every event behind the figures, each traced to file, line, offset and identity
    List<CSVRecord> events = records(dir.resolve("events.csv"));
    assertThat(events.size()).isGreaterThan(1000);
    for (CSVRecord e : events.subList(1, events.size())) {
      assertThat(e.get(4)).contains("sample-logs/month/router1/");
      assertThat(Long.parseLong(e.get(5))).isPositive();
      assertThat(Long.parseLong(e.get(6))).isNotNegative();
      assertThat(e.get(7)).matches("[0-9a-f]{16}");
      assertThat(e.get(9)).matches("(windows|sessions|rejects|anomalies):\\d+( .*)?");
    }
  }

  @Test
  void scenarioExportMatchesTheAuditAndItsEventsAreTheLinesAtTheirOffsets() throws IOException {
    Path index = ExportCommandFixture.scenario();
    String[] opts = ExportCommandFixture.scenarioOptions();
    CliResult r = export(index, "s", concat(new String[] {"--month", "2026-11"}, opts));
    assertThat(r.exitCode()).as(r.err()).isZero();
    Path dir = tmp.resolve("s");
    for (String kind : List.of("windows", "sessions", "rejects")) {
      CliResult q =
          CliResult.run(
              concat(
                  new String[] {
                    kind, "--index", index.toString(), "--month", "2026-11", "--format", "csv"
                  },
                  opts));
      assertThat(records(dir.resolve(kind + ".csv")))
          .as(kind)
          .hasSize(AuditFixture.csv(q.out()).size() + 1);
    }
    // the recorded scenario: 17 logged rejects, all of them in rejects.csv
    assertThat(records(dir.resolve("rejects.csv"))).hasSize(1 + 17);
    assertThat(records(dir.resolve("windows.csv")).size()).isGreaterThan(1);
    assertThat(records(dir.resolve("sessions.csv")).size()).isGreaterThan(1);

    for (CSVRecord e : records(dir.resolve("events.csv")).stream().skip(1).toList()) {
      byte[] file = Files.readAllBytes(Path.of(e.get(4)));
      int offset = Integer.parseInt(e.get(6));
      byte[] line = e.get(8).getBytes(StandardCharsets.UTF_8);
      assertThat(java.util.Arrays.copyOfRange(file, offset, offset + line.length))
          .as("%s at %d", e.get(4), offset)
          .isEqualTo(line);
      assertThat(file[offset + line.length]).isEqualTo((byte) '\n');
    }
  }

  @Test
  void spreadsheetSafeNeutralisesAHostileHostAndRawKeepsIt() throws IOException {
    Path index = ExportCommandFixture.hostile();
    String[] opts =
        concat(new String[] {"--month", "2026-11"}, ExportCommandFixture.scenarioOptions());
    CliResult raw = export(index, "raw", opts);
    CliResult safe = export(index, "safe", concat(opts, "--spreadsheet-safe"));
    assertThat(raw.exitCode()).as(raw.err()).isZero();
    assertThat(safe.exitCode()).as(safe.err()).isZero();
    String host = ExportCommandFixture.HOSTILE_HOST;
    for (String f : CsvExport.FILES) {
      List<CSVRecord> r = records(tmp.resolve("raw").resolve(f));
      List<CSVRecord> s = records(tmp.resolve("safe").resolve(f));
      assertThat(s).as(f).hasSameSizeAs(r);
      assertThat(Files.readString(tmp.resolve("safe").resolve(f))).startsWith("\uFEFF");
      for (int i = 0; i < r.size(); i++) {
        for (int c = 0; c < r.get(i).size(); c++) {
          String v = r.get(i).get(c);
          assertThat(s.get(i).get(c)).isEqualTo(CsvExport.neutralise(v));
          assertThat(s.get(i).get(c)).doesNotStartWith("=").doesNotStartWith("@");
        }
      }
    }
    List<CSVRecord> windows = records(tmp.resolve("raw").resolve("windows.csv"));
    assertThat(windows.get(1).get(7)).isEqualTo(host);
    assertThat(records(tmp.resolve("safe").resolve("windows.csv")).get(1).get(7))
        .isEqualTo("'" + host);
    List<CSVRecord> events = records(tmp.resolve("raw").resolve("events.csv"));
    assertThat(events.stream().skip(1).map(e -> e.get(4)))
        .anyMatch(p -> p.endsWith("/" + ExportCommandFixture.HOSTILE_FILE));
  }

  @Test
  void badOptionsAreUsageErrors() throws IOException {
    Path index = ExportCommandFixture.scenario();
    CliResult r = export(index, "x", "--month", "2026-13");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--month must be a calendar month YYYY-MM");
    Path file = Files.writeString(tmp.resolve("file"), "x");
    r =
        CliResult.run(
            "export", "--index", index.toString(), "--month", "2026-11", "--out", file.toString());
    assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("exists and is not a directory");
    r =
        CliResult.run(
            "export",
            "--index",
            tmp.resolve("none").toString(),
            "--month",
            "2026-11",
            "--out",
            tmp.resolve("y").toString());
    assertThat(r.exitCode()).isEqualTo(ExitCodes.FAILURE);
    assertThat(r.err()).contains("no index at");
  }

  @Test
  void aFailedExportLeavesThePreviousFilesAndNoPartialOnes() throws IOException {
    Path index = ExportCommandFixture.month();
    String config = ExportCommandFixture.monthConfig();
    CliResult good = export(index, "kept", "--month", "2026-10", "--config", config);
    assertThat(good.exitCode()).as(good.err()).isZero();
    Path dir = tmp.resolve("kept");
    Map<String, byte[]> before = new java.util.TreeMap<>();
    for (String f : CsvExport.FILES) {
      before.put(f, Files.readAllBytes(dir.resolve(f)));
    }
    // the audit fails once the files are open (no index): they must not replace the good ones
    CliResult bad = export(tmp.resolve("no-index"), "kept", "--month", "2026-10");
    assertThat(bad.exitCode()).isEqualTo(ExitCodes.FAILURE);
    assertThat(bad.err()).contains("no index at");
    for (String f : CsvExport.FILES) {
      assertThat(Files.readAllBytes(dir.resolve(f))).as(f).isEqualTo(before.get(f));
    }
    try (var s = Files.list(dir)) {
      assertThat(s.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrderElementsOf(CsvExport.FILES);
    }
    // and into a new directory it leaves no CSV at all
    CliResult none = export(tmp.resolve("no-index"), "fresh", "--month", "2026-10");
    assertThat(none.exitCode()).isEqualTo(ExitCodes.FAILURE);
    if (Files.isDirectory(tmp.resolve("fresh"))) {
      try (var s = Files.list(tmp.resolve("fresh"))) {
        assertThat(s).isEmpty();
      }
    }
  }

  @Test
  void hostLimitsTheExportToOneRouter() throws IOException {
    Path index = ExportCommandFixture.scenario();
    String[] opts =
        concat(new String[] {"--month", "2026-11"}, ExportCommandFixture.scenarioOptions());
    CliResult all = export(index, "all", opts);
    CliResult one = export(index, "one", concat(opts, "--host", "router1"));
    CliResult none = export(index, "none", concat(opts, "--host", "router2"));
    assertThat(all.exitCode()).as(all.err()).isZero();
    assertThat(one.exitCode()).as(one.err()).isZero();
    assertThat(none.exitCode()).as(none.err()).isZero();
    for (String f : CsvExport.FILES) {
      assertThat(Files.readAllBytes(tmp.resolve("one").resolve(f)))
          .as(f)
          .isEqualTo(Files.readAllBytes(tmp.resolve("all").resolve(f)));
      assertThat(records(tmp.resolve("none").resolve(f))).as(f).hasSize(1);
    }
    assertThat(none.err()).contains("no events for 2026-11 on router2");
  }

  @Test
  void aMonthWithoutEventsWritesHeadersAndWarns() throws IOException {
    CliResult r =
        export(
            ExportCommandFixture.scenario(),
            "empty",
            concat(new String[] {"--month", "2026-01"}, ExportCommandFixture.scenarioOptions()));
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.err()).contains("warning: the index has no events for 2026-01");
    assertThat(Files.readString(tmp.resolve("empty").resolve("rejects.csv")))
        .isEqualTo(REJECTS + "\r\n");
  }
}
