package org.mobilessh.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mobilessh.audit.CounterSnapshot;
import org.mobilessh.audit.RulesetInForce;
import org.mobilessh.audit.RulesetStep;
import org.mobilessh.index.StoredSnapshot;
import org.mobilessh.parse.Action;
import org.mobilessh.parse.ConntrackEvent;
import org.mobilessh.parse.FormatDetector;
import org.mobilessh.parse.LineParser;
import org.mobilessh.parse.LogEvent;
import org.mobilessh.parse.LogFormat;
import org.mobilessh.parse.NetfilterEvent;
import org.mobilessh.parse.ParseContext;
import org.mobilessh.parse.ParseResult;
import org.mobilessh.parse.SkipReason;
import org.mobilessh.rules.Family;
import org.mobilessh.rules.KernelClock;
import org.mobilessh.rules.RecentEntry;
import org.mobilessh.rules.SectionedFile;
import org.mobilessh.rules.Snapshots;

/**
 * A small simulated month, checked against the parse stage and against its own ground truth: the
 * logs must be what the ruleset would have written for the traffic the truth describes.
 */
class SimulatorTest {
  private static final Path ROOT = Paths.get("target", "simulate-test");
  private static final SimulationSpec SPEC =
      new SimulationSpec(YearMonth.of(2026, 10), 7, 1, 3, 0.05, 60, ZoneOffset.UTC);
  private static Path dir;
  private static List<Simulator.RouterResult> results;
  private static List<JsonNode> truth;

  @BeforeAll
  static void simulate() throws IOException {
    deleteTree(ROOT.resolve("a"));
    results = Simulator.run(SPEC, ROOT.resolve("a"));
    dir = ROOT.resolve("a").resolve("router1");
    truth = readTruth(results.get(0).groundTruth());
  }

  @Test
  void sameSeedGivesByteIdenticalFilesAndMtimes() throws IOException {
    Path b = ROOT.resolve("b");
    deleteTree(b);
    Simulator.run(SPEC, b);
    List<String> names = names(dir);
    assertThat(names(b.resolve("router1"))).isEqualTo(names);
    for (String name : names) {
      Path x = dir.resolve(name);
      Path y = b.resolve("router1").resolve(name);
      assertThat(Files.mismatch(x, y)).as(name).isEqualTo(-1L);
      if (!name.startsWith("ground-truth")) {
        assertThat(Files.getLastModifiedTime(y)).as(name).isEqualTo(Files.getLastModifiedTime(x));
      }
    }
    assertThat(
            Files.mismatch(
                Simulator.groundTruth(ROOT.resolve("a"), "router1"),
                Simulator.groundTruth(b, "router1")))
        .isEqualTo(-1L);
    assertThat(names(dir)).noneMatch(n -> n.contains("ground-truth"));
    Path c = ROOT.resolve("c");
    deleteTree(c);
    Simulator.run(new SimulationSpec(SPEC.month(), 8, 1, 3, 0.05, 60, ZoneOffset.UTC), c);
    assertThat(Files.mismatch(dir.resolve("kern.log"), c.resolve("router1/kern.log")))
        .as("another seed, other traffic")
        .isNotEqualTo(-1L);
  }

  @Test
  void rotatedWeeklyLikeLogrotate() throws IOException {
    // October 2026 has Sundays on the 4th, 11th, 18th and 25th: four rotations, five files each
    for (String log : List.of("kern.log", "syslog", "conntrack.log")) {
      assertThat(names(dir).stream().filter(n -> n.startsWith(log + ".") || n.equals(log)))
          .containsExactlyInAnyOrder(log, log + ".1", log + ".2.gz", log + ".3.gz", log + ".4.gz");
    }
    List<String> live = lines(dir.resolve("kern.log"));
    List<String> previous = lines(dir.resolve("kern.log.1"));
    List<String> oldest = lines(dir.resolve("kern.log.4.gz"));
    assertThat(oldest.get(0)).startsWith("Oct  ");
    assertThat(Integer.parseInt(oldest.get(oldest.size() - 1).substring(4, 6).trim()))
        .isLessThanOrEqualTo(3);
    assertThat(live.get(0)).matches("Oct 2[5-9] .*");
    assertThat(previous.get(previous.size() - 1)).matches("Oct (1[89]|2[0-4]) .*");
    // mtime = the last line's time
    assertThat(Files.getLastModifiedTime(dir.resolve("kern.log")).toInstant().toString())
        .startsWith(stampToIso(live.get(live.size() - 1)));
    List<String> syslog = lines(dir.resolve("syslog"));
    assertThat(syslog.subList(0, 3)).anyMatch(l -> l.contains("rsyslogd was HUPed"));
  }

  @Test
  void everyLineParsesAndCountsMatchTheTruth() throws IOException {
    JsonNode summary = truth.get(truth.size() - 1);
    assertThat(summary.get("record").asText()).isEqualTo("summary");
    Map<String, Long> kern = new TreeMap<>();
    Map<String, Long> syslog = new TreeMap<>();
    Map<String, Long> conntrack = new TreeMap<>();
    Map<SkipReason, Long> syslogSkips = new HashMap<>();
    Map<SkipReason, Long> kernSkips = new HashMap<>();
    for (String name : logNames(dir)) {
      if (name.startsWith("ground-truth")) {
        continue;
      }
      List<String> lines = lines(dir.resolve(name));
      LogFormat format = FormatDetector.detect(lines).orElseThrow();
      Map<String, Long> counts =
          name.startsWith("kern") ? kern : name.startsWith("syslog") ? syslog : conntrack;
      Map<SkipReason, Long> skips = name.startsWith("kern") ? kernSkips : syslogSkips;
      assertThat(format)
          .as(name)
          .isEqualTo(name.startsWith("conntrack") ? LogFormat.CONNTRACK : LogFormat.SYSLOG);
      LineParser parser = format.newParser(ParseContext.of(name, 2026, ZoneOffset.UTC));
      long n = 0;
      for (String line : lines) {
        ParseResult r = parser.parse(line, ++n);
        assertThat(r).as(name + ":" + n + " " + line).isNotInstanceOf(ParseResult.Rejected.class);
        if (r instanceof ParseResult.Parsed p) {
          counts.merge(p.event().action().ecsName(), 1L, Long::sum);
        } else if (r instanceof ParseResult.Skipped s) {
          skips.merge(s.reason(), 1L, Long::sum);
        }
      }
    }
    Map<String, Long> expected = new TreeMap<>();
    summary
        .get("log_lines")
        .fields()
        .forEachRemaining(e -> expected.put(e.getKey(), e.getValue().asLong()));
    assertThat(kern).isEqualTo(expected);
    assertThat(syslog).isEqualTo(expected);
    assertThat(expected.values()).allMatch(v -> v > 0);
    JsonNode ct = summary.get("conntrack_lines");
    assertThat(conntrack)
        .containsEntry("conntrack-new", ct.get("NEW").asLong())
        .containsEntry("conntrack-update", ct.get("UPDATE").asLong())
        .containsEntry("conntrack-destroy", ct.get("DESTROY").asLong())
        .hasSize(3);
    assertThat(kernSkips)
        .isEqualTo(Map.of(SkipReason.NOT_NETFILTER, summary.get("kernel_other_lines").asLong()));
    assertThat(syslogSkips)
        .containsEntry(SkipReason.OTHER_PROGRAM, summary.get("syslog_other_lines").asLong())
        .containsEntry(SkipReason.NOT_NETFILTER, summary.get("kernel_other_lines").asLong());
    Simulator.RouterResult r = results.get(0);
    assertThat(r.logLines()).containsAllEntriesOf(expected);
  }

  @Test
  void logsAgreeWithTheGroundTruth() throws IOException {
    Map<String, List<JsonNode>> windowsBySrc = new HashMap<>();
    Map<String, JsonNode> windows = new HashMap<>();
    Map<String, JsonNode> connections = new HashMap<>();
    Map<String, JsonNode> connectionByTuple = new HashMap<>();
    Map<String, JsonNode> floodLogged = new HashMap<>();
    for (JsonNode n : truth) {
      switch (n.get("record").asText()) {
        case "window" -> {
          windowsBySrc.computeIfAbsent(n.get("src").asText(), k -> new ArrayList<>()).add(n);
          windows.put(n.get("id").asText(), n);
        }
        case "connection" -> {
          connections.put(n.get("id").asText(), n);
          connectionByTuple.put(n.get("src").asText() + "/" + n.get("sport").asInt(), n);
        }
        case "flood" ->
            n.get("logged_sports")
                .forEach(p -> floodLogged.put(n.get("src").asText() + "/" + p.asInt(), n));
        default -> {}
      }
    }
    JsonNode summary = truth.get(truth.size() - 1);
    assertThat(windows).hasSize(summary.get("windows").asInt());

    // windows: opened by an IMAPS connection of that address, closed after opening, their
    // accepted sessions started inside them
    for (JsonNode w : windows.values()) {
      long open = micros(w.get("opened_at"));
      long close = micros(w.get("closed_at"));
      assertThat(close).as(w.toString()).isGreaterThanOrEqualTo(open);
      JsonNode opener = connections.get(w.get("opened_by").asText());
      assertThat(opener.get("kind").asText()).isEqualTo("imaps");
      assertThat(opener.get("src").asText()).isEqualTo(w.get("src").asText());
      switch (w.get("close_reason").asText()) {
        case "expiry" -> assertThat(close - micros(w.get("last_refresh"))).isEqualTo(60_000_000L);
        case "fin-remove" -> {
          JsonNode by = connections.get(w.get("closed_by").asText());
          assertThat(by.get("logged").toString()).contains("remove");
          // the FIN came while the entry was fresh
          assertThat(close - micros(w.get("last_refresh"))).isBetween(0L, 60_000_000L);
        }
        default -> {}
      }
      for (JsonNode id : w.get("ssh_accepted")) {
        long t = micros(connections.get(id.asText()).get("t_start"));
        assertThat(t).isBetween(open, close);
      }
    }
    // windows of one address never overlap
    for (List<JsonNode> ws : windowsBySrc.values()) {
      ws.sort((a, b) -> Long.compare(micros(a.get("opened_at")), micros(b.get("opened_at"))));
      for (int i = 1; i < ws.size(); i++) {
        assertThat(micros(ws.get(i).get("opened_at")))
            .isGreaterThanOrEqualTo(micros(ws.get(i - 1).get("closed_at")));
      }
    }
    // rejected attempts lie outside every window of their address
    for (JsonNode c : connections.values()) {
      if (c.get("outcome").asText().equals("reset")) {
        long t = micros(c.get("t_start"));
        for (JsonNode w : windowsBySrc.getOrDefault(c.get("src").asText(), List.of())) {
          boolean inside = t >= micros(w.get("opened_at")) && t <= micros(w.get("closed_at"));
          assertThat(inside).as(c + " inside " + w).isFalse();
        }
      }
    }

    // every kernel LOG line is explained by the truth
    int sets = 0;
    Map<Action, Integer> seen = new HashMap<>();
    for (NetfilterEvent e : kernelEvents()) {
      String src = e.packet().source().getHostAddress();
      src = canonical(src);
      long sec = e.time().epochMicros() / 1_000_000L;
      String tuple = src + "/" + e.packet().sourcePort();
      seen.merge(e.action(), 1, Integer::sum);
      switch (e.action()) {
        case SET -> {
          sets++;
          assertThat(windowsBySrc.get(src))
              .as("set line %s opens a window", e.packet())
              .anyMatch(w -> micros(w.get("opened_at")) / 1_000_000L == sec);
          assertThat(connectionByTuple.get(tuple).get("kind").asText()).isEqualTo("imaps");
        }
        case ACCEPT -> {
          JsonNode c = connectionByTuple.get(tuple);
          assertThat(c.get("logged").get(0).asText()).isEqualTo("accept");
          JsonNode w = windows.get(c.get("window").asText());
          assertThat(sec)
              .isBetween(
                  micros(w.get("opened_at")) / 1_000_000L, micros(w.get("closed_at")) / 1_000_000L);
        }
        case REMOVE -> {
          JsonNode c = connectionByTuple.get(tuple);
          assertThat(c.get("logged").toString()).contains("remove");
          boolean closedAWindow =
              windows.values().stream()
                  .anyMatch(
                      w ->
                          c.get("id").asText().equals(w.get("closed_by").asText())
                              && micros(w.get("closed_at")) / 1_000_000L == sec);
          assertThat(closedAWindow || c.get("removed_stale_entry").asBoolean())
              .as("remove line %s", c)
              .isTrue();
        }
        case REJECT -> {
          JsonNode c = connectionByTuple.get(tuple);
          if (c != null && c.get("reject_logged").asBoolean()) {
            assertThat(c.get("outcome").asText()).isEqualTo("reset");
          } else {
            assertThat(floodLogged).as("reject line %s", tuple).containsKey(tuple);
          }
          for (JsonNode w : windowsBySrc.getOrDefault(src, List.of())) {
            // whole seconds: only a second strictly inside a window is a contradiction
            boolean inside =
                sec > micros(w.get("opened_at")) / 1_000_000L
                    && sec < micros(w.get("closed_at")) / 1_000_000L;
            assertThat(inside).as("reject %s inside %s", tuple, w).isFalse();
          }
        }
        default -> throw new AssertionError("unexpected action " + e.action());
      }
    }
    assertThat(sets).isEqualTo(windows.size());
    assertThat(seen).containsKeys(Action.SET, Action.ACCEPT, Action.REMOVE, Action.REJECT);
  }

  @Test
  void everyLineLiesInsideTheMonthOfItsZone() throws IOException {
    Path out = ROOT.resolve("leap");
    deleteTree(out);
    ZoneId ny = ZoneId.of("America/New_York");
    SimulationSpec feb = new SimulationSpec(YearMonth.of(2028, 2), 3, 2, 1, 0.02, 30, ny);
    List<Simulator.RouterResult> rs = Simulator.run(feb, out);
    assertThat(rs).hasSize(2);
    long start = feb.month().atDay(1).atStartOfDay(ny).toEpochSecond();
    long end = feb.month().plusMonths(1).atDay(1).atStartOfDay(ny).toEpochSecond();
    for (Simulator.RouterResult r : rs) {
      boolean sawLeapDay = false;
      for (String name : logNames(r.directory())) {
        if (name.startsWith("ground-truth")) {
          continue;
        }
        for (String line : lines(r.directory().resolve(name))) {
          if (name.startsWith("conntrack")) {
            long sec = Long.parseLong(line.substring(1, line.indexOf('.')));
            assertThat(sec).as(line).isBetween(start, end - 1);
          } else {
            assertThat(line).as(line).startsWith("Feb ");
            assertThat(line.substring(16)).startsWith(r.hostname() + " ");
            sawLeapDay |= line.startsWith("Feb 29 ");
          }
        }
      }
      assertThat(sawLeapDay).isTrue();
    }
    assertThat(lines(out.resolve("router2/kern.log")))
        .allMatch(l -> l.contains("router2 kernel: "))
        .anyMatch(l -> l.contains("DST=192.0.2.2 ") || l.contains("DST=198.51.100.4"));
  }

  @Test
  void snapshotsAreWhatRulesSnapshotWritesWithCountersAndListsOfTheModel() throws Exception {
    List<String> snaps = names(dir).stream().filter(n -> n.endsWith(".snap")).toList();
    assertThat(snaps).containsExactly("2026-09-30.snap", "2026-10-16.snap", "2026-11-01.snap");
    List<JsonNode> records =
        truth.stream().filter(n -> n.get("record").asText().equals("snapshot")).toList();
    assertThat(records).extracting(n -> n.get("file").asText()).isEqualTo(snaps);
    Map<String, Long> lines = new TreeMap<>(); // LOG lines per step and family, whole month
    for (NetfilterEvent e : kernelEvents()) {
      lines.merge(e.action().ecsName() + " " + e.family(), 1L, Long::sum);
    }
    JsonNode summary = truth.get(truth.size() - 1);
    long[] previousRejects = {0, 0};
    for (int i = 0; i < snaps.size(); i++) {
      byte[] bytes = Files.readAllBytes(dir.resolve(snaps.get(i)));
      assertThat(SectionedFile.verify(bytes).ok()).as(snaps.get(i)).isTrue();
      String text = new String(bytes, StandardCharsets.UTF_8);
      assertThat(text).startsWith("# " + Snapshots.TITLE + "\n");
      SectionedFile file = SectionedFile.parse(text);
      JsonNode rec = records.get(i);
      assertThat(file.headers())
          .containsEntry("timestamp", rec.get("taken_at").asText())
          .containsEntry("hostname", "router1")
          .containsEntry("netns", "-")
          .containsEntry("ip_list_tot", "100");
      assertThat(text).endsWith("sha256: " + rec.get("sha256").asText() + "\n");
      Instant at = Instant.parse(rec.get("taken_at").asText());
      RulesetInForce r =
          RulesetInForce.of(
              new StoredSnapshot(rec.get("sha256").asText(), at, "router1", "x", text));
      assertThat(r.parity().broken()).isFalse();
      assertThat(r.ipv4().seconds()).contains(60);
      for (Family f : Family.values()) {
        CounterSnapshot c = r.family(f).rejectCounters();
        String fam = f == Family.IPV4 ? "4" : "6";
        assertThat(c.rejectPackets()).isEqualTo(rec.get("rejected").get(fam).asLong());
        assertThat(c.rejectLogPackets()).isEqualTo(rec.get("reject_logged").get(fam).asLong());
        assertThat(c.rejectPackets()).isGreaterThanOrEqualTo(previousRejects[f.ordinal()]);
        previousRejects[f.ordinal()] = c.rejectPackets();
        if (i == snaps.size() - 1) {
          // after the month every LOG rule's counter is its number of lines, exactly
          for (RulesetStep.Kind k :
              List.of(
                  RulesetStep.Kind.SET,
                  RulesetStep.Kind.REMOVE,
                  RulesetStep.Kind.RCHECK_ACCEPT,
                  RulesetStep.Kind.REJECT)) {
            String action = k == RulesetStep.Kind.RCHECK_ACCEPT ? "accept" : k.id();
            assertThat(r.family(f).step(k).orElseThrow().logPackets())
                .as(k + " " + f)
                .isEqualTo(lines.getOrDefault(action + " " + f, 0L));
          }
        }
      }
      if (i == snaps.size() - 1) {
        assertThat(previousRejects[0] + previousRejects[1])
            .isEqualTo(summary.get("rejects").asLong());
        // the list: each entry's last stamp, dated by the snapshot's kernel clock, is the last
        // refresh of that address's last window (one jiffy = 4 ms)
        KernelClock clock = Snapshots.kernelClock(file).orElseThrow();
        Map<String, Long> lastRefresh = new HashMap<>();
        for (JsonNode w : truth) {
          if (w.get("record").asText().equals("window")) {
            lastRefresh.merge(w.get("src").asText(), micros(w.get("last_refresh")), Math::max);
          }
        }
        List<RecentEntry> entries = RecentEntry.parseAll(file.sections().get("xt_recent MOBILE"));
        assertThat(entries).hasSize(100);
        for (RecentEntry e : entries) {
          Instant seen = clock.wallTime(e.lastSeen());
          long us = seen.getEpochSecond() * 1_000_000L + seen.getNano() / 1000;
          assertThat(lastRefresh.get(e.text()) - us).as(e.text()).isBetween(0L, 4_000L);
          assertThat(e.stamps()).contains(e.lastSeen());
          assertThat(e.ttl()).isBetween(1, 255);
        }
      }
    }
  }

  // ---- helpers

  private List<NetfilterEvent> kernelEvents() throws IOException {
    List<NetfilterEvent> events = new ArrayList<>();
    for (String name : names(dir)) {
      if (!name.startsWith("kern.log")) {
        continue;
      }
      LineParser parser = LogFormat.SYSLOG.newParser(ParseContext.of(name, 2026, ZoneOffset.UTC));
      long n = 0;
      for (String line : lines(dir.resolve(name))) {
        if (parser.parse(line, ++n) instanceof ParseResult.Parsed p) {
          LogEvent e = p.event();
          assertThat(e).isNotInstanceOf(ConntrackEvent.class);
          events.add((NetfilterEvent) e);
        }
      }
    }
    return events;
  }

  private static String canonical(String hostAddress) {
    // InetAddress prints IPv6 uncompressed; the truth uses RFC 5952
    if (!hostAddress.contains(":")) {
      return hostAddress;
    }
    int[] g =
        Arrays.stream(hostAddress.split(":")).mapToInt(s -> Integer.parseInt(s, 16)).toArray();
    return Addr.compress(g);
  }

  private static long micros(JsonNode iso) {
    Instant i = Instant.parse(iso.asText());
    return i.getEpochSecond() * 1_000_000L + i.getNano() / 1000;
  }

  private static String stampToIso(String syslogLine) {
    // "Oct 31 23:47:12 ..." in UTC -> "2026-10-31T23:47:12"
    String day = syslogLine.substring(4, 6).trim();
    return "2026-10-" + (day.length() == 1 ? "0" + day : day) + "T" + syslogLine.substring(7, 15);
  }

  static List<JsonNode> readTruth(Path file) throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> nodes = new ArrayList<>();
    for (String line : lines(file)) {
      nodes.add(json.readTree(line));
    }
    return nodes;
  }

  static List<String> lines(Path p) throws IOException {
    try (InputStream raw = Files.newInputStream(p);
        InputStream in = p.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      return r.lines().toList();
    }
  }

  static List<String> names(Path d) throws IOException {
    try (Stream<Path> s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** The log files: everything but the {@code rules snapshot} files. */
  static List<String> logNames(Path d) throws IOException {
    return names(d).stream().filter(n -> !n.endsWith(".snap")).toList();
  }

  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
        Files.delete(q);
      }
    }
  }
}
