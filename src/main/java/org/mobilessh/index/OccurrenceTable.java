package org.mobilessh.index;

/**
 * A compact multimap from an event hash to the times of its indexed occurrences (open addressing,
 * two primitive arrays): the dedupe cache holds up to millions of entries in bounded memory, so no
 * boxing and no per-entry objects.
 */
final class OccurrenceTable {
  private long[] keys;
  private long[] times;
  private long[] origins;
  private boolean[] full;
  private int size;

  /** Largest capacity {@link #OccurrenceTable(int)} starts with (slots; ~0.8 MB). */
  static final int MAX_PRESIZE = 1 << 15;

  OccurrenceTable() {
    allocate(64);
  }

  /**
   * A table that holds {@code expected} entries without growing (capped at {@link #MAX_PRESIZE}
   * slots): growing from 64 slots allocates, zeroes and rehashes twice the final size.
   */
  OccurrenceTable(int expected) {
    int capacity = 64;
    while (capacity < 2L * expected && capacity < MAX_PRESIZE) {
      capacity <<= 1;
    }
    allocate(capacity);
  }

  /** Slots (for tests). */
  int capacity() {
    return keys.length;
  }

  int size() {
    return size;
  }

  /**
   * @param origin where the occurrence was first read, see {@link Deduplicator#origin}
   */
  void put(long key, long time, long origin) {
    if (size * 2 >= keys.length) {
      grow();
    }
    insert(key, time, origin);
    size++;
  }

  /**
   * Appends the times and origins of {@code key} that lie in {@code [lo, hi]} to the arrays and
   * returns the new count; the arrays must have room (see {@link #countOf}).
   */
  int collect(long key, long lo, long hi, long[] outTimes, long[] outOrigins, int count) {
    int mask = keys.length - 1;
    for (int i = slot(key, mask); full[i]; i = (i + 1) & mask) {
      if (keys[i] == key && times[i] >= lo && times[i] <= hi) {
        outTimes[count] = times[i];
        outOrigins[count++] = origins[i];
      }
    }
    return count;
  }

  /** Moves one occurrence to a better copy's time and origin (it keeps its slot). */
  void replace(long key, long time, long origin, long newTime, long newOrigin) {
    int mask = keys.length - 1;
    for (int i = slot(key, mask); full[i]; i = (i + 1) & mask) {
      if (keys[i] == key && times[i] == time && origins[i] == origin) {
        times[i] = newTime;
        origins[i] = newOrigin;
        return;
      }
    }
  }

  /** How many occurrences {@code key} has (an upper bound for {@link #collect}). */
  int countOf(long key) {
    int mask = keys.length - 1;
    int n = 0;
    for (int i = slot(key, mask); full[i]; i = (i + 1) & mask) {
      if (keys[i] == key) {
        n++;
      }
    }
    return n;
  }

  private void insert(long key, long time, long origin) {
    int mask = keys.length - 1;
    int i = slot(key, mask);
    while (full[i]) {
      i = (i + 1) & mask;
    }
    keys[i] = key;
    times[i] = time;
    origins[i] = origin;
    full[i] = true;
  }

  private static int slot(long key, int mask) {
    return (int) (key ^ (key >>> 32)) & mask;
  }

  private void grow() {
    long[] oldKeys = keys;
    long[] oldTimes = times;
    long[] oldOrigins = origins;
    boolean[] oldFull = full;
    allocate(oldKeys.length * 2);
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldFull[i]) {
        insert(oldKeys[i], oldTimes[i], oldOrigins[i]);
      }
    }
  }

  private void allocate(int capacity) {
    keys = new long[capacity];
    times = new long[capacity];
    origins = new long[capacity];
    full = new boolean[capacity];
  }
}
