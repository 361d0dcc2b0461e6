package org.mobilessh.audit;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Merges the runs of one record kind as printed bytes: every run is read and printed by a thread of
 * its own into chunks (the bytes of up to a few thousand records, each with its merge key), and the
 * calling thread only picks the next record by key and hands its bytes on. On two cores the
 * printing, which is most of the work, runs on both; the merge copies bytes.
 */
final class PrintedMerge {
  /** Bytes per chunk: a few thousand rows; small enough that many routers fit in a small heap. */
  private static final int CHUNK_BYTES = 1 << 18;

  private static final int CHUNK_ROWS = 4096;

  /** Chunks a printer may be ahead of the merge. */
  private static final int AHEAD = 2;

  private PrintedMerge() {}

  /** The printed rows of a run's records, in order: row i is {@code data[ends[i-1], ends[i])}. */
  private static final class Chunk {
    final PrintBuffer data = new PrintBuffer(CHUNK_BYTES + (CHUNK_BYTES >> 2));
    final long[] k1 = new long[CHUNK_ROWS];
    final long[] k2 = new long[CHUNK_ROWS];
    final int[] ends = new int[CHUNK_ROWS];
    int rows;
    boolean last;
    Throwable failure;

    boolean full() {
      return rows == CHUNK_ROWS || data.length() >= CHUNK_BYTES;
    }
  }

  /**
   * One run's rows: printed from its records by a thread of its own (and kept, when {@code keep} is
   * given), or read from the rows kept before ({@link PrintedRun}).
   */
  static final class Source<T> implements Runnable {
    final AuditRunFile.Records<T> run;
    final PrintedRun.Reader kept;
    final PrintedRun.Writer keep;
    final RecordPrinter<T> printer;
    final IndexedAuditInput.MergeKey<T> key;
    final BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(AHEAD);
    final BlockingQueue<Chunk> free = new ArrayBlockingQueue<>(AHEAD + 2);
    Chunk current;
    int row;

    private Source(
        AuditRunFile.Records<T> run,
        PrintedRun.Reader kept,
        PrintedRun.Writer keep,
        RecordPrinter<T> printer,
        IndexedAuditInput.MergeKey<T> key) {
      this.run = run;
      this.kept = kept;
      this.keep = keep;
      this.printer = printer;
      this.key = key;
    }

    /** A run's records, printed (and their rows written to {@code keep}, unless null). */
    static <T> Source<T> printing(
        AuditRunFile.Records<T> run,
        PrintedRun.Writer keep,
        RecordPrinter<T> printer,
        IndexedAuditInput.MergeKey<T> key) {
      return new Source<>(run, null, keep, printer, key);
    }

    /** Rows kept before. */
    static <T> Source<T> kept(PrintedRun.Reader kept) {
      return new Source<>(null, kept, null, null, null);
    }

    private Chunk chunk() {
      Chunk c = free.poll();
      if (c == null) {
        return new Chunk();
      }
      c.rows = 0;
      c.data.setLength(0);
      return c;
    }

    @Override
    public void run() {
      Chunk c = chunk();
      boolean done = false;
      try {
        if (kept != null) {
          while ((c.rows = kept.next(c.k1, c.k2, c.ends, c.data)) > 0) {
            queue.put(c);
            c = chunk();
          }
        } else {
          for (T t = run.next(); t != null; t = run.next()) {
            int before = c.data.length();
            printer.print(t, c.data);
            if (c.data.length() == before) {
              continue; // printed as nothing (filtered out): nothing to merge
            }
            c.k1[c.rows] = key.major(t);
            c.k2[c.rows] = key.minor(t);
            c.ends[c.rows++] = c.data.length();
            if (c.full()) {
              put(c);
              c = chunk();
            }
          }
          if (c.rows > 0) {
            put(c);
            c = chunk();
          }
          if (keep != null) {
            keep.commit();
          }
        }
        done = true;
        c.last = true;
        queue.put(c);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt(); // the merge stopped: nobody takes more
      } catch (IOException | RuntimeException | Error e) {
        c.failure = e;
        c.last = true;
        try {
          queue.put(c);
        } catch (InterruptedException stop) {
          Thread.currentThread().interrupt();
        }
      } finally {
        if (keep != null && !done) {
          keep.abort();
        }
        if (kept != null) {
          kept.close();
        }
      }
    }

    /** Hands a chunk of printed rows to the merge, and to the file they are kept in. */
    private void put(Chunk c) throws InterruptedException {
      if (keep != null) {
        keep.chunk(c.k1, c.k2, c.ends, c.rows, c.data.array(), c.data.length());
      }
      queue.put(c);
    }

    /** Whether there is a row to take; waits for the printer. */
    boolean advance() throws IOException {
      while (current == null || row == current.rows) {
        if (current != null && current.last) {
          return false;
        }
        Chunk used = current;
        try {
          current = queue.take();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AuditException("interrupted", e);
        }
        row = 0;
        if (used != null) {
          free.offer(used); // its rows are handed on: the thread may fill it again
        }
        if (current.failure != null) {
          Throwable f = current.failure;
          if (f instanceof IOException io) {
            throw io;
          }
          if (f instanceof RuntimeException r) {
            throw r;
          }
          throw (Error) f;
        }
      }
      return true;
    }
  }

  /**
   * Merges the rows of {@code sources} (in router order) into {@code sink}, by key, then source.
   */
  static <T> void merge(List<Source<T>> sources, AuditSink sink) throws IOException {
    int n = sources.size();
    List<Thread> threads = new ArrayList<>(n);
    try {
      for (Source<T> s : sources) {
        Thread t = new Thread(s, "mobilessh-print");
        t.setDaemon(true);
        threads.add(t);
        t.start();
      }
      long[] k1 = new long[n];
      long[] k2 = new long[n];
      int[] heap = new int[n];
      int size = 0;
      for (int i = 0; i < n; i++) {
        Source<T> s = sources.get(i);
        if (s.advance()) {
          k1[i] = s.current.k1[s.row];
          k2[i] = s.current.k2[s.row];
          heap[size++] = i;
        }
      }
      IndexedAuditInput.Heap h = new IndexedAuditInput.Heap(heap, size, k1, k2);
      while (h.size > 0) {
        int i = h.top();
        Source<T> s = sources.get(i);
        Chunk c = s.current;
        int from = s.row == 0 ? 0 : c.ends[s.row - 1];
        sink.printed(c.data.array(), from, c.ends[s.row] - from);
        s.row++;
        if (s.advance()) {
          k1[i] = s.current.k1[s.row];
          k2[i] = s.current.k2[s.row];
          h.siftTop();
        } else {
          h.pop();
        }
      }
    } finally {
      for (Thread t : threads) {
        t.interrupt();
      }
      for (Thread t : threads) {
        try {
          t.join();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
  }
}
