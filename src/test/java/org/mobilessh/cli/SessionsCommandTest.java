package org.mobilessh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mobilessh sessions} over the real recording, compared with its ground truth. */
class SessionsCommandTest {
  /** Kernel stamps (0.1 s) plus the truth's own accuracy. */
  private static final double SLACK_S = 0.15;

  static final List<String> COLUMNS =
      List.of(
          "source_ip",
          "source_port",
          "destination_ip",
          "destination_port",
          "accepted_at",
          "ended_at",
          "duration_s",
          "bytes_in",
          "bytes_out",
          "window_opened_at",
          "observer");

  @TempDir static Path dir;
  static String index;
  static String config;

  @BeforeAll
  static void ingest() {
    index = AuditFixture.scenarioIndex(dir);
    config = AuditFixture.scenarioConfig(dir);
  }

  private static CliResult run(String command, String... args) {
    List<String> all = new ArrayList<>(List.of(command, "--index", index, "--config", config));
    all.addAll(List.of(args));
    return CliResult.run(all.toArray(String[]::new));
  }

  private static List<JsonNode> truth() {
    return AuditFixture.scenarioTruth("connection").stream()
        .filter(c -> c.get("kind").asText().equals("ssh"))
        .filter(c -> c.get("outcome").asText().equals("connected"))
        .toList();
  }

  @Test
  void everyAcceptedSessionWithItsFlowAndWindow() {
    CliResult r = run("sessions", "--format", "csv");
    assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.OK);
    assertThat(AuditFixture.header(r.out()).subList(0, COLUMNS.size())).isEqualTo(COLUMNS);
    List<CSVRecord> rows = AuditFixture.csv(r.out());
    List<JsonNode> truth = truth();
    assertThat(rows).hasSize(truth.size()).hasSize(9);
    Map<String, JsonNode> truthWindows =
        AuditFixture.scenarioTruth("window").stream()
            .collect(Collectors.toMap(w -> w.get("id").asText(), w -> w));
    List<String> windowOpenings =
        AuditFixture.csv(run("windows", "--format", "csv").out()).stream()
            .map(w -> w.get("opened_at"))
            .toList();
    for (JsonNode t : truth) {
      CSVRecord s =
          rows.stream()
              .filter(x -> x.get("source_ip").equals(t.get("src").asText()))
              .filter(x -> x.get("source_port").equals(t.get("sport").asText()))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no session for " + t + " in\n" + r.out()));
      String id = t.get("id").asText();
      assertThat(s.get("destination_ip")).as(id).isEqualTo(t.get("dst").asText());
      assertThat(s.get("destination_port")).as(id).isEqualTo(t.get("dport").asText());
      assertThat(
              AuditFixture.off(
                  AuditFixture.time(s.get("accepted_at")), AuditFixture.time(t, "t_start")))
          .as("accept of %s", id)
          .isLessThanOrEqualTo(SLACK_S);
      assertThat(
              AuditFixture.off(AuditFixture.time(s.get("ended_at")), AuditFixture.time(t, "t_end")))
          .as("end of %s", id)
          .isLessThanOrEqualTo(SLACK_S);
      assertThat(Long.parseLong(s.get("bytes_in"))).isGreaterThan(t.get("bytes_sent").asLong());
      assertThat(Long.parseLong(s.get("bytes_out"))).isPositive();
      JsonNode w = truthWindows.get(t.get("window").asText());
      assertThat(
              AuditFixture.off(
                  AuditFixture.time(s.get("window_opened_at")), AuditFixture.time(w, "opened_at")))
          .as("window of %s", id)
          .isLessThanOrEqualTo(SLACK_S);
      // the same window the windows command lists
      assertThat(windowOpenings).contains(s.get("window_opened_at"));
      assertThat(s.get("observer")).isEqualTo("router1");
    }
    // c087 idled past its window's expiry: it outlives the window, by design of step 3
    assertThat(rows.stream().filter(x -> x.get("source_port").equals("49221")).findFirst())
        .hasValueSatisfying(x -> assertThat(x.get("outlives_window")).isEqualTo("true"));
  }

  @Test
  void tableJsonAndFilters() {
    CliResult table = run("sessions", "--ip", "2001:db8:10::10");
    assertThat(table.exitCode()).isEqualTo(ExitCodes.OK);
    List<String> lines = table.out().lines().toList();
    assertThat(lines).hasSize(3);
    int port = lines.get(0).indexOf("source_port");
    assertThat(lines.get(1).substring(port)).startsWith("60057 ");
    assertThat(lines.get(2).substring(port)).startsWith("47225 ");
    List<JsonNode> json = AuditFixture.json(run("sessions", "--format", "json").out());
    assertThat(json).hasSize(9);
    assertThat(json).allMatch(n -> n.get("bytes_in").isIntegralNumber());
    assertThat(json)
        .allMatch(n -> n.get("evidence").get(0).get("text").asText().contains("mobilessh-accept:"));
    CliResult none =
        run("sessions", "--from", "2026-11-27T01:15:00Z", "--to", "2026-11-27T01:15:05Z");
    assertThat(none.exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(none.err()).contains("no sessions found");
    CliResult bad = run("sessions", "--ip", "not-an-address");
    assertThat(bad.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(bad.err()).contains("--ip must be an address or CIDR");
  }

  @Test
  void simulatedMonthHasEveryAcceptedSession(@TempDir Path tmp) {
    String month = AuditFixture.monthIndex(tmp);
    CliResult r =
        AuditFixture.audit(
            "sessions",
            month,
            AuditFixture.monthConfig(tmp),
            "--month",
            "2026-10",
            "--format",
            "csv");
    assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.OK);
    List<JsonNode> truth =
        AuditFixture.monthTruth("connection").stream()
            .filter(c -> c.get("kind").asText().equals("ssh"))
            .filter(c -> c.get("outcome").asText().equals("connected"))
            .toList();
    List<CSVRecord> rows = AuditFixture.csv(r.out());
    assertThat(rows).hasSize(truth.size());
    for (JsonNode t : truth) {
      assertThat(rows)
          .as("%s", t)
          .anyMatch(
              x ->
                  x.get("source_ip").equals(t.get("src").asText())
                      && x.get("source_port").equals(t.get("sport").asText())
                      && !x.get("window_opened_at").isEmpty());
    }
  }
}
