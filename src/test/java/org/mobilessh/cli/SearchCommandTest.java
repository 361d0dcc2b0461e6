package org.mobilessh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mobilessh.index.EventIndex;
import org.mobilessh.index.HitWriter;
import org.mobilessh.index.QuarantinedLine;
import org.mobilessh.index.SourcedEvent;
import org.mobilessh.parse.LineParser;
import org.mobilessh.parse.LogFormat;
import org.mobilessh.parse.ParseContext;
import org.mobilessh.parse.ParseResult;

/** {@code mobilessh search} end to end, over an index of the real kern.log lines. */
class SearchCommandTest {
  @TempDir static Path dir;
  static String index;
  static List<String> rejects;

  @BeforeAll
  static void buildIndex() throws IOException {
    try (EventIndex idx = EventIndex.open(dir.resolve("index"))) {
      for (String file : List.of("kern.log.1", "kern.log")) {
        LineParser parser =
            LogFormat.SYSLOG.newParser(ParseContext.of(file, 2026, java.time.ZoneOffset.UTC));
        List<String> lines =
            Files.readAllLines(Path.of("sample-logs", file), StandardCharsets.UTF_8);
        long offset = 0;
        for (int i = 0; i < lines.size(); i++) {
          ParseResult r = parser.parse(lines.get(i), i + 1);
          if (r instanceof ParseResult.Parsed p) {
            idx.add(new SourcedEvent(p.event(), lines.get(i), file, offset, i + 1));
          }
          offset += lines.get(i).getBytes(StandardCharsets.UTF_8).length + 1;
        }
      }
      idx.quarantine(new QuarantinedLine("kern.log", 99, 12345, "garbage", "\u0007junk", null));
      idx.commit(Map.of());
    }
    index = dir.resolve("index").toString();
    rejects =
        Files.readAllLines(Path.of("sample-logs/kern.log.1")).stream()
            .filter(l -> l.contains("mobilessh-reject:"))
            .toList();
  }

  private static long rejectCount() throws IOException {
    return java.util.stream.Stream.of("kern.log.1", "kern.log")
        .flatMap(
            f -> {
              try {
                return Files.readAllLines(Path.of("sample-logs", f)).stream();
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            })
        .filter(l -> l.contains("mobilessh-reject:"))
        .count();
  }

  @Test
  void countPrintsTheNumberAlone() throws IOException {
    CliResult r = CliResult.run("search", "--index", index, "--count", "action:reject");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).isEqualTo(rejectCount() + System.lineSeparator());
    assertThat(r.err()).isEmpty();
  }

  @Test
  void nothingFoundIsExitFiveWithZeroForCount() {
    CliResult r = CliResult.run("search", "--index", index, "--count", "src:2001:db8:ffff::/48");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(r.out().trim()).isEqualTo("0");
    CliResult t = CliResult.run("search", "--index", index, "dport:[1 TO 21]");
    assertThat(t.exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(t.out()).isEmpty();
    assertThat(t.err()).contains("no matches");
    CliResult j = CliResult.run("search", "--index", index, "--format", "json", "dport:[1 TO 21]");
    assertThat(j.exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(j.out()).isEmpty();
  }

  /** It printed nothing, while the audit commands' CSV keeps its header with no rows. */
  @Test
  void nothingFoundInCsvIsTheHeaderAlone() {
    for (String limit : new String[] {"100", "0"}) {
      CliResult r =
          CliResult.run(
              "search", "--index", index, "--format", "csv", "--limit", limit, "dport:[1 TO 21]");
      assertThat(r.exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
      assertThat(r.out()).isEqualTo(String.join(",", HitWriter.COLUMNS) + "\n");
      assertThat(r.err()).contains("no matches");
    }
  }

  @Test
  void tableIsAlignedAndSortedByTime() throws IOException {
    CliResult r =
        CliResult.run("search", "--index", index, "action:reject", "AND", "src:203.0.113.0/24");
    assertThat(r.exitCode()).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines.get(0)).startsWith("timestamp").contains("source_ip").contains("original");
    int actionColumn = lines.get(0).indexOf("action");
    int srcColumn = lines.get(0).indexOf("source_ip");
    for (String l : lines.subList(1, lines.size())) {
      assertThat(l.substring(actionColumn)).startsWith("reject ");
      assertThat(l.substring(srcColumn)).startsWith("203.0.113.");
      assertThat(l).contains("mobilessh-reject:");
    }
    List<String> stamps =
        lines.subList(1, lines.size()).stream().map(l -> l.substring(0, 27)).toList();
    assertThat(stamps)
        .isSorted()
        .allMatch(s -> s.matches("2026-11-27T\\d\\d:\\d\\d:\\d\\d\\.000000Z"));
    long expected =
        java.util.stream.Stream.concat(
                Files.readAllLines(Path.of("sample-logs/kern.log.1")).stream(),
                Files.readAllLines(Path.of("sample-logs/kern.log")).stream())
            .filter(l -> l.contains("mobilessh-reject:") && l.contains("SRC=203.0.113."))
            .count();
    assertThat(lines).hasSize((int) expected + 1);
  }

  @Test
  void csvAndJsonLines() throws IOException {
    CliResult csv =
        CliResult.run("search", "--index", index, "--format", "csv", "dst:2001:db8::/32");
    assertThat(csv.exitCode()).isZero();
    List<CSVRecord> records =
        CSVFormat.DEFAULT
            .builder()
            .setHeader()
            .setSkipHeaderRecord(true)
            .get()
            .parse(new StringReader(csv.out()))
            .getRecords();
    assertThat(records).isNotEmpty();
    for (CSVRecord rec : records) {
      assertThat(rec.get("destination_ip")).startsWith("2001:db8:").doesNotContain("0db8");
      assertThat(rec.get("original")).contains("DST=" + "2001:0db8:");
      assertThat(rec.get("log_file_path")).startsWith("kern.log");
      String line =
          Files.readAllLines(Path.of("sample-logs", rec.get("log_file_path")))
              .get(Integer.parseInt(rec.get("line_number")) - 1);
      assertThat(rec.get("original")).isEqualTo(line);
    }
    CliResult json =
        CliResult.run("search", "--index", index, "--format", "json", "--limit", "2", "dport:22");
    assertThat(json.exitCode()).isZero();
    List<String> lines = json.out().lines().toList();
    assertThat(lines).hasSize(2);
    JsonNode first = new ObjectMapper().readTree(lines.get(0));
    assertThat(first.get("destination_port").asInt()).isEqualTo(22);
    assertThat(first.get("timestamp").asText()).endsWith("Z");
    assertThat(first.get("observer").asText()).isEqualTo("router1");
    assertThat(json.err()).contains("2 of ").contains("--limit 2");
  }

  @Test
  void limitZeroStreamsEveryMatchInTheOrderOfTheSortedSearch() {
    for (String format : List.of("csv", "json")) {
      for (String query : List.of("", "dport:22", "action:quarantine")) {
        CliResult streamed =
            CliResult.run("search", "--index", index, "--format", format, "--limit", "0", query);
        CliResult sorted =
            CliResult.run(
                "search", "--index", index, "--format", format, "--limit", "1000000", query);
        assertThat(streamed.exitCode()).as(format + " " + query).isEqualTo(sorted.exitCode());
        assertThat(streamed.out()).as(format + " " + query).isEqualTo(sorted.out());
        assertThat(streamed.out()).as(query).isNotBlank();
      }
    }
  }

  @Test
  void quarantineOnlyWhenAskedFor() {
    CliResult all = CliResult.run("search", "--index", index, "--count");
    CliResult q = CliResult.run("search", "--index", index, "action:quarantine");
    assertThat(q.exitCode()).isZero();
    assertThat(q.out()).contains("garbage").contains("kern.log:99").contains("?junk");
    CliResult c = CliResult.run("search", "--index", index, "--count", "action:quarantine");
    assertThat(c.out().trim()).isEqualTo("1");
    assertThat(Long.parseLong(all.out().trim())).isPositive();
    CliResult everything = CliResult.run("search", "--index", index, "--count", "*:*");
    assertThat(everything.out()).isEqualTo(all.out());
  }

  @Test
  void syntaxErrorIsAUsageErrorPointingAtTheProblem() {
    CliResult r = CliResult.run("search", "--index", index, "action:reject", "AND", "(dport:22");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).startsWith("mobilessh search: query syntax error");
    CliResult field = CliResult.run("search", "--index", index, "prt:22");
    assertThat(field.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(field.err()).contains("unknown field 'prt'");
    CliResult caret = CliResult.run("search", "--index", index, "src:192.0.2.1 OR OR dport:22");
    assertThat(caret.err()).contains("column 18").contains("\n                   ^");
  }

  @Test
  void missingIndexIsAClearFailure() {
    CliResult r = CliResult.run("search", "--index", dir.resolve("nope").toString(), "action:set");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.FAILURE);
    assertThat(r.err()).contains("no index at").contains("mobilessh ingest");
  }

  @Test
  void badOptionsAreUsageErrors() {
    assertThat(CliResult.run("search", "--index", index, "--format", "xml").exitCode())
        .isEqualTo(ExitCodes.USAGE);
    assertThat(CliResult.run("search", "--index", index, "--limit", "-1").exitCode())
        .isEqualTo(ExitCodes.USAGE);
  }

  /** Past 2262 the time's microseconds overflowed: "mobilessh search: long overflow". */
  @Test
  void timesFarOutAreJustTimes() {
    CliResult far = CliResult.run("search", "--index", index, "--count", "time:9999-01-01");
    assertThat(far.exitCode()).as(far.err()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(far.out().trim()).isEqualTo("0");
    CliResult wide =
        CliResult.run(
            "search", "--index", index, "--count", "time:[1500-01-01 TO 9999-01-01]", "action:*");
    CliResult all = CliResult.run("search", "--index", index, "--count", "action:*");
    assertThat(wide.exitCode()).as(wide.err()).isZero();
    assertThat(wide.out()).isEqualTo(all.out());
  }

  @Test
  void defaultIndexLocation() {
    assertThat(IndexOption.defaultPath(Map.of("MOBILESSH_INDEX", "/srv/idx"), "/home/u"))
        .isEqualTo(Path.of("/srv/idx"));
    assertThat(IndexOption.defaultPath(Map.of("XDG_DATA_HOME", "/x/data"), "/home/u"))
        .isEqualTo(Path.of("/x/data/mobilessh/index"));
    assertThat(IndexOption.defaultPath(Map.of("XDG_DATA_HOME", "relative"), "/home/u"))
        .isEqualTo(Path.of("/home/u/.local/share/mobilessh/index"));
    assertThat(IndexOption.defaultPath(Map.of(), "/home/u"))
        .isEqualTo(Path.of("/home/u/.local/share/mobilessh/index"));
  }
}
