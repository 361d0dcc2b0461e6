package org.mobilessh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * From files to {@code mobilessh anomalies} and {@code windows}, as a user would: a manual {@code
 * list add} in auth.log, a kernel loss marker in kern.log and two rules snapshots (the recorded one
 * and one taken later with the IPv6 remove rule gone) go through ingest and the index, and come out
 * as anomalies with their lines.
 */
class ManualChangesCommandTest {
  private static final String PHONE = "203.0.113.10";
  @TempDir Path dir;
  private String index;
  private String config;

  private static String kernel(String time, String msg) {
    return "2026-11-27T01:" + time + "+00:00 router1 kernel: " + msg;
  }

  private static String packet(String prefix, int sport, String flags) {
    return prefix
        + ": IN=wan0 OUT= MAC=00:00:5e:00:53:a0:00:00:5e:00:53:10:08:00 SRC="
        + PHONE
        + " DST=192.0.2.1 LEN=60 TOS=0x00 PREC=0x00 TTL=63 ID=4242 DF PROTO=TCP SPT="
        + sport
        + " DPT=22 WINDOW=64240 RES=0x00 "
        + flags
        + " URGP=0";
  }

  /** The recorded snapshot with {@code from} replaced, a new time, and its hash recomputed. */
  private static String snapshot(String time, String from, String to) throws Exception {
    String text = Files.readString(Path.of("sample-logs/rules-snapshot.txt"));
    String body = text.substring(0, text.lastIndexOf("sha256: "));
    body =
        body.replace("timestamp: 2026-11-27T01:16:24.182553Z", "timestamp: " + time)
            .replace(from, to);
    String hash =
        HexFormat.of()
            .formatHex(
                MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8)));
    return body + "sha256: " + hash + "\n";
  }

  @BeforeEach
  void ingest() throws Exception {
    Path logs = Files.createDirectories(dir.resolve("logs"));
    Files.write(
        logs.resolve("auth.log"),
        List.of(
            "2026-11-27T01:20:10.000000+00:00 router1 mobilessh: list add "
                + PHONE
                + " list=MOBILE netns=- by alice (uid=0, sudo=yes)"));
    Files.write(
        logs.resolve("kern.log"),
        List.of(
            kernel("20:12.000000", packet("mobilessh-accept", 40001, "SYN")),
            kernel("20:13.000000", "net_ratelimit: 12 callbacks suppressed"),
            kernel("20:14.000000", packet("mobilessh-remove", 40001, "ACK FIN"))));
    Files.writeString(
        logs.resolve("snapshot-1.txt"), snapshot("2026-11-27T01:16:24.182553Z", "", ""));
    String v6Remove =
        "[3:216] -A MOBILESSH-SSH -p tcp -m tcp --tcp-flags FIN FIN -m conntrack --ctstate"
            + " ESTABLISHED -m recent --remove --name MOBILE --mask"
            + " ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff --rsource -j MOBILESSH-REMOVED\n";
    Files.writeString(
        logs.resolve("snapshot-2.txt"), snapshot("2026-11-27T01:30:00.000000Z", v6Remove, ""));
    index = dir.resolve("index").toString();
    CliResult r =
        CliResult.run(
            "ingest",
            "--index",
            index,
            "--tz",
            "UTC",
            "--host",
            "router1",
            logs.resolve("auth.log").toString(),
            logs.resolve("kern.log").toString(),
            logs.resolve("snapshot-1.txt").toString(),
            logs.resolve("snapshot-2.txt").toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.err()).contains("snapshots stored:    2");
    config = dir.resolve("r.conf").toString();
    Files.writeString(Path.of(config), "seconds = 5\nmail-server = 198.51.100.10\n");
  }

  @Test
  void anomaliesNameTheManualAddTheMarkerTheChangeAndTheParity() throws IOException {
    CliResult r = AuditFixture.audit("anomalies", index, config, "--format", "csv");
    assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.OK);
    List<CSVRecord> rows = AuditFixture.csv(r.out());
    assertThat(rows)
        .extracting(x -> x.get("kind"))
        .contains("manual-list-change", "rate-limit-marker", "ruleset-changed", "parity-broken")
        .doesNotContain("session-without-window");
    CSVRecord manual =
        rows.stream()
            .filter(x -> x.get("kind").equals("manual-list-change"))
            .findFirst()
            .orElseThrow();
    assertThat(manual.get("source_ip")).isEqualTo(PHONE);
    assertThat(manual.get("at")).isEqualTo("2026-11-27T01:20:10.000000Z");
    assertThat(manual.get("evidence")).endsWith("auth.log:1");
    assertThat(AuditFixture.line(manual.get("evidence"))).contains("mobilessh: list add " + PHONE);
    CSVRecord marker =
        rows.stream()
            .filter(x -> x.get("kind").equals("rate-limit-marker"))
            .findFirst()
            .orElseThrow();
    assertThat(marker.get("evidence")).endsWith("kern.log:2");
    CSVRecord changed =
        rows.stream()
            .filter(x -> x.get("kind").equals("ruleset-changed"))
            .findFirst()
            .orElseThrow();
    assertThat(changed.get("at")).isEqualTo("2026-11-27T01:30:00.000000Z");
    assertThat(changed.get("message")).startsWith("IPv6 remove changed from remove list=MOBILE");
    assertThat(changed.get("evidence")).contains("snapshot-1.txt:1").contains("snapshot-2.txt:1");
  }

  @Test
  void theWindowSaysItWasOpenedByHandAndSearchFindsTheLine() {
    CliResult w = AuditFixture.audit("windows", index, config, "--format", "csv", "--ip", PHONE);
    assertThat(w.exitCode()).as(w.err()).isEqualTo(ExitCodes.OK);
    List<CSVRecord> rows = AuditFixture.csv(w.out());
    assertThat(rows)
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.get("opened_by")).isEqualTo("list-add");
              assertThat(x.get("opened_at")).isEqualTo("2026-11-27T01:20:10.000000Z");
              assertThat(x.get("close_reason")).isEqualTo("fin-remove");
              assertThat(x.get("ssh_sessions")).isEqualTo("1");
            });
    CliResult s =
        CliResult.run("search", "--index", index, "--count", "action:list-add AND src:" + PHONE);
    assertThat(s.exitCode()).as(s.err()).isZero();
    assertThat(s.out().strip()).isEqualTo("1");
    CliResult m = CliResult.run("search", "--index", index, "--count", "action:loss-marker");
    assertThat(m.out().strip()).isEqualTo("1");
  }
}
