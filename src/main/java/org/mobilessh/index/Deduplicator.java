package org.mobilessh.index;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Decides whether an event is already indexed, from its {@link EventIdentity} hash and its time.
 *
 * <p>An event matches an indexed occurrence of the same hash whose time is within {@link
 * #TOLERANCE_MICROS} of its own (sources disagree by up to ~2 s: rsyslog's stamp can be ~1 s early
 * and traditional syslog truncates to the second). Identical lines within one source (IPv6 SYN
 * retransmissions 1 s apart) are separate events, so each <em>pass</em> over a source may use an
 * occurrence once: the n-th identical line of source A matches the n-th of source B, because
 * candidates are taken earliest first. A pass is one reading of one source path; it starts again
 * when the line numbers go back (the same file given twice, a copytruncate).
 *
 * <p>Every occurrence also remembers its <em>origin</em>, the source path and line it was first
 * read from (a 32-bit path hash and the line number). Meeting the same origin again is a duplicate
 * whatever the pass (a file re-read in a later run); an occurrence from another line of the same
 * path is never a match (so a run resumed from a checkpoint between two identical lines does not
 * take the second for the first).
 *
 * <p>Occurrences are cached per hour of event time and loaded from the index on first use; the
 * cache is bounded (least recently used hours are dropped) so memory does not grow with the input.
 * Events without a time (plain {@code conntrack -E}) match by hash and order alone.
 */
final class Deduplicator {
  /** How far apart two sources' stamps of one kernel record may be. */
  static final long TOLERANCE_MICROS = 3_000_000L;

  static final long BUCKET_MICROS = 3_600_000_000L;

  /** Bucket of events without a time. */
  static final long TIMELESS = Long.MIN_VALUE;

  /** How long (source time) a pass remembers which occurrences it used. */
  private static final long PASS_MEMORY_MICROS = 4 * TOLERANCE_MICROS;

  /** Where cached buckets come from: the index. */
  interface Store {
    /** Makes events added since the last refresh visible to {@link #load}. */
    void refresh();

    /** Adds the occurrences with a time in {@code [from, to)} (or none: TIMELESS) to the table. */
    void load(long bucket, long from, long to, OccurrenceTable into);
  }

  private final Store store;
  private final long maxCachedEntries;
  private final LinkedHashMap<Long, OccurrenceTable> buckets = new LinkedHashMap<>(16, 0.75f, true);
  private long cachedEntries;
  private final Set<Long> dirtySinceRefresh = new HashSet<>();
  private final Map<String, Pass> passes = new HashMap<>();
  private long[] scratch = new long[8];
  private long[] scratchOrigins = new long[8];

  Deduplicator(Store store, long maxCachedEntries) {
    this.store = store;
    this.maxCachedEntries = maxCachedEntries;
  }

  /**
   * Records the event and says whether it is new.
   *
   * @param time µs since the epoch, or {@link #TIMELESS}
   * @return {@code true} if the caller must index it, {@code false} for a duplicate
   */
  boolean admit(String source, long lineNumber, long hash, long time) {
    long origin = origin(source, lineNumber);
    Pass pass = passes.get(source);
    if (pass == null || lineNumber <= pass.lastLine) {
      pass = new Pass();
      passes.put(source, pass);
    }
    pass.lastLine = lineNumber;
    boolean timeless = time == TIMELESS;
    long lo = timeless ? Long.MIN_VALUE : time - TOLERANCE_MICROS;
    long hi = timeless ? Long.MAX_VALUE : time + TOLERANCE_MICROS;
    long firstBucket = timeless ? TIMELESS : Math.floorDiv(lo, BUCKET_MICROS);
    long lastBucket = timeless ? TIMELESS : Math.floorDiv(hi, BUCKET_MICROS);
    int n = 0;
    for (long b = firstBucket; b <= lastBucket; b++) {
      OccurrenceTable t = bucket(b, firstBucket, lastBucket);
      int room = t.countOf(hash);
      if (n + room > scratch.length) {
        int size = Math.max(scratch.length * 2, n + room);
        scratch = Arrays.copyOf(scratch, size);
        scratchOrigins = Arrays.copyOf(scratchOrigins, size);
      }
      n = t.collect(hash, lo, hi, scratch, scratchOrigins, n);
    }
    if (n > 0) {
      int kept = 0;
      for (int i = 0; i < n; i++) {
        if (scratchOrigins[i] == origin) {
          pass.markUsed(hash, scratch[i]);
          return false;
        }
        if (samePath(scratchOrigins[i], origin)) {
          continue;
        }
        scratch[kept++] = scratch[i];
      }
      if (kept > 0 && pass.use(hash, scratch, kept, time)) {
        return false;
      }
    }
    long home = timeless ? TIMELESS : Math.floorDiv(time, BUCKET_MICROS);
    bucket(home, firstBucket, lastBucket).put(hash, time, origin);
    cachedEntries++;
    dirtySinceRefresh.add(home);
    pass.markUsed(hash, time);
    evict(firstBucket, lastBucket);
    return true;
  }

  /** A source line's origin key, as stored in {@code event.origin}: path hash and line number. */
  static long origin(String source, long lineNumber) {
    return ((long) source.hashCode() << 32) | (lineNumber & 0xffffffffL);
  }

  private static boolean samePath(long a, long b) {
    return (a >>> 32) == (b >>> 32);
  }

  private OccurrenceTable bucket(long b, long keepFrom, long keepTo) {
    OccurrenceTable t = buckets.get(b);
    if (t != null) {
      return t;
    }
    if (dirtySinceRefresh.contains(b)) {
      // this hour got events after the reader was opened and was dropped from the cache since
      store.refresh();
      dirtySinceRefresh.clear();
    }
    t = new OccurrenceTable();
    if (b == TIMELESS) {
      store.load(b, 0, 0, t);
    } else {
      store.load(b, b * BUCKET_MICROS, (b + 1) * BUCKET_MICROS, t);
    }
    buckets.put(b, t);
    cachedEntries += t.size();
    evict(keepFrom, keepTo);
    return t;
  }

  private void evict(long keepFrom, long keepTo) {
    if (cachedEntries <= maxCachedEntries) {
      return;
    }
    Iterator<Map.Entry<Long, OccurrenceTable>> it = buckets.entrySet().iterator();
    while (cachedEntries > maxCachedEntries && it.hasNext()) {
      Map.Entry<Long, OccurrenceTable> e = it.next();
      long b = e.getKey();
      if (b >= keepFrom && b <= keepTo) {
        continue;
      }
      cachedEntries -= e.getValue().size();
      it.remove();
    }
  }

  /** Forgets everything: after a rollback the cache would describe events that are gone. */
  void clear() {
    buckets.clear();
    cachedEntries = 0;
    dirtySinceRefresh.clear();
    passes.clear();
  }

  /** Which occurrences one reading of one source has matched or created. */
  private static final class Pass {
    long lastLine = Long.MIN_VALUE;
    private long generationStart = Long.MIN_VALUE;
    private Map<Long, long[]> current = new HashMap<>();
    private Map<Long, long[]> previous = new HashMap<>();
    private final Map<Long, long[]> timeless = new HashMap<>();

    /** Picks the earliest candidate this pass has not used yet (with multiplicity). */
    boolean use(long hash, long[] candidates, int n, long time) {
      if (n > 1) {
        Arrays.sort(candidates, 0, n);
      }
      for (int i = 0; i < n; ) {
        long v = candidates[i];
        int j = i;
        while (j < n && candidates[j] == v) {
          j++;
        }
        if (usedCount(hash, v, time) < j - i) {
          markUsed(hash, v, time);
          return true;
        }
        i = j;
      }
      return false;
    }

    void markUsed(long hash, long time) {
      markUsed(hash, time, time);
    }

    private void markUsed(long hash, long occurrence, long eventTime) {
      Map<Long, long[]> map = mapFor(eventTime);
      long[] used = map.get(hash);
      if (used == null) {
        map.put(hash, new long[] {occurrence});
      } else {
        long[] more = Arrays.copyOf(used, used.length + 1);
        more[used.length] = occurrence;
        map.put(hash, more);
      }
    }

    private int usedCount(long hash, long occurrence, long eventTime) {
      if (eventTime == TIMELESS) {
        return count(timeless.get(hash), occurrence);
      }
      return count(current.get(hash), occurrence) + count(previous.get(hash), occurrence);
    }

    private static int count(long[] used, long v) {
      int c = 0;
      if (used != null) {
        for (long u : used) {
          if (u == v) {
            c++;
          }
        }
      }
      return c;
    }

    private Map<Long, long[]> mapFor(long eventTime) {
      if (eventTime == TIMELESS) {
        return timeless;
      }
      if (generationStart == Long.MIN_VALUE) {
        generationStart = eventTime;
      } else if (eventTime - generationStart > PASS_MEMORY_MICROS) {
        // two generations cover at least PASS_MEMORY_MICROS of source time: far more than any
        // two matching occurrences can be apart, and the memory stays bounded
        previous = current;
        current = new HashMap<>();
        generationStart = eventTime;
      }
      return current;
    }
  }
}
