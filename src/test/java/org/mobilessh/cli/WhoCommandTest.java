package org.mobilessh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mobilessh who --at}: at many instants of the recording, the ground truth's answer. */
class WhoCommandTest {
  /** How close to a true boundary an instant may lie and still be asked about. */
  private static final double MARGIN_S = 0.2;

  @TempDir static Path dir;
  static String index;
  static String config;
  static List<CSVRecord> windows;

  @BeforeAll
  static void ingest() {
    index = AuditFixture.scenarioIndex(dir);
    config = AuditFixture.scenarioConfig(dir);
    windows =
        AuditFixture.csv(AuditFixture.audit("windows", index, config, "--format", "csv").out());
  }

  private static CliResult who(String... args) {
    return AuditFixture.audit("who", index, config, args);
  }

  @Test
  void everyHalfSecondOfTheRecordingAgreesWithTheGroundTruth() {
    List<JsonNode> truthWindows = AuditFixture.scenarioTruth("window");
    List<JsonNode> sessions =
        AuditFixture.scenarioTruth("connection").stream()
            .filter(c -> c.get("kind").asText().equals("ssh"))
            .filter(c -> c.get("outcome").asText().equals("connected"))
            .toList();
    JsonNode meta = AuditFixture.scenarioTruth("meta").get(0);
    Instant start = AuditFixture.time(meta, "t_scenario_start");
    Instant end = AuditFixture.time(meta, "t_scenario_end");
    int asked = 0;
    for (Instant t = start; t.isBefore(end); t = t.plusMillis(500)) {
      if (nearBoundary(t, truthWindows, sessions)) {
        continue;
      }
      Set<String> expected = new TreeSet<>();
      for (JsonNode w : truthWindows) {
        if (in(t, AuditFixture.time(w, "opened_at"), AuditFixture.time(w, "closed_at"))) {
          expected.add("window " + w.get("src").asText());
        }
      }
      for (JsonNode s : sessions) {
        if (in(t, AuditFixture.time(s, "t_start"), AuditFixture.time(s, "t_end"))) {
          expected.add("session " + s.get("src").asText() + " " + s.get("sport").asText());
        }
      }
      CliResult r = who("--at", t.toString(), "--format", "csv");
      Set<String> actual = new TreeSet<>();
      for (CSVRecord x : AuditFixture.csv(r.out())) {
        actual.add(
            x.get("record").equals("window")
                ? "window " + x.get("source_ip")
                : "session " + x.get("source_ip") + " " + x.get("source_port"));
      }
      assertThat(actual).as("who --at %s", t).isEqualTo(expected);
      assertThat(r.exitCode()).isEqualTo(expected.isEmpty() ? ExitCodes.NOT_FOUND : ExitCodes.OK);
      asked++;
    }
    assertThat(asked).isGreaterThan(80);
  }

  /**
   * Near a true open, close, accept or end, or inside a close the audit can only bound (the truth
   * is one instant in it), the answer may rightly differ.
   */
  private static boolean nearBoundary(Instant t, List<JsonNode> windows, List<JsonNode> sessions) {
    List<Instant> edges = new ArrayList<>();
    for (JsonNode w : windows) {
      edges.add(AuditFixture.time(w, "opened_at"));
      edges.add(AuditFixture.time(w, "closed_at"));
    }
    for (JsonNode s : sessions) {
      edges.add(AuditFixture.time(s, "t_start"));
      edges.add(AuditFixture.time(s, "t_end"));
    }
    if (edges.stream().anyMatch(e -> AuditFixture.off(e, t) < MARGIN_S)) {
      return true;
    }
    return WhoCommandTest.windows.stream()
        .anyMatch(
            w ->
                in(
                    t,
                    AuditFixture.time(w.get("closed_at_earliest")).minusMillis(200),
                    AuditFixture.time(w.get("closed_at")).plusMillis(200)));
  }

  private static boolean in(Instant t, Instant from, Instant to) {
    return !t.isBefore(from) && t.isBefore(to);
  }

  @Test
  void tableNamesWindowsAndSessions() {
    CliResult r = who("--at", "2026-11-27T01:15:12Z");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.OK);
    List<String> lines = r.out().lines().toList();
    assertThat(lines.get(0)).startsWith("record ").contains("source_ip").contains("since");
    assertThat(lines.subList(1, lines.size()))
        .containsExactly(lines.get(1), lines.get(2), lines.get(3))
        .anyMatch(l -> l.startsWith("window   2001:db8:10::10"))
        .anyMatch(l -> l.startsWith("session  2001:db8:10::10") && l.contains(" 60057 "))
        .anyMatch(l -> l.startsWith("session  2001:db8:10::10") && l.contains(" 47225 "));
    List<JsonNode> json =
        AuditFixture.json(who("--at", "2026-11-27T01:15:12Z", "--format", "json").out());
    assertThat(json).hasSize(3);
    assertThat(json.get(0).get("record").asText()).isEqualTo("window");
    assertThat(json.get(0).get("source_port").isNull()).isTrue();
    assertThat(json.get(1).get("source_port").isInt()).isTrue();
  }

  @Test
  void nobodyAndBadInput() {
    CliResult nobody = who("--at", "2026-11-28T00:00:00Z");
    assertThat(nobody.exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(nobody.err()).contains("no open windows or running sessions at");
    CliResult filtered = who("--at", "2026-11-27T01:15:12Z", "--ip", "203.0.113.0/24");
    assertThat(filtered.exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
    // no rows: the header rows have
    CliResult rows = who("--at", "2026-11-27T01:15:12Z", "--format", "csv");
    assertThat(rows.exitCode()).as(rows.err()).isZero();
    assertThat(who("--at", "2026-11-28T00:00:00Z", "--format", "csv").out())
        .isEqualTo(rows.out().lines().findFirst().orElseThrow() + "\n");
    CliResult bad = who("--at", "noon");
    assertThat(bad.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(bad.err()).contains("--at must be an ISO 8601 time").contains("'noon'");
    CliResult missing = who();
    assertThat(missing.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(missing.err()).contains("--at");
    CliResult both = who("--at", "2026-11-27T01:15:12Z", "--month", "2026-11");
    assertThat(both.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(both.err()).contains("who takes --at TIME, not --from, --to or --month");
  }
}
