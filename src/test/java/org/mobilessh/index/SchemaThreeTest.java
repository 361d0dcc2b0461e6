package org.mobilessh.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mobilessh.parse.ConntrackEvent;
import org.mobilessh.parse.LogFormat;

/**
 * Schema 3 (ports, transport and format in the packed column) answers every query form exactly as
 * schema 2 (points and keywords) does: the same events written into a new index and into an index
 * of schema 2 (which the writer keeps writing in schema 2) give the same hits, in the same order.
 */
class SchemaThreeTest {
  @TempDir static Path dir;
  static EventSearcher three;
  static EventSearcher two;

  // every form the translator builds for the four fields, alone and combined
  static final List<String> QUERIES =
      List.of(
          "",
          "dport:22",
          "dport:993",
          "sport:993",
          "port:22",
          "port:993",
          "dport:0",
          "dport:65535",
          "sport:70000",
          "port:70000",
          "dport:[-1 TO -1]",
          "dport:\\-1",
          "sport:[1024 TO 65535]",
          "sport:{1024 TO 65535}",
          "dport:[1 TO 1024]",
          "dport:[* TO 1024]",
          "dport:[1024 TO *]",
          "dport:[70000 TO 80000]",
          "dport:[-100 TO 21]",
          "port:[20 TO 25]",
          "sport:*",
          "dport:*",
          "port:*",
          "NOT dport:*",
          "proto:tcp",
          "proto:TCP",
          "proto:udp",
          "proto:icmp",
          "proto:ipv6-icmp",
          "proto:other",
          "proto:gre",
          "proto:*",
          "NOT proto:*",
          "proto:t*",
          "proto:*p",
          "proto:?cp",
          "proto:/(tcp|udp)/",
          "proto:[icmp TO tcp]",
          "proto:{icmp TO tcp}",
          "proto:[a TO *]",
          "dataset:syslog",
          "dataset:conntrack",
          "dataset:ulogd-json",
          "dataset:dmesg-iso",
          "dataset:syslog-rfc3339",
          "dataset:syslog*",
          "dataset:*",
          "dataset:/dmesg-.*/",
          "dataset:[dmesg TO syslog]",
          "dataset:nothing",
          "dport:22 AND proto:tcp",
          "dport:[1 TO 1024] AND proto:tcp",
          "src:203.0.113.0/24 AND dport:22",
          "action:set AND dport:993",
          "dport:993 OR dport:22",
          "port:993 AND NOT dataset:syslog",
          "action:conntrack-new AND sport:[1 TO 60000]",
          "dataset:conntrack AND proto:tcp AND port:993",
          "time:2026-11-27 AND dport:22",
          "in:*",
          "out:*",
          "NOT in:*",
          "NOT out:*",
          "in:mshs-lt",
          "out:mshs-ml",
          "in:mshs*",
          "in:*-lt",
          "in:/mshs-.*/",
          "in:[a TO n]",
          "out:{mshs-lt TO *]",
          "in:eth0",
          "in:late0",
          "out:late1",
          "in:late*",
          "in:[late0 TO late0]",
          "in:late0 OR in:mshs-lt",
          "in:mshs-lt AND out:mshs-ml AND dport:993",
          "family:ipv6 AND proto:ipv6-icmp");

  @BeforeAll
  static void buildIndexes() throws IOException {
    List<SourcedEvent> events = new ArrayList<>(SampleLogs.kernLog());
    events.addAll(SampleLogs.events("kern-rfc3339.log", LogFormat.SYSLOG_RFC3339));
    events.addAll(SampleLogs.events("dmesg-iso.log", LogFormat.DMESG_ISO));
    events.addAll(SampleLogs.events("conntrack-extended.log", LogFormat.CONNTRACK));
    // ulogd2's JSON, with ports a kernel never writes (JSON numbers are not bounded): these have
    // no slot in the column and go to the schema-2 point fields
    Path odd = dir.resolve("ulogd-odd.json");
    List<String> lines = SampleLogs.lines("ulogd-json.log");
    List<String> changed = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i);
      if (i % 3 == 0) {
        l = l.replaceFirst("\"orig.l4.sport\": \\d+", "\"orig.l4.sport\": 70000");
      } else if (i % 3 == 1) {
        l = l.replaceFirst("\"orig.l4.dport\": \\d+", "\"orig.l4.dport\": -1");
      }
      changed.add(l);
    }
    Files.write(odd, changed, StandardCharsets.UTF_8);
    List<SourcedEvent> json =
        SampleLogs.events(odd, "ulogd-odd.json", LogFormat.ULOGD_JSON, SampleLogs.HOST);
    assertThat(json)
        .anyMatch(e -> Integer.valueOf(70000).equals(sourcePort(e)))
        .anyMatch(e -> Integer.valueOf(-1).equals(destinationPort(e)));
    events.addAll(json);

    // more than 127 strings in the table (one path each) before two interfaces are first seen:
    // their ids have no slot in the column, so they go to the keyword fields
    List<String> kern = SampleLogs.lines("kern.log");
    List<String> withInterfaces = kern.stream().filter(l -> l.contains(" IN=")).toList();
    List<SourcedEvent> first = new ArrayList<>();
    for (int i = 0; i < 130; i++) {
      Path one = dir.resolve("one-" + i + ".log");
      // another packet length: another event, not a duplicate of the line it was made from
      String line =
          withInterfaces
              .get(i % withInterfaces.size())
              .replaceFirst(" LEN=\\d+", " LEN=" + (2000 + i));
      Files.write(one, List.of(line));
      first.addAll(SampleLogs.events(one, "one-" + i + ".log", LogFormat.SYSLOG, SampleLogs.HOST));
    }
    Path late = dir.resolve("late.log");
    List<String> lateLines = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      lateLines.add(
          withInterfaces
              .get(i)
              .replaceFirst(" IN=\\S*", " IN=late0")
              .replaceFirst(" OUT=\\S*", " OUT=late1"));
    }
    Files.write(late, lateLines);
    first.addAll(SampleLogs.events(late, "late.log", LogFormat.SYSLOG, SampleLogs.HOST));
    events.addAll(0, first);

    Path dir3 = dir.resolve("three");
    Path dir2 = dir.resolve("two");
    // an index of schema 2, as an earlier mobilessh leaves it: a commit saying so
    try (FSDirectory d = FSDirectory.open(dir2);
        IndexWriter w = new IndexWriter(d, new IndexWriterConfig())) {
      w.setLiveCommitData(Map.of(EventIndex.SCHEMA_KEY, "2").entrySet());
      w.commit();
    }
    for (Path p : List.of(dir3, dir2)) {
      try (EventIndex index = EventIndex.open(p)) {
        assertThat(index.schema()).isEqualTo(p == dir3 ? "3" : "2");
        assertThat(SampleLogs.addAll(index, events)).isGreaterThan(150);
        index.commit(Map.of());
      }
    }
    three = EventSearcher.open(dir3);
    two = EventSearcher.open(dir2);
  }

  @AfterAll
  static void close() {
    three.close();
    two.close();
  }

  private static Integer sourcePort(SourcedEvent e) {
    return e.event() instanceof ConntrackEvent c ? c.original().sourcePort() : null;
  }

  private static Integer destinationPort(SourcedEvent e) {
    return e.event() instanceof ConntrackEvent c ? c.original().destinationPort() : null;
  }

  @Test
  void everyQueryFormGivesTheSameHitsOnBothSchemas() {
    int nonEmpty = 0;
    for (String q : QUERIES) {
      List<String> a = hits(three, q);
      List<String> b = hits(two, q);
      assertThat(a).as(q).isEqualTo(b);
      assertThat(three.count(three.parse(q))).as(q).isEqualTo(a.size());
      assertThat(two.count(two.parse(q))).as(q).isEqualTo(b.size());
      if (!a.isEmpty()) {
        nonEmpty++;
      }
    }
    // the list is not vacuous: most forms match something, and the odd ports are found
    assertThat(nonEmpty).isGreaterThan(40);
    assertThat(hits(three, "sport:70000")).isNotEmpty();
    assertThat(hits(three, "dport:[-1 TO -1]")).isNotEmpty();
    assertThat(hits(three, "dport:22")).hasSizeGreaterThan(10);
    assertThat(hits(three, "in:late0")).hasSize(5);
    assertThat(hits(three, "out:late1")).hasSize(5);
    assertThat(hits(three, "in:mshs-lt")).hasSizeGreaterThan(10);
  }

  private static List<String> hits(EventSearcher s, String q) {
    List<String> out = new ArrayList<>();
    for (EventSearcher.Hit h : s.search(s.parse(q), 100_000)) {
      out.add(h.sourcePath() + ":" + h.lineNumber() + " " + h.timestamp());
    }
    return out;
  }

  /**
   * The answers come from the column in schema 3 (no port points but for the odd ports, no format
   * and transport terms), from the old fields in schema 2 (no column), and the commits say which.
   */
  @Test
  void eachSchemaHasItsOwnFields() throws IOException {
    Map<String, Long> three = fieldDocs(dir.resolve("three"));
    Map<String, Long> two = fieldDocs(dir.resolve("two"));
    assertThat(three).containsKey(Fields.PACKED).doesNotContainKeys(Fields.DATASET);
    assertThat(three.get(Fields.SOURCE_PORT)).isPositive().isLessThan(20);
    assertThat(three.get(Fields.DESTINATION_PORT)).isPositive().isLessThan(20);
    assertThat(three.get(Fields.TRANSPORT)).isNull();
    // only the late interfaces (ids above the slot's 127) are keyword terms
    assertThat(three.get(Fields.INGRESS_INTERFACE)).isEqualTo(5);
    assertThat(three.get(Fields.EGRESS_INTERFACE)).isEqualTo(5);
    assertThat(two.get(Fields.INGRESS_INTERFACE)).isGreaterThan(150);
    assertThat(two).doesNotContainKey(Fields.PACKED).containsKeys(Fields.DATASET);
    assertThat(two.get(Fields.SOURCE_PORT)).isGreaterThan(150);
    assertThat(schemaOf(dir.resolve("three"))).isEqualTo("3");
    assertThat(schemaOf(dir.resolve("two"))).isEqualTo("2");
  }

  /** An index of another version (1, or one this mobilessh does not know) is not written to. */
  @Test
  void otherVersionsAreRefused() throws IOException {
    Path other = dir.resolve("four");
    try (FSDirectory d = FSDirectory.open(other);
        IndexWriter w = new IndexWriter(d, new IndexWriterConfig())) {
      w.setLiveCommitData(Map.of(EventIndex.SCHEMA_KEY, "4").entrySet());
      w.commit();
    }
    // a newer program's index is neither written nor read: its queries would miss what it
    // indexes another way
    assertThatThrownBy(() -> EventIndex.open(other))
        .isInstanceOf(IndexException.class)
        .hasMessageContaining("has schema version 4, written by a newer mobilessh")
        .hasMessageContaining("reads versions 1 to 3");
    assertThatThrownBy(() -> EventSearcher.open(other).close())
        .isInstanceOf(IndexException.class)
        .hasMessageContaining("has schema version 4, written by a newer mobilessh");
  }

  /** Per field: how many documents have it (points, terms or doc values). */
  private static Map<String, Long> fieldDocs(Path p) throws IOException {
    Map<String, Long> out = new java.util.TreeMap<>();
    try (FSDirectory d = FSDirectory.open(p);
        DirectoryReader r = DirectoryReader.open(d)) {
      for (LeafReaderContext leaf : r.leaves()) {
        for (FieldInfo fi : leaf.reader().getFieldInfos()) {
          long n = 0;
          if (fi.getPointDimensionCount() > 0) {
            n = leaf.reader().getPointValues(fi.name).getDocCount();
          } else if (leaf.reader().terms(fi.name) != null) {
            n = leaf.reader().terms(fi.name).getDocCount();
          } else if (leaf.reader().getNumericDocValues(fi.name) != null) {
            var dv = leaf.reader().getNumericDocValues(fi.name);
            while (dv.nextDoc() != org.apache.lucene.search.DocIdSetIterator.NO_MORE_DOCS) {
              n++;
            }
          }
          out.merge(fi.name, n, Long::sum);
        }
      }
    }
    return out;
  }

  private static String schemaOf(Path p) throws IOException {
    try (FSDirectory d = FSDirectory.open(p)) {
      return SegmentInfos.readLatestCommit(d).getUserData().get(EventIndex.SCHEMA_KEY);
    }
  }
}
