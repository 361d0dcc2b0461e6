package org.mobilessh.audit;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
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
 */
final class Reorder<T> implements AutoCloseable {
  /** Writes and reads one record. */
  interface Codec<T> {
    void write(DataOutput out, T t) throws IOException;

    T read(DataInput in) throws IOException;
  }

  /**
   * A record and its place in the order. The tie string is made only when two keys are equal, which
   * few records ever meet (it costs a formatted address and a concatenation each).
   */
  private static final class Item<T> {
    final T value;
    final Instant key;
    final long seq;
    private final Function<T, String> tieOf;
    private String tie;

    Item(T value, Instant key, long seq, Function<T, String> tieOf) {
      this.value = value;
      this.key = key;
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

  /** Key, then tie, then the order of {@link #add}: written out, it runs for every record. */
  private int compare(Item<T> a, Item<T> b) {
    int c = a.key.compareTo(b.key);
    if (c != 0) {
      return c;
    }
    c = tieOrder != null ? tieOrder.compare(a.value, b.value) : a.tie().compareTo(b.tie());
    return c != 0 ? c : Long.compare(a.seq, b.seq);
  }

  private final Comparator<Item<T>> order = this::compare;
  private final Function<T, Instant> key;
  private final Function<T, String> tie;

  /** Compares as {@link #tie}'s strings would, without making them ({@code null}: use them). */
  private final Comparator<T> tieOrder;

  private final Codec<T> codec;
  private final int limit;
  private final Consumer<T> out;
  private final PriorityQueue<Item<T>> memory;

  /** The spilled runs, by their head record. */
  private final PriorityQueue<Run> runs = new PriorityQueue<>((a, b) -> compare(a.head, b.head));

  private long seq;
  private long spilled;

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
    this.memory = new PriorityQueue<>(this.order);
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
    memory.add(item(t, place));
    if (memory.size() > limit) {
      spill();
    }
  }

  private Item<T> item(T t, long seq) {
    return new Item<>(t, key.apply(t), seq, tie);
  }

  /** Records held in memory now (the bound is {@code limit}). */
  int inMemory() {
    return memory.size();
  }

  /** Records that went through a run file. */
  long spilled() {
    return spilled;
  }

  /** Emits every record whose key lies before {@code watermark} ({@code null}: everything). */
  void release(Instant watermark) {
    while (true) {
      Item<T> best = memory.peek();
      Run run = runs.peek();
      boolean fromRun = run != null && (best == null || order.compare(run.head, best) < 0);
      if (fromRun) {
        best = run.head;
      }
      if (best == null || (watermark != null && !best.key().isBefore(watermark))) {
        return;
      }
      if (fromRun) {
        runs.poll();
        run.advance();
        if (run.head != null) {
          runs.add(run);
        }
      } else {
        memory.poll();
      }
      out.accept(best.value());
    }
  }

  private void spill() {
    try {
      Path file = Files.createTempFile("mobilessh-audit-", ".run");
      file.toFile().deleteOnExit(); // a run stopped early (Ctrl-C, SIGTERM) leaves none behind
      try (DataOutputStream o =
          new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16))) {
        // one sort of the heap's array instead of a poll (two sift-downs) per record
        @SuppressWarnings("unchecked")
        Item<T>[] all = memory.toArray(new Item[0]);
        memory.clear();
        java.util.Arrays.sort(all, order);
        for (Item<T> i : all) {
          o.writeBoolean(true);
          o.writeLong(i.seq);
          codec.write(o, i.value());
          spilled++;
        }
        o.writeBoolean(false);
      }
      Run r = new Run(file);
      if (r.head != null) {
        runs.add(r);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot spill audit records to a temporary file", e);
    }
  }

  @Override
  public void close() {
    for (Run r : runs) {
      r.close();
    }
    runs.clear();
  }

  /** One sorted run file, read from its head. */
  private final class Run {
    final Path file;
    final DataInputStream in;
    Item<T> head;

    Run(Path file) throws IOException {
      this.file = file;
      this.in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
      advance();
    }

    void advance() {
      try {
        if (in.readBoolean()) {
          long seq = in.readLong();
          head = item(codec.read(in), seq);
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
      try {
        in.close();
        Files.deleteIfExists(file);
      } catch (IOException e) {
        // a temporary file left behind costs disk, not a result
      }
    }
  }
}
