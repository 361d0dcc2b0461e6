package org.mobilessh.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LineSort} gives every line added in key order, whatever the order they came in (in order,
 * nearly in order, shuffled), however small its memory, across several sorts absorbed into one, and
 * leaves no run file behind.
 */
class LineSortTest {
  @TempDir Path tmp;

  private record L(int path, long line, long order1, long order2, String text) {}

  // path ids ordered by a name that is not their number
  private static final String[] NAMES = {"/d", "/b", "/e", "/a", "/c"};
  private static final LineSort.PathOrder ORDER = (a, b) -> NAMES[a].compareTo(NAMES[b]);
  private static final Comparator<L> BY_KEY =
      Comparator.comparing((L l) -> NAMES[l.path()])
          .thenComparingLong(L::line)
          .thenComparingLong(L::order1)
          .thenComparingLong(L::order2);

  @Test
  void linesComeOutInKeyOrderHoweverTheyCameIn() throws IOException {
    Random rnd = new Random(5);
    List<L> inOrder = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      int path = rnd.nextInt(NAMES.length);
      long line = rnd.nextInt(3_000);
      String text =
          i % 997 == 0
              ? "long " + "x\u00e9".repeat(40_000) // longer than a run file's buffer
              : "line " + i + (i % 3 == 0 ? " \u00fc\u4e2d" : "");
      inOrder.add(new L(path, line, rnd.nextInt(3), i, text));
    }
    inOrder.sort(BY_KEY);
    List<L> shuffled = new ArrayList<>(inOrder);
    java.util.Collections.shuffle(shuffled, rnd);
    List<L> nearly = new ArrayList<>(inOrder);
    for (int i = 0; i + 1 < nearly.size(); i += 50) {
      java.util.Collections.swap(
          nearly, i, i + 1 + rnd.nextInt(Math.min(40, nearly.size() - i - 1)));
    }
    for (List<L> input : List.of(inOrder, shuffled, nearly)) {
      for (int runRecords : new int[] {1_000_000, 1_000, 7}) {
        try (LineSort s = new LineSort(ORDER, runRecords, tmp)) {
          for (L l : input) {
            s.add(l.path(), l.line(), l.order1(), l.order2(), l.text());
            assertThat(s.held()).isLessThanOrEqualTo(runRecords);
          }
          assertThat(drained(s)).as("run records %d", runRecords).isEqualTo(seen(inOrder));
        }
        assertNoRunFiles();
      }
    }
  }

  @Test
  void sortsAbsorbedIntoOneGiveTheOrderOfAll() throws IOException {
    Random rnd = new Random(9);
    List<L> all = new ArrayList<>();
    try (LineSort root = new LineSort(ORDER, 100, tmp)) {
      List<LineSort> parts = new ArrayList<>();
      for (int p = 0; p < 3; p++) {
        parts.add(new LineSort(ORDER, 100, tmp));
      }
      for (int i = 0; i < 5_000; i++) {
        L l = new L(rnd.nextInt(NAMES.length), i / 3, i, rnd.nextInt(), "t" + i);
        all.add(l);
        parts.get(i % 3).add(l.path(), l.line(), l.order1(), l.order2(), l.text());
      }
      for (LineSort p : parts) {
        p.finishRead();
        root.absorb(p);
        assertThat(p.spilled()).isZero();
      }
      all.sort(BY_KEY);
      assertThat(root.size()).isEqualTo(all.size());
      assertThat(drained(root)).isEqualTo(seen(all));
    }
    assertNoRunFiles();
  }

  /** What the sink sees of each line, in the order drained (texts are unique: they tell order). */
  private static List<String> drained(LineSort s) {
    List<String> out = new ArrayList<>();
    s.drain(
        (path, line, text, off, len) ->
            out.add(path + "|" + line + "|" + new String(text, off, len, StandardCharsets.UTF_8)));
    return out;
  }

  private static List<String> seen(List<L> lines) {
    return lines.stream().map(l -> l.path() + "|" + l.line() + "|" + l.text()).toList();
  }

  private void assertNoRunFiles() throws IOException {
    try (Stream<Path> left = Files.list(tmp)) {
      assertThat(left).as("run files left").isEmpty();
    }
  }
}
