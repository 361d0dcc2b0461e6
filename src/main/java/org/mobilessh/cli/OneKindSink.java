package org.mobilessh.cli;

import java.util.function.Function;
import org.mobilessh.audit.Anomaly;
import org.mobilessh.audit.AuditSink;
import org.mobilessh.audit.RecordPrinter;
import org.mobilessh.audit.Rejection;
import org.mobilessh.audit.Session;
import org.mobilessh.audit.Window;

/**
 * The sink of an audit command that prints one kind of record into its {@link AuditTable.Writer}:
 * records come one by one ({@code row} gives {@code null} for one the filter drops) or, on the
 * streaming path, as bytes its {@code printer} made. It asks the engine for no other kind, which
 * for all but {@code anomalies} also spares the checks that only raise anomalies.
 */
abstract class OneKindSink<T> implements AuditSink {
  private final AuditTable.Writer rows;
  private final Function<T, AuditTable.Row> row;
  final RecordPrinter<T> printer;

  private OneKindSink(
      AuditTable.Writer rows, Function<T, AuditTable.Row> row, RecordPrinter<T> printer) {
    this.rows = rows;
    this.row = row;
    this.printer = printer;
  }

  static AuditSink windows(
      AuditTable.Writer rows, Function<Window, AuditTable.Row> row, RecordPrinter<Window> p) {
    return new OneKindSink<>(rows, row, p) {
      @Override
      public boolean wantsWindows() {
        return true;
      }

      @Override
      public void window(Window w) {
        add(w);
      }

      @Override
      public RecordPrinter<Window> windowPrinter() {
        return printer;
      }
    };
  }

  static AuditSink sessions(
      AuditTable.Writer rows, Function<Session, AuditTable.Row> row, RecordPrinter<Session> p) {
    return new OneKindSink<>(rows, row, p) {
      @Override
      public boolean wantsSessions() {
        return true;
      }

      @Override
      public void session(Session s) {
        add(s);
      }

      @Override
      public RecordPrinter<Session> sessionPrinter() {
        return printer;
      }
    };
  }

  static AuditSink rejections(
      AuditTable.Writer rows, Function<Rejection, AuditTable.Row> row, RecordPrinter<Rejection> p) {
    return new OneKindSink<>(rows, row, p) {
      @Override
      public boolean wantsRejections() {
        return true;
      }

      @Override
      public void rejection(Rejection r) {
        add(r);
      }

      @Override
      public RecordPrinter<Rejection> rejectionPrinter() {
        return printer;
      }
    };
  }

  static AuditSink anomalies(
      AuditTable.Writer rows, Function<Anomaly, AuditTable.Row> row, RecordPrinter<Anomaly> p) {
    return new OneKindSink<>(rows, row, p) {
      @Override
      public boolean wantsAnomalies() {
        return true;
      }

      @Override
      public void anomaly(Anomaly a) {
        add(a);
      }

      @Override
      public RecordPrinter<Anomaly> anomalyPrinter() {
        return printer;
      }
    };
  }

  final void add(T record) {
    AuditTable.Row r = row.apply(record);
    if (r != null) {
      rows.row(r);
    }
  }

  @Override
  public boolean wantsWindows() {
    return false;
  }

  @Override
  public boolean wantsSessions() {
    return false;
  }

  @Override
  public boolean wantsRejections() {
    return false;
  }

  @Override
  public boolean wantsAnomalies() {
    return false;
  }

  @Override
  public void printed(byte[] b, int off, int len) {
    rows.printed(b, off, len);
  }
}
