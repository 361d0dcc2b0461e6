package org.mobilessh.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.mobilessh.parse.FormatDetector;
import org.mobilessh.parse.LineParser;
import org.mobilessh.parse.LogEvent;
import org.mobilessh.parse.ParseContext;
import org.mobilessh.parse.ParseResult;

/**
 * The writer's remembered netfilter heads and its pass bookkeeping must not change a value: the
 * event hash is stored in every index and compared across runs.
 */
class EventIdentityMemoTest {

  /** Every event of the sample logs and the simulated month, shuffled, under several observers. */
  @Test
  void theMemoGivesWhatOfGives() throws IOException {
    List<LogEvent> events = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> s = Files.walk(Path.of("sample-logs"))) {
      files =
          s.filter(
                  p ->
                      p.toString().endsWith(".log")
                          || p.getFileName().toString().startsWith("syslog")
                          || p.getFileName().toString().startsWith("kern"))
              .filter(Files::isRegularFile)
              .sorted()
              .toList();
    }
    for (Path f : files) {
      List<String> lines = Files.readAllLines(f, StandardCharsets.ISO_8859_1);
      var format = FormatDetector.detect(lines.subList(0, Math.min(50, lines.size())));
      if (format.isEmpty()) {
        continue;
      }
      LineParser p = format.get().newParser(ParseContext.of(f.toString(), 2026, ZoneOffset.UTC));
      for (int i = 0; i < lines.size(); i++) {
        if (p.parse(lines.get(i), i + 1) instanceof ParseResult.Parsed ok) {
          events.add(ok.event());
        }
      }
    }
    assertThat(events.size()).isGreaterThan(4_000);
    Random r = new Random(3);
    Collections.shuffle(events, r);
    EventIdentity.Memo memo = new EventIdentity.Memo();
    String[] observers = {"router1", "router2", "", "router1"};
    for (LogEvent e : events) {
      String observer = observers[r.nextInt(observers.length)];
      assertThat(memo.of(e, observer)).as(e.toString()).isEqualTo(EventIdentity.of(e, observer));
    }
  }

  /** The pass's primitive multimap against a HashMap of lists, under random adds and looks. */
  @Test
  void usedMapBehavesLikeAMapOfLists() {
    Random r = new Random(9);
    for (int round = 0; round < 50; round++) {
      Deduplicator.UsedMap m = new Deduplicator.UsedMap();
      Map<Long, List<Long>> ref = new HashMap<>();
      int keys = 1 + r.nextInt(500);
      for (int i = 0; i < 3000; i++) {
        long k =
            r.nextBoolean() ? r.nextInt(keys) : r.nextLong() * 0x100000000L; // colliding low bits
        long v = r.nextInt(5);
        if (r.nextInt(1000) == 0) {
          m.clear(); // reused as a pass's next generation
          ref.clear();
        }
        if (r.nextBoolean()) {
          m.add(k, v);
          ref.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
        }
        long[] got = m.get(k);
        List<Long> want = ref.get(k);
        if (want == null) {
          assertThat(got).isNull();
        } else {
          assertThat(got).containsExactly(want.stream().mapToLong(Long::longValue).toArray());
        }
        long probe = r.nextInt(5);
        assertThat(m.count(k, probe))
            .isEqualTo(want == null ? 0 : (int) want.stream().filter(x -> x == probe).count());
      }
    }
  }
}
