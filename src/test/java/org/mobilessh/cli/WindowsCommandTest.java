package org.mobilessh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mobilessh windows} end to end: the real recording and the simulated month ingested through
 * {@code mobilessh ingest}, the answers compared with their ground truth.
 */
class WindowsCommandTest {
  /** The ground truth's own accuracy (client socket times), per sample-logs/README.md. */
  private static final double TRUTH_SLACK_S = 0.05;

  static final List<String> COLUMNS =
      List.of(
          "source_ip",
          "opened_at",
          "closed_at",
          "close_reason",
          "close_precision_s",
          "duration_s",
          "ssh_sessions",
          "observer");

  private static final String MICROS = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z";

  @TempDir static Path dir;
  static String index;
  static String config;

  @BeforeAll
  static void ingest() {
    index = AuditFixture.scenarioIndex(dir);
    config = AuditFixture.scenarioConfig(dir);
  }

  private static CliResult windows(String... args) {
    return AuditFixture.audit("windows", index, config, args);
  }

  @Test
  void csvEqualsTheGroundTruthWithinThePrecisionItStates() {
    CliResult r = windows("--format", "csv");
    assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.OK);
    assertThat(AuditFixture.header(r.out()).subList(0, COLUMNS.size())).isEqualTo(COLUMNS);
    List<CSVRecord> rows = AuditFixture.csv(r.out());
    List<JsonNode> truth = AuditFixture.scenarioTruth("window");
    assertThat(rows).hasSize(truth.size()).hasSize(10);
    List<CSVRecord> unmatched = new ArrayList<>(rows);
    for (JsonNode t : truth) {
      String id = t.get("id").asText();
      Instant opened = AuditFixture.time(t, "opened_at");
      Instant closed = AuditFixture.time(t, "closed_at");
      CSVRecord w =
          unmatched.stream()
              .filter(x -> x.get("source_ip").equals(t.get("src").asText()))
              .filter(
                  x ->
                      AuditFixture.off(AuditFixture.time(x.get("opened_at")), opened)
                          <= Double.parseDouble(x.get("open_precision_s")) + TRUTH_SLACK_S)
              .findFirst()
              .orElseThrow(() -> new AssertionError("no window for " + t + " in\n" + r.out()));
      unmatched.remove(w);
      // w09's SSH session idled past N: its remove line may have come after the expiry
      String expected =
          id.equals("w09")
              ? "expired-or-removed"
              : t.get("close_reason").asText().equals("fin-remove") ? "fin-remove" : "expired";
      assertThat(w.get("close_reason")).as(id).isEqualTo(expected);
      assertThat(AuditFixture.off(AuditFixture.time(w.get("closed_at")), closed))
          .as("close of %s: %s vs truth %s", id, w, closed)
          .isLessThanOrEqualTo(Double.parseDouble(w.get("close_precision_s")) + TRUTH_SLACK_S);
      assertThat(Integer.parseInt(w.get("ssh_sessions")))
          .as(id)
          .isEqualTo(t.get("ssh_accepted").size());
      assertThat(w.get("observer")).isEqualTo("router1");
      assertThat(w.get("opened_at")).matches(MICROS);
      assertThat(w.get("closed_at")).matches(MICROS);
      double duration =
          ChronoUnit.MICROS.between(
                  AuditFixture.time(w.get("opened_at")), AuditFixture.time(w.get("closed_at")))
              / 1e6;
      assertThat(Double.parseDouble(w.get("duration_s"))).isEqualTo(duration);
      // every window rests on its set line, found where the evidence column says
      String first = w.get("evidence").split(" ")[0];
      assertThat(AuditFixture.line(first)).contains("mobilessh-set:");
    }
    assertThat(unmatched).isEmpty();
  }

  @Test
  void tableIsAlignedUnderItsHeader() {
    CliResult r = windows();
    assertThat(r.exitCode()).isEqualTo(ExitCodes.OK);
    List<String> lines = r.out().lines().toList();
    assertThat(lines).hasSize(11);
    String header = lines.get(0);
    assertThat(header).startsWith("source_ip ");
    for (String column : List.of("opened_at", "closed_at", "close_reason", "observer")) {
      int at = header.indexOf(column);
      assertThat(at).isPositive();
      for (String l : lines.subList(1, lines.size())) {
        assertThat(l.charAt(at - 1)).as("%s in '%s'", column, l).isEqualTo(' ');
        assertThat(l.charAt(at)).as("%s in '%s'", column, l).isNotEqualTo(' ');
      }
    }
    assertThat(lines.subList(1, lines.size()))
        .allMatch(l -> l.substring(header.indexOf("observer")).startsWith("router1 "));
  }

  @Test
  void jsonLinesParseWithTypedValuesAndEvidence() {
    CliResult r = windows("--format", "json");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.OK);
    List<JsonNode> nodes = AuditFixture.json(r.out());
    assertThat(nodes).hasSize(10);
    for (JsonNode n : nodes) {
      assertThat(n.get("close_precision_s").isNumber()).isTrue();
      assertThat(n.get("ssh_sessions").isIntegralNumber()).isTrue();
      assertThat(n.get("opened_at").asText()).matches(MICROS);
      JsonNode ev = n.get("evidence");
      assertThat(ev.isArray()).isTrue();
      assertThat(ev.get(0).get("text").asText()).contains("mobilessh-set:");
      // the pointer and the text agree
      assertThat(AuditFixture.line(ev.get(0).get("file").asText() + ":" + ev.get(0).get("line")))
          .isEqualTo(ev.get(0).get("text").asText());
    }
  }

  @Test
  void ipTakesAddressesAndNetworksOfBothFamilies() {
    List<JsonNode> truth = AuditFixture.scenarioTruth("window");
    CliResult v6 = windows("--format", "csv", "--ip", "2001:db8::/32");
    assertThat(v6.exitCode()).isEqualTo(ExitCodes.OK);
    assertThat(AuditFixture.csv(v6.out()))
        .hasSize((int) truth.stream().filter(t -> t.get("family").asInt() == 6).count())
        .allMatch(x -> x.get("source_ip").startsWith("2001:db8:"));
    CliResult one = windows("--format", "csv", "--ip", "203.0.113.70");
    assertThat(AuditFixture.csv(one.out()))
        .hasSize(
            (int) truth.stream().filter(t -> t.get("src").asText().equals("203.0.113.70")).count())
        .hasSize(3);
    CliResult host = windows("--format", "csv", "--host", "router1", "--ip", "192.0.2.0/24");
    assertThat(AuditFixture.csv(host.out())).hasSize(1);
  }

  @Test
  void aWindowCutByThePeriodIsClippedAndMarked() {
    // 2001:db8:20::70's second window: set 01:15:38.43, expired 01:16:08.58
    CliResult r =
        windows("--format", "csv", "--ip", "2001:db8:20::70", "--from", "2026-11-27T01:16:00Z");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.OK);
    List<CSVRecord> rows = AuditFixture.csv(r.out());
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).get("opened_at")).isEqualTo("2026-11-27T01:16:00.000000Z");
    assertThat(rows.get(0).get("clipped")).isEqualTo("start");
    assertThat(rows.get(0).get("close_reason")).isEqualTo("expired");
    CliResult before =
        windows("--format", "csv", "--ip", "2001:db8:20::70", "--to", "2026-11-27T01:16:00");
    List<CSVRecord> earlier = AuditFixture.csv(before.out());
    assertThat(earlier).hasSize(2);
    assertThat(earlier.get(1).get("closed_at")).isEqualTo("2026-11-27T01:16:00.000000Z");
    assertThat(earlier.get(1).get("clipped")).isEqualTo("end");
    assertThat(earlier.get(0).get("clipped")).isEmpty();
  }

  @Test
  void theLookbackDecidesHowFarBackAWindowOpenAtTheStartIsFound() {
    // 2001:db8:20::70's window opened 01:15:38.43 (set line) and ran until 01:16:08.58
    String[] args = {
      "--format", "csv", "--ip", "2001:db8:20::70", "--from", "2026-11-27T01:15:50Z"
    };
    List<CSVRecord> found = AuditFixture.csv(windows(args).out());
    assertThat(found).hasSize(1);
    assertThat(found.get(0).get("clipped")).isEqualTo("start");
    List<String> shortLookback = new ArrayList<>(List.of(args));
    shortLookback.addAll(List.of("--lookback", "5s"));
    // read from 01:15:40 (5 s lookback + N = 5 s): the set line is not read, the window missed
    CliResult missed = windows(shortLookback.toArray(String[]::new));
    assertThat(missed.exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
    // from 01:15:38: the set line is read, but not the start of its IMAPS flow (01:15:33), so
    // the close is known less precisely; it still contains the close the full history gives
    shortLookback.set(shortLookback.size() - 1, "7s");
    List<CSVRecord> coarse = AuditFixture.csv(windows(shortLookback.toArray(String[]::new)).out());
    assertThat(coarse).hasSize(1);
    Instant closed = AuditFixture.time(found.get(0).get("closed_at"));
    assertThat(closed)
        .isBetween(
            AuditFixture.time(coarse.get(0).get("closed_at_earliest")),
            AuditFixture.time(coarse.get(0).get("closed_at")));
    assertThat(Double.parseDouble(coarse.get(0).get("close_precision_s")))
        .isGreaterThanOrEqualTo(Double.parseDouble(found.get(0).get("close_precision_s")));
  }

  @Test
  void nothingInThePeriodIsExitFive() {
    CliResult r = windows("--from", "2026-11-28", "--to", "2026-11-29");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("no windows found");
    CliResult csv = windows("--month", "2026-12", "--format", "csv");
    assertThat(csv.exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(AuditFixture.header(csv.out()).subList(0, COLUMNS.size())).isEqualTo(COLUMNS);
    assertThat(AuditFixture.csv(csv.out())).isEmpty();
    CliResult nobody = windows("--ip", "198.51.100.0/24");
    assertThat(nobody.exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(nobody.err()).doesNotContain("no router");
  }

  /** "no windows found" alone left a mistyped --host to be guessed. */
  @Test
  void aHostTheIndexDoesNotKnowIsNamedWithTheRoutersItKnows() {
    CliResult r = windows("--host", "rooter1");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(r.out()).isEmpty();
    assertThat(r.err())
        .contains("no router rooter1 in the index (its routers: router1)")
        .contains("no windows found");
  }

  /** Past 2262 or before 1677 the stages below overflow: all they said was "long overflow". */
  @Test
  void timesOutsideWhatCanBeCountedAreUsageErrorsAndALongLookbackIsNot() {
    Map<List<String>, String> cases =
        Map.of(
            List.of("--to", "9999-12-31"),
            "--to must lie between 1970-01-01 and 2261-12-31, not '9999-12-31'",
            List.of("--from", "1600-01-01T00:00Z"),
            "--from must lie between 1970-01-01 and 2261-12-31, not '1600-01-01T00:00Z'",
            List.of("--month", "9999-01"),
            "--month must lie between 1970-01 and 2261-12, not '9999-01'");
    for (Map.Entry<List<String>, String> c : cases.entrySet()) {
      CliResult r = windows(c.getKey().toArray(String[]::new));
      assertThat(r.exitCode()).as("%s: %s", c.getKey(), r.err()).isEqualTo(ExitCodes.USAGE);
      assertThat(r.err()).isEqualTo("mobilessh windows: " + c.getValue() + System.lineSeparator());
    }
    CliResult who = AuditFixture.audit("who", index, config, "--at", "9999-01-01");
    assertThat(who.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(who.err()).contains("--at must lie between 1970-01-01 and 2261-12-31");
    CliResult all = windows("--format", "csv", "--no-cache");
    CliResult far =
        windows("--format", "csv", "--no-cache", "--to", "2261-12-31", "--lookback", "99999d");
    assertThat(far.exitCode()).as(far.err()).isZero();
    assertThat(far.out()).isEqualTo(all.out());
  }

  @Test
  void badOptionsAreUsageErrorsThatSayWhatIsWrong() {
    Map<List<String>, String> cases =
        Map.of(
            List.of("--month", "2026-13"), "--month must be a calendar month YYYY-MM",
            List.of("--month", "October"), "not 'October'",
            List.of("--from", "yesterday"), "--from must be an ISO 8601 time",
            List.of("--from", "2026-11-28", "--to", "2026-11-27"), "is not before --to",
            List.of("--month", "2026-11", "--from", "2026-11-01"), "cannot be combined",
            List.of("--ip", "203.0.113.300"), "--ip must be an address or CIDR",
            List.of("--ip", "2001:db8::/129"), "--ip must be an address or CIDR",
            List.of("--format", "xml"), "--format must be table, csv or json",
            List.of("--lookback", "forever"), "--lookback must be",
            List.of("--seconds", "0"), "seconds");
    for (Map.Entry<List<String>, String> c : cases.entrySet()) {
      CliResult r = windows(c.getKey().toArray(String[]::new));
      assertThat(r.exitCode()).as("%s: %s", c.getKey(), r.err()).isEqualTo(ExitCodes.USAGE);
      assertThat(r.err()).as("%s", c.getKey()).contains(c.getValue()).doesNotContain("Exception");
      assertThat(r.out()).isEmpty();
    }
  }

  @Test
  void theConfigFileGivesNAndTheCommandLineOverridesIt() {
    List<CSVRecord> five = AuditFixture.csv(windows("--format", "csv").out());
    List<CSVRecord> sixty = AuditFixture.csv(windows("--format", "csv", "--seconds", "60").out());
    // 203.0.113.70's IMAPS-only window (set 01:15:21.38) expired after N = 5 s; under N = 60 the
    // next set line (01:15:29.88, logged only for stale or absent entries) means the fresh entry
    // had vanished
    assertThat(five.get(2).get("source_ip")).isEqualTo("203.0.113.70");
    assertThat(five.get(2).get("close_reason")).isEqualTo("expired");
    assertThat(sixty.get(2).get("source_ip")).isEqualTo("203.0.113.70");
    assertThat(sixty.get(2).get("close_reason")).isEqualTo("evicted");
    CliResult help = CliResult.run("windows", "--help");
    assertThat(help.out())
        .contains("--seconds=N", "--config=FILE", "--log-prefix-set", "--mail-server")
        .doesNotContain("--protect", "--wan", "--ipv4-only");
  }

  @Test
  void aMissingIndexIsAFailureNamingIt() {
    CliResult r =
        CliResult.run(
            "windows", "--index", dir.resolve("nothing-here").toString(), "--config", config);
    assertThat(r.exitCode()).isEqualTo(ExitCodes.FAILURE);
    assertThat(r.err()).contains("no index at").contains("nothing-here");
  }

  /** The simulated month: every window of October, and its boundaries. */
  @Test
  void monthOfTheSimulatedRouterHasEveryWindowOfItsGroundTruth(@TempDir Path tmp) {
    String month = AuditFixture.monthIndex(tmp);
    String monthConfig = AuditFixture.monthConfig(tmp);
    long t0 = System.nanoTime();
    CliResult r =
        AuditFixture.audit("windows", month, monthConfig, "--month", "2026-10", "--format", "csv");
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.OK);
    System.out.println("windows --month 2026-10 on the simulated month: " + ms + " ms");
    List<CSVRecord> rows = AuditFixture.csv(r.out());
    List<JsonNode> truth = AuditFixture.monthTruth("window");
    assertThat(rows).hasSize(truth.size());
    Map<String, Set<String>> compatible =
        Map.of(
            "fin-remove", Set.of("fin-remove", "expired-or-removed"),
            "expiry", Set.of("expired", "expired-or-removed"),
            // the simulator evicts only stale entries: for SSH the window had expired
            "evicted", Set.of("expired", "expired-or-removed", "evicted"));
    List<CSVRecord> unmatched = new ArrayList<>(rows);
    for (JsonNode t : truth) {
      Instant opened = AuditFixture.time(t, "opened_at");
      CSVRecord w =
          unmatched.stream()
              .filter(x -> x.get("source_ip").equals(t.get("src").asText()))
              .filter(
                  x ->
                      AuditFixture.off(AuditFixture.time(x.get("opened_at")), opened)
                          <= Double.parseDouble(x.get("open_precision_s")) + 1.0)
              .findFirst()
              .orElseThrow(() -> new AssertionError("no window for " + t));
      unmatched.remove(w);
      assertThat(w.get("close_reason"))
          .as("%s", t)
          .isIn(compatible.get(t.get("close_reason").asText()));
      Instant closed =
          t.get("close_reason").asText().equals("evicted")
              ? AuditFixture.time(t, "last_refresh").plusSeconds(60)
              : AuditFixture.time(t, "closed_at");
      // the true close lies in [closed_at_earliest, closed_at], up to a syslog second
      assertThat(closed)
          .as("close of %s: %s", t.get("id"), w)
          .isBetween(
              AuditFixture.time(w.get("closed_at_earliest")).minusSeconds(1),
              AuditFixture.time(w.get("closed_at")).plusSeconds(1));
    }
    assertThat(unmatched).isEmpty();
    assertThat(CliResult.run("windows", "--index", month, "--month", "2026-09").exitCode())
        .isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(CliResult.run("windows", "--index", month, "--month", "2026-11").exitCode())
        .isEqualTo(ExitCodes.NOT_FOUND);

    // a window open across a period boundary belongs to both periods, clipped and marked in each
    // (the same cut as at the boundary of two months, which no window of this month spans)
    CSVRecord across =
        rows.stream()
            .max(java.util.Comparator.comparingDouble(x -> Double.parseDouble(x.get("duration_s"))))
            .orElseThrow();
    Instant openedAcross = AuditFixture.time(across.get("opened_at"));
    Instant boundary =
        openedAcross
            .plusMillis((long) (Double.parseDouble(across.get("duration_s")) * 500))
            .truncatedTo(ChronoUnit.SECONDS);
    assertThat(boundary).isAfter(openedAcross).isBefore(AuditFixture.time(across.get("closed_at")));
    List<CSVRecord> before =
        AuditFixture.csv(
            AuditFixture.audit(
                    "windows",
                    month,
                    monthConfig,
                    "--format",
                    "csv",
                    "--ip",
                    across.get("source_ip"),
                    "--from",
                    boundary.minus(1, ChronoUnit.DAYS).toString(),
                    "--to",
                    boundary.toString())
                .out());
    List<CSVRecord> after =
        AuditFixture.csv(
            AuditFixture.audit(
                    "windows",
                    month,
                    monthConfig,
                    "--format",
                    "csv",
                    "--ip",
                    across.get("source_ip"),
                    "--from",
                    boundary.toString(),
                    "--to",
                    boundary.plus(1, ChronoUnit.DAYS).toString())
                .out());
    CSVRecord end = before.get(before.size() - 1);
    assertThat(end.get("opened_at")).isEqualTo(across.get("opened_at"));
    assertThat(AuditFixture.time(end.get("closed_at"))).isEqualTo(boundary);
    assertThat(end.get("clipped")).isEqualTo("end");
    CSVRecord start = after.get(0);
    assertThat(AuditFixture.time(start.get("opened_at"))).isEqualTo(boundary);
    assertThat(start.get("closed_at")).isEqualTo(across.get("closed_at"));
    assertThat(start.get("close_reason")).isEqualTo(across.get("close_reason"));
    assertThat(start.get("clipped")).isEqualTo("start");
  }
}
