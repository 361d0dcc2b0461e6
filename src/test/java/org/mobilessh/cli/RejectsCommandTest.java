package org.mobilessh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mobilessh rejects} over the real recording and the simulated month. */
class RejectsCommandTest {
  static final List<String> COLUMNS =
      List.of(
          "at",
          "source_ip",
          "source_port",
          "destination_ip",
          "destination_port",
          "protocol",
          "tcp_flags",
          "sampled",
          "observer");

  @TempDir static Path dir;
  static String index;
  static String config;

  @BeforeAll
  static void ingest() {
    index = AuditFixture.scenarioIndex(dir);
    config = AuditFixture.scenarioConfig(dir);
  }

  private static CliResult rejects(String... args) {
    return AuditFixture.audit("rejects", index, config, args);
  }

  @Test
  void everyLoggedRejectionOfTheRecording() {
    CliResult r = rejects("--format", "csv");
    assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.OK);
    assertThat(AuditFixture.header(r.out()).subList(0, COLUMNS.size())).isEqualTo(COLUMNS);
    List<CSVRecord> rows = AuditFixture.csv(r.out());
    List<JsonNode> logged =
        AuditFixture.scenarioTruth("connection").stream()
            .filter(c -> c.get("observed_log").toString().contains("mobilessh-reject"))
            .toList();
    assertThat(rows).hasSize(logged.size()).hasSize(17);
    for (JsonNode t : logged) {
      CSVRecord x =
          rows.stream()
              .filter(j -> j.get("source_ip").equals(t.get("src").asText()))
              .filter(j -> j.get("source_port").equals(t.get("sport").asText()))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no rejection for " + t));
      assertThat(x.get("destination_ip")).isEqualTo(t.get("dst").asText());
      assertThat(x.get("destination_port")).isEqualTo("22");
      assertThat(x.get("protocol")).isEqualTo("tcp");
      assertThat(x.get("tcp_flags")).isEqualTo("SYN");
      assertThat(AuditFixture.off(AuditFixture.time(x.get("at")), AuditFixture.time(t, "t_start")))
          .isLessThanOrEqualTo(0.15);
      assertThat(AuditFixture.line(x.get("evidence")))
          .contains("mobilessh-reject:")
          .contains("SPT=" + t.get("sport").asText() + " ");
    }
    // the two floods outran the per-source LOG limit: their last logged line stands for more
    assertThat(
            rows.stream().filter(x -> x.get("sampled").equals("true")).map(x -> x.get("source_ip")))
        .containsExactlyInAnyOrder("192.0.2.166", "2001:db8:66::66");
  }

  @Test
  void filtersAndFormats() {
    CliResult v4 = rejects("--ip", "192.0.2.166/32", "--format", "json");
    assertThat(v4.exitCode()).isEqualTo(ExitCodes.OK);
    List<JsonNode> json = AuditFixture.json(v4.out());
    assertThat(json).hasSize(5);
    assertThat(json).allMatch(n -> n.get("sampled").isBoolean() && n.get("source_port").isInt());
    CliResult table = rejects("--from", "2026-11-27T01:15:43Z", "--to", "2026-11-27T01:15:44Z");
    assertThat(table.out().lines().toList()).hasSize(5);
    assertThat(table.out().lines().skip(1)).allMatch(l -> l.startsWith("2026-11-27T01:15:43.3"));
    CliResult none = rejects("--host", "router2");
    assertThat(none.exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(none.err()).contains("no rejects found");
  }

  @Test
  void simulatedMonthHasEveryLoggedRejection(@TempDir Path tmp) {
    String month = AuditFixture.monthIndex(tmp);
    CliResult r =
        AuditFixture.audit(
            "rejects",
            month,
            AuditFixture.monthConfig(tmp),
            "--month",
            "2026-10",
            "--format",
            "csv");
    assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.OK);
    JsonNode summary = AuditFixture.monthTruth("summary").get(0);
    List<CSVRecord> rows = AuditFixture.csv(r.out());
    assertThat(rows).hasSize(summary.get("rejects_logged").asInt());
    assertThat(rows).hasSize(summary.get("log_lines").get("reject").asInt());
  }
}
