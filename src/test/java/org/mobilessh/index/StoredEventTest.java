package org.mobilessh.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mobilessh.parse.LogFormat;

class StoredEventTest {
  @TempDir Path dir;

  @Test
  void encodedFieldsDecodeToTheSameValues() {
    StoredEvent.StringTable table = new StoredEvent.StringTable();
    int action = table.id("reject");
    int dataset = table.id("syslog");
    int path = table.id("/var/log/kern.log");
    assertThat(table.id("reject")).isEqualTo(action);
    // not ASCII, a character outside the BMP, a huge offset and a negative one
    String line = "Nov 26 23:42:25 rüter kernel: ≠ \uD83D\uDE00 mobilessh-reject: IN=eth0";
    StoredEvent.Encoder enc = new StoredEvent.Encoder();
    Map<String, String> data = new HashMap<>();
    table.putInto(data);
    StoredEvent.Decoder dec = StoredEvent.Decoder.of(data);

    BytesRef b = enc.encode(action, dataset, 0, path, 1L << 40, 123_456_789L, line);
    StoredEvent e = dec.decode(copy(b), 0, b.length);
    assertThat(e)
        .isEqualTo(
            new StoredEvent(
                "reject", "syslog", null, line, "/var/log/kern.log", 1L << 40, 123_456_789L));

    b = enc.encode(action, dataset, path, path, -1, 0, "");
    e = dec.decode(copy(b), 0, b.length);
    assertThat(e.observer()).isEqualTo("/var/log/kern.log");
    assertThat(e.byteOffset()).isEqualTo(-1);
    assertThat(e.originalLine()).isEmpty();
  }

  @Test
  void anAsciiLineIsStoredAsTheSameBytesAsThroughUtf8() {
    StoredEvent.Encoder plain = new StoredEvent.Encoder();
    StoredEvent.Encoder fast = new StoredEvent.Encoder();
    java.util.Random rnd = new java.util.Random(7);
    // every ASCII character, lengths around the buffer's first size and far beyond it (growth)
    for (int len : new int[] {0, 1, 7, 450, 451, 452, 512, 513, 5000, 1 << 20, 3}) {
      char[] c = new char[len];
      for (int i = 0; i < len; i++) {
        c[i] = (char) (i < 128 ? i : rnd.nextInt(128));
      }
      String line = new String(c);
      BytesRef a = plain.encode(3, 1, 2, 4, len * 1000L, len, line);
      BytesRef b = fast.encode(3, 1, 2, 4, len * 1000L, len, line, true);
      assertThat(java.util.Arrays.copyOfRange(b.bytes, b.offset, b.offset + b.length))
          .as("length %d", len)
          .isEqualTo(java.util.Arrays.copyOfRange(a.bytes, a.offset, a.offset + a.length));
    }
  }

  @Test
  void anIdTheCommitDataDoesNotHoldIsAClearError() {
    StoredEvent.Encoder enc = new StoredEvent.Encoder();
    BytesRef b = enc.encode(7, 1, 0, 1, 0, 1, "x");
    StoredEvent.Decoder dec = StoredEvent.Decoder.of(Map.of(StoredEvent.TABLE_PREFIX + "1", "a"));
    assertThatThrownBy(() -> dec.decode(copy(b), 0, b.length))
        .isInstanceOf(IndexException.class)
        .hasMessageContaining("string 7")
        .hasMessageContaining("re-ingest");
  }

  @Test
  void theStringTableStaysOutOfTheCheckpointsAndSurvivesReopening() {
    List<SourcedEvent> events = SampleLogs.kernLog();
    try (EventIndex index = EventIndex.open(dir)) {
      index.add(events.get(0));
      index.commit(Map.of("k", "v"));
      assertThat(index.checkpoints()).isEqualTo(Map.of("k", "v"));
      assertThatThrownBy(() -> index.commit(Map.of(StoredEvent.TABLE_PREFIX + "1", "x")))
          .isInstanceOf(IllegalArgumentException.class);
    }
    try (EventIndex index = EventIndex.open(dir)) {
      assertThat(index.checkpoints()).isEqualTo(Map.of("k", "v"));
      // strings of the first run keep their ids; the second run's new file gets a new one
      SampleLogs.addAll(
          index,
          SampleLogs.events("conntrack-extended.log", LogFormat.CONNTRACK).stream()
              .map(
                  e ->
                      new SourcedEvent(
                          e.event(), e.originalLine(), "other.log", e.byteOffset(), e.lineNumber()))
              .toList());
      index.commit(Map.of("k", "w"));
    }
    try (EventSearcher s = EventSearcher.open(dir)) {
      List<EventSearcher.Hit> hits = s.search(s.parse(""), 10_000);
      assertThat(hits).isNotEmpty();
      assertThat(hits.stream().map(EventSearcher.Hit::sourcePath).distinct())
          .containsExactlyInAnyOrder(events.get(0).sourcePath(), "other.log");
      EventSearcher.Hit first =
          hits.stream()
              .filter(h -> h.sourcePath().equals(events.get(0).sourcePath()))
              .findFirst()
              .orElseThrow();
      assertThat(first.originalLine()).isEqualTo(events.get(0).originalLine());
      assertThat(first.lineNumber()).isEqualTo(events.get(0).lineNumber());
      assertThat(first.byteOffset()).isEqualTo(events.get(0).byteOffset());
      assertThat(first.observer()).isEqualTo(SampleLogs.HOST);
      assertThat(first.dataset()).isEqualTo("syslog");
    }
  }

  /**
   * An index written by schema 1 (separate stored fields, no string table) is still searched and
   * read the same, but not written to.
   */
  @Test
  void aSchemaOneIndexIsReadButNotWritten() throws Exception {
    List<SourcedEvent> events = SampleLogs.kernLog().subList(0, 20);
    Path v2 = dir.resolve("v2");
    try (EventIndex index = EventIndex.open(v2)) {
      SampleLogs.addAll(index, events);
      index.commit(Map.of());
    }
    Path v1 = dir.resolve("v1");
    try (FSDirectory d = FSDirectory.open(v1);
        IndexWriter w = new IndexWriter(d, new IndexWriterConfig())) {
      for (SourcedEvent e : events) {
        long t = ChronoUnit.MICROS.between(Instant.EPOCH, e.event().time().instant());
        Document doc = new Document();
        doc.add(new LongPoint(Fields.TIMESTAMP, t));
        doc.add(new NumericDocValuesField(Fields.TIMESTAMP, t));
        doc.add(new StringField(Fields.ACTION, e.event().action().ecsName(), Field.Store.YES));
        doc.add(new StringField(Fields.DATASET, "syslog", Field.Store.YES));
        doc.add(new StringField(Fields.OBSERVER, e.event().hostname(), Field.Store.YES));
        doc.add(new StoredField(Fields.ORIGINAL, e.originalLine()));
        doc.add(new StoredField(Fields.FILE_PATH, e.sourcePath()));
        doc.add(new StoredField(Fields.OFFSET, e.byteOffset()));
        doc.add(new StoredField(Fields.LINE_NUMBER, e.lineNumber()));
        w.addDocument(doc);
      }
      w.setLiveCommitData(Map.of(EventIndex.SCHEMA_KEY, "1").entrySet());
      w.commit();
    }
    assertThat(hits(v1)).isEqualTo(hits(v2)).hasSize(events.size());
    assertThatThrownBy(() -> EventIndex.open(v1))
        .isInstanceOf(IndexException.class)
        .hasMessageContaining("schema version 1")
        .hasMessageContaining("new --index directory");
    try (FSDirectory d = FSDirectory.open(v1);
        DirectoryReader r = DirectoryReader.open(d)) {
      assertThat(r.numDocs()).isEqualTo(events.size());
    }
  }

  /** Every decoded field of every hit, streamed and searched, as text to compare. */
  private static List<String> hits(Path index) {
    List<String> out = new ArrayList<>();
    try (EventSearcher s = EventSearcher.open(index)) {
      List<EventSearcher.Hit> searched = s.search(s.parse(""), 1000);
      List<EventSearcher.Hit> streamed = new ArrayList<>();
      s.forEach(s.parse(""), streamed::add);
      assertThat(streamed).hasSameSizeAs(searched);
      for (int i = 0; i < searched.size(); i++) {
        EventSearcher.Hit h = searched.get(i);
        assertThat(streamed.get(i).originalLine()).isEqualTo(h.originalLine());
        assertThat(h.event()).isNotNull();
        out.add(
            String.join(
                "|",
                String.valueOf(h.timestamp()),
                h.action(),
                h.dataset(),
                h.observer(),
                h.originalLine(),
                h.sourcePath(),
                String.valueOf(h.byteOffset()),
                String.valueOf(h.lineNumber()),
                String.valueOf(h.event())));
      }
    }
    return out;
  }

  private static byte[] copy(BytesRef b) {
    return java.util.Arrays.copyOfRange(b.bytes, b.offset, b.offset + b.length);
  }
}
