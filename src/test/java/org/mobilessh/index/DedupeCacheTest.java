package org.mobilessh.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mobilessh.parse.LogFormat;

/**
 * The dedupe cache is bounded: hours dropped from it are reloaded from the index (including events
 * of this run not yet committed), so a tiny cache gives the same answers as a large one.
 */
class DedupeCacheTest {
  @TempDir Path dir;

  /** One reject line every 10 minutes for two days: 288 events over 48 hours. */
  private Path twoDays(String name) throws IOException {
    return twoDays(name, "router1");
  }

  private Path twoDays(String name, String host) throws IOException {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 288; i++) {
      int minutes = i * 10;
      lines.add(
          String.format(
              Locale.ROOT,
              "Nov %2d %02d:%02d:07 "
                  + host
                  + " kernel: mobilessh-reject: IN=mshs-ph OUT="
                  + " MAC=00:00:5e:00:53:a0:00:00:5e:00:53:10:08:00 SRC=203.0.113.10"
                  + " DST=192.0.2.1 LEN=60 TOS=0x00 PREC=0x00 TTL=64 ID=%d DF PROTO=TCP SPT=%d"
                  + " DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0 ",
              20 + minutes / 1440,
              (minutes / 60) % 24,
              minutes % 60,
              1000 + i,
              40000 + i));
    }
    Path p = dir.resolve(name);
    Files.write(p, lines);
    return p;
  }

  @Test
  void tinyCacheStillFindsEveryDuplicateWithinARunAndAcrossRuns() throws IOException {
    Path a = twoDays("a.log");
    List<SourcedEvent> first = SampleLogs.events(a, "a.log", LogFormat.SYSLOG);
    assertThat(first).hasSize(288);
    Path idx = dir.resolve("index");
    try (EventIndex index = EventIndex.open(idx, 10)) {
      assertThat(SampleLogs.addAll(index, first)).isEqualTo(288);
      // the same events as another file, from the start again: every early hour was dropped
      // from the cache and holds uncommitted events, so it must come back through the writer
      List<SourcedEvent> copy =
          first.stream()
              .map(e -> new SourcedEvent(e.event(), e.originalLine(), "b.log", 0, e.lineNumber()))
              .toList();
      assertThat(SampleLogs.addAll(index, copy)).isZero();
      index.commit(Map.of());
    }
    try (EventIndex index = EventIndex.open(idx, 10)) {
      List<SourcedEvent> reversed = new ArrayList<>(first);
      Collections.reverse(reversed);
      int line = 0;
      int added = 0;
      for (SourcedEvent e : reversed) {
        added +=
            index.add(new SourcedEvent(e.event(), e.originalLine(), "c.log", 0, ++line)) ? 1 : 0;
      }
      assertThat(added).isZero();
      index.commit(Map.of());
    }
    try (EventSearcher s = EventSearcher.open(idx)) {
      assertThat(s.count(s.parse("action:reject"))).isEqualTo(288);
    }
  }

  @Test
  void routersReadOneAfterTheOtherWithATinyCache() throws IOException {
    List<SourcedEvent> r1 = SampleLogs.events(twoDays("r1.log", "r1"), "r1.log", LogFormat.SYSLOG);
    List<SourcedEvent> r2 = SampleLogs.events(twoDays("r2.log", "r2"), "r2.log", LogFormat.SYSLOG);
    Path idx = dir.resolve("index");
    try (EventIndex index = EventIndex.open(idx, 10)) {
      assertThat(SampleLogs.addAll(index, r1)).isEqualTo(288);
      assertThat(SampleLogs.addAll(index, r2)).isEqualTo(288);
      // both again under other names: router 1's hours come back from the writer, router 2's too
      assertThat(SampleLogs.addAll(index, renamed(r1, "r1-copy.log"))).isZero();
      assertThat(SampleLogs.addAll(index, renamed(r2, "r2-copy.log"))).isZero();
      index.commit(Map.of());
    }
    try (EventIndex index = EventIndex.open(idx, 10)) {
      assertThat(SampleLogs.addAll(index, renamed(r2, "r2-again.log"))).isZero();
      assertThat(SampleLogs.addAll(index, renamed(r1, "r1-again.log"))).isZero();
      index.commit(Map.of());
    }
    try (EventSearcher s = EventSearcher.open(idx)) {
      assertThat(s.count(s.parse("action:reject"))).isEqualTo(576);
      assertThat(s.count(s.parse("host:r2"))).isEqualTo(288);
    }
  }

  @Test
  void eventsWithoutAnObserverWithATinyCache() {
    // conntrack -E lines name no host; parsed without a default one they have no observer
    List<SourcedEvent> ct =
        SampleLogs.events(
            SampleLogs.DIR.resolve("conntrack.log"), "conntrack.log", LogFormat.CONNTRACK, null);
    assertThat(ct).hasSizeGreaterThan(20).allMatch(e -> e.event().hostname() == null);
    Path idx = dir.resolve("index");
    int first;
    try (EventIndex index = EventIndex.open(idx, 10)) {
      first = SampleLogs.addAll(index, ct);
      assertThat(first).isPositive();
      assertThat(SampleLogs.addAll(index, SampleLogs.kernLog())).isPositive();
      assertThat(SampleLogs.addAll(index, renamed(ct, "ct-copy.log"))).isZero();
      index.commit(Map.of());
    }
    try (EventIndex index = EventIndex.open(idx, 10)) {
      assertThat(SampleLogs.addAll(index, renamed(ct, "ct-again.log"))).isZero();
      index.commit(Map.of());
    }
  }

  private static List<SourcedEvent> renamed(List<SourcedEvent> events, String source) {
    return events.stream()
        .map(e -> new SourcedEvent(e.event(), e.originalLine(), source, 0, e.lineNumber()))
        .toList();
  }
}
