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

  /**
   * A text that names everything {@link #print}'s bytes depend on besides the record and the
   * program (what is printed, in which format and columns, which filters and period apply), or
   * {@code null} (the default). With a form, the rows printed of a cached run may be kept beside it
   * and copied the next time the same form is asked of the same records (see {@link
   * IndexedAuditInput#stream}); so two printers with one form must print every record alike.
   */
  default String form() {
    return null;
  }

  /** A printer from a function, without a {@link #form}. */
  static <T> RecordPrinter<T> of(boolean evidenceText, BiConsumer<T, PrintBuffer> print) {
    return of(evidenceText, null, print);
  }

  /** A printer from a function, with its {@link #form} ({@code null}: none). */
  static <T> RecordPrinter<T> of(
      boolean evidenceText, String form, BiConsumer<T, PrintBuffer> print) {
    return new RecordPrinter<>() {
      @Override
      public boolean wantsEvidenceText() {
        return evidenceText;
      }

      @Override
      public String form() {
        return form;
      }

      @Override
      public void print(T record, PrintBuffer out) {
        print.accept(record, out);
      }
    };
  }
}
