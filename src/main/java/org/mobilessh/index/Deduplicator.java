package org.mobilessh.index;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
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
 * <p>Occurrences are cached per observer and hour of event time and loaded from the index on first
 * use; the cache is bounded (least recently used tables are dropped) so memory does not grow with
 * the input. Events without a time (plain {@code conntrack -E}) match by hash and order alone. The
 * observer is part of the hash, so an occurrence of another observer can never be the same event:
 * keeping observers apart loads only the occurrences that can match (ten routers' files read one
 * after the other reloaded every earlier router's hour from the index, 45 million occurrences for
 * 10 M lines) and no longer lets a 64-bit collision between two routers' events drop one of them.
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

    /**
     * Adds the occurrences of {@code observer} ({@code ""}: events without one) with a time in
     * {@code [from, to)} (or none: TIMELESS) to the table.
     */
    void load(String observer, long bucket, long from, long to, OccurrenceTable into);
  }

  private final Store store;
  private final long maxCachedEntries;
  private final LinkedHashMap<Key, OccurrenceTable> buckets = new LinkedHashMap<>(16, 0.75f, true);
  private long cachedEntries;
  private final Set<Key> dirtySinceRefresh = new HashSet<>();
  private final Map<String, Pass> passes = new HashMap<>();
  // observer name -> its number in the bucket keys; the last observer's (the same String again)
  private final Map<String, Integer> observers = new HashMap<>();
  private final List<String> observerNames = new ArrayList<>();
  private String lastObserver;
  private int lastObserverId;
  // the bucket of the last buckets.get/put (the access order's most recent), its table; null if
  // unknown or evicted
  private long recentBucket;
  private int recentObserver;
  private OccurrenceTable recentTable;
  // the last bucket added to dirtySinceRefresh since it was last cleared
  private long lastDirty;
  private int lastDirtyObserver;
  private boolean lastDirtyValid;
  // the last source's pass (passes.get(source) for the same String again)
  private String lastSource;
  private Pass lastPass;
  private long[] scratch = new long[8];
  private long[] scratchOrigins = new long[8];

  Deduplicator(Store store, long maxCachedEntries) {
    this.store = store;
    this.maxCachedEntries = maxCachedEntries;
  }

  /** {@link #admit} outcome: already indexed as well as this source can tell. */
  static final int DUPLICATE = 0;

  /** {@link #admit} outcome: a new event, index it. */
  static final int NEW = 1;

  /**
   * {@link #admit} outcome: already indexed, but this copy's time is better (finer, or the kernel's
   * own clock): replace the indexed document ({@link #replacedTime}, {@link #replacedOrigin}).
   */
  static final int BETTER_COPY = 2;

  /** Time of the occurrence a {@link #BETTER_COPY} replaces. */
  long replacedTime;

  /** Origin of the occurrence a {@link #BETTER_COPY} replaces. */
  long replacedOrigin;

  /**
   * Records the event and says whether it is new.
   *
   * @param observer the observer whose name is part of {@code hash} ({@code ""} if none)
   * @param time µs since the epoch, or {@link #TIMELESS}
   * @param quality how good the event's time is, 0..15 (see {@link #origin})
   * @return {@link #NEW}, {@link #DUPLICATE} or {@link #BETTER_COPY}
   */
  int admit(String observer, String source, long lineNumber, long hash, long time, int quality) {
    int obs = observerId(observer);
    long origin = origin(source, lineNumber, quality);
    Pass pass = source == lastSource ? lastPass : passes.get(source);
    if (pass == null || lineNumber <= pass.lastLine) {
      pass = new Pass();
      passes.put(source, pass);
    }
    lastSource = source;
    lastPass = pass;
    pass.lastLine = lineNumber;
    boolean timeless = time == TIMELESS;
    long lo = timeless ? Long.MIN_VALUE : time - TOLERANCE_MICROS;
    long hi = timeless ? Long.MAX_VALUE : time + TOLERANCE_MICROS;
    long firstBucket = timeless ? TIMELESS : Math.floorDiv(lo, BUCKET_MICROS);
    long lastBucket = timeless ? TIMELESS : Math.floorDiv(hi, BUCKET_MICROS);
    int n = 0;
    for (long b = firstBucket; b <= lastBucket; b++) {
      OccurrenceTable t = bucket(obs, b, firstBucket, lastBucket);
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
          return DUPLICATE;
        }
        if (samePath(scratchOrigins[i], origin)) {
          continue;
        }
        scratch[kept] = scratch[i];
        scratchOrigins[kept++] = scratchOrigins[i];
      }
      sortByTime(scratch, scratchOrigins, kept);
      int match = kept > 0 ? pass.use(hash, scratch, kept, time) : -1;
      if (match >= 0) {
        if (!timeless && quality > qualityOf(scratchOrigins[match])) {
          replacedTime = scratch[match];
          replacedOrigin = scratchOrigins[match];
          long b = Math.floorDiv(replacedTime, BUCKET_MICROS);
          OccurrenceTable t = buckets.get(new Key(obs, b));
          // that get made b the most recently used bucket
          recentBucket = b;
          recentObserver = obs;
          recentTable = t;
          if (t != null) {
            t.replace(hash, replacedTime, replacedOrigin, time, origin);
          }
          dirty(obs, b);
          pass.markUsed(hash, time);
          return BETTER_COPY;
        }
        return DUPLICATE;
      }
    }
    long home = timeless ? TIMELESS : Math.floorDiv(time, BUCKET_MICROS);
    bucket(obs, home, firstBucket, lastBucket).put(hash, time, origin);
    cachedEntries++;
    dirty(obs, home);
    pass.markUsed(hash, time);
    evict(obs, firstBucket, lastBucket);
    return NEW;
  }

  private int observerId(String observer) {
    if (observer == lastObserver) {
      return lastObserverId;
    }
    Integer id = observers.get(observer);
    if (id == null) {
      id = observerNames.size();
      observers.put(observer, id);
      observerNames.add(observer);
    }
    lastObserver = observer;
    lastObserverId = id;
    return id;
  }

  /**
   * A source line's origin key, as stored in {@code event.origin}: the path's 32-bit hash, the time
   * quality (4 bits) and the line number (28 bits; wraps beyond 268 million lines per file, which
   * only weakens the same-path rule for such files).
   */
  static long origin(String source, long lineNumber, int quality) {
    return ((long) source.hashCode() << 32)
        | ((long) (quality & 0xf) << 28)
        | (lineNumber & 0x0fffffffL);
  }

  static int qualityOf(long origin) {
    return (int) ((origin >>> 28) & 0xf);
  }

  private static void sortByTime(long[] times, long[] origins, int n) {
    for (int i = 1; i < n; i++) {
      long t = times[i];
      long o = origins[i];
      int j = i - 1;
      while (j >= 0 && times[j] > t) {
        times[j + 1] = times[j];
        origins[j + 1] = origins[j];
        j--;
      }
      times[j + 1] = t;
      origins[j + 1] = o;
    }
  }

  private static boolean samePath(long a, long b) {
    return (a >>> 32) == (b >>> 32);
  }

  /** {@code dirtySinceRefresh.add(key)}, skipped when it is the last one added since a clear. */
  private void dirty(int obs, long b) {
    if (b != lastDirty || obs != lastDirtyObserver || !lastDirtyValid) {
      dirtySinceRefresh.add(new Key(obs, b));
      lastDirty = b;
      lastDirtyObserver = obs;
      lastDirtyValid = true;
    }
  }

  private OccurrenceTable bucket(int obs, long b, long keepFrom, long keepTo) {
    // the most recently used bucket again (nearly every event falls into the hour of the one
    // before): a get would find it and leave the access order as it is
    OccurrenceTable t = recentTable;
    if (t != null && b == recentBucket && obs == recentObserver) {
      return t;
    }
    Key key = new Key(obs, b);
    t = buckets.get(key);
    if (t != null) {
      recentBucket = b;
      recentObserver = obs;
      recentTable = t;
      return t;
    }
    if (dirtySinceRefresh.contains(key)) {
      // this hour got events after the reader was opened and was dropped from the cache since
      store.refresh();
      dirtySinceRefresh.clear();
      lastDirtyValid = false;
    }
    // An observer's next hour usually has about as many events as the one before, which is the
    // most recently used table when the first event's window reaches into the new hour: start
    // with room for as many (growing from 64 slots allocated, zeroed and rehashed twice the final
    // size: a tenth of the reading thread's allocation). Only the previous hour of the same
    // observer gives the size, so a quiet hour after a busy one is the only oversized table, and
    // the busy one's entries count against the cache bound.
    OccurrenceTable before = recentTable;
    t =
        before != null && recentObserver == obs && recentBucket == b - 1
            ? new OccurrenceTable(before.size())
            : new OccurrenceTable();
    String observer = observerNames.get(obs);
    if (b == TIMELESS) {
      store.load(observer, b, 0, 0, t);
    } else {
      store.load(observer, b, b * BUCKET_MICROS, (b + 1) * BUCKET_MICROS, t);
    }
    buckets.put(key, t);
    recentBucket = b;
    recentObserver = obs;
    recentTable = t;
    cachedEntries += t.size();
    evict(obs, keepFrom, keepTo);
    return t;
  }

  /** Drops least recently used tables, never the observer's hours the current event looks at. */
  private void evict(int obs, long keepFrom, long keepTo) {
    if (cachedEntries <= maxCachedEntries) {
      return;
    }
    Iterator<Map.Entry<Key, OccurrenceTable>> it = buckets.entrySet().iterator();
    while (cachedEntries > maxCachedEntries && it.hasNext()) {
      Map.Entry<Key, OccurrenceTable> e = it.next();
      long b = e.getKey().hour();
      if (e.getKey().observer() == obs && b >= keepFrom && b <= keepTo) {
        continue;
      }
      cachedEntries -= e.getValue().size();
      if (e.getValue() == recentTable) {
        recentTable = null;
      }
      it.remove();
    }
  }

  /** Forgets everything: after a rollback the cache would describe events that are gone. */
  void clear() {
    buckets.clear();
    cachedEntries = 0;
    dirtySinceRefresh.clear();
    passes.clear();
    recentTable = null;
    lastDirtyValid = false;
    lastSource = null;
    lastPass = null;
  }

  /** A cached table's key: an observer's number and an hour (or {@link #TIMELESS}). */
  private record Key(int observer, long hour) {}

  /** Which occurrences one reading of one source has matched or created. */
  private static final class Pass {
    long lastLine = Long.MIN_VALUE;
    private long generationStart = Long.MIN_VALUE;
    private UsedMap current = new UsedMap();
    private UsedMap previous = new UsedMap();
    private final UsedMap timeless = new UsedMap();

    /**
     * Picks the earliest candidate this pass has not used yet (with multiplicity); candidates are
     * sorted by time. Returns its index, or -1.
     */
    int use(long hash, long[] candidates, int n, long time) {
      for (int i = 0; i < n; ) {
        long v = candidates[i];
        int j = i;
        while (j < n && candidates[j] == v) {
          j++;
        }
        int used = usedCount(hash, v, time);
        if (used < j - i) {
          markUsed(hash, v, time);
          return i + used;
        }
        i = j;
      }
      return -1;
    }

    void markUsed(long hash, long time) {
      markUsed(hash, time, time);
    }

    private void markUsed(long hash, long occurrence, long eventTime) {
      mapFor(eventTime).add(hash, occurrence);
    }

    private int usedCount(long hash, long occurrence, long eventTime) {
      if (eventTime == TIMELESS) {
        return timeless.count(hash, occurrence);
      }
      return current.count(hash, occurrence) + previous.count(hash, occurrence);
    }

    private UsedMap mapFor(long eventTime) {
      if (eventTime == TIMELESS) {
        return timeless;
      }
      if (generationStart == Long.MIN_VALUE) {
        generationStart = eventTime;
      } else if (eventTime - generationStart > PASS_MEMORY_MICROS) {
        // two generations cover at least PASS_MEMORY_MICROS of source time: far more than any
        // two matching occurrences can be apart, and the memory stays bounded
        UsedMap reused = previous;
        previous = current;
        reused.clear();
        current = reused;
        generationStart = eventTime;
      }
      return current;
    }
  }

  /**
   * hash -> the occurrence times a pass used for it (a multiset, in the order used): open
   * addressing over primitive keys, so no boxed Long and no map node per event. The first
   * occurrence of a hash is kept inline (nearly every hash is used once: no array per event); a
   * slot is taken when its count is not 0.
   */
  static final class UsedMap {
    private static final int INITIAL = 16;
    private static final int KEPT = 1024;
    private long[] keys = new long[INITIAL];
    private long[] firsts = new long[INITIAL];
    private long[][] rests = new long[INITIAL][]; // the occurrences after the first
    private int[] counts = new int[INITIAL];
    private int size;

    /** The occurrences used for {@code key}, in order, or null (a new array: for tests). */
    long[] get(long key) {
      int i = find(key);
      if (i < 0) {
        return null;
      }
      long[] all = new long[counts[i]];
      all[0] = firsts[i];
      if (all.length > 1) {
        System.arraycopy(rests[i], 0, all, 1, all.length - 1);
      }
      return all;
    }

    /** How many times {@code occurrence} was used for {@code key}. */
    int count(long key, long occurrence) {
      int i = find(key);
      if (i < 0) {
        return 0;
      }
      int c = firsts[i] == occurrence ? 1 : 0;
      long[] more = rests[i];
      for (int j = 0; j < counts[i] - 1; j++) {
        if (more[j] == occurrence) {
          c++;
        }
      }
      return c;
    }

    private int find(long key) {
      int mask = keys.length - 1;
      for (int i = slot(key, mask); counts[i] != 0; i = (i + 1) & mask) {
        if (keys[i] == key) {
          return i;
        }
      }
      return -1;
    }

    void add(long key, long occurrence) {
      int mask = keys.length - 1;
      int i = slot(key, mask);
      for (; counts[i] != 0; i = (i + 1) & mask) {
        if (keys[i] == key) {
          int more = counts[i] - 1;
          long[] rest = rests[i];
          if (rest == null || rest.length == more) {
            rest = rest == null ? new long[2] : Arrays.copyOf(rest, more * 2);
            rests[i] = rest;
          }
          rest[more] = occurrence;
          counts[i]++;
          return;
        }
      }
      keys[i] = key;
      firsts[i] = occurrence;
      counts[i] = 1;
      if (++size * 2 > keys.length) {
        grow();
      }
    }

    /** Empties the map for reuse; a map that grew large is let go. */
    void clear() {
      if (keys.length > KEPT) {
        keys = new long[INITIAL];
        firsts = new long[INITIAL];
        rests = new long[INITIAL][];
        counts = new int[INITIAL];
      } else if (size > 0) {
        Arrays.fill(counts, 0);
        Arrays.fill(rests, null);
      }
      size = 0;
    }

    private void grow() {
      long[] oldKeys = keys;
      long[] oldFirsts = firsts;
      long[][] oldRests = rests;
      int[] oldCounts = counts;
      int n = oldKeys.length * 2;
      keys = new long[n];
      firsts = new long[n];
      rests = new long[n][];
      counts = new int[n];
      int mask = n - 1;
      for (int j = 0; j < oldKeys.length; j++) {
        if (oldCounts[j] != 0) {
          int i = slot(oldKeys[j], mask);
          while (counts[i] != 0) {
            i = (i + 1) & mask;
          }
          keys[i] = oldKeys[j];
          firsts[i] = oldFirsts[j];
          rests[i] = oldRests[j];
          counts[i] = oldCounts[j];
        }
      }
    }

    private static int slot(long key, int mask) {
      long h = key * 0x9E3779B97F4A7C15L;
      return (int) (h ^ (h >>> 32)) & mask;
    }
  }
}
