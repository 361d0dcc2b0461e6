package org.mobilessh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mobilessh.os.CommandRunner;
import org.mobilessh.rules.Actor;

/**
 * `mobilessh list` against a real xt_recent list in a scratch network namespace, with audit lines
 * going through a real `logger` to a real syslog socket (socat) instead of the host's syslog.
 */
class ListCommandIT {
  static final String NS = "msh-b-list-" + ProcessHandle.current().pid();
  static final Path DIR = Path.of("target", "msh-b-list-it").toAbsolutePath();
  static final Path SOCKET = DIR.resolve("syslog.sock");
  static final Path SYSLOG = DIR.resolve("syslog.log");
  static final CommandRunner HOST = CommandRunner.host();
  static final CommandRunner IN_NS = CommandRunner.in(java.util.Optional.of(NS));
  static Process listener;

  long syslogMark;

  @BeforeAll
  static void scratchNamespace() throws Exception {
    requireRoot();
    HOST.run(List.of("ip", "netns", "del", NS)); // a leftover of a killed run, if any
    must(HOST.run(List.of("ip", "netns", "add", NS)));
    // A rule naming the list is what makes the kernel create /proc/net/xt_recent/MOBILE.
    must(
        IN_NS.run(
            List.of(
                "iptables",
                "-A",
                "INPUT",
                "-m",
                "recent",
                "--name",
                "MOBILE",
                "--rcheck",
                "--seconds",
                "60")));
    Files.createDirectories(DIR);
    Files.deleteIfExists(SOCKET);
    Files.deleteIfExists(SYSLOG);
    listener =
        new ProcessBuilder("socat", "-u", "UNIX-RECV:" + SOCKET, "OPEN:" + SYSLOG + ",creat,append")
            .redirectErrorStream(true)
            .redirectOutput(DIR.resolve("socat.out").toFile())
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!Files.exists(SOCKET) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(SOCKET).as("socat syslog listener socket").exists();
  }

  @AfterAll
  static void cleanUp() {
    if (listener != null) {
      listener.destroy();
    }
    HOST.run(List.of("ip", "netns", "del", NS));
  }

  static void requireRoot() {
    String missing = null;
    if (Actor.current().uid() != 0) {
      missing = "root (ip netns, iptables, /proc/timer_list)";
    } else {
      for (String tool : List.of("ip", "iptables", "socat", "logger", "tee")) {
        if (HOST.run(List.of("sh", "-c", "command -v " + tool)).exitCode() != 0) {
          missing = tool;
        }
      }
    }
    if (missing != null) {
      if ("true".equals(System.getenv("CI"))) {
        fail("CI=true but this test needs " + missing);
      }
      assumeTrue(false, "skipped: needs " + missing);
    }
  }

  static CommandRunner.Result must(CommandRunner.Result r) {
    assertThat(r.ok()).as(r.describe()).isTrue();
    return r;
  }

  @BeforeEach
  void emptyList() throws IOException {
    must(IN_NS.run(List.of("tee", "/proc/net/xt_recent/MOBILE"), "/\n"));
    syslogMark = Files.size(SYSLOG);
  }

  /** The kernel's own view, read without mobilessh. */
  static String rawList() {
    return must(IN_NS.run(List.of("cat", "/proc/net/xt_recent/MOBILE"))).stdout();
  }

  /** {@code mobilessh list SUB --netns NS [--syslog-socket S] ARGS...}, as a user would type it. */
  CliResult list(String sub, String... args) {
    List<String> full = new ArrayList<>(List.of("list", sub, "--netns", NS));
    if (!sub.equals("show")) {
      full.add("--syslog-socket=" + SOCKET);
    }
    full.addAll(List.of(args));
    return CliResult.run(full.toArray(String[]::new));
  }

  /** Syslog lines that arrived since the test began, waiting for {@code expected} of them. */
  List<String> auditLines(int expected) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    List<String> lines;
    do {
      byte[] all = Files.readAllBytes(SYSLOG);
      String fresh =
          new String(all, (int) syslogMark, all.length - (int) syslogMark, StandardCharsets.UTF_8);
      // socat writes one datagram after another with no separator; each starts with <PRI>.
      lines = List.of(fresh.split("(?=<85>)")).stream().filter(s -> !s.isBlank()).toList();
      if (lines.size() >= expected) {
        break;
      }
      Thread.sleep(50);
    } while (System.nanoTime() < deadline);
    return lines;
  }

  @Test
  void addShowsBothFamiliesFreshAndAudited() throws Exception {
    CliResult add = list("add", "192.0.2.10", "2001:db8:0:0:0:0:0:10");
    assertThat(add.exitCode()).as(add.err()).isZero();
    assertThat(add.out()).isEmpty();
    assertThat(add.err()).contains("added 192.0.2.10 to MOBILE", "added 2001:db8::10 to MOBILE");
    // Both, from one command: proves one write per entry (a single write of two lines keeps one).
    assertThat(rawList())
        .contains("src=192.0.2.10 ")
        .contains("src=2001:0db8:0000:0000:0000:0000:0000:0010 ");

    List<String> audit = auditLines(2);
    assertThat(audit).hasSize(2);
    assertThat(audit.get(0))
        .startsWith("<85>") // authpriv.notice
        .contains("mobilessh: list add 192.0.2.10 list=MOBILE netns=" + NS + " by ")
        .contains("(uid=0, sudo=");
    assertThat(audit.get(1)).contains("list add 2001:db8::10 list=MOBILE netns=" + NS);

    CliResult show = list("show");
    assertThat(show.exitCode()).as(show.err()).isZero();
    List<String> rows = show.out().lines().toList();
    assertThat(rows.get(0)).startsWith("ADDRESS").contains("LAST_SEEN", "AGE_SECONDS", "FRESH");
    assertThat(rows).hasSize(3);
    for (String address : List.of("192.0.2.10", "2001:db8::10")) {
      String row = rows.stream().filter(r -> r.startsWith(address + " ")).findFirst().orElseThrow();
      String[] cells = row.trim().split(" +");
      assertThat(cells[1]).isEqualTo(address.contains(":") ? "ipv6" : "ipv4");
      assertThat(Double.parseDouble(cells[3])).isBetween(0.0, 2.0);
      assertThat(cells[4]).isEqualTo("true");
      assertThat(cells[5]).isEqualTo("1");
    }
    assertThat(show.err()).contains("2 entries, 2 fresh", "HZ=");
  }

  @Test
  void jsonAndCsvParseBackWithWallClockTimes() throws Exception {
    Instant before = Instant.now();
    assertThat(list("add", "198.51.100.20", "2001:db8:5::20").exitCode()).isZero();
    Instant after = Instant.now();

    CliResult json = list("show", "--format", "json");
    assertThat(json.exitCode()).as(json.err()).isZero();
    JsonNode root = new ObjectMapper().readTree(json.out());
    assertThat(root.get("list").asText()).isEqualTo("MOBILE");
    assertThat(root.get("netns").asText()).isEqualTo(NS);
    assertThat(root.get("entries")).hasSize(2);
    for (JsonNode e : root.get("entries")) {
      Instant lastSeen = Instant.parse(e.get("last_seen").asText());
      // One tick (at most 10 ms at HZ=100) plus reading latency either side.
      assertThat(lastSeen)
          .isBetween(before.minus(Duration.ofMillis(30)), after.plus(Duration.ofMillis(30)));
      assertThat(e.get("age_seconds").asDouble()).isBetween(0.0, 2.0);
      assertThat(e.get("fresh").asBoolean()).isTrue();
    }
    assertThat(root.get("entries").findValuesAsText("address"))
        .containsExactlyInAnyOrder("198.51.100.20", "2001:db8:5::20");

    CliResult csv = list("show", "--format", "csv");
    assertThat(csv.exitCode()).isZero();
    List<CSVRecord> records =
        CSVFormat.DEFAULT
            .builder()
            .setHeader()
            .setSkipHeaderRecord(true)
            .get()
            .parse(new StringReader(csv.out()))
            .getRecords();
    assertThat(records)
        .extracting(r -> r.get("address"))
        .containsExactlyInAnyOrder("198.51.100.20", "2001:db8:5::20");
    assertThat(records).extracting(r -> r.get("family")).containsExactlyInAnyOrder("ipv4", "ipv6");
    for (CSVRecord r : records) {
      assertThat(Double.parseDouble(r.get("age_seconds"))).isBetween(0.0, 2.0);
    }
  }

  @Test
  void ageGrowsAndFreshFollowsSeconds() throws Exception {
    assertThat(list("add", "203.0.113.30").exitCode()).isZero();
    Thread.sleep(1_300);
    CliResult json = list("show", "--format", "json", "--seconds", "1");
    JsonNode e = new ObjectMapper().readTree(json.out()).get("entries").get(0);
    assertThat(e.get("age_seconds").asDouble()).isBetween(1.25, 3.0);
    assertThat(e.get("fresh").asBoolean()).isFalse();
    JsonNode again =
        new ObjectMapper().readTree(list("show", "--format", "json", "--seconds", "60").out());
    assertThat(again.get("entries").get(0).get("fresh").asBoolean()).isTrue();
  }

  @Test
  void delRemovesOnlyThatAddress() throws Exception {
    assertThat(list("add", "192.0.2.40", "2001:db8::40").exitCode()).isZero();
    CliResult del = list("del", "192.0.2.40");
    assertThat(del.exitCode()).as(del.err()).isZero();
    assertThat(del.err()).contains("removed 192.0.2.40 from MOBILE");
    assertThat(rawList()).doesNotContain("192.0.2.40").contains("src=2001:0db8:");
    List<String> audit = auditLines(3);
    assertThat(audit).hasSize(3);
    assertThat(audit.get(2)).contains("list del 192.0.2.40 list=MOBILE netns=" + NS + " by ");

    // Removing what is not there changes nothing, so there is nothing to audit.
    CliResult again = list("del", "192.0.2.40");
    assertThat(again.exitCode()).isZero();
    assertThat(again.err()).contains("192.0.2.40 is not in list MOBILE");
    Thread.sleep(300);
    assertThat(auditLines(3)).hasSize(3);
  }

  @Test
  void flushEmptiesTheList() throws Exception {
    assertThat(list("add", "192.0.2.50", "2001:db8::50", "198.51.100.50").exitCode()).isZero();
    CliResult flush = list("flush");
    assertThat(flush.exitCode()).as(flush.err()).isZero();
    assertThat(flush.err()).contains("flushed MOBILE (3 removed)");
    assertThat(rawList()).isEmpty();
    assertThat(auditLines(4).get(3))
        .contains("list flush (3 entries) list=MOBILE netns=" + NS + " by ");
    CliResult show = list("show");
    assertThat(show.out().lines()).hasSize(1);
    assertThat(show.err()).contains("0 entries");
  }

  @Test
  void invalidAddressesChangeNothingAndLogNothing() throws Exception {
    for (String bad : List.of("192.0.2.0/24", "mail.example.com", "192.0.2.300")) {
      CliResult r = list("add", "192.0.2.60", bad);
      assertThat(r.exitCode()).as(bad).isEqualTo(ExitCodes.USAGE);
      assertThat(r.err()).contains(bad);
    }
    assertThat(rawList()).isEmpty();
    Thread.sleep(300);
    assertThat(auditLines(0)).isEmpty();
  }

  @Test
  void aChangeThatCannotBeAuditedIsRefused() {
    CliResult r =
        CliResult.run(
            "list",
            "add",
            "--netns",
            NS,
            "--syslog-socket",
            DIR.resolve("nobody.sock").toString(),
            "192.0.2.70");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.FAILURE);
    assertThat(r.err()).contains("refused to add 192.0.2.70", "nothing was changed", "nobody.sock");
    assertThat(rawList()).doesNotContain("192.0.2.70");
  }

  @Test
  void aMissingListSaysHowToCreateIt() {
    CliResult r = list("show", "--list", "NOPE");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.FAILURE);
    assertThat(r.out()).isEmpty();
    assertThat(r.err())
        .contains("no xt_recent list NOPE in network namespace " + NS)
        .contains("mobilessh rules install");
    CliResult add = list("add", "--list", "NOPE", "192.0.2.80");
    assertThat(add.exitCode()).isEqualTo(ExitCodes.FAILURE);
    assertThat(add.err()).contains("no xt_recent list NOPE");
  }
}
