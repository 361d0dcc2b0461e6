package org.mobilessh.report;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.mobilessh.audit.AuditConfig;

/**
 * What to report on and how to render it.
 *
 * @param index the event index directory
 * @param month the calendar month (UTC)
 * @param host only this router ({@code observer.hostname}); {@code null} for every router
 * @param config the ruleset settings the logs were written under
 * @param template a template directory, a template file, or the name of a bundled template; {@code
 *     null} for the bundled {@code default}
 * @param lang {@code en} or {@code ja}
 * @param paper page size
 * @param format HTML or PDF
 * @param toolVersion printed on the cover
 * @param lookback how far before and after the month events are read, so windows and sessions
 *     crossing its edges are whole
 * @param generatedAt the "generated at" stamp; {@code null}: the time of the last event read, so
 *     the same data gives the same report
 * @param evidenceHash the evidence bundle's manifest hash for the cover, or {@code null}
 * @param attachments files to attach to the PDF as PDF/A-3 associated files (name to content; the
 *     CSV evidence), ignored for HTML; may be empty
 * @param topN rows of each long table; the full lists are in the CSV export
 * @param cache whether the audit may use (and fill) the results kept with the index ({@link
 *     org.mobilessh.audit.IndexedAuditInput.Options#cache}); {@code false} reconstructs from the
 *     events alone
 */
public record ReportRequest(
    Path index,
    YearMonth month,
    String host,
    AuditConfig config,
    String template,
    String lang,
    Paper paper,
    Format format,
    String toolVersion,
    Duration lookback,
    Instant generatedAt,
    String evidenceHash,
    Map<String, byte[]> attachments,
    int topN,
    boolean cache) {

  /** Output formats. */
  public enum Format {
    PDF,
    HTML;

    /** From an output file name: {@code .pdf} or {@code .html}/{@code .htm}. */
    public static Format ofFileName(Path file) {
      String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
      if (n.endsWith(".pdf")) {
        return PDF;
      }
      if (n.endsWith(".html") || n.endsWith(".htm")) {
        return HTML;
      }
      throw new ReportException(
          "cannot tell the format from '" + file + "': the output must end in .pdf or .html");
    }
  }

  /** Page sizes, with their CSS {@code @page size} keyword. */
  public enum Paper {
    A4("A4"),
    LETTER("letter");

    private final String css;

    Paper(String css) {
      this.css = css;
    }

    public String css() {
      return css;
    }

    /** {@code a4} or {@code letter}, any case. */
    public static Paper parse(String text) {
      return switch (text.trim().toLowerCase(Locale.ROOT)) {
        case "a4" -> A4;
        case "letter" -> LETTER;
        default -> throw new ReportException("--paper must be a4 or letter, not '" + text + "'");
      };
    }
  }

  public ReportRequest {
    Objects.requireNonNull(index, "index");
    Objects.requireNonNull(month, "month");
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(paper, "paper");
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(lookback, "lookback");
    lang = lang == null ? "en" : lang.trim().toLowerCase(Locale.ROOT);
    if (!lang.equals("en") && !lang.equals("ja")) {
      throw new ReportException("--lang must be en or ja, not '" + lang + "'");
    }
    toolVersion = toolVersion == null ? "unknown" : toolVersion;
    attachments = attachments == null ? Map.of() : Map.copyOf(attachments);
    if (topN < 1) {
      throw new ReportException("the number of table rows must be at least 1, not " + topN);
    }
    if (lookback.isNegative()) {
      throw new ReportException("the lookback cannot be negative");
    }
  }

  /**
   * A request with the defaults: every router, bundled template, English, A4, one day of lookback,
   * generated-at from the data, no attachments, 25 rows per table.
   */
  public static ReportRequest of(Path index, YearMonth month, AuditConfig config, Format format) {
    return new ReportRequest(
        index,
        month,
        null,
        config,
        null,
        "en",
        Paper.A4,
        format,
        null,
        Duration.ofDays(1),
        null,
        null,
        Map.of(),
        25,
        true);
  }

  /** With or without the audit results kept with the index ({@code --no-cache}). */
  public ReportRequest withCache(boolean c) {
    return new ReportRequest(
        index,
        month,
        host,
        config,
        template,
        lang,
        paper,
        format,
        toolVersion,
        lookback,
        generatedAt,
        evidenceHash,
        attachments,
        topN,
        c);
  }

  public ReportRequest withHost(String h) {
    return new ReportRequest(
        index,
        month,
        h,
        config,
        template,
        lang,
        paper,
        format,
        toolVersion,
        lookback,
        generatedAt,
        evidenceHash,
        attachments,
        topN,
        cache);
  }

  public ReportRequest withTemplate(String t) {
    return new ReportRequest(
        index,
        month,
        host,
        config,
        t,
        lang,
        paper,
        format,
        toolVersion,
        lookback,
        generatedAt,
        evidenceHash,
        attachments,
        topN,
        cache);
  }

  public ReportRequest withLang(String l) {
    return new ReportRequest(
        index,
        month,
        host,
        config,
        template,
        l,
        paper,
        format,
        toolVersion,
        lookback,
        generatedAt,
        evidenceHash,
        attachments,
        topN,
        cache);
  }

  public ReportRequest withPaper(Paper p) {
    return new ReportRequest(
        index,
        month,
        host,
        config,
        template,
        lang,
        p,
        format,
        toolVersion,
        lookback,
        generatedAt,
        evidenceHash,
        attachments,
        topN,
        cache);
  }

  public ReportRequest withFormat(Format f) {
    return new ReportRequest(
        index,
        month,
        host,
        config,
        template,
        lang,
        paper,
        f,
        toolVersion,
        lookback,
        generatedAt,
        evidenceHash,
        attachments,
        topN,
        cache);
  }

  public ReportRequest withToolVersion(String v) {
    return new ReportRequest(
        index,
        month,
        host,
        config,
        template,
        lang,
        paper,
        format,
        v,
        lookback,
        generatedAt,
        evidenceHash,
        attachments,
        topN,
        cache);
  }

  public ReportRequest withEvidence(String hash, Map<String, byte[]> files) {
    return new ReportRequest(
        index,
        month,
        host,
        config,
        template,
        lang,
        paper,
        format,
        toolVersion,
        lookback,
        generatedAt,
        hash,
        files,
        topN,
        cache);
  }

  public ReportRequest withGeneratedAt(Instant t) {
    return new ReportRequest(
        index,
        month,
        host,
        config,
        template,
        lang,
        paper,
        format,
        toolVersion,
        lookback,
        t,
        evidenceHash,
        attachments,
        topN,
        cache);
  }

  public ReportRequest withTopN(int n) {
    return new ReportRequest(
        index,
        month,
        host,
        config,
        template,
        lang,
        paper,
        format,
        toolVersion,
        lookback,
        generatedAt,
        evidenceHash,
        attachments,
        n,
        cache);
  }
}
