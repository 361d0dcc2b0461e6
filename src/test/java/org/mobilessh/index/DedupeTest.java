package org.mobilessh.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mobilessh.parse.LogFormat;

/** Event identity across runs, files and sources, over the real captured lines. */
class DedupeTest {
  /**
   * Kernel LOG records of the capture, counted from the text: kern.log + kern.log.1 hold the same
   * records as syslog*, dmesg-*.log and kern-rfc3339.log.
   */
  static final int KERNEL_EVENTS =
      (int)
          SampleLogs.lines("kern.log.1", "kern.log").stream()
              .filter(l -> l.contains(" kernel: ") && l.contains(" IN="))
              .count();

  @TempDir Path dir;

  @Test
  void sampleFilesHoldTheSameKernelRecords() {
    assertThat(SampleLogs.kernLog()).hasSize(KERNEL_EVENTS);
    assertThat(SampleLogs.events("dmesg-iso.log", LogFormat.DMESG_ISO)).hasSize(KERNEL_EVENTS);
    assertThat(SampleLogs.events("kern-rfc3339.log", LogFormat.SYSLOG_RFC3339))
        .hasSize(KERNEL_EVENTS);
    List<SourcedEvent> syslog = new ArrayList<>(SampleLogs.events("syslog.1", LogFormat.SYSLOG));
    syslog.addAll(SampleLogs.events("syslog", LogFormat.SYSLOG));
    assertThat(syslog).hasSize(KERNEL_EVENTS);
  }

  @Test
  void sameFileTwiceInOneRunAndInTheNext() {
    try (EventIndex index = EventIndex.open(dir)) {
      assertThat(SampleLogs.addAll(index, SampleLogs.kernLog())).isEqualTo(KERNEL_EVENTS);
      assertThat(SampleLogs.addAll(index, SampleLogs.kernLog())).isZero();
      index.commit(Map.of());
    }
    try (EventIndex index = EventIndex.open(dir)) {
      assertThat(SampleLogs.addAll(index, SampleLogs.kernLog())).isZero();
      index.commit(Map.of());
    }
    assertThat(docCount()).isEqualTo(KERNEL_EVENTS);
  }

  @Test
  void everyKernelSourceTogetherGivesEachEventOnce() {
    try (EventIndex index = EventIndex.open(dir)) {
      assertThat(SampleLogs.addAll(index, SampleLogs.kernLog())).isEqualTo(KERNEL_EVENTS);
      assertThat(SampleLogs.addAll(index, SampleLogs.events("syslog.1", LogFormat.SYSLOG)))
          .isZero();
      assertThat(SampleLogs.addAll(index, SampleLogs.events("syslog", LogFormat.SYSLOG))).isZero();
      assertThat(
              SampleLogs.addAll(
                  index, SampleLogs.events("kern-rfc3339.log", LogFormat.SYSLOG_RFC3339)))
          .isZero();
      assertThat(SampleLogs.addAll(index, SampleLogs.events("dmesg-iso.log", LogFormat.DMESG_ISO)))
          .isZero();
      assertThat(SampleLogs.addAll(index, SampleLogs.events("dmesg-raw.log", LogFormat.DMESG_RAW)))
          .isZero();
      index.commit(Map.of());
    }
    assertThat(docCount()).isEqualTo(KERNEL_EVENTS);
  }

  @Test
  void aBetterTimeReplacesTheIndexedCopy() {
    try (EventIndex index = EventIndex.open(dir)) {
      assertThat(SampleLogs.addAll(index, SampleLogs.kernLog())).isEqualTo(KERNEL_EVENTS);
      index.commit(Map.of());
    }
    assertThat(datasets()).containsOnly("syslog");
    try (EventIndex index = EventIndex.open(dir)) {
      assertThat(
              SampleLogs.addAll(
                  index, SampleLogs.events("kern-rfc3339.log", LogFormat.SYSLOG_RFC3339)))
          .isZero();
      assertThat(SampleLogs.addAll(index, SampleLogs.events("dmesg-iso.log", LogFormat.DMESG_ISO)))
          .isZero();
      // worse copies later, in the same run and the next: nothing changes any more
      assertThat(SampleLogs.addAll(index, SampleLogs.kernLog())).isZero();
      index.commit(Map.of());
    }
    try (EventIndex index = EventIndex.open(dir)) {
      assertThat(SampleLogs.addAll(index, SampleLogs.events("dmesg-iso.log", LogFormat.DMESG_ISO)))
          .isZero();
      assertThat(SampleLogs.addAll(index, SampleLogs.events("syslog", LogFormat.SYSLOG))).isZero();
      index.commit(Map.of());
    }
    assertThat(docCount()).isEqualTo(KERNEL_EVENTS);
    assertThat(datasets()).containsOnly("dmesg-iso");
  }

  @Test
  void twoIndexingThreadsGiveTheSameIndexAsOne() {
    // adds from two threads, and in the same run better copies whose deletes wait for the drain
    try (EventIndex index = EventIndex.open(dir, EventIndex.DEFAULT_CACHE_ENTRIES, 2)) {
      assertThat(SampleLogs.addAll(index, SampleLogs.kernLog())).isEqualTo(KERNEL_EVENTS);
      assertThat(SampleLogs.addAll(index, SampleLogs.events("syslog", LogFormat.SYSLOG))).isZero();
      assertThat(SampleLogs.addAll(index, SampleLogs.events("dmesg-iso.log", LogFormat.DMESG_ISO)))
          .isZero();
      assertThat(SampleLogs.addAll(index, SampleLogs.kernLog())).isZero();
      index.commit(Map.of());
    }
    assertThat(docCount()).isEqualTo(KERNEL_EVENTS);
    assertThat(datasets()).containsOnly("dmesg-iso");
  }

  private List<String> datasets() {
    try (EventSearcher s = EventSearcher.open(dir)) {
      return s.search(s.parse(""), 1000).stream().map(EventSearcher.Hit::dataset).toList();
    }
  }

  @Test
  void preciseSourcesFirstThenSyslogInALaterRun() {
    try (EventIndex index = EventIndex.open(dir)) {
      assertThat(SampleLogs.addAll(index, SampleLogs.events("dmesg-iso.log", LogFormat.DMESG_ISO)))
          .isEqualTo(KERNEL_EVENTS);
      index.commit(Map.of());
    }
    try (EventIndex index = EventIndex.open(dir)) {
      assertThat(
              SampleLogs.addAll(
                  index, SampleLogs.events("kern-rfc3339.log", LogFormat.SYSLOG_RFC3339)))
          .isZero();
      assertThat(SampleLogs.addAll(index, SampleLogs.kernLog())).isZero();
      index.commit(Map.of());
    }
    assertThat(docCount()).isEqualTo(KERNEL_EVENTS);
  }

  @Test
  void identicalLinesInOneSourceAreSeparateEventsMatchedInOrderAcrossSources() throws IOException {
    // a byte-identical IPv6 SYN line, as a retransmission produces it 1 s and 3 s later
    String body =
        " router1 kernel: mobilessh-reject: IN=mshs-ph OUT=mshs-sh"
            + " MAC=00:00:5e:00:53:a0:00:00:5e:00:53:10:86:dd"
            + " SRC=2001:0db8:0010:0000:0000:0000:0000:0010"
            + " DST=2001:0db8:0002:0000:0000:0000:0000:0022 LEN=80 TC=0 HOPLIMIT=63"
            + " FLOWLBL=730191 PROTO=TCP SPT=50643 DPT=22 WINDOW=64800 RES=0x00 SYN URGP=0 ";
    Path rsyslog = dir.resolve("a.log");
    Files.writeString(
        rsyslog,
        "2026-11-27T01:10:24.400012+00:00"
            + body
            + "\n2026-11-27T01:10:25.401000+00:00"
            + body
            + "\n2026-11-27T01:10:27.398000+00:00"
            + body
            + "\n");
    Path traditional = dir.resolve("b.log");
    Files.writeString(
        traditional,
        "Nov 27 01:10:24" + body + "\nNov 27 01:10:25" + body + "\nNov 27 01:10:27" + body + "\n");
    Path index1 = dir.resolve("index");
    try (EventIndex index = EventIndex.open(index1)) {
      List<SourcedEvent> a = SampleLogs.events(rsyslog, "a.log", LogFormat.SYSLOG_RFC3339);
      assertThat(SampleLogs.addAll(index, a)).isEqualTo(3);
      List<SourcedEvent> b = SampleLogs.events(traditional, "b.log", LogFormat.SYSLOG);
      assertThat(SampleLogs.addAll(index, b)).isZero();
      // only two of the three in another source: both match, nothing new
      assertThat(
              SampleLogs.addAll(index, b.subList(0, 2).stream().map(e -> rename(e, "c")).toList()))
          .isZero();
      index.commit(Map.of());
    }
    try (EventIndex index = EventIndex.open(index1)) {
      List<SourcedEvent> a = SampleLogs.events(rsyslog, "a.log", LogFormat.SYSLOG_RFC3339);
      assertThat(SampleLogs.addAll(index, a)).isZero();
      // a fourth identical line 4 s later (the next retransmission) is a new event
      Path longer = dir.resolve("d.log");
      Files.writeString(
          longer, Files.readString(rsyslog) + "2026-11-27T01:10:31.398000+00:00" + body + "\n");
      List<SourcedEvent> d = SampleLogs.events(longer, "d.log", LogFormat.SYSLOG_RFC3339);
      assertThat(d).hasSize(4);
      assertThat(SampleLogs.addAll(index, d)).isEqualTo(1);
    }
  }

  @Test
  void runResumedBetweenTwoIdenticalLinesKeepsTheSecond() throws IOException {
    String body =
        " router1 kernel: mobilessh-reject: IN=mshs-ph OUT= MAC=00:00:5e:00:53:a0:00:00:5e:00:53:10:86:dd"
            + " SRC=2001:0db8:0010:0000:0000:0000:0000:0010 DST=2001:0db8:ffff:0000:0000:0000:0000:0001"
            + " LEN=80 TC=0 HOPLIMIT=64 FLOWLBL=1 PROTO=TCP SPT=40000 DPT=22 WINDOW=64800 RES=0x00 SYN"
            + " URGP=0 ";
    Path log = dir.resolve("r.log");
    Files.writeString(
        log,
        "2026-11-27T01:10:24.100000+00:00"
            + body
            + "\n2026-11-27T01:10:25.100000+00:00"
            + body
            + "\n2026-11-27T01:10:27.100000+00:00"
            + body
            + "\n");
    List<SourcedEvent> events = SampleLogs.events(log, "r.log", LogFormat.SYSLOG_RFC3339);
    Path idx = dir.resolve("index");
    try (EventIndex index = EventIndex.open(idx)) {
      assertThat(SampleLogs.addAll(index, events.subList(0, 2))).isEqualTo(2);
      index.commit(Map.of("r.log", "line=2"));
    }
    // the next run starts after the checkpoint: line 3 is a third event, not a copy of line 2
    try (EventIndex index = EventIndex.open(idx)) {
      assertThat(SampleLogs.addAll(index, events.subList(2, 3))).isEqualTo(1);
      // and re-reading the whole file finds every line already there
      assertThat(SampleLogs.addAll(index, events)).isZero();
      index.commit(Map.of("r.log", "line=3"));
    }
  }

  /**
   * A source read a second time in the same run (the same file named twice, or through a glob and
   * its directory) starts a new pass: its copies of repeated lines pair with the first source's
   * events again instead of finding them all used up and becoming new events.
   */
  @Test
  void aCopyReadTwiceInOneRunAddsNothingEvenWhereLinesRepeat() throws IOException {
    String body =
        " router1 kernel: mobilessh-reject: IN=mshs-ph OUT= MAC=00:00:5e:00:53:a0:00:00:5e:00:53:10:08:00"
            + " SRC=203.0.113.10 DST=192.0.2.1 LEN=60 TOS=0x00 PREC=0x00 TTL=64 ID=7 DF PROTO=TCP"
            + " SPT=40000 DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0 ";
    String text =
        "2026-11-27T01:10:24.100000+00:00"
            + body
            + "\n2026-11-27T01:10:24.600000+00:00"
            + body
            + "\n";
    Path first = Files.writeString(dir.resolve("kern.log"), text);
    Path copy = Files.writeString(dir.resolve("syslog"), text);
    Path idx = dir.resolve("index");
    try (EventIndex index = EventIndex.open(idx)) {
      List<SourcedEvent> a = SampleLogs.events(first, "kern.log", LogFormat.SYSLOG_RFC3339);
      List<SourcedEvent> b = SampleLogs.events(copy, "syslog", LogFormat.SYSLOG_RFC3339);
      assertThat(SampleLogs.addAll(index, a)).isEqualTo(2);
      assertThat(SampleLogs.addAll(index, b)).isZero();
      assertThat(SampleLogs.addAll(index, b)).isZero();
      index.commit(Map.of());
    }
  }

  @Test
  void conntrackEventsOnceAcrossRunsAndSources() {
    List<SourcedEvent> extended = SampleLogs.events("conntrack-extended.log", LogFormat.CONNTRACK);
    List<SourcedEvent> ulogd = SampleLogs.events("ulogd-json.log", LogFormat.ULOGD_JSON);
    long destroys =
        extended.stream()
            .filter(e -> e.event().action().ecsName().equals("conntrack-destroy"))
            .count();
    assertThat(extended)
        .hasSize(
            (int)
                SampleLogs.lines("conntrack-extended.log").stream()
                    .filter(l -> l.contains("src="))
                    .count());
    try (EventIndex index = EventIndex.open(dir)) {
      assertThat(SampleLogs.addAll(index, extended)).isEqualTo(extended.size());
      index.commit(Map.of());
    }
    try (EventIndex index = EventIndex.open(dir)) {
      assertThat(SampleLogs.addAll(index, extended)).isZero();
      // ulogd2 writes one record per flow at DESTROY: the same kernel events again
      assertThat(SampleLogs.addAll(index, ulogd)).isZero();
      index.commit(Map.of());
    }
    assertThat(ulogd)
        .hasSize(SampleLogs.lines("ulogd-json.log").size())
        .hasSizeLessThanOrEqualTo((int) destroys);
    assertThat(docCount()).isEqualTo(extended.size());
  }

  private static SourcedEvent rename(SourcedEvent e, String source) {
    return new SourcedEvent(e.event(), e.originalLine(), source, e.byteOffset(), e.lineNumber());
  }

  private long docCount() {
    try (FSDirectory d = FSDirectory.open(dir);
        DirectoryReader r = DirectoryReader.open(d)) {
      return r.numDocs();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
