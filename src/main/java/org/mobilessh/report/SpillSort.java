package org.mobilessh.report;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * Sorts more records than memory holds: runs of at most {@code runRecords} are sorted in memory and
 * spilled to temporary files, then merged (at most {@link #FAN_IN} files open at once, in rounds).
 * Stable: records that compare equal come out in the order they were added. The one external sort
 * of the report and the evidence export (the input digest's (path, line) order, the export's
 * evidence joins).
 */
public final class SpillSort<T> implements AutoCloseable {
  /** Writes and reads one record. */
  public interface Codec<T> {
    void write(DataOutputStream out, T t) throws IOException;

    T read(DataInputStream in) throws IOException;
  }

  static final int FAN_IN = 128;

  private final Comparator<T> order;
  private final Codec<T> codec;
  private final int runRecords;
  private final Path tempDir;
  private final List<T> run = new ArrayList<>();
  private final List<Path> runs = new ArrayList<>();
  private long added;
  private int spilled;

  /**
   * @param tempDir where run files go, {@code null} for the JVM's temporary directory
   */
  public SpillSort(Comparator<T> order, Codec<T> codec, int runRecords, Path tempDir) {
    this.order = order;
    this.codec = codec;
    this.runRecords = runRecords;
    this.tempDir = tempDir;
  }

  public void add(T t) {
    run.add(t);
    added++;
    if (run.size() >= runRecords) {
      spill();
    }
  }

  /** Spills the records held in memory, if any, to a run file (they leave memory). */
  public void spillHeld() {
    if (!run.isEmpty()) {
      spill();
    }
  }

  /**
   * Takes over every record of {@code other} (a sort of the same order and codec), which is empty
   * afterwards. For records that compare equal, the order between the two sorts' is not kept.
   */
  public void absorb(SpillSort<T> other) {
    other.spillHeld();
    runs.addAll(other.runs);
    added += other.added;
    other.runs.clear();
    other.added = 0;
  }

  /** Records added. */
  public long size() {
    return added;
  }

  /** Runs spilled to temporary files so far. */
  public int spilled() {
    return spilled;
  }

  /** Records held in memory (at most one run). */
  public int held() {
    return run.size();
  }

  /** Every record added, in order; then the sort is empty. */
  public void drain(Consumer<T> each) {
    try (Cursor c = sorted()) {
      for (T t = c.next(); t != null; t = c.next()) {
        each.accept(t);
      }
    }
  }

  /** Reads the records in order, one at a time; closing it empties the sort. */
  public final class Cursor implements AutoCloseable {
    private final List<T> memory;
    private int at;
    private final PriorityQueue<Head> heads;
    private Head current; // the least head, out of the heap
    private final List<Head> open = new ArrayList<>();
    private final boolean last;

    private Cursor(List<T> memory, List<Path> files, boolean last) throws IOException {
      this.memory = memory;
      this.last = last;
      this.heads =
          new PriorityQueue<>(
              (a, b) -> {
                int c = order.compare(a.value, b.value);
                return c != 0 ? c : Integer.compare(a.index, b.index);
              });
      try {
        for (int i = 0; i < files.size(); i++) {
          Head h = new Head(files.get(i), i);
          open.add(h);
          if (read(h)) {
            heads.add(h);
          }
        }
      } catch (IOException e) {
        close();
        throw e;
      }
    }

    /** The next record, {@code null} after the last. */
    public T next() {
      if (memory != null) {
        return at < memory.size() ? memory.get(at++) : null;
      }
      // the least run stays out of the heap while its next record is still the least: runs of
      // records that come nearly in order (a file's lines) then merge with one comparison each
      Head h = current;
      if (h == null) {
        h = heads.poll();
        if (h == null) {
          return null;
        }
      }
      T t = h.value;
      try {
        if (!read(h)) {
          current = null;
        } else {
          Head top = heads.peek();
          if (top != null && heads.comparator().compare(h, top) > 0) {
            heads.add(h);
            current = null;
          } else {
            current = h;
          }
        }
      } catch (IOException e) {
        throw new ReportException("cannot read a temporary file: " + e.getMessage(), e);
      }
      return t;
    }

    @Override
    public void close() {
      for (Head h : open) {
        try {
          h.in.close();
        } catch (IOException ignored) {
          // the files are deleted next
        }
      }
      if (last) {
        SpillSort.this.close();
      }
    }
  }

  /** Opens the records in order (merging spilled runs in rounds first if there are many). */
  public Cursor sorted() {
    try {
      if (runs.isEmpty()) {
        run.sort(order);
        return new Cursor(new ArrayList<>(run), List.of(), true);
      }
      if (!run.isEmpty()) {
        spill();
      }
      while (runs.size() > FAN_IN) {
        // no more than needed to leave FAN_IN for the last merge: fewer bytes written twice
        int k = Math.min(FAN_IN, runs.size() - FAN_IN + 1);
        List<Path> group = new ArrayList<>(runs.subList(0, k));
        runs.subList(0, k).clear();
        Path merged = temp();
        // the merged run goes first: it holds the earliest records, so ties keep their order
        runs.add(0, merged);
        try (DataOutputStream out = output(merged);
            Cursor c = new Cursor(null, group, false)) {
          for (T t = c.next(); t != null; t = c.next()) {
            out.write(1);
            codec.write(out, t);
          }
        } finally {
          delete(group);
        }
      }
      return new Cursor(null, runs, true);
    } catch (IOException e) {
      close();
      throw new ReportException("cannot use a temporary file: " + e.getMessage(), e);
    }
  }

  private final class Head {
    final DataInputStream in;
    final int index;
    T value;

    Head(Path f, int index) throws IOException {
      this.in = new DataInputStream(new Unsynchronized(Files.newInputStream(f)));
      this.index = index;
    }
  }

  /**
   * A buffered input without {@link BufferedInputStream}'s lock per call: {@link DataInputStream}
   * reads numbers a byte at a time, and a run file is read by one thread.
   */
  private static final class Unsynchronized extends java.io.InputStream {
    private final java.io.InputStream in;
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int end;

    Unsynchronized(java.io.InputStream in) {
      this.in = in;
    }

    private boolean fill() throws IOException {
      int n = in.read(buf, 0, buf.length);
      if (n <= 0) {
        return false;
      }
      pos = 0;
      end = n;
      return true;
    }

    @Override
    public int read() throws IOException {
      if (pos == end && !fill()) {
        return -1;
      }
      return buf[pos++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (pos == end) {
        if (len >= buf.length) {
          return in.read(b, off, len);
        }
        if (!fill()) {
          return -1;
        }
      }
      int n = Math.min(len, end - pos);
      System.arraycopy(buf, pos, b, off, n);
      pos += n;
      return n;
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  private boolean read(Head h) throws IOException {
    // a marker byte before each record tells the end of the run from a truncated record
    int marker = h.in.read();
    if (marker < 0) {
      return false;
    }
    if (marker != 1) {
      throw new EOFException("corrupt run file");
    }
    h.value = codec.read(h.in);
    return true;
  }

  private void spill() {
    run.sort(order);
    Path f = temp();
    runs.add(f);
    spilled++;
    try (DataOutputStream out = output(f)) {
      for (T t : run) {
        out.write(1);
        codec.write(out, t);
      }
    } catch (IOException e) {
      throw new ReportException("cannot write a temporary file: " + e.getMessage(), e);
    }
    run.clear();
  }

  private static DataOutputStream output(Path f) throws IOException {
    return new DataOutputStream(new UnsynchronizedOut(Files.newOutputStream(f)));
  }

  /**
   * A buffered output without {@link java.io.BufferedOutputStream}'s lock per call: {@link
   * DataOutputStream#writeInt} writes a byte at a time, and a run file is written by one thread.
   */
  private static final class UnsynchronizedOut extends java.io.OutputStream {
    private final java.io.OutputStream out;
    private final byte[] buf = new byte[1 << 16];
    private int len;

    UnsynchronizedOut(java.io.OutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      if (len == buf.length) {
        flushBuffer();
      }
      buf[len++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int n) throws IOException {
      if (n >= buf.length) {
        flushBuffer();
        out.write(b, off, n);
        return;
      }
      if (n > buf.length - len) {
        flushBuffer();
      }
      System.arraycopy(b, off, buf, len, n);
      len += n;
    }

    private void flushBuffer() throws IOException {
      if (len > 0) {
        out.write(buf, 0, len);
        len = 0;
      }
    }

    @Override
    public void flush() throws IOException {
      flushBuffer();
      out.flush();
    }

    @Override
    public void close() throws IOException {
      try {
        flushBuffer();
      } finally {
        out.close();
      }
    }
  }

  private Path temp() {
    return runFile(tempDir);
  }

  /** A new run file in {@code tempDir}, or in {@code java.io.tmpdir} when it is null. */
  static Path runFile(Path tempDir) {
    try {
      return tempDir == null
          ? Files.createTempFile("mobilessh-sort-", ".run")
          : Files.createTempFile(tempDir, "mobilessh-sort-", ".run");
    } catch (IOException e) {
      throw new ReportException("cannot create a temporary file: " + e.getMessage(), e);
    }
  }

  /** Deletes run files, best effort. */
  static void delete(List<Path> files) {
    for (Path f : files) {
      try {
        Files.deleteIfExists(f);
      } catch (IOException ignored) {
        // a temporary file left behind is not worth failing the report or export for
      }
    }
  }

  @Override
  public void close() {
    delete(runs);
    runs.clear();
    run.clear();
  }
}
