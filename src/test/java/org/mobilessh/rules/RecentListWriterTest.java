package org.mobilessh.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;

/** table, csv and json output of `list show` for a fixed snapshot. */
class RecentListWriterTest {
  // jiffies 4295065766 at 01:03:05.020603Z, HZ 250.
  static final RecentSnapshot SNAPSHOT =
      new RecentSnapshot(
          "MOBILE",
          Optional.of("msh-b-x"),
          new KernelClock(
              4_295_065_766L, 250, "/proc/config.gz", Instant.parse("2026-11-27T01:03:05.020603Z")),
          RecentEntry.parseAll(
              RecentListParseTest.CAPTURED
                  + "src=198.51.100.7 ttl: 52 last_seen: 4295064766 oldest_pkt: 1 4295064766\n"));

  static String write(RecentListWriter.Format format, int seconds) {
    StringWriter out = new StringWriter();
    RecentListWriter.write(SNAPSHOT, seconds, format, new PrintWriter(out));
    return out.toString();
  }

  @Test
  void tableIsAlignedAndMostRecentFirst() {
    List<String> lines = write(RecentListWriter.Format.TABLE, 60).lines().toList();
    assertThat(lines)
        .containsExactly(
            "ADDRESS             FAMILY  LAST_SEEN                    AGE_SECONDS  FRESH  HITS",
            "198.51.100.7        ipv4    2026-11-27T01:03:01.020603Z        4.000  true      1",
            "192.0.2.10          ipv4    2026-11-27T00:58:52.316603Z      252.704  false     2",
            "2001:db8::10        ipv6    2026-11-27T00:58:52.012603Z      253.008  false     1",
            "2001:db8::1:0:0:10  ipv6    2026-11-27T00:58:52.012603Z      253.008  false     1");
  }

  @Test
  void csvHasAHeaderAndParsesBack() throws Exception {
    String csv = write(RecentListWriter.Format.CSV, 300);
    List<CSVRecord> records =
        CSVFormat.DEFAULT
            .builder()
            .setHeader()
            .setSkipHeaderRecord(true)
            .get()
            .parse(new StringReader(csv))
            .getRecords();
    assertThat(csv).startsWith("address,family,last_seen,age_seconds,fresh,hits\n");
    assertThat(records).hasSize(4);
    assertThat(records.get(2).get("address")).isEqualTo("2001:db8::10");
    assertThat(records.get(2).get("family")).isEqualTo("ipv6");
    assertThat(records.get(2).get("age_seconds")).isEqualTo("253.008");
    assertThat(records.get(2).get("fresh")).isEqualTo("true");
    assertThat(records.get(1).get("hits")).isEqualTo("2");
  }

  @Test
  void jsonCarriesTheClockAndEveryEntry() throws Exception {
    JsonNode root = new ObjectMapper().readTree(write(RecentListWriter.Format.JSON, 60));
    assertThat(root.get("list").asText()).isEqualTo("MOBILE");
    assertThat(root.get("netns").asText()).isEqualTo("msh-b-x");
    assertThat(root.get("hz").asInt()).isEqualTo(250);
    assertThat(root.get("jiffies").asLong()).isEqualTo(4_295_065_766L);
    JsonNode first = root.get("entries").get(0);
    assertThat(first.get("address").asText()).isEqualTo("198.51.100.7");
    assertThat(first.get("last_seen").asText()).isEqualTo("2026-11-27T01:03:01.020603Z");
    assertThat(first.get("last_seen_jiffies").asLong()).isEqualTo(4_295_064_766L);
    assertThat(first.get("age_seconds").decimalValue()).isEqualByComparingTo("4.000");
    assertThat(first.get("fresh").asBoolean()).isTrue();
    assertThat(root.get("entries")).hasSize(4);
    assertThat(root.get("entries").get(1).get("fresh").asBoolean()).isFalse();
  }

  @Test
  void formatNamesAreCheckedAndCaseInsensitive() {
    assertThat(RecentListWriter.Format.parse("JSON")).isEqualTo(RecentListWriter.Format.JSON);
    assertThatThrownBy(() -> RecentListWriter.Format.parse("xml"))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("--format must be table, csv or json");
  }
}
