package org.mobilessh.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The dedupe cache's tables are per observer: loads ask only for the event's own observer. */
class DeduplicatorTest {
  private static final long HOUR = Deduplicator.BUCKET_MICROS;
  // half past an hour: the tolerance around an event reaches no neighbouring hour
  private static final long T0 = 493_000L * HOUR + HOUR / 2;

  /** A store that records what was asked and answers from a fixed list of occurrences. */
  private static final class FakeStore implements Deduplicator.Store {
    final List<String> loads = new ArrayList<>();
    final List<Object[]> indexed = new ArrayList<>();
    int refreshes;

    @Override
    public void refresh() {
      refreshes++;
    }

    @Override
    public void load(String observer, long bucket, long from, long to, OccurrenceTable into) {
      loads.add(
          observer + "@" + (bucket == Deduplicator.TIMELESS ? "timeless" : bucket - T0 / HOUR));
      for (Object[] o : indexed) {
        long time = (Long) o[2];
        if (o[0].equals(observer) && time >= from && time < to) {
          into.put((Long) o[1], time, (Long) o[3]);
        }
      }
    }
  }

  @Test
  void theSameHashFromTwoObserversIsTwoEvents() {
    // the hash covers the observer, so equal hashes of two observers are a 64-bit collision
    Deduplicator d = new Deduplicator(new FakeStore(), 1000);
    assertThat(d.admit("router1", "a.log", 1, 42L, T0 + 10, 5)).isEqualTo(Deduplicator.NEW);
    assertThat(d.admit("router2", "b.log", 1, 42L, T0 + 10, 5)).isEqualTo(Deduplicator.NEW);
    // and within one observer the other source's copy is still the same event
    assertThat(d.admit("router1", "c.log", 1, 42L, T0 + 1_000_000, 5))
        .isEqualTo(Deduplicator.DUPLICATE);
    assertThat(d.admit("router2", "d.log", 1, 42L, T0 + 2_000_000, 5))
        .isEqualTo(Deduplicator.DUPLICATE);
  }

  @Test
  void loadsNameTheObserverAndHour() {
    FakeStore store = new FakeStore();
    Deduplicator d = new Deduplicator(store, 1000);
    d.admit("router1", "a.log", 1, 1L, T0 + 10, 5);
    d.admit("router2", "b.log", 1, 2L, T0 + 20, 5);
    d.admit("", "c.log", 1, 3L, Deduplicator.TIMELESS, 0);
    d.admit("router1", "a.log", 2, 4L, T0 + HOUR + 10, 5);
    assertThat(store.loads).containsExactly("router1@0", "router2@0", "@timeless", "router1@1");
  }

  @Test
  void anEvictedTableIsReloadedForItsObserverOnly() {
    FakeStore store = new FakeStore();
    // what an earlier run indexed: router1's event 7 and router2's event 7 (a collision)
    long origin1 = Deduplicator.origin("old1.log", 1, 5);
    long origin2 = Deduplicator.origin("old2.log", 1, 5);
    store.indexed.add(new Object[] {"router1", 7L, T0 + 100, origin1});
    store.indexed.add(new Object[] {"router2", 7L, T0 + 100, origin2});
    Deduplicator d = new Deduplicator(store, 2);
    // router2's copy of its own event from another file: a duplicate of router2's occurrence
    assertThat(d.admit("router2", "new2.log", 1, 7L, T0 + 200, 5))
        .isEqualTo(Deduplicator.DUPLICATE);
    // fill the cache with later hours of router3 so the first tables are dropped
    for (int i = 0; i < 5; i++) {
      d.admit("router3", "r3.log", i + 1, 100L + i, T0 + (i + 2) * HOUR, 5);
    }
    // router1's copy of its indexed event: loaded again, for router1, and a duplicate
    assertThat(d.admit("router1", "new1.log", 1, 7L, T0 + 300, 5))
        .isEqualTo(Deduplicator.DUPLICATE);
    assertThat(store.loads).contains("router2@0", "router1@0").doesNotContain("router3@0");
  }
}
