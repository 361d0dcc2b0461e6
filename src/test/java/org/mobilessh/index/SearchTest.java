package org.mobilessh.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mobilessh.parse.LogFormat;
import org.mobilessh.parse.NetfilterEvent;

/**
 * Queries over an index of the real captured logs. Expected counts are taken from the raw text of
 * the files (string matching, independent of the parser), so they follow a re-recording.
 */
class SearchTest {
  @TempDir static Path dir;
  static EventSearcher searcher;
  static List<String> kernel;
  static List<String> conntrack;

  @BeforeAll
  static void buildIndex() {
    try (EventIndex index = EventIndex.open(dir)) {
      SampleLogs.addAll(index, SampleLogs.kernLog());
      SampleLogs.addAll(index, SampleLogs.events("syslog.1", LogFormat.SYSLOG));
      SampleLogs.addAll(index, SampleLogs.events("syslog", LogFormat.SYSLOG));
      SampleLogs.addAll(index, SampleLogs.events("kern-rfc3339.log", LogFormat.SYSLOG_RFC3339));
      SampleLogs.addAll(index, SampleLogs.events("dmesg-iso.log", LogFormat.DMESG_ISO));
      SampleLogs.addAll(index, SampleLogs.events("conntrack-extended.log", LogFormat.CONNTRACK));
      index.commit(Map.of());
    }
    searcher = EventSearcher.open(dir);
    kernel =
        SampleLogs.lines("kern.log.1", "kern.log").stream()
            .filter(l -> l.contains(" kernel: ") && l.contains(" IN="))
            .toList();
    conntrack =
        SampleLogs.lines("conntrack-extended.log").stream()
            .filter(l -> l.contains("] ") && l.contains("src="))
            .toList();
  }

  @AfterAll
  static void close() {
    searcher.close();
  }

  private static long count(String query) {
    return searcher.count(searcher.parse(query));
  }

  private static long kernelLines(Predicate<String> p) {
    return kernel.stream().filter(p).count();
  }

  @Test
  void countsPerAction() {
    for (String action : List.of("set", "remove", "accept", "reject")) {
      assertThat(count("action:" + action))
          .as(action)
          .isEqualTo(kernelLines(l -> l.contains("mobilessh-" + action + ":")))
          .isPositive();
    }
    assertThat(count("action:firewall")).isZero();
    for (String type : List.of("NEW", "UPDATE", "DESTROY")) {
      assertThat(count("action:conntrack-" + type.toLowerCase()))
          .as(type)
          .isEqualTo(conntrack.stream().filter(l -> l.contains("[" + type + "]")).count())
          .isPositive();
    }
    assertThat(count("")).isEqualTo(kernel.size() + conntrack.size());
    assertThat(count("*:*")).isEqualTo(kernel.size() + conntrack.size());
  }

  @Test
  void cidrQueriesIpv4AndIpv6() {
    assertThat(count("action:reject AND src:203.0.113.0/24"))
        .isEqualTo(
            kernelLines(l -> l.contains("mobilessh-reject:") && l.contains("SRC=203.0.113.")))
        .isPositive();
    assertThat(count("action:accept AND src:2001:db8::/32"))
        .isEqualTo(
            kernelLines(l -> l.contains("mobilessh-accept:") && l.contains("SRC=2001:0db8:")))
        .isPositive();
    assertThat(count("action:set AND src:2001:db8:10::/48"))
        .isEqualTo(
            kernelLines(l -> l.contains("mobilessh-set:") && l.contains("SRC=2001:0db8:0010:")));
    // a single address, written compressed, matches the fully expanded LOG form
    assertThat(count("src:2001:db8:10::10 AND action:(set OR accept OR remove OR reject)"))
        .isEqualTo(kernelLines(l -> l.contains("SRC=2001:0db8:0010:0000:0000:0000:0000:0010 ")))
        .isPositive();
    // IPv4 CIDRs do not match IPv6 addresses and vice versa
    assertThat(count("family:ipv6 AND src:0.0.0.0/0")).isZero();
    assertThat(count("family:ipv4 AND src:::/0")).isZero();
    // a bare address means source or destination
    assertThat(count("192.0.2.1 AND action:reject"))
        .isEqualTo(
            kernelLines(
                l ->
                    l.contains("mobilessh-reject:")
                        && (l.contains("SRC=192.0.2.1 ") || l.contains("DST=192.0.2.1 "))))
        .isPositive();
    assertThat(count("ip:198.51.100.0/24 AND action:set"))
        .isEqualTo(
            kernelLines(
                l ->
                    l.contains("mobilessh-set:")
                        && (l.contains("SRC=198.51.100.") || l.contains("DST=198.51.100."))));
  }

  /**
   * A prefix one bit shorter or longer than asked, or a range whose braces are read as brackets,
   * matches other events: the cuts here fall between the recording's addresses (.10 and .70 are in
   * different /26s but one /25; 2001:db8:10:: and 2001:db8:20:: in different /43s but one /42).
   */
  @Test
  void cidrPrefixesAndAddressRangesCutExactlyWhereAsked() {
    Predicate<String> src10 = l -> l.contains("SRC=203.0.113.10 ");
    Predicate<String> src70 = l -> l.contains("SRC=203.0.113.70 ");
    String kernelOnly = " AND action:(set OR remove OR accept OR reject)";
    assertThat(count("src:203.0.113.0/26" + kernelOnly)).isEqualTo(kernelLines(src10)).isPositive();
    assertThat(count("src:203.0.113.64/26" + kernelOnly))
        .isEqualTo(kernelLines(src70))
        .isPositive();
    assertThat(count("src:203.0.113.0/25" + kernelOnly)).isEqualTo(kernelLines(src10.or(src70)));
    assertThat(count("src:203.0.113.10/32" + kernelOnly)).isEqualTo(kernelLines(src10));
    assertThat(count("src:2001:db8:20::/43" + kernelOnly))
        .isEqualTo(kernelLines(l -> l.contains("SRC=2001:0db8:0020:")))
        .isPositive();
    assertThat(count("src:2001:db8::/42" + kernelOnly))
        .isEqualTo(
            kernelLines(
                l -> l.contains("SRC=2001:0db8:0010:") || l.contains("SRC=2001:0db8:0020:")));
    // ranges: brackets include their ends, braces exclude them
    assertThat(count("src:[203.0.113.10 TO 203.0.113.70]" + kernelOnly))
        .isEqualTo(kernelLines(src10.or(src70)));
    assertThat(count("src:{203.0.113.10 TO 203.0.113.70]" + kernelOnly))
        .isEqualTo(kernelLines(src70));
    assertThat(count("src:[203.0.113.10 TO 203.0.113.70}" + kernelOnly))
        .isEqualTo(kernelLines(src10));
    assertThat(count("src:{203.0.113.10 TO 203.0.113.70}" + kernelOnly)).isZero();
    // an IPv6 range that spans ::ffff:0:0/96 (where IPv4 is indexed) still matches IPv6 only
    assertThat(count("src:[:: TO 2001:db8:ffff::]" + kernelOnly))
        .isEqualTo(kernelLines(l -> l.contains(" TC=")))
        .isPositive();
  }

  /**
   * family: is answered from source.ip (network.type is not indexed): checked against the lines.
   */
  @Test
  void familyComesFromTheSourceAddress() {
    String kernelOnly = " AND action:(set OR remove OR accept OR reject OR firewall)";
    long v6 = kernelLines(l -> l.contains(" TC="));
    long v4 = kernelLines(l -> l.contains(" TOS="));
    assertThat(v4).isPositive();
    assertThat(v6).isPositive();
    assertThat(v4 + v6).isEqualTo(kernel.size());
    assertThat(count("family:ipv4" + kernelOnly)).isEqualTo(v4);
    assertThat(count("family:4" + kernelOnly)).isEqualTo(v4);
    assertThat(count("family:IPv6" + kernelOnly)).isEqualTo(v6);
    assertThat(count("family:inet6" + kernelOnly)).isEqualTo(v6);
    assertThat(count("network.type:ipv6 AND action:conntrack-new"))
        .isEqualTo(
            conntrack.stream().filter(l -> l.contains("[NEW]") && l.contains(" ipv6 ")).count())
        .isPositive();
    assertThat(count("family:*")).isEqualTo(count("family:ipv4") + count("family:ipv6"));
    assertThat(count("family:*")).isEqualTo(count(""));
    assertThatThrownBy(() -> QueryTranslator.parse("family:ipv*"))
        .hasMessageContaining("family takes ipv4 or ipv6");
    assertThatThrownBy(() -> QueryTranslator.parse("family:[ipv4 TO ipv6]"))
        .hasMessageContaining("family takes ipv4 or ipv6");
    assertThatThrownBy(() -> QueryTranslator.parse("family:ip5"))
        .hasMessageContaining("family must be ipv4 or ipv6, not 'ip5'");
  }

  @Test
  void portsAndPortRanges() {
    Pattern dpt = Pattern.compile(" DPT=(\\d+) ");
    Predicate<String> lowPort =
        l -> {
          Matcher m = dpt.matcher(l);
          return m.find() && Integer.parseInt(m.group(1)) <= 1024;
        };
    assertThat(count("dport:[1 TO 1024] AND NOT action:conntrack-*"))
        .isEqualTo(kernelLines(lowPort))
        .isPositive();
    assertThat(count("dport:22 AND action:reject"))
        .isEqualTo(kernelLines(l -> l.contains("mobilessh-reject:") && l.contains(" DPT=22 ")));
    assertThat(count("dport:{22 TO 993} AND action:set")).isZero();
    assertThat(count("dport:[22 TO 993] AND action:set"))
        .isEqualTo(kernelLines(l -> l.contains("mobilessh-set:")));
    assertThat(count("sport:[1025 TO *] AND action:accept"))
        .isEqualTo(kernelLines(l -> l.contains("mobilessh-accept:")));
  }

  @Test
  void timeRangesAndAliases() {
    // kernel events end up with the best time of all sources: dmesg's (the kernel's clock, µs)
    List<Instant> stamps =
        SampleLogs.lines("dmesg-iso.log").stream()
            .map(l -> OffsetDateTime.parse(l.substring(0, 32).replace(',', '.')).toInstant())
            .sorted()
            .toList();
    assertThat(stamps).hasSize(kernel.size());
    Instant first = stamps.get(0);
    Instant mid = stamps.get(stamps.size() / 2);
    long upToMid = stamps.stream().filter(s -> !s.isAfter(mid)).count();
    String kernelOnly = " AND action:(set OR remove OR accept OR reject)";
    assertThat(count("@timestamp:[" + first + " TO " + mid + "]" + kernelOnly)).isEqualTo(upToMid);
    assertThat(count("time:[" + first + " TO " + mid + "]" + kernelOnly)).isEqualTo(upToMid);
    assertThat(count("time:[" + first + " TO " + mid + "}" + kernelOnly)).isEqualTo(upToMid - 1);
    // a second written without fraction means the whole second
    Instant second = mid.truncatedTo(ChronoUnit.SECONDS);
    assertThat(count("time:" + second.toString().replace("Z", "") + kernelOnly))
        .isEqualTo(
            stamps.stream().filter(s -> s.truncatedTo(ChronoUnit.SECONDS).equals(second)).count())
        .isPositive();
    assertThat(count("time:2026-11-27" + kernelOnly)).isEqualTo(kernel.size());
    assertThat(count("time:[* TO 2026-11-27T00:00:00Z]")).isZero();
    assertThat(count("time:[2026-11-27T02:00:00+01:00 TO 2026-11-27T03:00+01:00}" + kernelOnly))
        .isEqualTo(stamps.stream().filter(s -> s.atZone(ZoneOffset.UTC).getHour() == 1).count());
    assertThat(count("host:router1")).isEqualTo(count("observer.hostname:router1"));
    assertThat(count("host:router1 AND action:reject")).isEqualTo(count("action:reject"));
    assertThat(count("host:elsewhere")).isZero();
    assertThat(count("proto:tcp AND action:reject")).isEqualTo(count("action:reject"));
    assertThat(count("family:6 AND action:reject"))
        .isEqualTo(kernelLines(l -> l.contains("mobilessh-reject:") && l.contains(" TC=")));
    assertThat(count("in:mshs-ph AND action:reject"))
        .isEqualTo(kernelLines(l -> l.contains("mobilessh-reject:") && l.contains("IN=mshs-ph ")));
    assertThat(count("state:ESTABLISHED"))
        .isEqualTo(conntrack.stream().filter(l -> l.contains(" ESTABLISHED ")).count());
  }

  @Test
  void hitsAreSortedByTimeAndCarryTheReparsedEvent() {
    List<EventSearcher.Hit> hits = searcher.search(searcher.parse("action:reject"), 1000);
    assertThat(hits).hasSize((int) count("action:reject"));
    for (int i = 1; i < hits.size(); i++) {
      assertThat(hits.get(i).timestamp()).isAfterOrEqualTo(hits.get(i - 1).timestamp());
    }
    EventSearcher.Hit h = hits.get(0);
    assertThat(h.event()).isInstanceOf(NetfilterEvent.class);
    assertThat(h.event().action().ecsName()).isEqualTo("reject");
    assertThat(h.event().time().instant()).isEqualTo(h.timestamp());
    assertThat(h.originalLine()).contains("mobilessh-reject:");
    assertThat(h.sourcePath()).isEqualTo("dmesg-iso.log");
    assertThat(h.lineNumber()).isPositive();
    assertThat(SampleLogs.lines(h.sourcePath()).get((int) h.lineNumber() - 1))
        .isEqualTo(h.originalLine());
    assertThat(h.timestamp()).isAfter(Instant.parse("2026-01-01T00:00:00Z"));
    assertThat(searcher.search(searcher.parse("action:reject"), 3)).hasSize(3);
  }

  @Test
  void everyStoredLineReparsesToTheIndexedEvent() {
    List<EventSearcher.Hit> hits = searcher.search(searcher.parse(""), 100_000);
    assertThat(hits).hasSize(kernel.size() + conntrack.size());
    for (EventSearcher.Hit h : hits) {
      assertThat(h.event()).as(h.originalLine()).isNotNull();
      assertThat(h.event().action().ecsName()).isEqualTo(h.action());
      assertThat(h.event().time().instant()).isEqualTo(h.timestamp());
      assertThat(h.event().hostname()).isEqualTo(h.observer());
    }
    assertThat(hits.stream().map(EventSearcher.Hit::dataset).distinct())
        .containsExactlyInAnyOrder("dmesg-iso", "conntrack");
  }

  @Test
  void forEachStreamsEveryHitInTimeOrder() {
    List<EventSearcher.Hit> all = searcher.search(searcher.parse(""), 100_000);
    List<String> streamed = new java.util.ArrayList<>();
    long n = searcher.forEach(searcher.parse(""), h -> streamed.add(h.originalLine()));
    assertThat(n).isEqualTo(all.size());
    assertThat(streamed).isEqualTo(all.stream().map(EventSearcher.Hit::originalLine).toList());
  }

  @Test
  void datasetOfEachFormatIsRecognisedForReparsing() {
    Map<String, LogFormat> files =
        Map.of(
            "kern.log", LogFormat.SYSLOG,
            "kern-rfc3339.log", LogFormat.SYSLOG_RFC3339,
            "dmesg-iso.log", LogFormat.DMESG_ISO,
            "dmesg-raw.log", LogFormat.DMESG_RAW,
            "conntrack-extended.log", LogFormat.CONNTRACK,
            "conntrack.log", LogFormat.CONNTRACK,
            "ulogd-json.log", LogFormat.ULOGD_JSON,
            // no journald on the recording machine: the parse stage's golden inputs
            "../src/test/resources/parse/journal-json.log", LogFormat.JOURNAL_JSON,
            "../src/test/resources/parse/journal-short-iso.log", LogFormat.JOURNAL_SHORT_ISO,
            "../src/test/resources/parse/ulogd-berlin.log", LogFormat.ULOGD_JSON);
    files.forEach(
        (file, format) -> {
          List<SourcedEvent> events = SampleLogs.events(file, format);
          assertThat(events).as(file).isNotEmpty();
          for (SourcedEvent e : events) {
            assertThat(DocumentMapper.datasetOf(e.event(), e.originalLine()))
                .as(file)
                .isEqualTo(format);
            assertThat(
                    EventSearcher.reparse(
                        e.originalLine(),
                        format,
                        e.event().hostname(),
                        e.event().time() == null ? null : e.event().time().instant(),
                        e.event().action().ecsName()))
                .as(e.originalLine())
                .isEqualTo(e.event());
          }
        });
  }

  @Test
  void syntaxErrorsPointAtTheProblem() {
    assertThatThrownBy(() -> QueryTranslator.parse("action:reject AND (src:192.0.2.1"))
        .isInstanceOf(QuerySyntaxException.class)
        .hasMessageContaining("query syntax error");
    assertThatThrownBy(() -> QueryTranslator.parse("action:reject AND AND dport:22"))
        .isInstanceOf(QuerySyntaxException.class)
        .hasMessageContaining("column 19")
        .hasMessageContaining("\n  action:reject AND AND dport:22\n                    ^");
    assertThatThrownBy(() -> QueryTranslator.parse("colour:red"))
        .hasMessageContaining("unknown field 'colour'")
        .hasMessageContaining("src");
    assertThatThrownBy(() -> QueryTranslator.parse("src:203.0.113.0/33"))
        .hasMessageContaining("out of range");
    assertThatThrownBy(() -> QueryTranslator.parse("src:example.org"))
        .hasMessageContaining("not an IPv4 or IPv6 address");
    assertThatThrownBy(() -> QueryTranslator.parse("dport:ssh"))
        .hasMessageContaining("not a number");
    assertThatThrownBy(() -> QueryTranslator.parse("action:rejected"))
        .hasMessageContaining("unknown action");
    assertThatThrownBy(() -> QueryTranslator.parse("time:yesterday"))
        .hasMessageContaining("ISO-8601");
    assertThatThrownBy(() -> QueryTranslator.parse("src:[192.0.2.1 TO 2001:db8::1]"))
        .hasMessageContaining("mix");
    assertThatThrownBy(() -> QueryTranslator.parse("hello"))
        .hasMessageContaining("neither an address");
  }
}
