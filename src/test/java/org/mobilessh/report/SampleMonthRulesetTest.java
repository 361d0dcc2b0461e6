package org.mobilessh.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's main job as it is: the committed sample month, whose directory holds the simulated
 * router's three {@code rules snapshot} files, gives a ruleset section with steps, N, the parity
 * verdict and exact reject counters that agree with the simulator's ground truth and with the lines
 * in the index.
 */
class SampleMonthRulesetTest {
  @TempDir static Path dir;
  static Path index;
  static Map<String, Object> ruleset;
  static Map<String, Object> anomalies;
  static List<JsonNode> snapshots = new ArrayList<>();

  @BeforeAll
  static void ingestAndRender() throws Exception {
    index = dir.resolve("index");
    SampleMonth.ingest(index);
    ReportRenderer.Rendered r =
        ReportRenderer.render(SampleMonth.request(index, ReportRequest.Format.HTML));
    @SuppressWarnings("unchecked")
    Map<String, Object> rs = (Map<String, Object>) r.model().root().get("ruleset");
    ruleset = rs;
    @SuppressWarnings("unchecked")
    Map<String, Object> an = (Map<String, Object>) r.model().root().get("anomalies");
    anomalies = an;
    ObjectMapper json = new ObjectMapper();
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(
                new GZIPInputStream(
                    Files.newInputStream(
                        SampleMonth.DIR.resolveSibling("router1.ground-truth.jsonl.gz"))),
                StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        JsonNode n = json.readTree(line);
        if (n.get("record").asText().equals("snapshot")) {
          snapshots.add(n);
        }
      }
    }
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> list(Map<String, Object> m, String key) {
    return (List<Map<String, Object>>) m.get(key);
  }

  @Test
  void theSectionShowsTheSnapshotsGateNAndParity() {
    assertThat(ruleset.get("fromSnapshots")).isEqualTo(true);
    assertThat(list(ruleset, "snapshots"))
        .extracting(
            s -> s.get("at") + " " + s.get("role") + " " + s.get("n") + " " + s.get("parity"))
        .containsExactly(
            "2026-09-30 21:08:12Z in force at the start 60 s same gate",
            "2026-10-16 00:00:01Z during the month 60 s same gate",
            "2026-11-01 00:00:01Z first after the month 60 s same gate");
    assertThat(list(ruleset, "snapshots"))
        .extracting(s -> s.get("sha256"))
        .containsExactlyElementsOf(snapshots.stream().map(n -> n.get("sha256").asText()).toList());
    assertThat(list(ruleset, "uncovered")).isEmpty();
    assertThat(list(ruleset, "nMismatch")).isEmpty();
    assertThat(list(ruleset, "parityBroken")).isEmpty();
    assertThat(list(ruleset, "changes")).isEmpty();
    // the ruleset is the configured one and every LOG counter is matched by its lines
    assertThat(list(anomalies, "kinds"))
        .extracting(k -> k.get("kind"))
        .containsOnly("list-overflow");
  }

  @Test
  void rejectCountersAreTheModelsAndEveryLoggedLineArrived() throws Exception {
    List<Map<String, Object>> totals = list(ruleset, "totals");
    assertThat(totals).hasSize(4); // two stretches, two families
    for (String fam : List.of("4", "6")) {
      long rejected = 0;
      long logged = 0;
      for (Map<String, Object> t : totals) {
        if (!t.get("family").equals("IPv" + fam)) {
          continue;
        }
        rejected += number(t.get("rejected"));
        logged += number(t.get("logged"));
        assertThat(t.get("seen"))
            .as("every line the kernel logged is in the index")
            .isEqualTo(t.get("logged"));
        assertThat(t.get("lost")).isEqualTo("0");
        assertThat(Commands.run((String) t.get("query"), index))
            .isEqualTo(((String) t.get("seen")).replace(",", ""));
      }
      JsonNode last = snapshots.get(snapshots.size() - 1);
      assertThat(rejected).isEqualTo(last.get("rejected").get(fam).asLong());
      assertThat(logged).isEqualTo(last.get("reject_logged").get(fam).asLong());
      assertThat(rejected).as("the log is sampled: more resets than lines").isGreaterThan(logged);
    }
  }

  @Test
  void theGateShowsEachStepsIncreaseOverTheMonthAsItsLogLines() throws Exception {
    @SuppressWarnings("unchecked")
    Map<String, Object> gate = ((List<Map<String, Object>>) ruleset.get("inForce")).get(0);
    assertThat(gate.get("delta")).isEqualTo(true);
    for (Map<String, Object> f : list(gate, "families")) {
      String family = ((String) f.get("family")).toLowerCase(java.util.Locale.ROOT);
      for (Map<String, Object> st : list(f, "steps")) {
        String id = (String) st.get("id");
        if (!List.of("set", "remove", "rcheck-accept", "reject").contains(id)) {
          assertThat(st.get("logPacketsDelta")).as(id).isEqualTo("-");
          continue;
        }
        String action = id.equals("rcheck-accept") ? "accept" : id;
        // the month's lines of that step: the snapshots bracket the month, no traffic outside it
        String count =
            Commands.run(
                "mobilessh search --count 'action:" + action + " AND family:" + family + "'",
                index);
        assertThat(((String) st.get("logPacketsDelta")).replace(",", ""))
            .as(family + " " + id)
            .isEqualTo(count);
      }
    }
  }

  private static long number(Object text) {
    return Long.parseLong(((String) text).replace(",", ""));
  }
}
