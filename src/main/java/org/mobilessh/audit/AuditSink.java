package org.mobilessh.audit;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Where a streaming reconstruction ({@link AuditEngine#open}) delivers its records, each kind in
 * the order of {@link AuditResult}'s lists: windows by opening (then observer, address), sessions
 * by acceptance (then observer, address, port), rejections in time order, anomalies by time (then
 * kind, observer, address, message). The kinds interleave in no particular order. {@link #end}
 * comes last, once.
 */
public interface AuditSink {
  default void window(Window w) {}

  /**
   * Where this sink takes the windows as several sequences and merges them itself, instead of
   * {@link #window(Window)}; {@code null} (the default) for a sink that takes them in order. A
   * window is known only when it closes, and one open until the end of the data would hold back
   * every window opened after it: a sink that keeps what it is given (the results cache) takes the
   * windows that can go out at once apart from those that came late, and the engine neither holds
   * the former until the end nor writes them to a temporary file and reads them back.
   */
  default WindowSequences windowSequences() {
    return null;
  }

  /** Takes the windows as several sequences ({@link AuditSink#windowSequences}). */
  @FunctionalInterface
  interface WindowSequences {
    /**
     * A window of one of several sequences, numbered from 0, each in the order {@link
     * AuditSink#window(Window)} promises: sequence 0 the windows that closed while no window opened
     * after them had gone out, the others the windows that came late, in sorted batches (a sequence
     * begins only after the one before it ended; sequence 0 goes on beside them). There are at most
     * nine sequences (0 to 8), however many windows come late: a sink may keep a file open per
     * sequence until it merges them. Merged by opening, observer, address (the order of {@link
     * AuditSink#window(Window)}), then {@code place} (unique in the stream), the sequences are
     * exactly what {@link AuditSink#window(Window)} would have been given.
     */
    void window(Window w, long place, int sequence);
  }

  default void session(Session s) {}

  default void rejection(Rejection r) {}

  default void anomaly(Anomaly a) {}

  /**
   * Whether {@link #rejection} is wanted. A sink that ignores rejections says {@code false}, and
   * the engine spares making them (and replaying the reject LOG's rate limit); every other record
   * stays the same.
   */
  default boolean wantsRejections() {
    return true;
  }

  /**
   * Whether {@link #anomaly} is wanted. A sink that ignores anomalies says {@code false}, and the
   * engine spares the checks that only raise anomalies (clocks going back, the list overflowing);
   * every other record stays the same.
   */
  default boolean wantsAnomalies() {
    return true;
  }

  /**
   * Whether {@link #window} is wanted. A sink that ignores windows says {@code false}, and a stream
   * that reads records back (from the results cache) may skip them; every other record stays the
   * same.
   */
  default boolean wantsWindows() {
    return true;
  }

  /** Whether {@link #session} is wanted; like {@link #wantsWindows}. */
  default boolean wantsSessions() {
    return true;
  }

  /**
   * Whether the texts of evidence lines that are indexed events' ({@link SourceLine#micros} set)
   * are wanted. A sink that keeps such a line as its pointer (path, line number, time: a results
   * cache entry that leaves the texts in the index) says {@code false}, and the engine gives those
   * lines with the text {@code ""}: the records it holds (open windows above all) then keep no line
   * texts alive. Evidence is then de-duplicated by pointer; every other field stays the same.
   */
  default boolean wantsIndexedTexts() {
    return true;
  }

  /**
   * Whether the records of {@code kind} ({@link Window}, {@link Session}, {@link Rejection} or
   * {@link Anomaly}) this sink is given need the texts of their evidence lines ({@link
   * SourceLine#line}). A sink that only counts the records says {@code false}: a stream that reads
   * records back (per-router run files) may then hand them over with every evidence text {@code ""}
   * (paths and line numbers kept) instead of reading the texts; every other field stays the same.
   * Only for a kind without a printer (a printer says it with {@link
   * RecordPrinter#wantsEvidenceText}).
   */
  default boolean wantsEvidenceText(Class<?> kind) {
    return true;
  }

  /**
   * A printer for the windows this sink is given, or {@code null} (the default). With one, a stream
   * that merges records it has already (per-router runs from the results cache) may print them on
   * other threads and hand the bytes to {@link #printed} in the order {@link #window} would have
   * been called, instead of calling {@link #window}; the sink's {@link #window} must then amount to
   * the same output (typically: print the window with the same printer and pass the bytes on).
   */
  default RecordPrinter<Window> windowPrinter() {
    return null;
  }

  /** A printer for the sessions this sink is given, or {@code null}; see {@link #windowPrinter}. */
  default RecordPrinter<Session> sessionPrinter() {
    return null;
  }

  /** A printer for the rejections, or {@code null}; see {@link #windowPrinter}. */
  default RecordPrinter<Rejection> rejectionPrinter() {
    return null;
  }

  /** A printer for the anomalies, or {@code null}; see {@link #windowPrinter}. */
  default RecordPrinter<Anomaly> anomalyPrinter() {
    return null;
  }

  /**
   * What a printer of this sink ({@link #windowPrinter} ...) made of one record, in the records'
   * order. The array is the caller's: copy what is kept.
   */
  default void printed(byte[] b, int off, int len) {}

  /**
   * After every record.
   *
   * @param totals exact reject totals from counter snapshots
   * @param eventsUsed distinct events after dedupe
   * @param duplicatesDropped events dropped as duplicates
   * @param untimedEvents events without a time
   */
  default void end(
      List<RejectTotals> totals, long eventsUsed, long duplicatesDropped, long untimedEvents) {}

  /**
   * What falls into {@code [from, to)} goes on to {@code next}, as {@link AuditResult#between} cuts
   * it: windows that reach into it clipped and marked (in the same order), sessions accepted,
   * rejections, totals and anomalies dated inside it.
   */
  static AuditSink between(Instant from, Instant to, AuditSink next) {
    if (!from.isBefore(to)) {
      throw new AuditException("period start " + from + " is not before its end " + to);
    }
    return new AuditSink() {
      @Override
      public void window(Window w) {
        w.clip(from, to).ifPresent(next::window);
      }

      @Override
      public void session(Session s) {
        if (in(s.acceptedAt())) {
          next.session(s);
        }
      }

      @Override
      public void rejection(Rejection r) {
        if (in(r.at())) {
          next.rejection(r);
        }
      }

      @Override
      public boolean wantsRejections() {
        return next.wantsRejections();
      }

      @Override
      public boolean wantsAnomalies() {
        return next.wantsAnomalies();
      }

      @Override
      public void anomaly(Anomaly a) {
        if (a.at() == null || in(a.at())) {
          next.anomaly(a);
        }
      }

      @Override
      public boolean wantsWindows() {
        return next.wantsWindows();
      }

      @Override
      public boolean wantsSessions() {
        return next.wantsSessions();
      }

      @Override
      public boolean wantsEvidenceText(Class<?> kind) {
        return next.wantsEvidenceText(kind);
      }

      @Override
      public RecordPrinter<Window> windowPrinter() {
        RecordPrinter<Window> p = next.windowPrinter();
        return p == null
            ? null
            : RecordPrinter.of(
                p.wantsEvidenceText(),
                form(p),
                (w, out) -> {
                  Window c = w.clip(from, to).orElse(null);
                  if (c != null) {
                    p.print(c, out);
                  }
                });
      }

      @Override
      public RecordPrinter<Session> sessionPrinter() {
        RecordPrinter<Session> p = next.sessionPrinter();
        return p == null
            ? null
            : RecordPrinter.of(
                p.wantsEvidenceText(),
                form(p),
                (s, out) -> {
                  if (in(s.acceptedAt())) {
                    p.print(s, out);
                  }
                });
      }

      @Override
      public RecordPrinter<Rejection> rejectionPrinter() {
        RecordPrinter<Rejection> p = next.rejectionPrinter();
        return p == null
            ? null
            : RecordPrinter.of(
                p.wantsEvidenceText(),
                form(p),
                (r, out) -> {
                  if (in(r.at())) {
                    p.print(r, out);
                  }
                });
      }

      @Override
      public RecordPrinter<Anomaly> anomalyPrinter() {
        RecordPrinter<Anomaly> p = next.anomalyPrinter();
        return p == null
            ? null
            : RecordPrinter.of(
                p.wantsEvidenceText(),
                form(p),
                (a, out) -> {
                  if (a.at() == null || in(a.at())) {
                    p.print(a, out);
                  }
                });
      }

      @Override
      public void printed(byte[] b, int off, int len) {
        next.printed(b, off, len);
      }

      @Override
      public void end(List<RejectTotals> totals, long used, long dropped, long untimed) {
        next.end(totals.stream().filter(t -> in(t.to())).toList(), used, dropped, untimed);
      }

      private boolean in(Instant t) {
        return !t.isBefore(from) && t.isBefore(to);
      }

      /** The inner printer's form, cut to this period. */
      private String form(RecordPrinter<?> p) {
        String f = p.form();
        return f == null ? null : f + "\nperiod: " + from + " " + to;
      }
    };
  }

  /** {@link #between} the first instant of {@code month} (UTC) and the first of the next. */
  static AuditSink month(YearMonth month, AuditSink next) {
    return between(
        month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC),
        month.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC),
        next);
  }
}
