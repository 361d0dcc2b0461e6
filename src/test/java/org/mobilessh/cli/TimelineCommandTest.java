package org.mobilessh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mobilessh timeline ADDR}: one address's story, each line pointing at its source. */
class TimelineCommandTest {
  @TempDir static Path dir;
  static String index;
  static String config;

  @BeforeAll
  static void ingest() {
    index = AuditFixture.scenarioIndex(dir);
    config = AuditFixture.scenarioConfig(dir);
  }

  private static CliResult timeline(String... args) {
    return AuditFixture.audit("timeline", index, config, args);
  }

  @Test
  void everythingAboutOneAddressInOrderTracedToItsLines() throws IOException {
    String addr = "203.0.113.10";
    CliResult r = timeline(addr, "--format", "csv");
    assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.OK);
    assertThat(AuditFixture.header(r.out()))
        .isEqualTo(List.of("at", "observer", "record", "source_ip", "detail", "source"));
    List<CSVRecord> rows = AuditFixture.csv(r.out());
    assertThat(rows.stream().map(x -> x.get("at")).toList()).isSorted();
    Map<String, Long> kinds =
        rows.stream().collect(Collectors.groupingBy(x -> x.get("record"), Collectors.counting()));
    long truthWindows =
        AuditFixture.scenarioTruth("window").stream()
            .filter(w -> w.get("src").asText().equals(addr))
            .count();
    List<JsonNode> conns =
        AuditFixture.scenarioTruth("connection").stream()
            .filter(c -> c.get("src").asText().equals(addr))
            .toList();
    long accepted =
        conns.stream().filter(c -> c.get("observed_log").toString().contains("accept")).count();
    long rejected =
        conns.stream().filter(c -> c.get("observed_log").toString().contains("reject")).count();
    long conntrackLines =
        Files.readAllLines(AuditFixture.SAMPLES.resolve("conntrack-extended.log")).stream()
            .filter(l -> l.contains("src=" + addr + " "))
            .count();
    assertThat(kinds)
        .containsEntry("window-open", truthWindows)
        .containsEntry("window-close", truthWindows)
        .containsEntry("session-accept", accepted)
        .containsEntry("session-end", accepted)
        .containsEntry("reject", rejected)
        .containsEntry("conntrack", conntrackLines);
    assertThat(truthWindows).isEqualTo(2);
    assertThat(accepted).isEqualTo(2);
    assertThat(rejected).isEqualTo(2);
    for (CSVRecord x : rows) {
      assertThat(x.get("source_ip")).isEqualTo(addr);
      String line = AuditFixture.line(x.get("source"));
      switch (x.get("record")) {
        case "window-open" ->
            assertThat(line).contains("mobilessh-set:").contains("SRC=" + addr + " ");
        case "session-accept" ->
            assertThat(line).contains("mobilessh-accept:").contains("SRC=" + addr + " ");
        case "reject" ->
            assertThat(line).contains("mobilessh-reject:").contains("SRC=" + addr + " ");
        case "conntrack" -> assertThat(line).contains("src=" + addr + " ");
        case "session-end" ->
            // the state change that ended it, at the time the row shows
            assertThat(line)
                .contains("src=" + addr + " ")
                .doesNotContain("[DESTROY]")
                .startsWith(
                    "["
                        + java.time.Instant.parse(x.get("at")).getEpochSecond()
                        + "."
                        + x.get("at").substring(20, 26)
                        + "]");
        default -> assertThat(line).contains(addr);
      }
    }
  }

  @Test
  void anIpv6NetworkAsJsonAndAsATable() {
    CliResult json = timeline("2001:db8:10::/48", "--format", "json");
    assertThat(json.exitCode()).isEqualTo(ExitCodes.OK);
    List<JsonNode> nodes = AuditFixture.json(json.out());
    assertThat(nodes)
        .isNotEmpty()
        .allMatch(n -> n.get("source_ip").asText().equals("2001:db8:10::10"));
    assertThat(nodes.stream().filter(n -> n.get("record").asText().equals("session-accept")))
        .hasSize(2);
    CliResult table = timeline("2001:db8:10::10", "--to", "2026-11-27T01:15:12Z");
    List<String> lines = table.out().lines().toList();
    int source = lines.get(0).lastIndexOf("source");
    assertThat(lines.get(0)).startsWith("at ");
    assertThat(lines.subList(1, lines.size()))
        .allMatch(l -> l.substring(source).matches("\\S+:\\d+"))
        .allMatch(l -> l.substring(0, 27).compareTo("2026-11-27T01:15:12.000000Z") <= 0);
    // the window runs on past the period's end: marked there, not closed
    assertThat(lines.get(lines.size() - 1)).contains("window-continues");
  }

  @Test
  void unknownAddressAndBadInput() {
    CliResult none = timeline("198.51.100.99");
    assertThat(none.exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(none.err()).contains("no events for 198.51.100.99 found");
    // no rows: the header rows have (it had an evidence column the rows never have)
    CliResult noneCsv = timeline("198.51.100.99", "--format", "csv");
    assertThat(noneCsv.exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(noneCsv.out())
        .isEqualTo(
            timeline("203.0.113.10", "--format", "csv").out().lines().findFirst().orElseThrow()
                + "\n");
    CliResult bad = timeline("host.example");
    assertThat(bad.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(bad.err()).contains("ADDR must be an address or CIDR");
    CliResult both = timeline("203.0.113.10", "--ip", "203.0.113.10");
    assertThat(both.exitCode()).isEqualTo(ExitCodes.USAGE);
    CliResult month = timeline("203.0.113.10", "--month", "2026-1");
    assertThat(month.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(month.err()).contains("--month must be a calendar month YYYY-MM");
  }
}
