package org.mobilessh.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * End to end over the real recording in {@code sample-logs/} (see its README): every file's format
 * is detected, every line is parsed without a single diagnostic, and the events counted per action
 * must equal (a) an independent count of the raw text (prefix and event-type substrings) and (b)
 * the same kernel events seen through the other sources: rsyslog's traditional files, its RFC 3339
 * file, dmesg iso and raw dmesg all carry the same LOG lines; plain and extended conntrack -E the
 * same flow events.
 */
class SampleLogsTest {
  static final Path DIR = Path.of("sample-logs");
  static final String[] PREFIXES = {
    "mobilessh-set:", "mobilessh-remove:", "mobilessh-accept:", "mobilessh-reject:"
  };
  static final Action[] STEPS = {Action.SET, Action.REMOVE, Action.ACCEPT, Action.REJECT};

  @BeforeAll
  static void recordingIsThere() {
    boolean present = Files.isRegularFile(DIR.resolve("kern.log"));
    if ("true".equals(System.getenv("CI"))) {
      assertThat(present).as("sample-logs/kern.log must be committed").isTrue();
    }
    assumeTrue(present, "sample-logs/ has no recording yet (sample-logs/record.sh makes one)");
  }

  /** Counts of one parsed file. */
  record Counts(Map<Action, Integer> events, Map<SkipReason, Integer> skipped, List<String> bad) {}

  static Counts parse(String file, LogFormat expected, ParseContext context) throws IOException {
    List<String> lines = Files.readAllLines(DIR.resolve(file), StandardCharsets.UTF_8);
    assertThat(FormatDetector.detect(lines)).as("format of " + file).contains(expected);
    LineParser p = expected.newParser(context);
    Map<Action, Integer> events = new EnumMap<>(Action.class);
    Map<SkipReason, Integer> skipped = new EnumMap<>(SkipReason.class);
    List<String> bad = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      ParseResult r = p.parse(lines.get(i), i + 1);
      if (r instanceof ParseResult.Parsed ok) {
        events.merge(ok.event().action(), 1, Integer::sum);
        if (ok.event().time() != null) {
          assertThat(ok.event().time().instant())
              .as(file + ":" + (i + 1))
              .isBetween(
                  Instant.parse("2020-01-01T00:00:00Z"), Instant.parse("2100-01-01T00:00:00Z"));
        }
      } else if (r instanceof ParseResult.Skipped s) {
        skipped.merge(s.reason(), 1, Integer::sum);
      } else {
        bad.add(((ParseResult.Rejected) r).diagnostic().toString());
      }
    }
    return new Counts(events, skipped, bad);
  }

  static ParseContext context(String file) {
    return ParseContext.of("sample-logs/" + file, 2026, ZoneOffset.UTC).withHostname("router1");
  }

  /** Independent count: lines containing {@code needle}. */
  static int grep(String file, String needle) throws IOException {
    int n = 0;
    for (String l : Files.readAllLines(DIR.resolve(file), StandardCharsets.UTF_8)) {
      if (l.contains(needle)) {
        n++;
      }
    }
    return n;
  }

  private static Map<Action, Integer> kernelCounts(String file, LogFormat format, ParseContext c)
      throws IOException {
    Counts counts = parse(file, format, c);
    assertThat(counts.bad()).as("diagnostics in " + file).isEmpty();
    for (int i = 0; i < PREFIXES.length; i++) {
      assertThat(counts.events().getOrDefault(STEPS[i], 0))
          .as(STEPS[i] + " events in " + file)
          .isEqualTo(grep(file, " " + PREFIXES[i] + " IN="));
    }
    int logLines = grep(file, " OUT=");
    int steps = 0;
    for (Action a : STEPS) {
      steps += counts.events().getOrDefault(a, 0);
    }
    assertThat(counts.events().getOrDefault(Action.FIREWALL, 0))
        .as("other netfilter lines in " + file)
        .isEqualTo(logLines - steps);
    return new TreeMap<>(counts.events());
  }

  @Test
  void everyKernelSourceCarriesTheSameLogLines() throws IOException {
    Map<Action, Integer> current = kernelCounts("kern.log", LogFormat.SYSLOG, context("kern.log"));
    Map<Action, Integer> rotated =
        kernelCounts("kern.log.1", LogFormat.SYSLOG, context("kern.log.1"));
    Map<Action, Integer> traditional = new TreeMap<>(current);
    rotated.forEach((a, n) -> traditional.merge(a, n, Integer::sum));

    Map<Action, Integer> rfc3339 =
        kernelCounts("kern-rfc3339.log", LogFormat.SYSLOG_RFC3339, context("kern-rfc3339.log"));
    Map<Action, Integer> dmesgIso =
        kernelCounts("dmesg-iso.log", LogFormat.DMESG_ISO, context("dmesg-iso.log"));
    Map<Action, Integer> dmesgRaw =
        kernelCounts(
            "dmesg-raw.log",
            LogFormat.DMESG_RAW,
            context("dmesg-raw.log").withBootTime(bootTime()));

    assertThat(traditional).isNotEmpty().containsKeys(STEPS);
    assertThat(rfc3339).isEqualTo(traditional);
    assertThat(dmesgIso).isEqualTo(traditional);
    assertThat(dmesgRaw).isEqualTo(traditional);

    // syslog holds the same kernel lines plus other programs' lines, skipped not rejected
    Map<Action, Integer> syslog = kernelCounts("syslog", LogFormat.SYSLOG, context("syslog"));
    Map<Action, Integer> syslogOld =
        kernelCounts("syslog.1", LogFormat.SYSLOG, context("syslog.1"));
    syslogOld.forEach((a, n) -> syslog.merge(a, n, Integer::sum));
    assertThat(syslog).isEqualTo(traditional);
  }

  @Test
  void rawDmesgWithoutBootTimeSaysWhy() throws IOException {
    Counts c = parse("dmesg-raw.log", LogFormat.DMESG_RAW, context("dmesg-raw.log"));
    assertThat(c.events()).isEmpty();
    assertThat(c.bad()).hasSize(grep("dmesg-raw.log", " OUT="));
    assertThat(c.bad().get(0)).contains("sample-logs/dmesg-raw.log:1:").contains("boot time");
  }

  @Test
  void plainAndExtendedConntrackCarryTheSameEvents() throws IOException {
    Counts plain = parse("conntrack.log", LogFormat.CONNTRACK, context("conntrack.log"));
    Counts ext =
        parse("conntrack-extended.log", LogFormat.CONNTRACK, context("conntrack-extended.log"));
    for (Counts c : List.of(plain, ext)) {
      assertThat(c.bad()).isEmpty();
    }
    for (String file : List.of("conntrack.log", "conntrack-extended.log")) {
      Counts c = file.equals("conntrack.log") ? plain : ext;
      assertThat(c.events().getOrDefault(Action.CONNTRACK_NEW, 0)).isEqualTo(grep(file, "[NEW]"));
      assertThat(c.events().getOrDefault(Action.CONNTRACK_UPDATE, 0))
          .isEqualTo(grep(file, "[UPDATE]"));
      assertThat(c.events().getOrDefault(Action.CONNTRACK_DESTROY, 0))
          .isEqualTo(grep(file, "[DESTROY]"));
    }
    assertThat(ext.events()).isEqualTo(plain.events());
    assertThat(plain.events().getOrDefault(Action.CONNTRACK_DESTROY, 0)).isPositive();
  }

  @Test
  void ulogdFlowsAreTheConntrackDestroys() throws IOException {
    Counts ulogd = parse("ulogd-json.log", LogFormat.ULOGD_JSON, context("ulogd-json.log"));
    assertThat(ulogd.bad()).isEmpty();
    Counts ext =
        parse("conntrack-extended.log", LogFormat.CONNTRACK, context("conntrack-extended.log"));
    // hash mode writes one object per flow, at DESTROY
    assertThat(ulogd.events().getOrDefault(Action.CONNTRACK_DESTROY, 0))
        .isEqualTo(grep("ulogd-json.log", "\"ct.event\": 4"))
        .isEqualTo(ext.events().get(Action.CONNTRACK_DESTROY));
  }

  static Instant bootTime() throws IOException {
    for (String l : Files.readAllLines(DIR.resolve("dmesg-boot-time.txt"))) {
      if (l.startsWith("boot_time_utc=")) {
        return Instant.parse(l.substring("boot_time_utc=".length()));
      }
    }
    throw new IllegalStateException("no boot_time_utc in dmesg-boot-time.txt");
  }
}
