package org.mobilessh.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OccurrenceTableTest {

  /** A presized table holds the same occurrences as one grown from the smallest size. */
  @Test
  void aPresizedTableAnswersLikeAGrownOne() {
    Random r = new Random(5);
    for (int round = 0; round < 200; round++) {
      int n = r.nextInt(5000);
      int keys = 1 + r.nextInt(n + 1);
      OccurrenceTable grown = new OccurrenceTable();
      OccurrenceTable presized = new OccurrenceTable(r.nextInt(2 * n + 1));
      long[] k = new long[n];
      for (int i = 0; i < n; i++) {
        // keys that share their low bits, so probe chains run long and wrap around
        k[i] = r.nextInt(keys) * (r.nextBoolean() ? 1L : 1L << 40);
        long time = r.nextInt(100);
        grown.put(k[i], time, i);
        presized.put(k[i], time, i);
      }
      assertThat(presized.size()).isEqualTo(grown.size());
      for (int i = 0; i < n; i++) {
        assertThat(presized.countOf(k[i])).isEqualTo(grown.countOf(k[i]));
        assertThat(collected(presized, k[i])).isEqualTo(collected(grown, k[i]));
      }
    }
  }

  @Test
  void presizingHasRoomForTheExpectedEntriesAndAStop() {
    assertThat(new OccurrenceTable(0).capacity()).isEqualTo(64);
    assertThat(new OccurrenceTable(1370).capacity()).isEqualTo(4096);
    assertThat(new OccurrenceTable(2048).capacity()).isEqualTo(4096);
    assertThat(new OccurrenceTable(2049).capacity()).isEqualTo(8192);
    assertThat(new OccurrenceTable(Integer.MAX_VALUE).capacity())
        .isEqualTo(OccurrenceTable.MAX_PRESIZE);
    OccurrenceTable t = new OccurrenceTable(2048);
    for (int i = 0; i < 2048; i++) {
      t.put(i, i, i);
    }
    assertThat(t.capacity()).isEqualTo(4096); // no growth
  }

  /** The times and origins of {@code key} in [10, 80], as sorted pairs. */
  private static String collected(OccurrenceTable t, long key) {
    long[] times = new long[t.countOf(key)];
    long[] origins = new long[times.length];
    int n = t.collect(key, 10, 80, times, origins, 0);
    String[] pairs = new String[n];
    for (int i = 0; i < n; i++) {
      pairs[i] = times[i] + "/" + origins[i];
    }
    Arrays.sort(pairs);
    return String.join(",", pairs);
  }
}
