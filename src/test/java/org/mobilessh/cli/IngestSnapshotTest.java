package org.mobilessh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.TermQuery;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mobilessh.audit.Anomaly;
import org.mobilessh.audit.AuditConfig;
import org.mobilessh.audit.AuditEngine;
import org.mobilessh.audit.AuditInput;
import org.mobilessh.audit.AuditResult;
import org.mobilessh.audit.IndexedAuditInput;
import org.mobilessh.audit.RejectTotals;
import org.mobilessh.index.EventSearcher;
import org.mobilessh.index.Fields;
import org.mobilessh.index.StoredSnapshot;
import org.mobilessh.rules.Cidr;
import org.mobilessh.rules.Family;

/**
 * {@code mobilessh ingest} of the recorded {@code rules snapshot} file next to the recorded logs:
 * stored once, verified, and its counters reach the audit built from the index.
 */
class IngestSnapshotTest {
  static final Path SAMPLES = Path.of("sample-logs");
  static final String SNAPSHOT = "rules-snapshot.txt";
  static final List<String> LOGS =
      List.of(
          "kern.log",
          "kern.log.1",
          "syslog",
          "syslog.1",
          "kern-rfc3339.log",
          "dmesg-iso.log",
          "conntrack.log");

  @TempDir Path tmp;
  Path logs;
  Path index;

  @BeforeEach
  void copySamples() throws IOException {
    logs = Files.createDirectories(tmp.resolve("logs"));
    index = tmp.resolve("index");
    for (String f : concat(LOGS, List.of(SNAPSHOT))) {
      Files.copy(SAMPLES.resolve(f), logs.resolve(f));
    }
  }

  CliResult ingest(List<String> files) {
    List<String> all =
        new ArrayList<>(
            List.of("ingest", "--index", index.toString(), "--tz", "UTC", "--host", "router1"));
    for (String f : files) {
      all.add(logs.resolve(f).toString());
    }
    return CliResult.run(all.toArray(String[]::new));
  }

  List<StoredSnapshot> snapshots() {
    try (EventSearcher s = EventSearcher.open(index)) {
      return s.snapshots(null, null, null);
    }
  }

  @Test
  void snapshotIsStoredOnceWithItsHeadersAndStaysOutOfEventSearches() throws IOException {
    List<String> files = concat(LOGS, List.of(SNAPSHOT));
    CliResult r = ingest(files);
    assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.OK);
    assertThat(r.err()).contains("snapshots stored:    1").contains("quarantined:         0");
    List<StoredSnapshot> once = snapshots();
    String text = Files.readString(SAMPLES.resolve(SNAPSHOT));
    assertThat(once).hasSize(1);
    StoredSnapshot s = once.get(0);
    assertThat(s.timestamp()).isEqualTo(Instant.parse("2026-11-27T01:16:24.182553Z"));
    assertThat(s.text()).isEqualTo(text);
    assertThat(text).endsWith("sha256: " + s.sha256() + "\n");
    assertThat(s.sourcePath()).isEqualTo(logs.resolve(SNAPSHOT).toAbsolutePath().toString());
    // --host names the router of every input of the run, the snapshot's too
    assertThat(s.observer()).isEqualTo("router1");
    long events;
    try (EventSearcher searcher = EventSearcher.open(index)) {
      events = searcher.count(EventSearcher.all());
      assertThat(searcher.count(new TermQuery(new Term(Fields.ACTION, Fields.SNAPSHOT)))).isZero();
      assertThat(searcher.size()).isEqualTo(events + 1);
      // a range that ends before the snapshot was taken has none
      assertThat(searcher.snapshots(null, s.timestamp().minusMillis(1), null)).isEmpty();
      assertThat(searcher.snapshots(s.timestamp(), s.timestamp(), "router1")).hasSize(1);
      assertThat(searcher.snapshots(null, null, "vm")).isEmpty();
    }

    CliResult again = ingest(files);
    assertThat(again.exitCode()).as(again.err()).isEqualTo(ExitCodes.OK);
    assertThat(snapshots()).isEqualTo(once);
    try (EventSearcher searcher = EventSearcher.open(index)) {
      assertThat(searcher.size()).isEqualTo(events + 1);
    }
  }

  @Test
  void withoutHostTheSnapshotsHostnameHeaderNamesTheRouter() {
    CliResult r =
        CliResult.run("ingest", "--index", index.toString(), logs.resolve(SNAPSHOT).toString());
    assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.OK);
    assertThat(snapshots()).extracting(StoredSnapshot::observer).containsExactly("vm");
  }

  @Test
  void changedByteQuarantinesTheWholeSnapshotAndKeepsTheLogs() throws IOException {
    CliResult clean = ingest(LOGS);
    assertThat(clean.exitCode()).as(clean.err()).isEqualTo(ExitCodes.OK);
    long events;
    try (EventSearcher s = EventSearcher.open(index)) {
      events = s.count(EventSearcher.all());
    }
    index = tmp.resolve("index2");

    byte[] bytes = Files.readAllBytes(logs.resolve(SNAPSHOT));
    String text = new String(bytes, StandardCharsets.UTF_8);
    int at = text.indexOf("[45:2700]") + 1;
    bytes[at] = '9'; // 95 resets instead of 45
    Files.write(logs.resolve("tampered.snap"), bytes);

    CliResult r = ingest(concat(LOGS, List.of("tampered.snap")));
    assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(r.err())
        .contains("tampered.snap: snapshot not stored: sha256 mismatch")
        .contains("snapshots stored:    0")
        .contains("quarantined:         1 (snapshot-hash-mismatch 1)");
    try (EventSearcher s = EventSearcher.open(index)) {
      assertThat(s.count(EventSearcher.all())).isEqualTo(events);
      assertThat(s.snapshots(null, null, null)).isEmpty();
      List<EventSearcher.Hit> q = s.search(s.parse("action:quarantine"), 10);
      assertThat(q).hasSize(1);
      assertThat(q.get(0).reason()).isEqualTo("snapshot-hash-mismatch");
      assertThat(q.get(0).raw()).isEqualTo(bytes);
    }

    // cut short: the hash line is gone
    Files.write(logs.resolve("cut.snap"), Arrays.copyOf(bytes, bytes.length / 2));
    CliResult cut = ingest(List.of("cut.snap"));
    assertThat(cut.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(cut.err()).contains("cut.snap: snapshot not stored: ").contains("truncated");
  }

  @Test
  void auditFromTheIndexGetsTheSnapshotsExactRejectTotals() {
    CliResult r = ingest(concat(LOGS, List.of(SNAPSHOT)));
    assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.OK);
    AuditInput input;
    try (EventSearcher s = EventSearcher.open(index)) {
      input = IndexedAuditInput.load(s, null, null, null);
    }
    assertThat(input.snapshots()).hasSize(2);
    AuditConfig config =
        AuditConfig.defaults()
            .withSeconds(5)
            .withMailServers(List.of(Cidr.parse("198.51.100.10"), Cidr.parse("2001:db8:1::10")));
    AuditResult result = new AuditEngine(config).reconstruct(input);
    // the numbers SampleLogsAuditTest gets from iptables-save-c.v4/.v6 of the same moment
    assertThat(result.totals())
        .extracting(RejectTotals::family)
        .containsExactly(Family.IPV4, Family.IPV6);
    assertThat(result.totals()).extracting(RejectTotals::rejected).containsExactly(45L, 24L);
    assertThat(result.totals()).extracting(RejectTotals::logged).containsExactly(9L, 8L);
    for (RejectTotals t : result.totals()) {
      assertThat(t.linesSeen()).as("%s", t).isEqualTo(t.logged());
    }
    assertThat(result.anomalies()).noneMatch(a -> a.kind() == Anomaly.Kind.LOG_LINES_MISSING);
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
