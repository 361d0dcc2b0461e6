package org.mobilessh.evidence;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.QuoteMode;
import org.mobilessh.audit.Anomaly;
import org.mobilessh.audit.AuditFormat;
import org.mobilessh.audit.AuditResult;
import org.mobilessh.audit.Rejection;
import org.mobilessh.audit.Session;
import org.mobilessh.audit.SourceLine;
import org.mobilessh.audit.Window;

/**
 * The month's audit as five CSV files (RFC 4180, UTF-8, CRLF): {@code windows.csv}, {@code
 * sessions.csv}, {@code rejects.csv}, {@code anomalies.csv} with the audit records' columns, and
 * {@code events.csv} with every indexed line behind them. Rows are in the audit's order, so the
 * same index gives the same bytes.
 */
public final class CsvExport {
  /** The file names, in the order they are written. */
  public static final List<String> FILES =
      List.of("windows.csv", "sessions.csv", "rejects.csv", "anomalies.csv", "events.csv");

  /** Columns of {@code events.csv}. */
  public static final List<String> EVENT_COLUMNS =
      List.of(
          "timestamp",
          "event.action",
          "observer.hostname",
          "event.dataset",
          "log.file.path",
          "log.file.line",
          "log.offset",
          "event.hash",
          "event.original",
          "used_by");

  /** How cells are written. */
  public enum Variant {
    /** Every value exactly as the audit prints it: the variant that is hashed and bundled. */
    RAW,
    /**
     * For opening in a spreadsheet: a cell a spreadsheet would run as a formula gets a leading
     * apostrophe (see {@link #neutralise}); the file starts with a UTF-8 byte order mark.
     */
    SPREADSHEET_SAFE
  }

  static final CSVFormat FORMAT =
      CSVFormat.RFC4180.builder().setRecordSeparator("\r\n").setQuoteMode(QuoteMode.MINIMAL).get();

  private static final Pattern PLAIN_NUMBER = Pattern.compile("-?[0-9]+(\\.[0-9]+)?");

  private CsvExport() {}

  /**
   * A spreadsheet-safe cell: a value starting with {@code = + - @}, a tab or a carriage return gets
   * a leading {@code '} so spreadsheets show it as text instead of evaluating it (OWASP "CSV
   * injection"). A plain decimal number such as {@code -3} or {@code -0.25} is left alone: it
   * cannot be a formula, and prefixing it would turn a number into text.
   */
  public static String neutralise(String cell) {
    if (cell.isEmpty()) {
      return cell;
    }
    char c = cell.charAt(0);
    boolean risky = c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
    if (!risky || PLAIN_NUMBER.matcher(cell).matches()) {
      return cell;
    }
    return "'" + cell;
  }

  /** The five files' contents by name, in {@link #FILES} order. */
  public static Map<String, byte[]> render(MonthAudit audit, Variant variant) {
    AuditResult r = audit.result();
    Map<String, byte[]> out = new LinkedHashMap<>();
    List<List<String>> rows = new ArrayList<>();
    for (Window w : r.windows()) {
      rows.add(w.csvValues());
    }
    out.put("windows.csv", csv(Window.CSV_COLUMNS, rows, variant));
    rows = new ArrayList<>();
    for (Session s : r.sessions()) {
      rows.add(s.csvValues());
    }
    out.put("sessions.csv", csv(Session.CSV_COLUMNS, rows, variant));
    rows = new ArrayList<>();
    for (Rejection x : r.rejections()) {
      rows.add(x.csvValues());
    }
    out.put("rejects.csv", csv(Rejection.CSV_COLUMNS, rows, variant));
    rows = new ArrayList<>();
    for (Anomaly a : r.anomalies()) {
      rows.add(a.csvValues());
    }
    out.put("anomalies.csv", csv(Anomaly.CSV_COLUMNS, rows, variant));
    rows = new ArrayList<>();
    for (EvidenceLine e : evidence(audit)) {
      IndexedLine l = e.indexed();
      rows.add(
          List.of(
              l == null ? "" : AuditFormat.time(l.timestamp()),
              l == null || l.action() == null ? "" : l.action(),
              l == null || l.observer() == null ? "" : l.observer(),
              l == null || l.dataset() == null ? "" : l.dataset(),
              e.line().sourcePath(),
              Long.toString(e.line().lineNumber()),
              l == null || l.offset() < 0 ? "" : Long.toString(l.offset()),
              l == null ? "" : l.hashText(),
              e.line().line(),
              String.join(" ", e.usedBy())));
    }
    out.put("events.csv", csv(EVENT_COLUMNS, rows, variant));
    return out;
  }

  /**
   * Writes the five files into {@code dir} (created if missing), replacing files of those names.
   */
  public static void write(MonthAudit audit, Variant variant, Path dir) {
    try {
      Files.createDirectories(dir);
      for (Map.Entry<String, byte[]> e : render(audit, variant).entrySet()) {
        Files.write(dir.resolve(e.getKey()), e.getValue());
      }
    } catch (IOException e) {
      throw new EvidenceException("cannot write " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * One source line behind the figures.
   *
   * @param line the pointer and text the audit kept
   * @param indexed what the index holds for it, {@code null} if the index does not have it
   * @param usedBy which rows rely on it, as {@code file:row} ({@code windows:3}; rows 1-based,
   *     header not counted)
   */
  public record EvidenceLine(SourceLine line, IndexedLine indexed, List<String> usedBy) {}

  /**
   * Every distinct line behind a window, session, rejection or anomaly of the month, in time order
   * (then path, then line number).
   */
  public static List<EvidenceLine> evidence(MonthAudit audit) {
    AuditResult r = audit.result();
    Map<String, SourceLine> lines = new LinkedHashMap<>();
    Map<String, List<String>> uses = new LinkedHashMap<>();
    for (int i = 0; i < r.windows().size(); i++) {
      use(lines, uses, r.windows().get(i).evidence(), "windows:" + (i + 1));
    }
    for (int i = 0; i < r.sessions().size(); i++) {
      use(lines, uses, r.sessions().get(i).evidence(), "sessions:" + (i + 1));
    }
    for (int i = 0; i < r.rejections().size(); i++) {
      use(lines, uses, List.of(r.rejections().get(i).evidence()), "rejects:" + (i + 1));
    }
    for (int i = 0; i < r.anomalies().size(); i++) {
      use(lines, uses, r.anomalies().get(i).evidence(), "anomalies:" + (i + 1));
    }
    List<EvidenceLine> out = new ArrayList<>();
    for (Map.Entry<String, SourceLine> e : lines.entrySet()) {
      SourceLine l = e.getValue();
      out.add(new EvidenceLine(l, audit.line(l), List.copyOf(uses.get(e.getKey()))));
    }
    out.sort(
        Comparator.comparing(
                (EvidenceLine e) ->
                    e.indexed() == null || e.indexed().timestamp() == null
                        ? java.time.Instant.MAX
                        : e.indexed().timestamp())
            .thenComparing(e -> e.line().sourcePath())
            .thenComparingLong(e -> e.line().lineNumber()));
    return out;
  }

  private static void use(
      Map<String, SourceLine> lines,
      Map<String, List<String>> uses,
      List<SourceLine> evidence,
      String row) {
    for (SourceLine l : evidence) {
      String k = MonthAudit.key(l.sourcePath(), l.lineNumber());
      lines.putIfAbsent(k, l);
      List<String> u = uses.computeIfAbsent(k, x -> new ArrayList<>());
      if (!u.contains(row)) {
        u.add(row);
      }
    }
  }

  /** Groups evidence lines by source path, sorted, each group in line-number order. */
  static Map<String, List<EvidenceLine>> bySource(List<EvidenceLine> lines) {
    Map<String, List<EvidenceLine>> out = new TreeMap<>();
    for (EvidenceLine e : lines) {
      out.computeIfAbsent(e.line().sourcePath(), k -> new ArrayList<>()).add(e);
    }
    for (List<EvidenceLine> l : out.values()) {
      l.sort(Comparator.comparingLong(e -> e.line().lineNumber()));
    }
    return out;
  }

  static byte[] csv(List<String> header, List<List<String>> rows, Variant variant) {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (Writer w = new OutputStreamWriter(bytes, StandardCharsets.UTF_8);
        CSVPrinter p = new CSVPrinter(w, FORMAT)) {
      if (variant == Variant.SPREADSHEET_SAFE) {
        w.write('\uFEFF');
      }
      p.printRecord(cells(header, variant));
      for (List<String> row : rows) {
        p.printRecord(cells(row, variant));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static List<String> cells(List<String> row, Variant variant) {
    if (variant == Variant.RAW) {
      return row;
    }
    List<String> out = new ArrayList<>(row.size());
    for (String c : row) {
      out.add(neutralise(c));
    }
    return out;
  }
}
