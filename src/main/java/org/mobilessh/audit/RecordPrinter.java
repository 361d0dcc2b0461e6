package org.mobilessh.audit;

import java.util.function.BiConsumer;

/**
 * Turns records of one kind into the bytes a command prints, one record at a time and independently
 * of the others, so that a stream can print the records of several routers on several threads and
 * only merge bytes ({@link AuditSink#windowPrinter}).
 *
 * @param <T> the record kind
 */
public interface RecordPrinter<T> {
  /**
   * Whether {@link #print} reads the texts of the records' evidence lines ({@link
   * SourceLine#line()}). When it does not, the records it is given may carry {@code ""} as each
   * evidence line's text (their paths and line numbers are the real ones), and the texts are not
   * read from the results cache at all.
   */
  boolean wantsEvidenceText();

  /**
   * Appends what {@code record} prints as to {@code out} (nothing, when the record is filtered
   * out). Called on several threads at once, each with its own buffer.
   */
  void print(T record, PrintBuffer out);

  /** A printer from a function. */
  static <T> RecordPrinter<T> of(boolean evidenceText, BiConsumer<T, PrintBuffer> print) {
    return new RecordPrinter<>() {
      @Override
      public boolean wantsEvidenceText() {
        return evidenceText;
      }

      @Override
      public void print(T record, PrintBuffer out) {
        print.accept(record, out);
      }
    };
  }
}
