package org.mobilessh.audit;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * Merges the runs of one record kind as printed bytes: the runs are read and printed into chunks
 * (the bytes of up to a few thousand records, each with its merge key) by one thread per core, each
 * serving some of the runs a chunk at a time, and the calling thread only picks the next record by
 * key and hands its bytes on. On two cores the printing, which is most of the work, runs on both;
 * the merge copies bytes. A thread per run (ten for ten routers) made the printing cost a third
 * more CPU per row on two cores (a tenth in a whole run): each switch between them finds the caches
 * full of another run's data.
 */
final class PrintedMerge {
  /** Bytes per chunk: a few thousand rows; small enough that many routers fit in a small heap. */
  private static final int CHUNK_BYTES = 1 << 18;

  private static final int CHUNK_ROWS = 4096;

  /** Chunks a run's printer may be ahead of the merge. */
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
   * One run's rows: printed from its records (and kept, when {@code keep} is given), or read from
   * the rows kept before ({@link PrintedRun}), a chunk at a time by the thread that serves it.
   */
  static final class Source<T> {
    final AuditRunFile.Records<T> run;
    final PrintedRun.Reader kept;
    final PrintedRun.Writer keep;
    final RecordPrinter<T> printer;
    final IndexedAuditInput.MergeKey<T> key;
    final BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(AHEAD);
    final BlockingQueue<Chunk> free = new ArrayBlockingQueue<>(AHEAD + 2);

    /** The thread that prints this run's chunks: told when the merge takes one. */
    Thread printing;

    /** Its last chunk is queued (printing thread only). */
    boolean finished;

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

    /**
     * Prints the next chunk and queues it, the last one marked as such (with a failure, if reading
     * or printing failed). Called by the printing thread when the queue has room: only it adds to
     * the queue, so the chunk always fits.
     */
    void printChunk() {
      Chunk c = chunk();
      try {
        if (kept != null) {
          c.rows = kept.next(c.k1, c.k2, c.ends, c.data);
          c.last = c.rows == 0;
        } else {
          while (!c.full()) {
            T t = run.next();
            if (t == null) {
              c.last = true;
              break;
            }
            int before = c.data.length();
            printer.print(t, c.data);
            if (c.data.length() == before) {
              continue; // printed as nothing (filtered out): nothing to merge
            }
            c.k1[c.rows] = key.major(t);
            c.k2[c.rows] = key.minor(t);
            c.ends[c.rows++] = c.data.length();
          }
          if (keep != null) {
            if (c.rows > 0) {
              keep.chunk(c.k1, c.k2, c.ends, c.rows, c.data.array(), c.data.length());
            }
            if (c.last) {
              keep.commit();
            }
          }
        }
      } catch (IOException | RuntimeException | Error e) {
        c.failure = e;
        c.last = true;
        if (keep != null) {
          keep.abort();
        }
      }
      if (c.last) {
        finished = true;
        if (kept != null) {
          kept.close();
        }
      }
      queue.add(c);
    }

    /** Drops what is half done: the rows being kept, the kept file being read. */
    void stop() {
      if (keep != null) {
        keep.abort();
      }
      if (kept != null) {
        kept.close();
      }
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
        LockSupport.unpark(printing); // the queue has room again
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
   * Prints the chunks of some runs, always the one whose queue is shortest (the merge needs it
   * first), until each has queued its last; waits while every queue is full.
   */
  private static final class Printer implements Runnable {
    private final List<Source<?>> sources = new ArrayList<>();
    private int next;

    @Override
    public void run() {
      try {
        while (!Thread.currentThread().isInterrupted()) {
          Source<?> pick = null;
          int shortest = AHEAD;
          boolean left = false;
          int n = sources.size();
          for (int k = 0; k < n; k++) {
            Source<?> s = sources.get((next + k) % n); // ties taken in turn
            if (s.finished) {
              continue;
            }
            left = true;
            int queued = s.queue.size();
            if (queued < shortest) {
              pick = s;
              shortest = queued;
            }
          }
          if (!left) {
            return;
          }
          if (pick == null) {
            LockSupport.park(this); // every queue full: the merge unparks when it takes one
            continue;
          }
          next = (sources.indexOf(pick) + 1) % n;
          pick.printChunk();
        }
      } finally {
        for (Source<?> s : sources) {
          if (!s.finished) {
            s.stop(); // the merge stopped: nobody takes more
          }
        }
      }
    }
  }

  /**
   * Merges the rows of {@code sources} (in router order) into {@code sink}, by key, then source.
   */
  static <T> void merge(List<Source<T>> sources, AuditSink sink) throws IOException {
    int n = sources.size();
    int cores = Math.max(1, Math.min(n, Runtime.getRuntime().availableProcessors()));
    List<Printer> printers = new ArrayList<>(cores);
    List<Thread> threads = new ArrayList<>(cores);
    try {
      for (int p = 0; p < cores; p++) {
        Printer printer = new Printer();
        Thread t = new Thread(printer, "mobilessh-print");
        t.setDaemon(true);
        printers.add(printer);
        threads.add(t);
      }
      for (int i = 0; i < n; i++) {
        Source<T> s = sources.get(i);
        printers.get(i % cores).sources.add(s);
        s.printing = threads.get(i % cores);
      }
      for (Thread t : threads) {
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
