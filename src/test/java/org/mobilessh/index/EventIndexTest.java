package org.mobilessh.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.lucene.index.CheckIndex;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mobilessh.parse.LogFormat;

class EventIndexTest {
  @TempDir Path dir;

  @Test
  void newIndexHasNoCheckpointsAndCheckpointsRoundTripThroughCommit() {
    try (EventIndex index = EventIndex.open(dir)) {
      assertThat(index.checkpoints()).isEmpty();
      index.add(SampleLogs.kernLog().get(0));
      index.commit(Map.of("kern.log", "inode=12 offset=4096 head=ab12", "-", "cursor=s=1"));
      assertThat(index.checkpoints()).containsEntry("kern.log", "inode=12 offset=4096 head=ab12");
    }
    try (EventIndex index = EventIndex.open(dir)) {
      assertThat(index.checkpoints())
          .containsExactlyInAnyOrderEntriesOf(
              Map.of("kern.log", "inode=12 offset=4096 head=ab12", "-", "cursor=s=1"));
    }
    assertThat(docCount()).isEqualTo(1);
  }

  @Test
  void closeWithoutCommitDropsWorkAndCheckpoints() {
    List<SourcedEvent> events = SampleLogs.kernLog();
    try (EventIndex index = EventIndex.open(dir)) {
      index.add(events.get(0));
      index.commit(Map.of("a", "1"));
      for (SourcedEvent e : events.subList(1, events.size())) {
        index.add(e);
      }
      index.quarantine(new QuarantinedLine("x", 3, 40, "garbage", "???", null));
    }
    assertThat(docCount()).isEqualTo(1);
    try (EventIndex index = EventIndex.open(dir)) {
      assertThat(index.checkpoints()).isEqualTo(Map.of("a", "1"));
      // the dropped events are new again: nothing about them survived
      assertThat(SampleLogs.addAll(index, events.subList(1, events.size())))
          .isEqualTo(events.size() - 1);
    }
  }

  @Test
  void aBackgroundCommitHoldsExactlyWhatWasAddedBeforeIt() {
    List<SourcedEvent> events = SampleLogs.kernLog();
    int half = events.size() / 2;
    try (EventIndex index = EventIndex.open(dir)) {
      assertThat(SampleLogs.addAll(index, events.subList(0, half))).isEqualTo(half);
      index.commitInBackground(Map.of("a", "1"));
      // added while the commit may still be flushing or syncing: in no commit, dropped by close
      for (int copy = 0; copy < 20; copy++) {
        String source = "copy" + copy + ".log";
        for (SourcedEvent e : events.subList(half, events.size())) {
          index.add(new SourcedEvent(e.event(), e.originalLine(), source, 0, e.lineNumber()));
        }
      }
    }
    assertThat(docCount()).isEqualTo(half);
    try (EventIndex index = EventIndex.open(dir)) {
      assertThat(index.checkpoints()).isEqualTo(Map.of("a", "1"));
      assertThat(SampleLogs.addAll(index, events)).isEqualTo(events.size() - half);
      index.commitInBackground(Map.of("a", "2"));
      index.commitInBackground(Map.of("a", "3"));
      assertThat(SampleLogs.addAll(index, events)).isZero();
      index.commit(Map.of("a", "4"));
      assertThat(index.checkpoints()).isEqualTo(Map.of("a", "4"));
    }
    assertThat(docCount()).isEqualTo(events.size());
  }

  @Test
  void aBackgroundCommitAppliesTheDeletesOfBetterCopiesBeforeIt() {
    List<SourcedEvent> kern = SampleLogs.kernLog();
    List<SourcedEvent> dmesg = SampleLogs.events("dmesg-iso.log", LogFormat.DMESG_ISO);
    try (EventIndex index = EventIndex.open(dir)) {
      assertThat(SampleLogs.addAll(index, kern)).isEqualTo(kern.size());
      index.commitInBackground(Map.of("k", "1"));
      // better copies: each deletes a kern.log document and adds its own
      assertThat(SampleLogs.addAll(index, dmesg)).isZero();
      index.commitInBackground(Map.of("k", "2"));
    }
    assertThat(docCount()).isEqualTo(kern.size());
    try (EventSearcher s = EventSearcher.open(dir)) {
      assertThat(s.search(s.parse(""), 1000).stream().map(EventSearcher.Hit::dataset))
          .containsOnly("dmesg-iso");
    }
  }

  @Test
  void reservedCheckpointKeyIsRefused() {
    try (EventIndex index = EventIndex.open(dir)) {
      assertThatThrownBy(() -> index.commit(Map.of(EventIndex.SCHEMA_KEY, "x")))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void secondWriterIsRefusedWithAClearMessage() {
    try (EventIndex index = EventIndex.open(dir)) {
      assertThatThrownBy(() -> EventIndex.open(dir))
          .isInstanceOf(IndexException.class)
          .hasMessageContaining("another process");
    }
  }

  @Test
  void quarantineIsStoredOnceAndCommittedWithTheData() throws Exception {
    byte[] raw = {'b', 'a', 'd', (byte) 0xff, 0};
    QuarantinedLine q =
        new QuarantinedLine("kern.log", 7, 1234, "invalid-utf8", "bad\uFFFD\0", raw);
    try (EventIndex index = EventIndex.open(dir)) {
      index.quarantine(q);
      index.quarantine(q);
      index.commit(Map.of());
    }
    try (EventIndex index = EventIndex.open(dir)) {
      index.quarantine(q); // a re-run after a crash meets the same line again
      index.commit(Map.of());
    }
    try (EventSearcher s = EventSearcher.open(dir)) {
      List<EventSearcher.Hit> hits = s.search(s.parse("action:quarantine"), 10);
      assertThat(hits).hasSize(1);
      EventSearcher.Hit h = hits.get(0);
      assertThat(h.originalLine()).isEqualTo("bad\uFFFD\0");
      assertThat(h.raw()).containsExactly(raw);
      assertThat(h.sourcePath()).isEqualTo("kern.log");
      assertThat(h.byteOffset()).isEqualTo(1234);
      assertThat(h.lineNumber()).isEqualTo(7);
      assertThat(h.reason()).isEqualTo("invalid-utf8");
      assertThat(h.event()).isNull();
    }
  }

  @Test
  void checkIndexIsCleanAfterEveryFormat() throws Exception {
    try (EventIndex index = EventIndex.open(dir)) {
      SampleLogs.addAll(index, SampleLogs.kernLog());
      SampleLogs.addAll(index, SampleLogs.events("dmesg-iso.log", LogFormat.DMESG_ISO));
      SampleLogs.addAll(index, SampleLogs.events("conntrack-extended.log", LogFormat.CONNTRACK));
      SampleLogs.addAll(index, SampleLogs.events("conntrack.log", LogFormat.CONNTRACK));
      SampleLogs.addAll(index, SampleLogs.events("ulogd-json.log", LogFormat.ULOGD_JSON));
      index.quarantine(new QuarantinedLine("x", 1, 0, "garbage", "xyz", null));
      index.commit(Map.of("k", "v"));
    }
    try (FSDirectory d = FSDirectory.open(dir);
        CheckIndex check = new CheckIndex(d)) {
      ByteArrayOutputStream log = new ByteArrayOutputStream();
      check.setInfoStream(new PrintStream(log, true, StandardCharsets.UTF_8));
      CheckIndex.Status status = check.checkIndex();
      assertThat(status.clean).as(log.toString(StandardCharsets.UTF_8)).isTrue();
    }
  }

  private long docCount() {
    try (FSDirectory d = FSDirectory.open(dir);
        DirectoryReader r = DirectoryReader.open(d)) {
      return r.numDocs();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
