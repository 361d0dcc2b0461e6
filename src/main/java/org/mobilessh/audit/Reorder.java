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
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
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

  private record Item<T>(T value, Instant key, String tie, long seq) {}

  private static final Comparator<Item<?>> ORDER =
      Comparator.comparing((Item<?> i) -> i.key())
          .thenComparing(Item::tie)
          .thenComparingLong(Item::seq);

  private final Comparator<Item<T>> order = ORDER::compare;
  private final Function<T, Instant> key;
  private final Function<T, String> tie;
  private final Codec<T> codec;
  private final int limit;
  private final Consumer<T> out;
  private final PriorityQueue<Item<T>> memory;

  /** The spilled runs, by their head record. */
  private final PriorityQueue<Run> runs =
      new PriorityQueue<>((a, b) -> ORDER.compare(a.head, b.head));

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
    this.key = key;
    this.tie = tie;
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
    return new Item<>(t, key.apply(t), tie.apply(t), seq);
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
        Item<T> i;
        while ((i = memory.poll()) != null) {
          o.writeBoolean(true);
          o.writeLong(i.seq());
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

  // ------------------------------------------------------------------ codecs

  static void writeInstant(DataOutput o, Instant t) throws IOException {
    o.writeBoolean(t != null);
    if (t != null) {
      o.writeLong(t.getEpochSecond());
      o.writeInt(t.getNano());
    }
  }

  static Instant readInstant(DataInput in) throws IOException {
    return in.readBoolean() ? Instant.ofEpochSecond(in.readLong(), in.readInt()) : null;
  }

  static void writeAddress(DataOutput o, InetAddress a) throws IOException {
    if (a == null) {
      o.writeByte(0);
      return;
    }
    byte[] b = a.getAddress();
    o.writeByte(b.length);
    o.write(b);
  }

  static InetAddress readAddress(DataInput in) throws IOException {
    int n = in.readByte();
    if (n == 0) {
      return null;
    }
    byte[] b = new byte[n];
    in.readFully(b);
    try {
      return InetAddress.getByAddress(b);
    } catch (UnknownHostException e) {
      throw new IOException(e);
    }
  }

  /** Strings of any length (writeUTF stops at 64 KB). */
  static void writeString(DataOutput o, String s) throws IOException {
    if (s == null) {
      o.writeInt(-1);
      return;
    }
    byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    o.writeInt(b.length);
    o.write(b);
  }

  static String readString(DataInput in) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      return null;
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return new String(b, java.nio.charset.StandardCharsets.UTF_8);
  }

  static void writeDouble(DataOutput o, Double d) throws IOException {
    o.writeBoolean(d != null);
    if (d != null) {
      o.writeDouble(d);
    }
  }

  static Double readDouble(DataInput in) throws IOException {
    return in.readBoolean() ? in.readDouble() : null;
  }

  static void writeLong(DataOutput o, Long l) throws IOException {
    o.writeBoolean(l != null);
    if (l != null) {
      o.writeLong(l);
    }
  }

  static Long readLong(DataInput in) throws IOException {
    return in.readBoolean() ? in.readLong() : null;
  }

  static void writeLines(DataOutput o, List<SourceLine> lines) throws IOException {
    o.writeInt(lines.size());
    for (SourceLine l : lines) {
      writeString(o, l.sourcePath());
      o.writeLong(l.lineNumber());
      writeString(o, l.line());
    }
  }

  static List<SourceLine> readLines(DataInput in) throws IOException {
    int n = in.readInt();
    List<SourceLine> l = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      l.add(new SourceLine(readString(in), in.readLong(), readString(in)));
    }
    return l;
  }

  static final Codec<Window> WINDOWS =
      new Codec<>() {
        @Override
        public void write(DataOutput o, Window w) throws IOException {
          writeString(o, w.observer());
          writeAddress(o, w.source());
          writeInstant(o, w.openedAt());
          o.writeDouble(w.openPrecisionS());
          writeInstant(o, w.closedAt());
          writeInstant(o, w.closedAtEarliest());
          o.writeByte(w.closeReason().ordinal());
          writeDouble(o, w.closePrecisionS());
          o.writeInt(w.sshSessions());
          o.writeBoolean(w.clippedStart());
          o.writeBoolean(w.clippedEnd());
          writeLines(o, w.evidence());
          o.writeByte(w.openedBy().ordinal());
        }

        @Override
        public Window read(DataInput in) throws IOException {
          return new Window(
              readString(in),
              readAddress(in),
              readInstant(in),
              in.readDouble(),
              readInstant(in),
              readInstant(in),
              CloseReason.values()[in.readByte()],
              readDouble(in),
              in.readInt(),
              in.readBoolean(),
              in.readBoolean(),
              readLines(in),
              Window.Opening.values()[in.readByte()]);
        }
      };

  static final Codec<Session> SESSIONS =
      new Codec<>() {
        @Override
        public void write(DataOutput o, Session s) throws IOException {
          writeString(o, s.observer());
          writeAddress(o, s.source());
          o.writeInt(s.sourcePort());
          writeAddress(o, s.destination());
          o.writeInt(s.destinationPort());
          writeInstant(o, s.acceptedAt());
          o.writeDouble(s.acceptPrecisionS());
          writeInstant(o, s.endedAt());
          writeDouble(o, s.endPrecisionS());
          writeLong(o, s.bytesIn());
          writeLong(o, s.bytesOut());
          writeLong(o, s.packetsIn());
          writeLong(o, s.packetsOut());
          writeLong(o, s.conntrackId());
          writeInstant(o, s.windowOpenedAt());
          o.writeBoolean(s.outlivesWindow());
          writeLines(o, s.evidence());
        }

        @Override
        public Session read(DataInput in) throws IOException {
          return new Session(
              readString(in),
              readAddress(in),
              in.readInt(),
              readAddress(in),
              in.readInt(),
              readInstant(in),
              in.readDouble(),
              readInstant(in),
              readDouble(in),
              readLong(in),
              readLong(in),
              readLong(in),
              readLong(in),
              readLong(in),
              readInstant(in),
              in.readBoolean(),
              readLines(in));
        }
      };

  static final Codec<Anomaly> ANOMALIES =
      new Codec<>() {
        @Override
        public void write(DataOutput o, Anomaly a) throws IOException {
          o.writeByte(a.kind().ordinal());
          writeString(o, a.observer());
          writeAddress(o, a.address());
          writeInstant(o, a.at());
          writeString(o, a.message());
          writeLines(o, a.evidence());
        }

        @Override
        public Anomaly read(DataInput in) throws IOException {
          return new Anomaly(
              Anomaly.Kind.values()[in.readByte()],
              readString(in),
              readAddress(in),
              readInstant(in),
              readString(in),
              readLines(in));
        }
      };
}
