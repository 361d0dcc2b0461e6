package org.mobilessh.report;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.lucene.search.Query;
import org.mobilessh.audit.IndexedAuditInput;
import org.mobilessh.audit.TracedEvent;
import org.mobilessh.index.EventSearcher;

/**
 * Counts the report's {@link EventFigures} from the audit's own read of the index: each router's
 * stream feeds a {@link EventTally#shard} as the engine reads it, so a cold report reads and
 * re-parses the month once instead of twice. The routers whose audit results come from the cache
 * are not read by the audit; this tap reads them itself, each as soon as it is known, on the
 * executor it is given. The figures are those of {@link ReportRenderer#events} over the whole
 * stretch (one read of every router): the shards are added up in that read's order.
 */
final class FiguresTap implements IndexedAuditInput.EventTap, AutoCloseable {
  private final EventTally tally;
  private final EventSearcher searcher;
  private final ExecutorService side;
  private final AtomicBoolean stop;
  private final List<Future<?>> reads = new ArrayList<>();
  private volatile boolean unwanted;
  private Future<EventFigures> counted; // guarded by this

  /**
   * @param tally the tally the shards belong to (it takes no events of its own)
   * @param side where routers the audit does not read are read
   * @param stop set when the report failed: reads on {@code side} stop
   */
  FiguresTap(EventTally tally, EventSearcher searcher, ExecutorService side, AtomicBoolean stop) {
    this.tally = tally;
    this.searcher = searcher;
    this.side = side;
    this.stop = stop;
  }

  /** The figures are known already (from the cache): count nothing more. */
  void unwanted() {
    unwanted = true;
  }

  @Override
  public synchronized IndexedAuditInput.TapReader open(String router) {
    if (unwanted) {
      return null;
    }
    EventTally shard = tally.shard();
    return new IndexedAuditInput.TapReader() {
      @Override
      public void accept(TracedEvent event, int doc) {
        shard.accept(event, doc);
      }

      @Override
      public void done() {
        shard.done();
      }
    };
  }

  @Override
  public synchronized void notRead(String router, Query query) {
    if (unwanted) {
      return;
    }
    reads.add(
        side.submit(
            () -> {
              if (unwanted) {
                return;
              }
              EventTally shard;
              synchronized (this) {
                shard = tally.shard();
              }
              read(searcher, query, shard, stop);
              shard.done();
            }));
  }

  @Override
  public void restart() {
    // the audit's streams are over when it restarts, but reads of routers it did not read may
    // still be going on: they finish before their shards are dropped
    List<Future<?>> running;
    synchronized (this) {
      running = new ArrayList<>(reads);
      reads.clear();
    }
    for (Future<?> f : running) {
      ReportRenderer.join(f);
    }
    synchronized (this) {
      tally.dropShards();
    }
  }

  /**
   * The audit's streams are over, its merge comes next: the figures are added up (the digest's
   * merge of every shard's lines, the longest part) on the side executor meanwhile, after the reads
   * of the routers the audit did not read (queued there before).
   */
  @Override
  public synchronized void readsDone() {
    if (unwanted || counted != null) {
      return;
    }
    counted =
        side.submit(
            () -> {
              if (stop.get()) {
                throw new CancellationException("the report failed");
              }
              // found in the report's cache meanwhile: not asked for (see ReportRenderer)
              return unwanted ? null : tally.figures();
            });
  }

  /**
   * The figures of every router's events, once the audit is over (waits for the reads of the
   * routers it did not read).
   */
  EventFigures figures() {
    List<Future<?>> all;
    Future<EventFigures> adding;
    synchronized (this) {
      all = new ArrayList<>(reads);
      adding = counted;
    }
    for (Future<?> f : all) {
      ReportRenderer.join(f);
    }
    return adding != null ? ReportRenderer.join(adding) : tally.figures();
  }

  /** Every timed, parsed event {@code query} matches, as the audit reads them, into a shard. */
  static void read(EventSearcher searcher, Query query, EventTally shard, AtomicBoolean stop) {
    Map<String, String> paths = new HashMap<>();
    searcher.forEachOrdered(
        query,
        (h, doc) -> {
          if (stop.get()) {
            throw new CancellationException("the report failed");
          }
          if (h.event() == null || h.timestamp() == null) {
            return;
          }
          String path = h.sourcePath() == null ? "" : paths.computeIfAbsent(h.sourcePath(), p -> p);
          shard.accept(
              new TracedEvent(h.event(), path, Math.max(0, h.lineNumber()), h.originalLine()), doc);
        });
  }

  @Override
  public void close() {
    tally.close();
  }
}
