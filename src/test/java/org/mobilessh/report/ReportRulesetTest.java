package org.mobilessh.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mobilessh.cli.MobilesshCommand;
import org.mobilessh.evidence.BagVerifier;
import org.mobilessh.evidence.BagWriter;
import org.mobilessh.evidence.EvidenceBundle;
import picocli.CommandLine;

/**
 * The sample month's logs (without its own snapshots, see {@link SampleMonthRulesetTest}) with
 * three {@code rules snapshot} files of router1 ingested beside them (copies of the recorded
 * snapshot with N = 60, set counters, and in the last one the IPv6 remove step taken out): the
 * report's ruleset section shows the gate, the parity break, the change and the counters beside the
 * lines, each line count reproducible with its printed query; the evidence bundle carries the
 * snapshots byte for byte, and verify checks their own hashes.
 */
class ReportRulesetTest {
  @TempDir static Path dir;
  static Path index;
  static Map<String, byte[]> snapshots = new TreeMap<>();
  static Map<String, Object> ruleset;
  static String html;

  static final String V6_REMOVE =
      "[3:216] -A MOBILESSH-SSH -p tcp -m tcp --tcp-flags FIN FIN -m conntrack --ctstate"
          + " ESTABLISHED -m recent --remove --name MOBILE --mask"
          + " ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff --rsource -j MOBILESSH-REMOVED\n";

  /** The recorded snapshot as router1 at {@code at}, N = 60, reject counters set per family. */
  static String snapshot(String at, long v4Rej, long v4Log, long v6Rej, long v6Log, boolean v6Rm)
      throws Exception {
    String t = Files.readString(Path.of("sample-logs/rules-snapshot.txt"));
    t = t.substring(0, t.lastIndexOf("sha256: "));
    t =
        t.replaceFirst("timestamp: \\S+", "timestamp: " + at)
            .replace("hostname: vm", "hostname: router1");
    t = t.replace("--seconds 5 ", "--seconds 60 ");
    int v6 = t.indexOf("--- ip6tables-save -c");
    String a = counters(t.substring(0, v6), v4Rej, v4Log);
    String b = counters(t.substring(v6), v6Rej, v6Log);
    if (!v6Rm) {
      assertThat(b).contains(V6_REMOVE);
      b = b.replace(V6_REMOVE, "");
    }
    String body = a + b;
    byte[] d = MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8));
    return body + "sha256: " + HexFormat.of().formatHex(d) + "\n";
  }

  private static String counters(String section, long rej, long log) {
    return section
        .replaceFirst(
            "\\[\\d+:\\d+\\] (-A MOBILESSH-SSH [^\\n]*-j LOG --log-prefix \"mobilessh-reject: \")",
            "[" + log + ":" + log * 60 + "] $1")
        .replaceFirst(
            "\\[\\d+:\\d+\\] (-A MOBILESSH-SSH -p tcp -j REJECT)",
            "[" + rej + ":" + rej * 60 + "] $1");
  }

  @BeforeAll
  static void ingestMonthWithSnapshots() throws Exception {
    Path logs = Files.createDirectories(dir.resolve("snapshots"));
    snapshots.put(
        "snap-1.txt",
        snapshot("2026-09-30T23:00:00.000000Z", 100, 80, 50, 40, true)
            .getBytes(StandardCharsets.UTF_8));
    snapshots.put(
        "snap-2.txt",
        snapshot("2026-10-15T12:00:00.000000Z", 900, 600, 450, 300, true)
            .getBytes(StandardCharsets.UTF_8));
    snapshots.put(
        "snap-3.txt",
        snapshot("2026-10-25T12:00:00.000000Z", 1300, 800, 700, 420, false)
            .getBytes(StandardCharsets.UTF_8));
    for (Map.Entry<String, byte[]> e : snapshots.entrySet()) {
      Files.write(logs.resolve(e.getKey()), e.getValue());
    }
    index = dir.resolve("index");
    SampleMonth.ingestLogsOnly(index);
    SampleMonth.ingest(index, logs);
    ReportRenderer.Rendered r =
        ReportRenderer.render(SampleMonth.request(index, ReportRequest.Format.HTML));
    @SuppressWarnings("unchecked")
    Map<String, Object> rs = (Map<String, Object>) r.model().root().get("ruleset");
    ruleset = rs;
    html = new String(r.bytes(), StandardCharsets.UTF_8);
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> list(String key) {
    return (List<Map<String, Object>>) ruleset.get(key);
  }

  @Test
  void theSectionComesFromTheSnapshots() {
    assertThat(ruleset.get("fromSnapshots")).isEqualTo(true);
    assertThat(list("snapshots"))
        .extracting(
            s -> s.get("at") + " " + s.get("role") + " " + s.get("n") + " " + s.get("parity"))
        .containsExactly(
            "2026-09-30 23:00:00Z in force at the start 60 s same gate",
            "2026-10-15 12:00:00Z during the month 60 s same gate",
            "2026-10-25 12:00:00Z during the month 60 s DIFFER");
    assertThat(list("nMismatch")).isEmpty();
    assertThat(list("uncovered")).isEmpty();
    assertThat(html)
        .contains("The gate of router1 (snapshot of 2026-09-30 23:00:00Z)")
        .contains("2. SSH FIN removes the address")
        .contains("4. new SSH within N seconds is accepted")
        .doesNotContain("No ruleset snapshot was ingested");
  }

  @Test
  void parityBreakAndChangeAreNamed() {
    assertThat(list("parityBroken")).hasSize(1);
    assertThat(list("parityBroken").get(0).get("at")).isEqualTo("2026-10-25 12:00:00Z");
    assertThat(list("changes"))
        .extracting(
            c -> c.get("family") + " " + c.get("aspect") + " " + c.get("from") + " " + c.get("to"))
        .contains("IPv6 remove 2026-10-15 12:00:00Z 2026-10-25 12:00:00Z");
  }

  @Test
  void countersStandBesideTheLinesAndEachLineCountIsItsQuery() throws Exception {
    List<Map<String, Object>> totals = list("totals");
    assertThat(totals)
        .extracting(
            t ->
                t.get("family")
                    + " "
                    + t.get("from")
                    + " "
                    + t.get("rejected")
                    + " "
                    + t.get("logged"))
        // the stretch up to the first snapshot ended before October: not shown
        .containsExactlyInAnyOrder(
            "IPv4 2026-09-30 23:00:00Z 800 520",
            "IPv4 2026-10-15 12:00:00Z 400 200",
            "IPv6 2026-09-30 23:00:00Z 400 260",
            "IPv6 2026-10-15 12:00:00Z 250 120");
    long linesInMonth = 0;
    for (Map<String, Object> t : totals) {
      String seen = Commands.run((String) t.get("query"), index);
      assertThat(seen)
          .as((String) t.get("query"))
          .isEqualTo(((String) t.get("seen")).replace(",", ""));
      long rejected = Long.parseLong(((String) t.get("rejected")).replace(",", ""));
      assertThat(((String) t.get("unlogged")).replace(",", ""))
          .isEqualTo(Long.toString(Math.max(0, rejected - Long.parseLong(seen))));
      linesInMonth += Long.parseLong(seen);
      assertThat(html).contains(((String) t.get("query")).replace("'", "&#39;"));
    }
    // the stretches inside October saw lines: the counts are real, not zeros
    assertThat(linesInMonth).isPositive();
  }

  @Test
  void theBundleCarriesTheSnapshotsByteForByteAndVerifyChecksTheirOwnHash() throws Exception {
    Path zip = dir.resolve("bundle.zip");
    StringWriter err = new StringWriter();
    CommandLine cl = MobilesshCommand.commandLine();
    cl.setOut(new PrintWriter(new StringWriter(), true));
    cl.setErr(new PrintWriter(err, true));
    int code =
        cl.execute(
            "evidence",
            "--index",
            index.toString(),
            "--month",
            "2026-10",
            "--no-report",
            "--out",
            zip.toString());
    assertThat(code).as(err.toString()).isZero();
    SortedMap<String, byte[]> entries = unzip(Files.readAllBytes(zip));
    String base = "mobilessh-evidence-2026-10/data/snapshots/index/";
    List<byte[]> bundled =
        entries.entrySet().stream()
            .filter(e -> e.getKey().startsWith(base) && e.getKey().endsWith(".txt"))
            .map(Map.Entry::getValue)
            .toList();
    // all three speak about October: in force at the start, and the two taken during it
    assertThat(bundled).hasSize(3);
    for (byte[] original : snapshots.values()) {
      assertThat(bundled).anySatisfy(b -> assertThat(b).isEqualTo(original));
    }
    assertThat(new String(entries.get(base + "index.csv"), StandardCharsets.UTF_8))
        .startsWith(String.join(",", EvidenceBundle.SNAPSHOT_INDEX_COLUMNS))
        .contains("router1,2026-10-15T12:00:00.000000Z,");
    assertThat(BagVerifier.verify(zip).problems()).isEmpty();

    // a snapshot changed before bundling, the manifests written to match: its own hash tells
    SortedMap<String, byte[]> payload = new TreeMap<>();
    String root = "mobilessh-evidence-2026-10/";
    entries.forEach(
        (k, v) -> {
          if (k.startsWith(root + "data/")) {
            payload.put(k.substring((root + "data/").length()), v);
          }
        });
    String first =
        payload.keySet().stream()
            .filter(k -> k.startsWith("snapshots/index/0"))
            .findFirst()
            .orElseThrow();
    byte[] changed = payload.get(first).clone();
    int at = new String(changed, StandardCharsets.UTF_8).indexOf("[100:");
    changed[at + 1] = '9';
    payload.put(first, changed);
    Path bad = dir.resolve("bad.zip");
    Files.write(
        bad,
        BagWriter.zip(
            BagWriter.files(
                "mobilessh-evidence-2026-10", payload, Map.of("Mobilessh-Month", "2026-10")),
            EvidenceBundle.entryTime(java.time.YearMonth.of(2026, 10))));
    assertThat(BagVerifier.verify(bad).problems())
        .singleElement()
        .satisfies(p -> assertThat(p.toString()).contains(first).contains("ruleset snapshot"));
  }

  static SortedMap<String, byte[]> unzip(byte[] zip) throws IOException {
    SortedMap<String, byte[]> out = new TreeMap<>();
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        out.put(e.getName(), in.readAllBytes());
      }
    }
    return out;
  }
}
