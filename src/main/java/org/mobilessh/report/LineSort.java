package org.mobilessh.report;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The input digest's external sort of line texts by (path, line number, order1, order2), for {@link
 * EventTally}: what {@link SpillSort} did for it, kept as bytes instead of one object and one array
 * per line, and without sorting what comes in order already.
 *
 * <p>A read hands over its lines nearly in this order (a file's lines come in time order): a line
 * not below the last one written goes straight to the open run file; the others wait in one
 * in-memory buffer, which is sorted and written as a new run (then the open one) when it holds
 * {@code runRecords} lines or {@link #RUN_BYTES}, or the read ends. One read of a file in order is
 * then one run file written once, never sorted; {@link #drain} merges the runs (at most {@link
 * #FAN_IN} open at once), keeping the least run out of the heap while it stays least. Memory: the
 * buffer, one 64 KiB buffer per open file and per merged run.
 *
 * <p>Keys are unique in the digest's use (order1 and order2 tell every line of a read apart), so
 * the order of lines with equal keys is left open. One thread adds; {@link #absorb} and {@link
 * #drain} run after the adding is over.
 */
final class LineSort implements AutoCloseable {
  /** Orders path ids; see {@link EventTally}'s paths (by name, or rank once all are known). */
  interface PathOrder {
    int compare(int a, int b);
  }

  /** Where {@link #drain} hands each line; {@code text} is valid during the call only. */
  interface Sink {
    void line(int path, long line, byte[] text, int off, int len);
  }

  /** Bytes of lines held in memory at most (besides {@code runRecords}). */
  static final int RUN_BYTES = 16 << 20;

  static final int FAN_IN = 128;

  private static final int HEADER = 4 + 8 + 8 + 8 + 4;
  private static final VarHandle INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  private final PathOrder order;
  private final int runRecords;
  private final Path tempDir;

  // lines below the open run's last one: records [path, line, order1, order2, length, text]
  private byte[] held = new byte[1 << 16];
  private int heldBytes;
  private int[] starts = new int[1024];
  private int heldCount;

  // the run file lines in order go to, and its last key
  private Out open;
  private int lastPath;
  private long lastLine;
  private long lastOrder1;
  private long lastOrder2;

  private final List<Path> runs = new ArrayList<>();
  private long added;

  /**
   * @param runRecords lines held in memory at most
   * @param tempDir where run files go, {@code null} for the JVM's temporary directory
   */
  LineSort(PathOrder order, int runRecords, Path tempDir) {
    this.order = order;
    this.runRecords = runRecords;
    this.tempDir = tempDir;
  }

  /** One line; its text is encoded as UTF-8. */
  void add(int path, long line, long order1, long order2, String text) {
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    added++;
    try {
      if (open != null && compare(path, line, order1, order2) >= 0) {
        open.record(path, line, order1, order2, utf8);
        lastPath = path;
        lastLine = line;
        lastOrder1 = order1;
        lastOrder2 = order2;
        return;
      }
      if (open == null && heldCount == 0) {
        start();
        add(path, line, order1, order2, utf8);
        return;
      }
      hold(path, line, order1, order2, utf8);
      if (heldCount >= runRecords || heldBytes >= RUN_BYTES) {
        spillHeld();
        // the lines that follow continue the run just written, as long as they stay in order
      }
    } catch (IOException e) {
      throw new ReportException("cannot write a temporary file: " + e.getMessage(), e);
    }
  }

  private void add(int path, long line, long order1, long order2, byte[] utf8) throws IOException {
    open.record(path, line, order1, order2, utf8);
    lastPath = path;
    lastLine = line;
    lastOrder1 = order1;
    lastOrder2 = order2;
  }

  /** The new line against the open run's last. */
  private int compare(int path, long line, long order1, long order2) {
    int c = path == lastPath ? 0 : order.compare(path, lastPath);
    if (c != 0) {
      return c;
    }
    c = Long.compare(line, lastLine);
    if (c != 0) {
      return c;
    }
    c = Long.compare(order1, lastOrder1);
    return c != 0 ? c : Long.compare(order2, lastOrder2);
  }

  private void hold(int path, long line, long order1, long order2, byte[] utf8) {
    int need = HEADER + utf8.length;
    if (heldBytes + need > held.length) {
      held = Arrays.copyOf(held, Math.max(held.length * 2, heldBytes + need));
    }
    if (heldCount == starts.length) {
      starts = Arrays.copyOf(starts, starts.length * 2);
    }
    starts[heldCount++] = heldBytes;
    int p = heldBytes;
    INT.set(held, p, path);
    LONG.set(held, p + 4, line);
    LONG.set(held, p + 12, order1);
    LONG.set(held, p + 20, order2);
    INT.set(held, p + 28, utf8.length);
    System.arraycopy(utf8, 0, held, p + HEADER, utf8.length);
    heldBytes += need;
  }

  /**
   * Writes the lines held in memory, sorted, as a new run; lines that follow in order continue it.
   * The open run is closed.
   */
  void spillHeld() {
    if (heldCount == 0) {
      return;
    }
    try {
      Integer[] at = new Integer[heldCount];
      for (int i = 0; i < heldCount; i++) {
        at[i] = starts[i];
      }
      // stable: equal keys keep the order they came in
      Arrays.sort(at, (x, y) -> compareHeld(x, y));
      start();
      for (Integer p : at) {
        int n = (int) INT.get(held, p + 28);
        open.write(held, p, HEADER + n);
      }
      int last = at[at.length - 1];
      lastPath = (int) INT.get(held, last);
      lastLine = (long) LONG.get(held, last + 4);
      lastOrder1 = (long) LONG.get(held, last + 12);
      lastOrder2 = (long) LONG.get(held, last + 20);
    } catch (IOException e) {
      throw new ReportException("cannot write a temporary file: " + e.getMessage(), e);
    }
    heldCount = 0;
    heldBytes = 0;
    if (held.length > 1 << 20) {
      held = new byte[1 << 16]; // a read's last few lines need not keep the big buffer
    }
  }

  private int compareHeld(int x, int y) {
    int px = (int) INT.get(held, x);
    int py = (int) INT.get(held, y);
    int c = px == py ? 0 : order.compare(px, py);
    if (c != 0) {
      return c;
    }
    for (int off = 4; off <= 20; off += 8) {
      c = Long.compare((long) LONG.get(held, x + off), (long) LONG.get(held, y + off));
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  /** This read is over: what is held goes to a run, the open run is closed. */
  void finishRead() {
    spillHeld();
    closeOpen();
  }

  private void start() throws IOException {
    closeOpen();
    Path f = temp();
    runs.add(f);
    open = new Out(Files.newOutputStream(f));
  }

  private void closeOpen() {
    if (open != null) {
      try {
        open.close();
      } catch (IOException e) {
        throw new ReportException("cannot write a temporary file: " + e.getMessage(), e);
      } finally {
        open = null;
      }
    }
  }

  /** Takes over every line of {@code other} (whose read is over), which is empty afterwards. */
  void absorb(LineSort other) {
    other.finishRead();
    runs.addAll(other.runs);
    added += other.added;
    other.runs.clear();
    other.added = 0;
  }

  /** Lines added. */
  long size() {
    return added;
  }

  /** Lines held in memory. */
  int held() {
    return heldCount;
  }

  /** Run files written so far. */
  int spilled() {
    return runs.size();
  }

  /** Every line added, in order; then the sort is empty. */
  void drain(Sink sink) {
    finishRead();
    try {
      while (runs.size() > FAN_IN) {
        // no more than needed to leave FAN_IN for the last merge; the merged run goes first (it
        // holds the earliest runs, so equal keys keep their order)
        int k = Math.min(FAN_IN, runs.size() - FAN_IN + 1);
        List<Path> group = new ArrayList<>(runs.subList(0, k));
        runs.subList(0, k).clear();
        Path merged = temp();
        runs.add(0, merged);
        try (Out out = new Out(Files.newOutputStream(merged))) {
          merge(
              group,
              (h) -> {
                try {
                  out.record(h.path, h.line, h.order1, h.order2, h.text, h.length);
                } catch (IOException e) {
                  throw new ReportException("cannot write a temporary file: " + e.getMessage(), e);
                }
              });
        } finally {
          delete(group);
        }
      }
      merge(runs, h -> sink.line(h.path, h.line, h.text, 0, h.length));
    } catch (IOException e) {
      throw new ReportException("cannot read a temporary file: " + e.getMessage(), e);
    } finally {
      close();
    }
  }

  private interface HeadSink {
    void take(Head h);
  }

  private void merge(List<Path> files, HeadSink sink) throws IOException {
    List<Head> heads = new ArrayList<>();
    try {
      for (int i = 0; i < files.size(); i++) {
        Head h = new Head(Files.newInputStream(files.get(i)), i);
        heads.add(h);
      }
      Head[] heap = new Head[heads.size()];
      int size = 0;
      for (Head h : heads) {
        if (h.next()) {
          heap[size++] = h;
        }
      }
      for (int i = size / 2 - 1; i >= 0; i--) {
        down(heap, size, i);
      }
      while (size > 0) {
        Head h = heap[0];
        // the least run stays on top while its next line is still least: a run in order costs one
        // comparison or two per line
        do {
          sink.take(h);
          if (!h.next()) {
            heap[0] = heap[--size];
            break;
          }
        } while (size == 1 || !less(second(heap, size), h));
        if (size > 0) {
          down(heap, size, 0);
        }
      }
    } finally {
      for (Head h : heads) {
        h.close();
      }
    }
  }

  /** The lesser of the top's two children. */
  private Head second(Head[] heap, int size) {
    if (size == 2) {
      return heap[1];
    }
    return less(heap[2], heap[1]) ? heap[2] : heap[1];
  }

  private void down(Head[] heap, int size, int i) {
    Head v = heap[i];
    while (true) {
      int c = 2 * i + 1;
      if (c >= size) {
        break;
      }
      if (c + 1 < size && less(heap[c + 1], heap[c])) {
        c++;
      }
      if (!less(heap[c], v)) {
        break;
      }
      heap[i] = heap[c];
      i = c;
    }
    heap[i] = v;
  }

  private boolean less(Head a, Head b) {
    int c = a.path == b.path ? 0 : order.compare(a.path, b.path);
    if (c == 0) {
      c = Long.compare(a.line, b.line);
    }
    if (c == 0) {
      c = Long.compare(a.order1, b.order1);
    }
    if (c == 0) {
      c = Long.compare(a.order2, b.order2);
    }
    return c != 0 ? c < 0 : a.index < b.index;
  }

  /** A run file being merged: its current line. */
  private static final class Head {
    private final InputStream in;
    private final int index;
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int end;
    int path;
    long line;
    long order1;
    long order2;
    byte[] text = new byte[256];
    int length;

    Head(InputStream in, int index) {
      this.in = in;
      this.index = index;
    }

    /** Reads the next line; {@code false} at the end of the run. */
    boolean next() throws IOException {
      if (!fill(HEADER)) {
        if (pos == end) {
          return false;
        }
        throw new EOFException("truncated run file");
      }
      path = (int) INT.get(buf, pos);
      line = (long) LONG.get(buf, pos + 4);
      order1 = (long) LONG.get(buf, pos + 12);
      order2 = (long) LONG.get(buf, pos + 20);
      length = (int) INT.get(buf, pos + 28);
      pos += HEADER;
      if (length < 0) {
        throw new EOFException("corrupt run file");
      }
      if (length > text.length) {
        text = new byte[Math.max(length, text.length * 2)];
      }
      int got = 0;
      while (got < length) {
        if (pos == end && !fill(1)) {
          throw new EOFException("truncated run file");
        }
        int n = Math.min(length - got, end - pos);
        System.arraycopy(buf, pos, text, got, n);
        pos += n;
        got += n;
      }
      return true;
    }

    /** At least {@code n} bytes in the buffer; {@code false} if the file ends first. */
    private boolean fill(int n) throws IOException {
      if (end - pos >= n) {
        return true;
      }
      System.arraycopy(buf, pos, buf, 0, end - pos);
      end -= pos;
      pos = 0;
      while (end < n) {
        int r = in.read(buf, end, buf.length - end);
        if (r < 0) {
          return false;
        }
        end += r;
      }
      return true;
    }

    void close() {
      try {
        in.close();
      } catch (IOException ignored) {
        // deleted next
      }
    }
  }

  /** A run file being written, buffered without a lock per call (one thread writes it). */
  private static final class Out implements AutoCloseable {
    private final OutputStream out;
    private final byte[] buf = new byte[1 << 16];
    private int len;

    Out(OutputStream out) {
      this.out = out;
    }

    void record(int path, long line, long order1, long order2, byte[] text) throws IOException {
      record(path, line, order1, order2, text, text.length);
    }

    void record(int path, long line, long order1, long order2, byte[] text, int n)
        throws IOException {
      if (buf.length - len < HEADER) {
        flush();
      }
      INT.set(buf, len, path);
      LONG.set(buf, len + 4, line);
      LONG.set(buf, len + 12, order1);
      LONG.set(buf, len + 20, order2);
      INT.set(buf, len + 28, n);
      len += HEADER;
      write(text, 0, n);
    }

    void write(byte[] b, int off, int n) throws IOException {
      if (n > buf.length - len) {
        flush();
        if (n > buf.length) {
          out.write(b, off, n);
          return;
        }
      }
      System.arraycopy(b, off, buf, len, n);
      len += n;
    }

    private void flush() throws IOException {
      if (len > 0) {
        out.write(buf, 0, len);
        len = 0;
      }
    }

    @Override
    public void close() throws IOException {
      try {
        flush();
      } finally {
        out.close();
      }
    }
  }

  private Path temp() {
    return SpillSort.runFile(tempDir);
  }

  private static void delete(List<Path> files) {
    SpillSort.delete(files);
  }

  /** Deletes the run files. */
  @Override
  public void close() {
    try {
      closeOpen();
    } catch (ReportException ignored) {
      // removed next
    }
    delete(runs);
    runs.clear();
    heldCount = 0;
    heldBytes = 0;
  }
}
