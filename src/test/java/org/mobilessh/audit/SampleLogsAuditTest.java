package org.mobilessh.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.mobilessh.parse.ClockSource;
import org.mobilessh.parse.LogFormat;
import org.mobilessh.rules.Family;

/**
 * The reconstruction over the real recording equals its ground truth: every window, session and
 * rejection, times within the stated precision, nothing extra.
 */
class SampleLogsAuditTest {
  /**
   * The ground truth's own accuracy: packet times taken at the client's socket calls, "good to a
   * few tens of ms" (delayed ACKs up to ~40 ms), per sample-logs/README.md.
   */
  private static final double TRUTH_SLACK_S = 0.05;

  private final AuditEngine engine = new AuditEngine(SampleScenario.config());

  @Test
  void dmesgAndConntrackReproduceTheGroundTruth() {
    AuditResult r = engine.reconstruct(AuditInput.of(SampleScenario.dmesgAndConntrack()));
    Map<String, Window> byTruthId = assertWindows(r, Map.of("w09", CloseReason.EXPIRED_OR_REMOVED));
    assertSessions(r, byTruthId);
    assertRejections(r);
    assertThat(r.anomalies()).isEmpty();
  }

  /**
   * The precision claims of the best pair are what docs/audit-model.md states for it, from the
   * clocks used: an opening is dated by its IMAPS flow's conntrack event, except a set line in the
   * middle of an IMAPS session (the truth's {@code opened_by} already opened an earlier window),
   * which only dmesg dates; every {@code fin-remove} and {@code expired} close is bounded by
   * conntrack events; sessions are dated by their conntrack flows, rejections by dmesg alone.
   * Without these the comparisons above would hold for any precision wide enough.
   */
  @Test
  void theBestPairStatesThePrecisionOfTheClocksItUsed() {
    AuditConfig config = SampleScenario.config();
    double conntrack = config.uncertainty(ClockSource.CONNTRACK);
    double kernel = config.uncertainty(ClockSource.KERNEL);
    AuditResult r = engine.reconstruct(AuditInput.of(SampleScenario.dmesgAndConntrack()));
    Map<String, Window> byTruthId = assertWindows(r, Map.of("w09", CloseReason.EXPIRED_OR_REMOVED));
    java.util.Set<String> openers = new java.util.HashSet<>();
    int midSession = 0;
    for (JsonNode t : SampleScenario.truth("window")) {
      String id = t.get("id").asText();
      Window w = byTruthId.get(id);
      boolean reopenedInSession = !openers.add(t.get("opened_by").asText());
      midSession += reopenedInSession ? 1 : 0;
      assertThat(w.openPrecisionS())
          .as("open precision of %s", id)
          .isEqualTo(reopenedInSession ? kernel : conntrack);
      if (!id.equals("w09")) {
        // the interval between the two conntrack events that bound it, plus their clock
        assertThat(w.closePrecisionS())
            .as("close precision of %s: %s", id, w)
            .isBetween(conntrack, conntrack + 0.001);
      }
    }
    assertThat(midSession).as("the recording has one mid-session set line (w06)").isEqualTo(1);
    assertThat(r.sessions())
        .allSatisfy(
            s -> {
              assertThat(s.acceptPrecisionS()).as("%s", s).isEqualTo(conntrack);
              assertThat(s.endPrecisionS()).as("%s", s).isEqualTo(conntrack);
            });
    assertThat(r.rejections()).allSatisfy(x -> assertThat(x.precisionS()).isEqualTo(kernel));
  }

  /**
   * A session's id, bytes and packets are those of its flow's DESTROY line in
   * conntrack-extended.log, read here from the raw text (original direction first), not through the
   * parser.
   */
  @Test
  void sessionCountersAreThoseOfTheirConntrackFlowsDestroyLine() {
    AuditResult r = engine.reconstruct(AuditInput.of(SampleScenario.dmesgAndConntrack()));
    java.util.regex.Pattern destroy =
        java.util.regex.Pattern.compile(
            "\\[DESTROY\\].* sport=(\\d+) dport=22 packets=(\\d+) bytes=(\\d+) .* packets=(\\d+)"
                + " bytes=(\\d+) .* id=(\\d+)");
    Map<Integer, long[]> flows = new HashMap<>();
    for (String l : SampleScenario.lines(SampleScenario.DIR.resolve("conntrack-extended.log"))) {
      java.util.regex.Matcher m = destroy.matcher(l);
      if (m.find()) {
        long[] v = new long[5];
        for (int i = 0; i < 5; i++) {
          v[i] = Long.parseLong(m.group(i + 2));
        }
        flows.put(Integer.parseInt(m.group(1)), v);
      }
    }
    assertThat(r.sessions())
        .hasSize(
            (int)
                SampleScenario.truth("connection").stream()
                    .filter(c -> c.get("kind").asText().equals("ssh"))
                    .filter(c -> c.get("outcome").asText().equals("connected"))
                    .count());
    for (Session s : r.sessions()) {
      long[] f = flows.get(s.sourcePort());
      assertThat(f).as("DESTROY line of the flow from port %d", s.sourcePort()).isNotNull();
      assertThat(List.of(s.packetsIn(), s.bytesIn(), s.packetsOut(), s.bytesOut(), s.conntrackId()))
          .as("%s", s)
          .containsExactly(f[0], f[1], f[2], f[3], f[4]);
    }
  }

  @Test
  void everySourceTogetherGivesTheSameAnswerAsTheBestPair() {
    List<TracedEvent> all = new ArrayList<>(SampleScenario.dmesgAndConntrack());
    all.addAll(SampleScenario.events("kern-rfc3339.log", LogFormat.SYSLOG_RFC3339));
    all.addAll(SampleScenario.events("kern.log.1", LogFormat.SYSLOG));
    all.addAll(SampleScenario.events("kern.log", LogFormat.SYSLOG));
    all.addAll(SampleScenario.events("syslog.1", LogFormat.SYSLOG));
    all.addAll(SampleScenario.events("syslog", LogFormat.SYSLOG));
    all.addAll(SampleScenario.events("dmesg-raw.log", LogFormat.DMESG_RAW));
    all.addAll(SampleScenario.events("ulogd-json.log", LogFormat.ULOGD_JSON));
    AuditResult best = engine.reconstruct(AuditInput.of(SampleScenario.dmesgAndConntrack()));
    AuditResult r = engine.reconstruct(AuditInput.of(all));
    assertThat(r.windows()).isEqualTo(best.windows());
    assertThat(r.rejections()).isEqualTo(best.rejections());
    assertThat(r.sessions().stream().map(Session::acceptedAt).toList())
        .isEqualTo(best.sessions().stream().map(Session::acceptedAt).toList());
    // 44 kernel lines each through rfc3339, kern.log*, syslog* and raw dmesg: all copies
    assertThat(r.duplicatesDropped()).isEqualTo(4 * 44);
    assertThat(r.anomalies()).isEmpty();
  }

  @Test
  void rsyslogStampsAloneStillReproduceTheTruthWithinTheirPrecision() {
    List<TracedEvent> in =
        new ArrayList<>(SampleScenario.events("kern-rfc3339.log", LogFormat.SYSLOG_RFC3339));
    in.addAll(SampleScenario.events("conntrack-extended.log", LogFormat.CONNTRACK));
    AuditResult r = engine.reconstruct(AuditInput.of(in));
    Map<String, Window> byTruthId = assertWindows(r, Map.of("w09", CloseReason.EXPIRED_OR_REMOVED));
    assertSessions(r, byTruthId);
    assertRejections(r);
  }

  @Test
  void withoutConntrackEventsTheTruthStillLiesWithinTheWiderStatedBounds() {
    List<TracedEvent> dmesg = SampleScenario.events("dmesg-iso.log", LogFormat.DMESG_ISO);
    List<TracedEvent> withUlogd = new ArrayList<>(dmesg);
    withUlogd.addAll(SampleScenario.events("ulogd-json.log", LogFormat.ULOGD_JSON));
    for (List<TracedEvent> in : List.of(dmesg, withUlogd)) {
      AuditResult r = engine.reconstruct(AuditInput.of(in));
      assertWindows(r, Map.of("w09", CloseReason.EXPIRED_OR_REMOVED));
      assertRejections(r);
      // only log lines bound the unused window's expiry: the reject 2.4 s after it
      Window w03 =
          r.windows().stream()
              .filter(w -> w.closeReason() == CloseReason.EXPIRED)
              .findFirst()
              .orElseThrow();
      assertThat(w03.closePrecisionS()).isGreaterThan(2);
    }
  }

  @Test
  void counterSnapshotsGiveExactRejectTotalsAndCatchLostLines() {
    Instant taken = SampleScenario.time(SampleScenario.meta(), "t_scenario_end").plusSeconds(60);
    List<CounterSnapshot> snaps =
        List.of(
            counters(Family.IPV4, "iptables-save-c.v4", taken),
            counters(Family.IPV6, "iptables-save-c.v6", taken));
    List<TracedEvent> events = SampleScenario.dmesgAndConntrack();
    AuditResult r = engine.reconstruct(new AuditInput(events, List.of(), snaps));
    List<JsonNode> conns = SampleScenario.truth("connection");
    for (RejectTotals t : r.totals()) {
      long resets =
          conns.stream()
              .filter(c -> c.get("outcome").asText().equals("reset"))
              .filter(c -> c.get("family").asInt() == t.family().number())
              .count();
      assertThat(t.rejected()).as("%s", t).isEqualTo(resets);
      assertThat(t.linesSeen()).isEqualTo(t.logged());
      assertThat(t.unlogged()).isEqualTo(resets - t.logged());
    }
    assertThat(r.totals()).extracting(RejectTotals::rejected).containsExactly(45L, 24L);
    assertThat(r.anomalies()).isEmpty();

    // two reject lines lost on the way: the counters notice
    List<TracedEvent> lossy = new ArrayList<>(events);
    lossy.removeIf(
        te ->
            te.originalLine().contains("mobilessh-reject:") && te.originalLine().contains("SPT=4"));
    AuditResult lost = engine.reconstruct(new AuditInput(lossy, List.of(), snaps));
    long removed = events.size() - lossy.size();
    assertThat(removed).isPositive();
    assertThat(lost.anomalies())
        .filteredOn(a -> a.kind() == Anomaly.Kind.LOG_LINES_MISSING)
        .isNotEmpty()
        .allSatisfy(a -> assertThat(a.message()).contains("lost on the way"));
    assertThat(lost.totals().stream().mapToLong(RejectTotals::linesLost).sum()).isEqualTo(removed);
  }

  /** The reject and reject-LOG packet counters of an {@code iptables-save -c} file. */
  private static CounterSnapshot counters(Family family, String file, Instant taken) {
    String text = String.join("\n", SampleScenario.lines(SampleScenario.DIR.resolve(file)));
    return CounterSnapshot.fromSave("router1", family, taken, text)
        .orElseThrow(() -> new AssertionError("no reject counters in " + file));
  }

  /** Windows match the truth one to one; returns them by truth id. */
  private Map<String, Window> assertWindows(AuditResult r, Map<String, CloseReason> special) {
    List<JsonNode> truth = SampleScenario.truth("window");
    assertThat(r.windows()).hasSize(truth.size());
    Map<String, Window> byId = new HashMap<>();
    List<Window> unmatched = new ArrayList<>(r.windows());
    for (JsonNode t : truth) {
      String id = t.get("id").asText();
      InetAddress src = SampleScenario.address(t, "src");
      Instant opened = SampleScenario.time(t, "opened_at");
      Instant closed = SampleScenario.time(t, "closed_at");
      Window w =
          unmatched.stream()
              .filter(x -> x.source().equals(src))
              .filter(x -> off(x.openedAt(), opened) <= x.openPrecisionS() + TRUTH_SLACK_S)
              .findFirst()
              .orElseThrow(() -> new AssertionError("no window for " + t + " in " + r.windows()));
      unmatched.remove(w);
      byId.put(id, w);
      CloseReason expected =
          special.getOrDefault(
              id,
              t.get("close_reason").asText().equals("fin-remove")
                  ? CloseReason.FIN_REMOVE
                  : CloseReason.EXPIRED);
      assertThat(w.closeReason()).as("close reason of %s: %s", id, w).isEqualTo(expected);
      assertThat(w.closedAt()).as("%s", id).isNotNull();
      assertThat(off(w.closedAt(), closed))
          .as("close of %s: %s vs truth %s", id, w, closed)
          .isLessThanOrEqualTo(w.closePrecisionS() + TRUTH_SLACK_S);
      // the truth lies inside [earliest, latest] up to the clocks
      assertThat(closed)
          .isBetween(w.closedAtEarliest().minusMillis(60), w.closedAt().plusMillis(60));
      assertThat(w.sshSessions()).as("%s", id).isEqualTo(t.get("ssh_accepted").size());
      assertThat(w.observer()).isEqualTo("router1");
      assertThat(w.evidence()).isNotEmpty();
      assertThat(w.evidence().get(0).line()).contains("mobilessh-set:");
    }
    // precision claims are tight where the data allows: exact closes within 10 ms
    for (Window w : r.windows()) {
      if (w.closeReason() == CloseReason.FIN_REMOVE) {
        assertThat(w.closePrecisionS()).isLessThanOrEqualTo(0.11);
      }
    }
    return byId;
  }

  private void assertSessions(AuditResult r, Map<String, Window> windows) {
    List<JsonNode> truth =
        SampleScenario.truth("connection").stream()
            .filter(c -> c.get("kind").asText().equals("ssh"))
            .filter(c -> c.get("outcome").asText().equals("connected"))
            .toList();
    assertThat(r.sessions()).hasSize(truth.size());
    java.util.Set<Session> matched = new java.util.HashSet<>();
    for (JsonNode t : truth) {
      InetAddress src = SampleScenario.address(t, "src");
      int sport = t.get("sport").asInt();
      Session s =
          r.sessions().stream()
              .filter(x -> x.source().equals(src) && x.sourcePort() == sport)
              .findFirst()
              .orElseThrow(() -> new AssertionError("no session for " + t));
      assertThat(matched.add(s)).as("%s matched twice", s).isTrue();
      assertThat(s.destination()).isEqualTo(SampleScenario.address(t, "dst"));
      assertThat(s.destinationPort()).isEqualTo(t.get("dport").asInt());
      assertThat(off(s.acceptedAt(), SampleScenario.time(t, "t_start")))
          .as("accept of %s", t.get("id"))
          .isLessThanOrEqualTo(s.acceptPrecisionS() + TRUTH_SLACK_S);
      assertThat(s.endedAt()).as("end of %s", t.get("id")).isNotNull();
      assertThat(off(s.endedAt(), SampleScenario.time(t, "t_end")))
          .as("end of %s: %s", t.get("id"), s)
          .isLessThanOrEqualTo(s.endPrecisionS() + TRUTH_SLACK_S);
      assertThat(s.bytesIn()).isGreaterThan(t.get("bytes_sent").asLong());
      assertThat(s.bytesOut()).isPositive();
      assertThat(s.conntrackId()).isNotNull();
      Window w = windows.get(t.get("window").asText());
      assertThat(s.windowOpenedAt()).as("window of %s", t.get("id")).isEqualTo(w.openedAt());
    }
    // c087 idles past its window's expiry: the session outlives the window, by design
    Session idle =
        r.sessions().stream().filter(s -> s.sourcePort() == 49221).findFirst().orElseThrow();
    assertThat(idle.outlivesWindow()).isTrue();
  }

  private void assertRejections(AuditResult r) {
    List<JsonNode> conns = SampleScenario.truth("connection");
    List<JsonNode> logged =
        conns.stream()
            .filter(c -> c.get("observed_log").toString().contains("mobilessh-reject"))
            .toList();
    assertThat(r.rejections()).hasSize(logged.size());
    java.util.Set<Rejection> matched = new java.util.HashSet<>();
    for (JsonNode t : logged) {
      InetAddress src = SampleScenario.address(t, "src");
      int sport = t.get("sport").asInt();
      Rejection x =
          r.rejections().stream()
              .filter(j -> j.source().equals(src) && j.sourcePort() == sport)
              .findFirst()
              .orElseThrow(() -> new AssertionError("no rejection for " + t));
      assertThat(matched.add(x)).as("%s matched twice", x).isTrue();
      assertThat(x.destination()).isEqualTo(SampleScenario.address(t, "dst"));
      assertThat(x.destinationPort()).isEqualTo(22);
      assertThat(off(x.at(), SampleScenario.time(t, "t_start")))
          .isLessThanOrEqualTo(x.precisionS() + TRUTH_SLACK_S);
      assertThat(x.tcpFlagText()).isEqualTo("SYN");
      // sampled: a reset attempt of the same source group went unlogged before its next line
      assertThat(x.sampled())
          .as("sampled of %s", t.get("id"))
          .isEqualTo(unloggedAfter(conns, t, logged));
    }
    assertThat(r.rejections().stream().filter(Rejection::sampled).count()).isEqualTo(2);
  }

  /** Whether a reset of the same source (/32, /64) follows this line before the next logged. */
  private static boolean unloggedAfter(List<JsonNode> conns, JsonNode line, List<JsonNode> logged) {
    String group = group(line);
    Instant at = SampleScenario.time(line, "t_start");
    Instant next =
        logged.stream()
            .filter(l -> group(l).equals(group))
            .map(l -> SampleScenario.time(l, "t_start"))
            .filter(t -> t.isAfter(at))
            .min(Instant::compareTo)
            .orElse(Instant.MAX);
    return conns.stream()
        .filter(c -> c.get("outcome").asText().equals("reset"))
        .filter(c -> group(c).equals(group))
        .filter(c -> c.get("observed_log").isEmpty())
        .map(c -> SampleScenario.time(c, "t_start"))
        .anyMatch(t -> t.isAfter(at) && t.isBefore(next));
  }

  private static String group(JsonNode c) {
    InetAddress a = SampleScenario.address(c, "src");
    if (Family.of(a) == Family.IPV6) {
      byte[] b = a.getAddress();
      return java.util.HexFormat.of().formatHex(b, 0, 8);
    }
    return a.getHostAddress();
  }

  private static double off(Instant a, Instant b) {
    return Math.abs(java.time.Duration.between(a, b).toNanos()) / 1e9;
  }

  @SuppressWarnings("unused")
  private static String dump(AuditResult r) {
    return r.windows().stream().map(Object::toString).collect(Collectors.joining("\n"));
  }
}
