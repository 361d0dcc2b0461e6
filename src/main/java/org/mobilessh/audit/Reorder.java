package org.mobilessh.audit;

import java.io.Closeable;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Puts records finished out of order back into their output order with bounded memory: a record
 * goes out once the watermark (the earliest key a record still to come can have) has passed its
 * key. Records waiting behind an early watermark (a window still open since the start of the data
 * holds back every later one) are spilled to sorted run files once more than {@code limit} wait in
 * memory, and merged back from them.
 *
 * <p>A buffer made with {@link #split} gives its records as sequences, each in the output order, to
 * a consumer that merges them itself (the results cache's run files) instead of spilling: the
 * records that came while their key was still ahead of the watermark make sequence 0 and go out as
 * the watermark passes them; the others ("late": their key was passed before they came) wait in a
 * buffer of their own for the watermark of everything, and when more than {@code limit} wait they
 * go out sorted as a sequence of their own (1, 2, ...) instead of into a run file. So records that
 * wait long (a window open until the end of the data) hold back only each other, not every record
 * after them, and no record is written twice. Merged by key, tie, then place, the sequences give
 * exactly the one sequence of a buffer that is not split.
 *
 * <p>The files a buffer holds open are bounded, however many records wait: at most {@link
 * #SEQUENCES} late sequences (the last of them takes every late record after the ones before, in
 * order, through run files as a buffer that is not split does), and at most {@link #RUNS} run files
 * (past that, the {@link #MERGE} runs with the fewest records left are merged into one).
 */
final class Reorder<T> implements AutoCloseable {
  /** Writes and reads one record. */
  interface Codec<T> {
    void write(DataOutput out, T t) throws IOException;

    T read(DataInput in) throws IOException;
  }

  /**
   * Takes a record with its place among records equal in order ({@link #reserve}) and the number of
   * its sequence ({@link #split}).
   */
  interface Placed<T> {
    void accept(T t, long place, int sequence);

    /**
     * For a consumer that writes what it is given (the results cache): writes {@code t} into {@code
     * record} and {@code texts} exactly as {@link #accept(Object, long, int)} would write it to its
     * files after the place, and says {@code true}; {@code false} (the default): not such a
     * consumer. A buffer's late records wait long (a window open until the end of the data holds
     * them back): written when they come, while their objects are fresh in the processor's cache,
     * they go out as bytes instead of being read again from memory long since cold.
     */
    default boolean encode(T t, RunOutput record, RunOutput texts) throws IOException {
      return false;
    }

    /** A record as {@link #encode} wrote it, given in the order of its sequence. */
    default void accept(
        byte[] record,
        int off,
        int len,
        byte[] texts,
        int textOff,
        int textLen,
        long place,
        int sequence) {
      throw new UnsupportedOperationException("not a consumer that encodes");
    }
  }

  /**
   * A tie order that also gives, per record, the bytes it compares: records of equal {@link
   * #group}s compare as their {@link #rest}s do (unsigned bytes, one that is the start of another
   * first, as {@link String#compareTo} compares Latin-1 text). A buffer takes both when the record
   * comes, the bytes as numbers, so that the sifts of its heap compare numbers and references in
   * arrays instead of reading records that went cold while they waited (windows with equal opening
   * times are common: set lines have whole seconds).
   */
  interface RankedTie<T> extends Comparator<T> {
    /** What the tie compares first (the router). */
    Object group(T t);

    /**
     * Writes what the tie compares after the group (an address's text) into {@code b}, at most
     * {@link #RANK_BYTES} bytes, none of them 0; returns how many.
     */
    int rest(T t, byte[] b);
  }

  /** The most bytes of a {@link RankedTie#rest}: an IPv6 address's text has at most 39. */
  static final int RANK_BYTES = 40;

  private static final int RANK_LONGS = RANK_BYTES / 8;

  /** The windows' consumer of a {@link #split} buffer: {@code sequences}, or what it wraps. */
  static Placed<Window> placed(AuditSink.WindowSequences sequences) {
    if (sequences instanceof Placed<?> p) {
      @SuppressWarnings("unchecked")
      Placed<Window> windows = (Placed<Window>) p;
      return windows;
    }
    return sequences::window;
  }

  /**
   * A record read back from a run file, and its place in the order. The tie string is made only
   * when two keys are equal, which few records ever meet (it costs a formatted address and a
   * concatenation each).
   */
  private static final class Item<T> {
    final T value;
    final Instant key;

    /** The key's seconds and nanos, compared without loading the Instant (a sort's inner loop). */
    final long seconds;

    final int nanos;
    final long seq;
    private final Function<T, String> tieOf;
    private String tie;

    Item(T value, Instant key, long seq, Function<T, String> tieOf) {
      this.value = value;
      this.key = key;
      this.seconds = key.getEpochSecond();
      this.nanos = key.getNano();
      this.seq = seq;
      this.tieOf = tieOf;
    }

    T value() {
      return value;
    }

    Instant key() {
      return key;
    }

    String tie() {
      String t = tie;
      if (t == null) {
        t = tieOf.apply(value);
        tie = t;
      }
      return t;
    }
  }

  /** Key, then tie, then the order of {@link #add}. */
  private int compare(Item<T> a, Item<T> b) {
    // Instant.compareTo written out on the copies
    int c = Long.compare(a.seconds, b.seconds);
    if (c != 0) {
      return c;
    }
    c = a.nanos - b.nanos;
    if (c != 0) {
      return c;
    }
    c = tieOrder != null ? tieOrder.compare(a.value, b.value) : a.tie().compareTo(b.tie());
    return c != 0 ? c : Long.compare(a.seq, b.seq);
  }

  /** {@link #compare} of a run's head and the record in memory in slot {@code b}. */
  private int compare(Item<T> a, int b) {
    int c = Long.compare(a.seconds, seconds[b]);
    if (c != 0) {
      return c;
    }
    c = a.nanos - nanos[b];
    if (c != 0) {
      return c;
    }
    c = tieOrder != null ? tieOrder.compare(a.value, value(b)) : a.tie().compareTo(tie(b));
    return c != 0 ? c : Long.compare(a.seq, places[b]);
  }

  /**
   * {@link #compare} of the records in memory in slots {@code a} and {@code b}: the heap's sifts
   * run it about twice per record, on numbers in arrays, and touch the records only for a tie.
   */
  private int compare(int a, int b) {
    int c = Long.compare(seconds[a], seconds[b]);
    if (c != 0) {
      return c;
    }
    c = nanos[a] - nanos[b];
    if (c != 0) {
      return c;
    }
    if (ranked != null && tieGroups[a] == tieGroups[b]) {
      // the rests, 8 bytes a number, zeros after the end: equal numbers, equal bytes
      rank(a);
      rank(b);
      for (int i = a * RANK_LONGS, j = b * RANK_LONGS, end = i + RANK_LONGS; i < end; i++, j++) {
        c = Long.compareUnsigned(tieRanks[i], tieRanks[j]);
        if (c != 0) {
          return c;
        }
      }
      return Long.compare(places[a], places[b]);
    }
    c = tieOrder != null ? tieOrder.compare(value(a), value(b)) : tie(a).compareTo(tie(b));
    return c != 0 ? c : Long.compare(places[a], places[b]);
  }

  /**
   * Makes the numbers of the {@link RankedTie#rest} of the record in {@code slot}, once: a rest's
   * first byte is never 0, so a first number 0 means "not made yet" (or an empty rest, made again).
   */
  private void rank(int slot) {
    int at = slot * RANK_LONGS;
    if (tieRanks[at] != 0) {
      return;
    }
    int len = ranked.rest(value(slot), rest);
    java.util.Arrays.fill(rest, len, RANK_BYTES, (byte) 0);
    for (int i = 0; i < RANK_LONGS; i++) {
      tieRanks[at + i] = (long) LONG.get(rest, 8 * i);
    }
  }

  /**
   * The most late sequences a {@link #split} buffer gives (numbered 1 to this): a sink keeps a
   * sequence's files open until it has merged them all, so a busy stream over a long period must
   * not make one per {@code limit} late records. The last one is in order by the full watermark.
   */
  static final int SEQUENCES = 8;

  /** The most run files a buffer holds open to read (and one more while it writes one). */
  static final int RUNS = 32;

  /**
   * How many runs of one tier are merged into one of the next: a spill makes a run of tier 0, and
   * {@code MERGE} runs of a tier become one of the tier above, so a record is rewritten once per
   * tier, about log<sub>MERGE</sub>(records / limit) times, and a buffer holds at most {@code MERGE
   * - 1} runs per tier: four tiers ({@link #RUNS}) hold {@code 4095 * limit} records (200 million
   * with the engine's limit). Past that the runs of the lowest tiers are merged before a spill
   * would make more than {@link #RUNS}.
   */
  static final int MERGE = 8;

  private final Function<T, Instant> key;
  private final Function<T, String> tie;

  /** Compares as {@link #tie}'s strings would, without making them ({@code null}: use them). */
  private final Comparator<T> tieOrder;

  private final Codec<T> codec;
  private final int limit;
  private final Consumer<T> out;

  /** Instead of {@link #out}: where the records go with their places ({@link #split}). */
  private Placed<T> placed;

  /** The late records of a {@link #split} buffer (a buffer of their own), else {@code null}. */
  private Reorder<T> late;

  /**
   * The sequence this buffer's records go out in ({@link #split}): 0 for the settled ones; in the
   * buffer of the late ones, the next number after each time it is full.
   */
  private int sequence;

  /** The latest watermark this buffer's own records went out by ({@link #split}). */
  private Instant passed;

  /**
   * The records in memory, each in a slot of the arrays below (its key's seconds and nanos, its
   * place, the record, its tie once made) while it waits; {@link #heap} holds their slots as a
   * binary heap in the order of {@link #compare(int, int)}, so a sift moves an int and compares
   * numbers instead of following a reference to an object per record (a PriorityQueue of records
   * with a Comparator cost a cache miss per step: 3 % of the audit threads in its sift alone).
   */
  private int[] heap = new int[16];

  /**
   * The key's seconds of each place of {@link #heap}, beside it: a sift compares them in one array
   * it walks, and reads a slot's other fields only when two records share a second.
   */
  private long[] heapSeconds = new long[16];

  private int size;
  private long[] seconds = new long[16];
  private int[] nanos = new int[16];
  private long[] places = new long[16];
  private Object[] values = new Object[16];

  /** {@link #tieOrder} when it is a {@link RankedTie}; then each slot's group and rank. */
  private final RankedTie<T> ranked;

  private Object[] tieGroups;

  /** Per slot, {@link #RANK_LONGS} numbers: the bytes of its {@link RankedTie#rest}. */
  private long[] tieRanks;

  private byte[] rest;

  /** The group of the record that came last, the instance its equals get. */
  private Object lastGroup;

  /**
   * The tie strings made so far ({@code null} until a tie needs one, or with {@link #tieOrder}).
   */
  private String[] ties;

  /** Slots free for the next record: taken last-freed first, then from {@link #fresh}. */
  private int[] free = new int[16];

  private int freeCount;

  /** The first slot never used. */
  private int fresh;

  /**
   * The late records' bytes ({@link Placed#encode}), when the consumer writes them: per slot the
   * start and length of the record's bytes in {@link #encoded} and of its texts' in {@link
   * #encodedTexts}. Both arrays start again whenever the buffer is empty, which a late buffer is
   * after each sequence it gives or spills: they hold at most {@code limit} records.
   */
  private int[] encodedAt;

  private int[] encodedLength;
  private int[] textsAt;
  private int[] textsLength;
  private RunOutput encoded;
  private RunOutput encodedTexts;

  /** The spilled runs, by their head record. */
  private final PriorityQueue<Run> runs = new PriorityQueue<>((a, b) -> compare(a.head, b.head));

  private long seq;
  private long spilled;
  private long rewritten;
  private long lateRecords;

  /** Run files open now, and the most that were open at once. */
  private int open;

  private int mostOpen;

  /** The router names and paths of this buffer's runs ({@link AuditRecordCodec#writeName}). */
  private final Names names = new Names();

  /**
   * The output order is {@code key}, then {@code tie}; records equal in both keep the order of
   * {@link #add}.
   *
   * @param key the time the watermark is compared with
   * @param tie the rest of the order as one string, made once per record
   */
  Reorder(
      Function<T, Instant> key,
      Function<T, String> tie,
      Codec<T> codec,
      int limit,
      Consumer<T> out) {
    this(key, tie, null, codec, limit, out);
  }

  /**
   * As above, with {@code tieOrder} comparing records exactly as their {@code tie} strings would
   * compare (the sign of {@link String#compareTo}), for records that meet equal keys often.
   */
  Reorder(
      Function<T, Instant> key,
      Function<T, String> tie,
      Comparator<T> tieOrder,
      Codec<T> codec,
      int limit,
      Consumer<T> out) {
    this.key = key;
    this.tie = tie;
    this.tieOrder = tieOrder;
    this.codec = codec;
    this.limit = limit;
    this.out = out;
    this.ranked = tieOrder instanceof RankedTie<T> r ? r : null;
    if (ranked != null) {
      tieGroups = new Object[values.length];
      tieRanks = new long[values.length * RANK_LONGS];
      rest = new byte[RANK_BYTES];
    }
  }

  /**
   * Makes this (new) buffer give its records as sequences with their places, to {@code out}:
   * sequence 0 the records whose key the watermark had not passed when they came, the others in
   * sorted sequences numbered from 1 to at most {@link #SEQUENCES}, of at most {@code limit + 1}
   * records each but the last, which takes the rest in order (the records of a sequence may come at
   * different times, and one sequence begins only after the one before ended, but sequence 0 goes
   * on beside them). The watermarks are then given by {@link #release(Instant, Instant)}.
   */
  Reorder<T> split(Placed<T> out) {
    if (seq != 0 || late != null) {
      throw new IllegalStateException("split before the first record, once");
    }
    this.placed = out;
    this.late = new Reorder<>(key, tie, tieOrder, codec, limit, null);
    this.late.placed = out;
    this.late.sequence = 1;
    this.late.encoded = new RunOutput(null);
    this.late.encodedTexts = new RunOutput(null);
    this.late.encodedAt = new int[16];
    this.late.encodedLength = new int[16];
    this.late.textsAt = new int[16];
    this.late.textsLength = new int[16];
    return this;
  }

  void add(T t) {
    add(t, reserve());
  }

  /** A place in the order of {@link #add}, for a record that is added later. */
  long reserve() {
    return seq++;
  }

  /** Adds a record in the place {@link #reserve} gave it among records equal in order. */
  void add(T t, long place) {
    Instant k = key.apply(t);
    long s = k.getEpochSecond();
    int n = k.getNano();
    if (late != null
        && passed != null
        && (s < passed.getEpochSecond()
            || (s == passed.getEpochSecond() && n < passed.getNano()))) {
      late.add(t, s, n, place); // records before it have gone out already
      lateRecords++;
      return;
    }
    add(t, s, n, place);
  }

  private void add(T t, long s, int n, long place) {
    push(t, s, n, place);
    if (size > limit) {
      if (placed != null && sequence > 0 && sequence < SEQUENCES) {
        out(); // the late buffer of a split one: its records so far make a sequence
      } else {
        spill(); // the last late sequence goes out in order, by the watermark, as unsplit
      }
    }
  }

  /** All records in memory, in order, as the end of the current sequence; the next one begins. */
  private void out() {
    while (size > 0) {
      int slot = heap[0];
      pollTop();
      give(slot);
    }
    emptied();
    sequence++;
  }

  // ------------------------------------------------------------ the heap of records in memory

  @SuppressWarnings("unchecked")
  private T value(int slot) {
    return (T) values[slot];
  }

  private String tie(int slot) {
    if (ties == null) {
      ties = new String[values.length];
    }
    String t = ties[slot];
    if (t == null) {
      t = tie.apply(value(slot));
      ties[slot] = t;
    }
    return t;
  }

  /** Puts a record into a free slot and the slot into the heap. */
  private void push(T t, long s, int n, long place) {
    int slot;
    if (freeCount > 0) {
      slot = free[--freeCount];
    } else {
      if (fresh == values.length) {
        grow();
      }
      slot = fresh++;
    }
    seconds[slot] = s;
    nanos[slot] = n;
    places[slot] = place;
    values[slot] = t;
    if (ranked != null) {
      Object g = ranked.group(t);
      if (g.equals(lastGroup)) {
        g = lastGroup; // one instance per group, compared by identity in the sifts
      } else {
        lastGroup = g;
      }
      tieGroups[slot] = g;
      tieRanks[slot * RANK_LONGS] = 0; // its rest is made at its first tie (most records meet none)
    }
    if (encoded != null) {
      encode(slot, t);
    }
    if (size == heap.length) {
      heap = java.util.Arrays.copyOf(heap, 2 * size);
      heapSeconds = java.util.Arrays.copyOf(heapSeconds, 2 * size);
    }
    // sift up: records come mostly in order, and then the first comparison ends it
    int k = size++;
    while (k > 0) {
      int parent = (k - 1) >>> 1;
      long ps = heapSeconds[parent];
      if (s > ps || (s == ps && compare(slot, heap[parent]) >= 0)) {
        break;
      }
      heap[k] = heap[parent];
      heapSeconds[k] = ps;
      k = parent;
    }
    heap[k] = slot;
    heapSeconds[k] = s;
  }

  /** The record of {@code slot} as bytes, if the consumer writes it ({@link Placed#encode}). */
  private void encode(int slot, T t) {
    int at = encoded.length();
    int textAt = encodedTexts.length();
    try {
      if (!placed.encode(t, encoded, encodedTexts)) {
        encoded = null; // a consumer that does not: never ask again
        return;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // into memory: does not happen
    }
    encodedAt[slot] = at;
    encodedLength[slot] = encoded.length() - at;
    textsAt[slot] = textAt;
    textsLength[slot] = encodedTexts.length() - textAt;
  }

  /** The buffer is empty: the bytes of its records so far are no longer needed. */
  private void emptied() {
    if (encoded != null && size == 0) {
      encoded.clear();
      encodedTexts.clear();
    }
  }

  private void grow() {
    int n = 2 * values.length;
    if (ranked != null) {
      tieGroups = java.util.Arrays.copyOf(tieGroups, n);
      tieRanks = java.util.Arrays.copyOf(tieRanks, n * RANK_LONGS);
    }
    if (encodedAt != null) {
      encodedAt = java.util.Arrays.copyOf(encodedAt, n);
      encodedLength = java.util.Arrays.copyOf(encodedLength, n);
      textsAt = java.util.Arrays.copyOf(textsAt, n);
      textsLength = java.util.Arrays.copyOf(textsLength, n);
    }
    seconds = java.util.Arrays.copyOf(seconds, n);
    nanos = java.util.Arrays.copyOf(nanos, n);
    places = java.util.Arrays.copyOf(places, n);
    values = java.util.Arrays.copyOf(values, n);
    if (ties != null) {
      ties = java.util.Arrays.copyOf(ties, n);
    }
    free = java.util.Arrays.copyOf(free, n);
  }

  /** Removes the first record in memory (the heap's top) and frees its slot. */
  private void pollTop() {
    int top = heap[0];
    int last = heap[--size];
    long lastSeconds = heapSeconds[size];
    if (size > 0) {
      // sift down the last one from the top
      int k = 0;
      int half = size >>> 1;
      while (k < half) {
        int child = 2 * k + 1;
        int right = child + 1;
        if (right < size) {
          long l = heapSeconds[child];
          long r = heapSeconds[right];
          if (r < l || (r == l && compare(heap[child], heap[right]) > 0)) {
            child = right;
          }
        }
        long cs = heapSeconds[child];
        if (lastSeconds < cs || (lastSeconds == cs && compare(last, heap[child]) <= 0)) {
          break;
        }
        heap[k] = heap[child];
        heapSeconds[k] = cs;
        k = child;
      }
      heap[k] = last;
      heapSeconds[k] = lastSeconds;
    }
    free[freeCount++] = top; // its fields stay until the slot is taken again (give)
  }

  private Item<T> item(T t, long seq) {
    return new Item<>(t, key.apply(t), seq, tie);
  }

  /** Records held in memory now (the bound is {@code limit}, per sequence of a split buffer). */
  int inMemory() {
    return size + (late == null ? 0 : late.inMemory());
  }

  /** Records that went through a run file (not those a split buffer gave as a sequence). */
  long spilled() {
    return spilled + (late == null ? 0 : late.spilled());
  }

  /** Records written again when runs were merged ({@link #RUNS}). */
  long rewritten() {
    return rewritten + (late == null ? 0 : late.rewritten());
  }

  /** The most run files this buffer held open at once (plus its late buffer's most). */
  int mostRunsOpen() {
    return mostOpen + (late == null ? 0 : late.mostRunsOpen());
  }

  /** Records given as late ({@link #split}) so far: in memory, spilled or gone out. */
  long lateRecords() {
    return lateRecords;
  }

  /**
   * Emits the records no record still to come can precede: {@code all} is the earliest key any
   * record still to come can have, {@code settled} the earliest a record can have that comes while
   * its key is still ahead of the watermark ({@code settled} not before {@code all}; {@code null}:
   * everything). A buffer that is not {@link #split} goes by {@code all} alone.
   */
  void release(Instant settled, Instant all) {
    if (late == null) {
      emit(all);
      return;
    }
    emit(settled);
    if (settled != null && (passed == null || settled.isAfter(passed))) {
      passed = settled;
    }
    late.emit(all);
  }

  /** Emits every record whose key lies before {@code watermark} ({@code null}: everything). */
  void release(Instant watermark) {
    release(watermark, watermark);
  }

  private void emit(Instant watermark) {
    long ws = watermark == null ? 0 : watermark.getEpochSecond();
    int wn = watermark == null ? 0 : watermark.getNano();
    while (true) {
      Run run = runs.peek();
      if (run != null && (size == 0 || compare(run.head, heap[0]) < 0)) {
        Item<T> best = run.head;
        if (watermark != null && !best.key().isBefore(watermark)) {
          return;
        }
        runs.poll();
        run.advance();
        if (run.head != null) {
          runs.add(run);
        }
        give(best.value(), best.seq);
        continue;
      }
      if (size == 0) {
        emptied();
        return;
      }
      int slot = heap[0];
      long s = seconds[slot];
      if (watermark != null && (s > ws || (s == ws && nanos[slot] >= wn))) {
        emptied();
        return; // not before the watermark
      }
      pollTop();
      give(slot);
    }
  }

  /**
   * Drops the references of a slot taken off the heap (its numbers stay until it is taken again).
   */
  private void forget(int slot) {
    values[slot] = null;
    if (ties != null) {
      ties[slot] = null;
    }
    if (ranked != null) {
      tieGroups[slot] = null;
    }
  }

  /** The record of {@code slot}, taken off the heap, goes out; the slot's fields are cleared. */
  private void give(int slot) {
    T value = value(slot);
    forget(slot);
    if (encoded != null) {
      placed.accept(
          encoded.array(),
          encodedAt[slot],
          encodedLength[slot],
          encodedTexts.array(),
          textsAt[slot],
          textsLength[slot],
          places[slot],
          sequence);
    } else {
      give(value, places[slot]);
    }
  }

  /** A record goes out: to {@link #placed} in the current sequence, or to {@link #out}. */
  private void give(T value, long place) {
    if (placed != null) {
      placed.accept(value, place, sequence);
    } else {
      out.accept(value);
    }
  }

  private void spill() {
    try {
      Path file = runFile();
      file.toFile().deleteOnExit(); // a run stopped early (Ctrl-C, SIGTERM) leaves none behind
      int n = size;
      try (RunOutput o = new RunOutput(Files.newOutputStream(file), names)) {
        while (size > 0) {
          int slot = heap[0];
          o.writeBoolean(true);
          o.writeLong(places[slot]);
          codec.write(o, value(slot));
          spilled++;
          pollTop();
          forget(slot);
        }
        o.writeBoolean(false);
      }
      emptied();
      Run r = new Run(file, n, 0);
      if (r.head != null) {
        runs.add(r);
      }
      merge();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot spill audit records to a temporary file", e);
    }
  }

  /**
   * Merges runs while a tier holds {@link #MERGE} of them (after a spill added one to tier 0), and
   * the lowest ones when {@link #RUNS} are open.
   */
  private void merge() throws IOException {
    if (runs.size() >= RUNS) {
      java.util.List<Run> all = new java.util.ArrayList<>(runs);
      all.sort(Comparator.comparingInt((Run r) -> r.tier).thenComparingLong(r -> r.left));
      java.util.List<Run> lowest = all.subList(0, MERGE);
      merge(lowest, lowest.get(MERGE - 1).tier + 1);
    }
    for (int tier = 0; ; tier++) {
      java.util.List<Run> of = new java.util.ArrayList<>();
      boolean higher = false;
      for (Run r : runs) {
        if (r.tier == tier) {
          of.add(r);
        } else if (r.tier > tier) {
          higher = true;
        }
      }
      if (of.size() >= MERGE) {
        merge(of, tier + 1);
      } else if (!higher) {
        return;
      }
    }
  }

  /** Merges {@code which} (runs of this buffer) into one run file of tier {@code tier}. */
  private void merge(java.util.List<Run> which, int tier) throws IOException {
    PriorityQueue<Run> merging = new PriorityQueue<>((a, b) -> compare(a.head, b.head));
    long n = 0;
    for (Run r : java.util.List.copyOf(which)) {
      runs.remove(r);
      merging.add(r);
      n += r.left + 1;
    }
    Path file = runFile();
    file.toFile().deleteOnExit();
    try (RunOutput o = new RunOutput(Files.newOutputStream(file), names)) {
      while (!merging.isEmpty()) {
        Run r = merging.poll();
        Item<T> i = r.head;
        o.writeBoolean(true);
        o.writeLong(i.seq);
        codec.write(o, i.value());
        rewritten++;
        r.advance();
        if (r.head != null) {
          merging.add(r);
        }
      }
      o.writeBoolean(false);
    }
    Run merged = new Run(file, n, tier);
    if (merged.head != null) {
      runs.add(merged);
    }
  }

  /** The prefix of run files: {@link ScratchNames}, so that the next run removes a killed one's. */
  static final String RUN_PREFIX = "mobilessh-reorder-";

  private static volatile boolean sweptLeftBehind;

  /**
   * A new run file in the temporary directory, readable by its owner only (it holds log lines),
   * named for this process; the first one of a process removes the run files of processes that no
   * longer run (killed before they could).
   */
  private static Path runFile() throws IOException {
    boolean sweep = !sweptLeftBehind;
    sweptLeftBehind = true;
    return runFile(Path.of(System.getProperty("java.io.tmpdir")), sweep);
  }

  /** A new run file in {@code dir}; {@code sweep}: first remove what ended processes left. */
  static Path runFile(Path dir, boolean sweep) throws IOException {
    if (sweep) {
      try (var all = Files.newDirectoryStream(dir, RUN_PREFIX + "*")) {
        for (Path p : all) {
          if (ScratchNames.leftBehind(p.getFileName().toString(), RUN_PREFIX)) {
            Files.deleteIfExists(p);
          }
        }
      } catch (IOException | RuntimeException e) {
        // a leftover that cannot be listed or removed does not stop this run
      }
    }
    Path file = dir.resolve(ScratchNames.of(RUN_PREFIX));
    if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return Files.createFile(
          file,
          java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
              java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
    }
    return Files.createFile(file);
  }

  @Override
  public void close() {
    for (Run r : runs) {
      r.close();
    }
    runs.clear();
    if (late != null) {
      late.close();
    }
  }

  /** One sorted run file, read from its head. */
  private final class Run {
    final Path file;
    final RunInput in;
    Item<T> head;

    /** Records not yet read from the file (the head is read). */
    long left;

    /** 0 for a spill, one more than its inputs' for a merge ({@link #MERGE}). */
    final int tier;

    private boolean closed;

    Run(Path file, long records, int tier) throws IOException {
      this.file = file;
      this.in = new RunInput(Files.newInputStream(file), names);
      this.left = records;
      this.tier = tier;
      mostOpen = Math.max(mostOpen, ++open);
      advance();
    }

    void advance() {
      try {
        if (in.readBoolean()) {
          long seq = in.readLong();
          head = item(codec.read(in), seq);
          left--;
        } else {
          head = null;
          close();
        }
      } catch (EOFException e) {
        throw new UncheckedIOException("audit run file " + file + " ended early", e);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    void close() {
      if (closed) {
        return;
      }
      closed = true;
      open--;
      try {
        in.close();
        Files.deleteIfExists(file);
      } catch (IOException e) {
        // a temporary file left behind costs disk, not a result
      }
    }
  }

  /**
   * Strings that repeat across records, numbered in the order met: the runs of one buffer share one
   * table, kept in memory (a stream names a few routers and paths), so a run holds a number where
   * the string would be, and reading it back gives the one instance of the string.
   */
  static final class Names {
    private final java.util.Map<String, Integer> ids = new java.util.HashMap<>();
    private final java.util.List<String> all = new java.util.ArrayList<>();

    /** The strings met last, by identity (a record names its router and a path or two). */
    private final String[] recent = new String[4];

    private final int[] recentIds = new int[4];
    private int next;

    /** The number of {@code s} (met first now: the next one); -1 for {@code null}. */
    int id(String s) {
      if (s == null) {
        return -1;
      }
      for (int k = 0; k < recent.length; k++) {
        if (recent[k] == s) {
          return recentIds[k];
        }
      }
      Integer i = ids.get(s);
      if (i == null) {
        i = all.size();
        ids.put(s, i);
        all.add(s);
      }
      recent[next] = s;
      recentIds[next] = i;
      next = (next + 1) & (recent.length - 1);
      return i;
    }

    String name(int id) throws IOException {
      if (id == -1) {
        return null;
      }
      if (id < 0 || id >= all.size()) {
        throw new IOException("a name numbered " + id + " of " + all.size());
      }
      return all.get(id);
    }
  }

  private static final VarHandle SHORT =
      MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  /**
   * {@link DataOutput} into a byte array that goes to the file in 64 KB pieces; the bytes of {@link
   * DataOutputStream}. The codecs make a dozen small writes per record, and DataOutputStream over a
   * BufferedOutputStream costs two calls and a lock for each.
   */
  static final class RunOutput implements DataOutput, Closeable {
    /** Where the bytes go; {@code null}: they stay in memory, in an array that grows. */
    private final OutputStream out;

    private byte[] buf = new byte[1 << 16];
    private int n;

    /** The table {@link AuditRecordCodec#writeName} numbers strings by; {@code null}: none. */
    final Names names;

    RunOutput(OutputStream out) {
      this(out, null);
    }

    RunOutput(OutputStream out, Names names) {
      this.out = out;
      this.names = names;
    }

    private void room(int k) throws IOException {
      if (n + k > buf.length) {
        if (out == null) {
          buf = java.util.Arrays.copyOf(buf, Math.max(2 * buf.length, n + k));
        } else {
          drain();
        }
      }
    }

    private void drain() throws IOException {
      if (out != null) {
        out.write(buf, 0, n);
        n = 0;
      }
    }

    /**
     * The bytes written ({@code out} {@code null}: all of them, in memory; else since the last
     * drain).
     */
    int length() {
      return n;
    }

    /** The array that holds {@link #length} bytes (valid until the next write). */
    byte[] array() {
      return buf;
    }

    /** Forgets the bytes written (in memory). */
    void clear() {
      n = 0;
    }

    @Override
    public void write(int b) throws IOException {
      room(1);
      buf[n++] = (byte) b;
    }

    @Override
    public void write(byte[] b) throws IOException {
      write(b, 0, b.length);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (out == null) {
        room(len);
      } else if (len > buf.length - n) {
        drain();
        if (len > buf.length) {
          out.write(b, off, len);
          return;
        }
      }
      System.arraycopy(b, off, buf, n, len);
      n += len;
    }

    /**
     * A non-null string as {@link AuditRecordCodec#writeString} writes it (its UTF-8 length, then
     * the bytes). {@code getBytes(UTF_8)} of a Latin-1 string is the JDK's vectorised check for
     * bytes above 0x7f and one copy: cheaper than testing each {@code charAt}, as an earlier
     * version did, to copy ASCII text without the array.
     */
    void writeString(String s) throws IOException {
      byte[] b;
      if (s == lastString) {
        b = lastBytes; // a router's name, once per record
      } else {
        b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        lastString = s;
        lastBytes = b;
      }
      writeInt(b.length);
      write(b);
    }

    /** The string {@link #writeString} wrote last, and its bytes. */
    private String lastString;

    private byte[] lastBytes;

    @Override
    public void writeBoolean(boolean v) throws IOException {
      write(v ? 1 : 0);
    }

    @Override
    public void writeByte(int v) throws IOException {
      write(v);
    }

    @Override
    public void writeShort(int v) throws IOException {
      room(2);
      SHORT.set(buf, n, (short) v);
      n += 2;
    }

    @Override
    public void writeChar(int v) throws IOException {
      writeShort(v);
    }

    @Override
    public void writeInt(int v) throws IOException {
      room(4);
      INT.set(buf, n, v);
      n += 4;
    }

    @Override
    public void writeLong(long v) throws IOException {
      room(8);
      LONG.set(buf, n, v);
      n += 8;
    }

    @Override
    public void writeFloat(float v) throws IOException {
      writeInt(Float.floatToIntBits(v));
    }

    @Override
    public void writeDouble(double v) throws IOException {
      writeLong(Double.doubleToLongBits(v));
    }

    @Override
    public void writeBytes(String s) throws IOException {
      for (int i = 0; i < s.length(); i++) {
        write(s.charAt(i));
      }
    }

    @Override
    public void writeChars(String s) throws IOException {
      for (int i = 0; i < s.length(); i++) {
        writeChar(s.charAt(i));
      }
    }

    @Override
    public void writeUTF(String s) throws IOException {
      java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
      new DataOutputStream(b).writeUTF(s);
      write(b.toByteArray());
    }

    @Override
    public void close() throws IOException {
      try {
        drain();
      } finally {
        if (out != null) {
          out.close();
        }
      }
    }
  }

  /** {@link DataInput} over a 64 KB array refilled from the file: what {@link RunOutput} wrote. */
  static final class RunInput implements DataInput, Closeable {
    private final InputStream in;
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int lim;

    /** The table the runs were written with ({@link RunOutput#names}); {@code null}: none. */
    final Names names;

    RunInput(InputStream in) {
      this(in, null);
    }

    RunInput(InputStream in, Names names) {
      this.in = in;
      this.names = names;
    }

    /** At least {@code k} (at most the array's size) bytes in the array, or EOFException. */
    private void need(int k) throws IOException {
      if (lim - pos >= k) {
        return;
      }
      System.arraycopy(buf, pos, buf, 0, lim - pos);
      lim -= pos;
      pos = 0;
      while (lim < k) {
        int r = in.read(buf, lim, buf.length - lim);
        if (r < 0) {
          throw new EOFException();
        }
        lim += r;
      }
    }

    @Override
    public void readFully(byte[] b) throws IOException {
      readFully(b, 0, b.length);
    }

    @Override
    public void readFully(byte[] b, int off, int len) throws IOException {
      int have = Math.min(len, lim - pos);
      System.arraycopy(buf, pos, b, off, have);
      pos += have;
      off += have;
      len -= have;
      if (len == 0) {
        return;
      }
      if (len > buf.length / 2) {
        if (in.readNBytes(b, off, len) < len) {
          throw new EOFException();
        }
        return;
      }
      need(len);
      System.arraycopy(buf, pos, b, off, len);
      pos += len;
    }

    @Override
    public int skipBytes(int k) throws IOException {
      int skipped = 0;
      while (skipped < k) {
        if (pos == lim) {
          try {
            need(1);
          } catch (EOFException e) {
            break;
          }
        }
        int step = Math.min(k - skipped, lim - pos);
        pos += step;
        skipped += step;
      }
      return skipped;
    }

    /** {@code len} UTF-8 bytes as a string, decoded from the array in place when they fit. */
    String readString(int len) throws IOException {
      if (len <= buf.length) {
        need(len);
        String s = new String(buf, pos, len, java.nio.charset.StandardCharsets.UTF_8);
        pos += len;
        return s;
      }
      byte[] b = new byte[len];
      readFully(b);
      return new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public boolean readBoolean() throws IOException {
      need(1);
      return buf[pos++] != 0;
    }

    @Override
    public byte readByte() throws IOException {
      need(1);
      return buf[pos++];
    }

    @Override
    public int readUnsignedByte() throws IOException {
      return readByte() & 0xff;
    }

    @Override
    public short readShort() throws IOException {
      need(2);
      short v = (short) SHORT.get(buf, pos);
      pos += 2;
      return v;
    }

    @Override
    public int readUnsignedShort() throws IOException {
      return readShort() & 0xffff;
    }

    @Override
    public char readChar() throws IOException {
      return (char) readShort();
    }

    @Override
    public int readInt() throws IOException {
      need(4);
      int v = (int) INT.get(buf, pos);
      pos += 4;
      return v;
    }

    @Override
    public long readLong() throws IOException {
      need(8);
      long v = (long) LONG.get(buf, pos);
      pos += 8;
      return v;
    }

    @Override
    public float readFloat() throws IOException {
      return Float.intBitsToFloat(readInt());
    }

    @Override
    public double readDouble() throws IOException {
      return Double.longBitsToDouble(readLong());
    }

    /** Not used by the codecs (deprecated in DataInputStream for not knowing the charset). */
    @Override
    public String readLine() {
      throw new UnsupportedOperationException("run files hold no text lines");
    }

    @Override
    public String readUTF() throws IOException {
      return DataInputStream.readUTF(this);
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
