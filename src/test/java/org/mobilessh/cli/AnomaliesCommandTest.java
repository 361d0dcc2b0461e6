package org.mobilessh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mobilessh anomalies}: none in the clean recording; the month's full list shows. */
class AnomaliesCommandTest {
  @TempDir Path dir;

  @Test
  void theRecordingHasNone() {
    CliResult r =
        CliResult.run(
            "anomalies",
            "--index",
            AuditFixture.scenarioIndex(dir),
            "--config",
            AuditFixture.scenarioConfig(dir));
    assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("no anomalies found");
  }

  @Test
  void theSimulatedMonthOverflowsTheListAndSaysWhere() {
    String month = AuditFixture.monthIndex(dir);
    String config = AuditFixture.monthConfig(dir);
    CliResult r =
        AuditFixture.audit("anomalies", month, config, "--month", "2026-10", "--format", "csv");
    assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.OK);
    assertThat(AuditFixture.header(r.out()))
        .isEqualTo(List.of("at", "kind", "source_ip", "observer", "message", "evidence"));
    List<CSVRecord> rows = AuditFixture.csv(r.out());
    // the simulator evicted entries from the full list (ground truth list_evictions)
    assertThat(AuditFixture.monthTruth("summary").get(0).get("list_evictions").asInt())
        .isPositive();
    assertThat(rows).anyMatch(x -> x.get("kind").equals("list-overflow"));
    for (CSVRecord x : rows) {
      assertThat(x.get("observer")).isEqualTo("router1");
      assertThat(x.get("at")).startsWith("2026-10-");
      for (String pointer : x.get("evidence").split(" ")) {
        assertThat(AuditFixture.line(pointer)).as(pointer).isNotBlank();
      }
    }
    List<JsonNode> json =
        AuditFixture.json(
            AuditFixture.audit("anomalies", month, config, "--month", "2026-10", "--format", "json")
                .out());
    assertThat(json).hasSize(rows.size());
    assertThat(json.get(0).get("kind").asText()).isEqualTo(rows.get(0).get("kind"));
  }
}
