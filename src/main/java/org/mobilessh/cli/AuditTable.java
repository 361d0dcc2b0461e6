package org.mobilessh.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.mobilessh.audit.RecordPrinter;
import org.mobilessh.audit.SourceLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Prints audit records as an aligned table, RFC 4180 CSV (Commons CSV) or JSON lines. Every command
 * gives its columns and the records' values as text (the audit's own {@code csvValues()}, so the
 * three formats agree); JSON turns numeric and boolean columns back into JSON numbers and booleans
 * and an empty value into {@code null}.
 */
final class AuditTable {
  /** Output formats of the audit commands. */
  enum Format {
    TABLE,
    CSV,
    JSON;

    static Format parse(String text) {
      try {
        return valueOf(text.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "--format must be table, csv or json, not '" + text + "'");
      }
    }
  }

  /**
   * One record.
   *
   * @param values one per column, "" for none
   * @param evidence the lines behind it; printed as {@code path:line} in CSV and JSON, {@code null}
   *     when the columns already carry it
   */
  record Row(List<String> values, List<SourceLine> evidence) {}

  private static final Set<String> NUMBERS =
      Set.of(
          "close_precision_s",
          "duration_s",
          "ssh_sessions",
          "open_precision_s",
          "source_port",
          "destination_port",
          "bytes_in",
          "bytes_out",
          "conntrack_id",
          "precision_s");

  private static final Set<String> BOOLEANS = Set.of("sampled", "outlives_window");

  /** Made on first use: setting Jackson up is a good part of a CSV run's start otherwise. */
  private static final class Json {
    static final ObjectMapper MAPPER =
        new ObjectMapper().disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
  }

  private AuditTable() {}

  /**
   * Prints the rows to the command's output and says on its error stream when there are none.
   *
   * @param evidence whether the rows carry their evidence (then CSV and JSON add it); decided by
   *     the command, not by the rows, so that no rows give the header that rows give
   * @param noun what the rows are, plural ("windows")
   * @return {@link ExitCodes#OK} when there is a row, else {@link ExitCodes#NOT_FOUND}
   */
  static int print(
      CommandSpec spec,
      List<String> columns,
      List<Row> rows,
      boolean evidence,
      Format format,
      String noun) {
    PrintWriter out = spec.commandLine().getOut();
    if (!rows.isEmpty() || format == Format.CSV) {
      // an empty CSV keeps its header: scripts read the columns either way
      write(columns, rows, evidence && withEvidence(columns, rows), format, out);
    }
    if (rows.isEmpty()) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("no " + noun + " found");
      err.flush();
      return ExitCodes.NOT_FOUND;
    }
    return ExitCodes.OK;
  }

  /** A record's CSV line written as bytes, when it can be (see {@link Writer#printer}). */
  interface CsvLine<T> {
    boolean print(T t, org.mobilessh.audit.PrintBuffer out);
  }

  /**
   * Prints rows as they come: CSV and JSON lines at once, a table (which aligns its columns to the
   * widest cell) once all are in. Every row carries its evidence, unless the columns already do.
   */
  static final class Writer {
    private final CommandSpec spec;
    private final List<String> columns;
    private final Format format;
    private final String noun;
    private final String filter;
    private final PrintWriter out;
    private final TableRows table;
    private final boolean evidence;
    private CSVPrinter csv;
    private CSVFormat csvFormat;
    private final StringBuilder pending = new StringBuilder(1 << 17);
    private long rows;
    private final OutputStream raw;
    private final byte[] bytes = new byte[1 << 20];
    private int held;
    private boolean rawStarted;

    Writer(CommandSpec spec, List<String> columns, Format format, String noun) {
      this(spec, columns, format, noun, null);
    }

    /**
     * A writer whose {@link #printer}s have a {@link RecordPrinter#form}, so that the rows they
     * print of cached results are kept and reused.
     *
     * @param filter every filter the rows given to this writer are selected by (the commands'
     *     {@code --ip}), as text; {@code null}: the printers have no form, nothing is kept
     */
    Writer(CommandSpec spec, List<String> columns, Format format, String noun, String filter) {
      this.spec = spec;
      this.columns = columns;
      this.format = format;
      this.noun = noun;
      this.filter = filter;
      this.out = spec.commandLine().getOut();
      this.evidence = !columns.contains("evidence");
      this.raw = Stdout.bytes(out);
      this.table = format == Format.TABLE ? new TableRows(columns) : null;
      if (format == Format.CSV) {
        csv = csvPrinter(columns, evidence, out);
        csvFormat = csvFormat(columns, evidence);
      }
    }

    /**
     * A printer of records as this writer prints their rows (CSV or JSON lines, or a table's cells
     * to be aligned once all are in), for {@link org.mobilessh.audit.AuditSink#windowPrinter} and
     * the like; its bytes go to {@link #printed}.
     *
     * @param row the row of a record, {@code null} to leave it out
     */
    <T> RecordPrinter<T> printer(Function<T, Row> row) {
      return printer(row, null);
    }

    /**
     * {@link #printer(Function)}, trying {@code csv} first for CSV lines.
     *
     * @param csv writes a record's CSV line as bytes, or leaves it out, and says {@code true}; or
     *     says {@code false} (having written nothing) for the general way
     */
    <T> RecordPrinter<T> printer(Function<T, Row> row, CsvLine<T> csv) {
      if (format == Format.TABLE) {
        return RecordPrinter.of(
            false,
            form(),
            (t, out) -> {
              Row r = row.apply(t);
              if (r != null) {
                TableRows.encode(r.values(), out);
              }
            });
      }
      ThreadLocal<StringBuilder> text = ThreadLocal.withInitial(() -> new StringBuilder(1024));
      CsvLine<T> fast = format == Format.CSV ? csv : null;
      // CSV prints path:line pointers only; JSON prints the lines unless the columns carry them
      return RecordPrinter.of(
          format == Format.JSON && evidence,
          form(),
          (t, out) -> {
            if (fast != null && fast.print(t, out)) {
              return;
            }
            Row r = row.apply(t);
            if (r == null) {
              return;
            }
            StringBuilder b = text.get();
            b.setLength(0);
            line(r, b);
            out.append(b.toString());
          });
    }

    /**
     * What the printers' rows depend on besides the record and the program: the records' kind
     * (noun), the format and columns, whether evidence follows, the filter and the line separator
     * (JSON lines end with it).
     */
    private String form() {
      if (filter == null) {
        return null;
      }
      return "mobilessh audit rows 1\nrows: "
          + noun
          + "\nformat: "
          + format
          + "\ncolumns: "
          + String.join(",", columns)
          + "\nevidence: "
          + evidence
          + "\nfilter: "
          + filter
          + "\nline separator: "
          + java.util.HexFormat.of()
              .formatHex(System.lineSeparator().getBytes(StandardCharsets.UTF_8));
    }

    private void line(Row r, StringBuilder b) {
      try {
        if (format == Format.CSV) {
          csvLine(csvFormat, r, evidence, b);
        } else {
          jsonLine(columns, r, evidence, b);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** One row's bytes (UTF-8), as a {@link #printer} made them, in order. */
    void printed(byte[] b, int off, int len) {
      rows++;
      if (table != null) {
        table.add(b, off, len);
        return;
      }
      if (raw == null) {
        pending.append(new String(b, off, len, StandardCharsets.UTF_8));
        if (pending.length() >= 1 << 16) {
          out.append(pending);
          pending.setLength(0);
        }
        return;
      }
      if (len > bytes.length - held) {
        drain();
        if (len > bytes.length) {
          write(b, off, len);
          return;
        }
      }
      System.arraycopy(b, off, bytes, held, len);
      held += len;
    }

    private void drain() {
      write(bytes, 0, held);
      held = 0;
    }

    private void write(byte[] b, int off, int len) {
      if (!rawStarted) {
        // what went through the writer (the CSV header, earlier rows) comes first
        out.append(pending);
        pending.setLength(0);
        out.flush();
        rawStarted = true;
      }
      try {
        raw.write(b, off, len); // like the writer, it keeps an error to itself (Stdout.finish)
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    void row(Row r) {
      if (table != null) {
        org.mobilessh.audit.PrintBuffer b = new org.mobilessh.audit.PrintBuffer(256);
        TableRows.encode(r.values(), b);
        printed(b.array(), 0, b.length());
        return;
      }
      if (raw != null) {
        StringBuilder b = new StringBuilder(256);
        line(r, b);
        byte[] bytes = b.toString().getBytes(StandardCharsets.UTF_8);
        printed(bytes, 0, bytes.length);
        return;
      }
      rows++;
      try {
        switch (format) {
          case TABLE -> throw new IllegalStateException("table rows are held apart");
          case CSV -> csvLine(csvFormat, r, evidence, pending);
          case JSON -> jsonLine(columns, r, evidence, pending);
        }
        if (pending.length() >= 1 << 16) {
          out.append(pending);
          pending.setLength(0);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /**
     * Ends the output and says on the error stream when there was no row.
     *
     * @return {@link ExitCodes#OK} when there was a row, else {@link ExitCodes#NOT_FOUND}
     */
    int finish() {
      if (held > 0) {
        drain();
      }
      if (rawStarted) {
        try {
          raw.flush();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      if (pending.length() > 0) {
        out.append(pending);
        pending.setLength(0);
      }
      try {
        if (csv != null) {
          csv.flush();
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (table != null) {
        try (table) {
          if (table.rows() > 0) {
            table.print(columns, out, raw);
          }
        }
      }
      out.flush();
      if (rows == 0) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("no " + noun + " found");
        err.flush();
        return ExitCodes.NOT_FOUND;
      }
      return ExitCodes.OK;
    }
  }

  static void write(
      List<String> columns, List<Row> rows, boolean evidence, Format format, PrintWriter out) {
    switch (format) {
      case TABLE -> table(columns, rows, out);
      case CSV -> csv(columns, rows, evidence, out);
      case JSON -> json(columns, rows, evidence, out);
    }
    out.flush();
  }

  /**
   * Columns padded to their widest cell; empty cells show as "-"; the last column is not padded.
   */
  static void table(List<String> columns, List<Row> rows, PrintWriter out) {
    int[] width = new int[columns.size()];
    for (int i = 0; i < columns.size(); i++) {
      width[i] = columns.get(i).length();
    }
    for (Row r : rows) {
      for (int i = 0; i < width.length; i++) {
        width[i] = Math.max(width[i], cell(r.values().get(i)).length());
      }
    }
    out.println(line(columns, width));
    for (Row r : rows) {
      List<String> cells = new ArrayList<>(width.length);
      for (String v : r.values()) {
        cells.add(cell(v));
      }
      out.println(line(cells, width));
    }
  }

  private static String cell(String v) {
    return v == null || v.isEmpty() ? "-" : v;
  }

  static String line(List<String> cells, int[] width) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      String c = cells.get(i);
      b.append(c);
      if (i < cells.size() - 1) {
        b.append(" ".repeat(width[i] - c.length() + 2));
      }
    }
    return b.toString().stripTrailing();
  }

  private static boolean withEvidence(List<String> columns, List<Row> rows) {
    return !columns.contains("evidence") && rows.stream().allMatch(r -> r.evidence() != null);
  }

  static void csv(List<String> columns, List<Row> rows, boolean evidence, PrintWriter out) {
    try {
      CSVPrinter p = csvPrinter(columns, evidence, out);
      for (Row r : rows) {
        p.printRecord(csvValues(r, evidence));
      }
      p.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static CSVPrinter csvPrinter(List<String> columns, boolean evidence, PrintWriter out) {
    try {
      return new CSVPrinter(out, csvFormat(columns, evidence));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static CSVFormat csvFormat(List<String> columns, boolean evidence) {
    List<String> header = new ArrayList<>(columns);
    if (evidence) {
      header.add("evidence");
    }
    return CSVFormat.RFC4180
        .builder()
        .setHeader(header.toArray(String[]::new))
        .setRecordSeparator("\n")
        .build();
  }

  static List<String> csvValues(Row r, boolean evidence) {
    List<String> values = new ArrayList<>(r.values());
    if (evidence) {
      values.add(pointers(r.evidence()));
    }
    return values;
  }

  static void json(List<String> columns, List<Row> rows, boolean evidence, PrintWriter out) {
    for (Row r : rows) {
      out.println(jsonLine(columns, r, evidence));
    }
  }

  static String jsonLine(List<String> columns, Row r, boolean evidence) {
    var o = Json.MAPPER.createObjectNode();
    for (int i = 0; i < columns.size(); i++) {
      String c = columns.get(i);
      String v = r.values().get(i);
      if (v == null || v.isEmpty()) {
        o.putNull(c);
      } else if (NUMBERS.contains(c)) {
        o.put(c, new BigDecimal(v));
      } else if (BOOLEANS.contains(c)) {
        o.put(c, Boolean.parseBoolean(v));
      } else {
        o.put(c, v);
      }
    }
    if (evidence) {
      var arr = o.putArray("evidence");
      for (SourceLine l : r.evidence()) {
        arr.addObject()
            .put("file", l.sourcePath())
            .put("line", l.lineNumber())
            .put("text", l.line());
      }
    }
    try {
      return Json.MAPPER.writeValueAsString(o);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * One CSV record as {@link CSVPrinter#printRecord} prints it with {@code format}, appended to
   * {@code b}: a value made only of characters that never need quotes is written as it is, any
   * other goes through {@code format} itself (AuditTableTest compares the two on random rows).
   */
  static void csvLine(CSVFormat format, Row r, boolean evidence, StringBuilder b)
      throws IOException {
    List<String> values = r.values();
    int n = values.size();
    for (int i = 0; i < n; i++) {
      csvValue(format, values.get(i), i == 0, b);
    }
    if (evidence) {
      int at = b.length();
      b.append(',');
      if (!pointers(r.evidence(), b) || !plain(b, at + 1, b.length())) {
        String p = b.substring(at + 1);
        b.setLength(at);
        format.print(p, b, false);
      }
    }
    b.append('\n');
  }

  private static void csvValue(CSVFormat format, String v, boolean first, StringBuilder b)
      throws IOException {
    if (v != null && v.isEmpty() && !first) {
      b.append(','); // minimal quoting leaves an empty value empty, except first on a line
    } else if (v != null && plain(v, 0, v.length())) {
      if (!first) {
        b.append(',');
      }
      b.append(v);
    } else {
      format.print(v, b, first);
    }
  }

  /**
   * Whether RFC 4180 minimal quoting leaves the text as it is: not empty, no quote, comma, line
   * break or other control character, nothing outside ASCII, not starting at or below '#' nor
   * ending at or below a space.
   */
  private static boolean plain(CharSequence v, int from, int to) {
    if (to <= from || v.charAt(from) <= '#' || v.charAt(to - 1) <= ' ') {
      return false;
    }
    for (int i = from; i < to; i++) {
      char c = v.charAt(i);
      if (c < ' ' || c > '~' || c == '"' || c == ',') {
        return false;
      }
    }
    return true;
  }

  /**
   * One JSON line as {@link #jsonLine(List, Row, boolean)} writes it with Jackson, appended to
   * {@code b} with its line break; texts that need escaping and numbers that are not already in
   * Jackson's form go through Jackson (AuditTableTest compares the two on random rows).
   */
  static void jsonLine(List<String> columns, Row r, boolean evidence, StringBuilder b) {
    b.append('{');
    for (int i = 0; i < columns.size(); i++) {
      String c = columns.get(i);
      String v = r.values().get(i);
      if (i > 0) {
        b.append(',');
      }
      jsonString(c, b);
      b.append(':');
      if (v == null || v.isEmpty()) {
        b.append("null");
      } else if (NUMBERS.contains(c)) {
        b.append(plainNumber(v) ? v : new BigDecimal(v).toString());
      } else if (BOOLEANS.contains(c)) {
        b.append(Boolean.parseBoolean(v));
      } else {
        jsonString(v, b);
      }
    }
    if (evidence) {
      b.append(columns.isEmpty() ? "" : ",").append("\"evidence\":[");
      boolean firstLine = true;
      for (SourceLine l : r.evidence()) {
        b.append(firstLine ? "{\"file\":" : ",{\"file\":");
        firstLine = false;
        jsonString(l.sourcePath(), b);
        b.append(",\"line\":").append(l.lineNumber()).append(",\"text\":");
        jsonString(l.line(), b);
        b.append('}');
      }
      b.append(']');
    }
    b.append('}').append(System.lineSeparator());
  }

  /** Digits with at most one inner point and no leading or trailing zero that BigDecimal drops. */
  private static boolean plainNumber(String v) {
    int n = v.length();
    int dot = v.indexOf('.');
    for (int i = 0; i < n; i++) {
      char c = v.charAt(i);
      if ((c < '0' || c > '9') && i != dot) {
        return false;
      }
    }
    if (dot < 0) {
      return n == 1 || v.charAt(0) != '0';
    }
    int intLen = dot;
    int fracLen = n - dot - 1;
    if (intLen == 0 || fracLen == 0 || fracLen > 6) {
      return false;
    }
    return intLen == 1 || v.charAt(0) != '0';
  }

  private static void jsonString(String v, StringBuilder b) {
    int n = v.length();
    for (int i = 0; i < n; i++) {
      char c = v.charAt(i);
      if (c < ' ' || c == '"' || c == '\\' || Character.isSurrogate(c)) {
        try {
          b.append(Json.MAPPER.writeValueAsString(v));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        return;
      }
    }
    b.append('"').append(v).append('"');
  }

  /**
   * {@code path:line} pointers, space separated, appended to {@code b}.
   *
   * @return false if there is none (an empty value)
   */
  private static boolean pointers(List<SourceLine> lines, StringBuilder b) {
    boolean any = false;
    for (SourceLine l : lines) {
      if (any) {
        b.append(' ');
      }
      b.append(l.sourcePath()).append(':').append(l.lineNumber());
      any = true;
    }
    return any;
  }

  /** {@code path:line} pointers, space separated, in order. */
  static String pointers(List<SourceLine> lines) {
    StringBuilder b = new StringBuilder();
    for (SourceLine l : lines) {
      b.append(b.length() == 0 ? "" : " ")
          .append(l.sourcePath())
          .append(':')
          .append(l.lineNumber());
    }
    return b.toString();
  }
}
