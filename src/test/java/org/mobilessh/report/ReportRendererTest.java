package org.mobilessh.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mobilessh.audit.AuditEngine;
import org.mobilessh.audit.AuditInput;
import org.mobilessh.audit.AuditResult;
import org.mobilessh.audit.IndexedAuditInput;
import org.mobilessh.index.EventSearcher;

/**
 * Renders the sample month (ingested with {@code --tz UTC}) to PDF and HTML and reads the PDF back
 * with poppler-utils: its text carries the audit model's figures, its charts are drawn, its pages
 * are numbered, its fonts embedded, and the same input gives the same bytes.
 */
class ReportRendererTest {
  @TempDir static Path dir;

  static Path index;
  static Path pdf;
  static AuditResult expected;
  static ReportRenderer.Rendered rendered;
  static String html;

  @BeforeAll
  static void renderSampleMonth() throws IOException {
    Poppler.require();
    index = dir.resolve("index");
    SampleMonth.ingest(index);
    ReportRequest req = SampleMonth.request(index, ReportRequest.Format.PDF);
    // the audit model's answer, computed here the way every audit command does
    Instant from = SampleMonth.MONTH.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    Instant to = SampleMonth.MONTH.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    try (EventSearcher s = EventSearcher.open(index)) {
      AuditInput input =
          IndexedAuditInput.load(
              s,
              from.minus(req.lookback()).minusSeconds(req.config().seconds()),
              to.plus(req.lookback()),
              null);
      expected = new AuditEngine(req.config()).reconstruct(input).month(SampleMonth.MONTH);
    }
    pdf = dir.resolve("report.pdf");
    rendered = ReportRenderer.write(req, pdf);
    html =
        new String(
            ReportRenderer.render(req.withFormat(ReportRequest.Format.HTML)).bytes(),
            StandardCharsets.UTF_8);
  }

  private static String n(long v) {
    return String.format(Locale.ROOT, "%,d", v);
  }

  @Test
  void sampleMonthHasSomethingToReport() {
    // otherwise the figure checks below would pass on an empty report
    assertThat(expected.windows()).hasSizeGreaterThan(100);
    assertThat(expected.sessions()).isNotEmpty();
    assertThat(expected.rejections()).hasSizeGreaterThan(100);
  }

  @Test
  void pdfTextCarriesTheAuditFigures() {
    String text = Poppler.text(pdf);
    assertThat(text)
        .contains(n(expected.windows().size()) + " windows reached into the month")
        .contains(n(expected.sessions().size()) + " SSH sessions were accepted")
        .contains(n(expected.rejections().size()) + " rejections were logged")
        .contains(n(expected.anomalies().size()) + " anomalies")
        .contains("Windows (SSH could be opened) " + n(expected.windows().size()))
        .contains("SSH sessions accepted " + n(expected.sessions().size()))
        .contains("Rejections logged " + n(expected.rejections().size()));
    assertThat(rendered.model().figures().windows()).isEqualTo(expected.windows().size());
    assertThat(rendered.model().figures().sessions()).isEqualTo(expected.sessions().size());
    assertThat(rendered.model().figures().rejections()).isEqualTo(expected.rejections().size());
  }

  @Test
  void rejectionFigureEqualsItsPrintedSearchQuery() throws IOException {
    // every logged reject line is one rejection: the query printed next to the figure, run
    // through `mobilessh search --count`, must give the same number
    String query = "action:reject AND time:[2026-10-01T00:00:00Z TO 2026-11-01T00:00:00Z}";
    assertThat(Poppler.text(pdf)).contains("mobilessh search --count '" + query + "'");
    java.io.StringWriter out = new java.io.StringWriter();
    picocli.CommandLine cl = org.mobilessh.cli.MobilesshCommand.commandLine();
    cl.setOut(new java.io.PrintWriter(out, true));
    cl.setErr(new java.io.PrintWriter(new java.io.StringWriter(), true));
    assertThat(cl.execute("search", "--index", index.toString(), "--count", query)).isZero();
    assertThat(Long.parseLong(out.toString().trim())).isEqualTo(expected.rejections().size());
  }

  @Test
  void pagesAreNumberedAndListedInTheContents() {
    int pages = Poppler.pageCount(pdf);
    assertThat(pages).isGreaterThan(5);
    List<String> text = Poppler.pages(pdf);
    assertThat(text.get(0)).contains("Page 1 of " + pages);
    assertThat(text.get(pages - 1)).contains("Page " + pages + " of " + pages);
    // the contents' page numbers come from target-counter: the Charts entry names the page the
    // Charts heading is on
    int chartsPage = -1;
    for (int i = 2; i < text.size(); i++) {
      if (text.get(i).contains("4. Charts Windows opened")) {
        chartsPage = i + 1;
      }
    }
    assertThat(chartsPage).as("page with the charts heading").isPositive();
    assertThat(text.get(1)).containsPattern("4\\. Charts \\.+ " + chartsPage + " ");
    // every page has the running header
    assertThat(text.get(pages - 1)).contains("IMAPS-before-SSH access audit · October 2026");
  }

  @Test
  void everyPageRendersWithPdftoppmOnA4() throws IOException {
    int pages = Poppler.pageCount(pdf);
    assertThat(Poppler.run("pdfinfo", pdf.toString()))
        .containsPattern("Page size: +595.* x 841.* pts \\(A4\\)");
    Path out = Files.createDirectories(dir.resolve("pages"));
    Poppler.run("pdftoppm", "-r", "20", "-gray", pdf.toString(), out.resolve("p").toString());
    try (var files = Files.list(out)) {
      assertThat(files.count()).isEqualTo(pages);
    }
    for (int page = 1; page <= pages; page++) {
      // every page carries at least its running header, footer and some body
      assertThat(Poppler.ink(pdf, page, 20)).as("page %d", page).isGreaterThan(0.002);
    }
  }

  @Test
  void chartsAreDrawnAsVectors() {
    assertThat(html).containsPattern("(?s)<svg id='chart-perday'.*<svg id='chart-rejects'");
    assertThat(html)
        .contains("<svg id='chart-durations'", "<svg id='chart-heat'", "<svg id='chart-family'");
    // no raster image in the PDF: the charts are vector drawings
    String images = Poppler.run("pdfimages", "-list", pdf.toString());
    assertThat(images.strip().split("\n")).hasSize(2); // the header lines only
    List<String> text = Poppler.pages(pdf);
    int chartsPage = 0;
    int textPage = 0;
    for (int i = 0; i < text.size(); i++) {
      if (text.get(i).contains("Windows opened and SSH sessions accepted per day")) {
        chartsPage = i + 1;
      }
      if (text.get(i).contains("What is reconstructed")) {
        textPage = i + 1;
      }
    }
    assertThat(chartsPage).isPositive();
    // bars and axes put far more ink on the page than the methodology's text does
    double chartInk = Poppler.ink(pdf, chartsPage, 30);
    double textInk = Poppler.ink(pdf, textPage, 30);
    assertThat(chartInk).isGreaterThan(0.08).isGreaterThan(textInk * 2);
  }

  @Test
  void fontsAreEmbeddedAndTheFileIsPdfA3b() throws IOException {
    String fonts = Poppler.run("pdffonts", pdf.toString());
    List<String> rows = List.of(fonts.strip().split("\n"));
    assertThat(rows.size()).isGreaterThan(2);
    for (String row : rows.subList(2, rows.size())) {
      assertThat(row).contains("DejaVu").containsPattern(" yes yes yes ");
    }
    String meta = Poppler.run("pdfinfo", "-meta", pdf.toString());
    assertThat(meta)
        .contains("<pdfaid:part>3</pdfaid:part>", "<pdfaid:conformance>B</pdfaid:conformance>");
    String info = Poppler.run("pdfinfo", pdf.toString());
    // the date comes from the data (the last event read), not the clock
    assertThat(info).contains("CreationDate:    Sat Oct 31");
    // what the file claims, checked by the reference validator: no rule of PDF/A-3b fails
    assertThat(VeraPdf.failures(Files.readAllBytes(pdf), "3b")).isEmpty();
  }

  @Test
  void theValidatorFailsAPdfWhoseMetadataWasRemoved() throws IOException {
    // the control for the checks above: the same file without its XMP is not PDF/A
    byte[] broken;
    try (org.apache.pdfbox.pdmodel.PDDocument doc =
        org.apache.pdfbox.Loader.loadPDF(Files.readAllBytes(pdf))) {
      doc.getDocumentCatalog().setMetadata(null);
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      doc.save(out);
      broken = out.toByteArray();
    }
    assertThat(VeraPdf.failures(broken, "3b"))
        .anySatisfy(f -> assertThat(f).startsWith("6.6.2.1-1 "));
  }

  @Test
  void sameInputGivesTheSameBytes() throws IOException {
    ReportRequest req = SampleMonth.request(index, ReportRequest.Format.PDF);
    byte[] again = ReportRenderer.render(req).bytes();
    assertThat(again).isEqualTo(Files.readAllBytes(pdf));
  }

  @Test
  void attachmentsBecomeAssociatedFiles() throws IOException {
    ReportRequest req =
        SampleMonth.request(index, ReportRequest.Format.PDF)
            .withEvidence("abc123", Map.of("windows.csv", "source_ip\n192.0.2.1\n".getBytes()));
    Path out = dir.resolve("with-csv.pdf");
    ReportRenderer.write(req, out);
    assertThat(Poppler.run("pdfdetach", "-list", out.toString())).contains("windows.csv");
    assertThat(Poppler.text(out)).contains("abc123");
    // associated files (/AF, /AFRelationship, MIME type, dates) as PDF/A-3 wants them
    assertThat(VeraPdf.failures(Files.readAllBytes(out), "3b")).isEmpty();
  }

  /** Two CSV files on disk: a small one and one of 50,000 bytes. */
  private static List<Attachments.File> csvFiles(Path where, String bundleDir) throws IOException {
    Files.createDirectories(where);
    Path small = where.resolve("anomalies.csv");
    Files.writeString(small, "at,kind\n");
    Path big = where.resolve("windows.csv");
    Files.writeString(big, "source_ip\n" + "192.0.2.1\n".repeat(5000 - 1));
    return List.of(
        new Attachments.File(
            "anomalies.csv", small, null, bundleDir == null ? null : bundleDir + "/anomalies.csv"),
        new Attachments.File(
            "windows.csv", big, null, bundleDir == null ? null : bundleDir + "/windows.csv"));
  }

  @Test
  void aFileOverTheBoundIsNamedInThePdfInsteadOfAttached() throws IOException {
    Path outDir = Files.createDirectories(dir.resolve("bound-small"));
    List<Attachments.File> files = csvFiles(dir.resolve("csv-small"), null);
    Path out = outDir.resolve("report.pdf");
    ReportRenderer.writePdf(
        SampleMonth.request(index, ReportRequest.Format.PDF), files, 1000, out, m -> {});
    String list = Poppler.run("pdfdetach", "-list", out.toString());
    assertThat(list).contains("anomalies.csv").doesNotContain("windows.csv");
    String sha = Attachments.sha256(Files.readAllBytes(files.get(1).file()));
    String text = Poppler.text(out).replace("\ufb01", "fi");
    assertThat(text)
        .contains("Not attached to this PDF: 1 of the evidence files (over the 1000 B bound")
        .contains("10. Evidence files not attached to this PDF")
        .contains("windows.csv", "50,000 (48.8 KiB)")
        .contains("SHA-256 " + sha)
        .contains("mobilessh export --month 2026-10 --out DIR writes it")
        .contains("Attached to this PDF: anomalies.csv.");
    // what the PDF leaves out does not break PDF/A-3b
    assertThat(VeraPdf.failures(Files.readAllBytes(out), "3b")).isEmpty();
    // nothing but the report is left beside it (no temporary file, no PDFBox scratch file)
    try (var s = Files.list(outDir)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactly("report.pdf");
    }
  }

  @Test
  void aBoundAboveTheFilesAttachesEveryFileAsBefore() throws IOException {
    Path outDir = Files.createDirectories(dir.resolve("bound-big"));
    List<Attachments.File> files = csvFiles(dir.resolve("csv-big"), "csv");
    ReportRequest req = SampleMonth.request(index, ReportRequest.Format.PDF);
    Path bounded = outDir.resolve("bounded.pdf");
    ReportRenderer.writePdf(req, files, 50_008, bounded, m -> {});
    Path all = outDir.resolve("all.pdf");
    ReportRenderer.writePdf(
        req, Map.of("anomalies.csv", files.get(0).file(), "windows.csv", files.get(1).file()), all);
    assertThat(Poppler.run("pdfdetach", "-list", bounded.toString()))
        .contains("anomalies.csv", "windows.csv");
    assertThat(Poppler.text(bounded)).doesNotContain("not attached");
    assertThat(Files.readAllBytes(bounded)).isEqualTo(Files.readAllBytes(all));
    // one byte less and the larger file is left out, pointing to its place in the bundle
    Path under = outDir.resolve("under.pdf");
    ReportRenderer.writePdf(req, files, 50_007, under, m -> {});
    assertThat(Poppler.text(under).replace("\ufb01", "fi"))
        .contains("in the evidence bundle as csv/windows.csv")
        .contains("over the 48.8 KiB bound");
  }

  @Test
  void thePdfScratchFileIsRemovedAfterWritingAndAfterAFailure() throws IOException {
    // openhtmltopdf leaves the document to its caller; unclosed, its scratch file stays behind
    Path scratch = Files.createDirectories(dir.resolve("scratch"));
    Path csv = dir.resolve("scratch-evidence.csv");
    Files.writeString(csv, "a,b\n1,2\n");
    String xhtml = "<html><head><title>t</title></head><body><p>scratch</p></body></html>";
    ReportRequest req = SampleMonth.request(index, ReportRequest.Format.PDF);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    PdfOutput.render(
        xhtml, null, req, "t", Instant.EPOCH, Map.of(), Map.of("e.csv", csv), out, scratch);
    assertThat(out.size()).isPositive();
    try (var s = Files.list(scratch)) {
      assertThat(s).isEmpty();
    }
    // an attachment that cannot be read fails the PDF after the document was made
    java.io.ByteArrayOutputStream out2 = new java.io.ByteArrayOutputStream();
    assertThatThrownBy(
            () ->
                PdfOutput.render(
                    xhtml,
                    null,
                    req,
                    "t",
                    Instant.EPOCH,
                    Map.of(),
                    Map.of("e.csv", dir.resolve("no-such.csv")),
                    out2,
                    scratch))
        .isInstanceOf(ReportException.class);
    try (var s = Files.list(scratch)) {
      assertThat(s).isEmpty();
    }
  }

  @Test
  void theDigestsSortRunsGoBesideTheOutputAndLeaveNothingBehind() throws IOException {
    Path outDir = Files.createDirectories(dir.resolve("spill"));
    Path out = outDir.resolve("r.html");
    // a killed run's scratch: beyond any pid_max (2^22), no process has this id
    Path stale = Files.createDirectories(outDir.resolve(".r.html.99999999.scratch"));
    Files.writeString(stale.resolve("mobilessh-sort-1.run"), "left by a killed run");
    Path mine = ScratchFiles.beside(out, "scratch");
    List<String> seen = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    ReportRequest req = SampleMonth.request(index, ReportRequest.Format.HTML).withCache(false);
    ReportRenderer.write(
        req,
        out,
        m -> {
          // told once the router's stream is read (its lines spilled) and before any merge
          if (m.startsWith("audit: router1:")) {
            try (var s = Files.list(mine)) {
              s.forEach(f -> seen.add(f.getFileName().toString()));
            } catch (IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          }
        });
    assertThat(seen).isNotEmpty().allMatch(f -> f.startsWith("mobilessh-sort-"));
    assertThat(mine).doesNotExist();
    assertThat(stale).doesNotExist();
    try (var s = Files.list(outDir)) {
      assertThat(s.map(f -> f.getFileName().toString())).containsExactly("r.html");
    }
    assertThat(Files.readAllBytes(out))
        .isEqualTo(ReportRenderer.render(req.withCache(false)).bytes());
  }

  @Test
  void htmlEscapesHostileValues() {
    ReportRequest req =
        SampleMonth.request(index, ReportRequest.Format.HTML).withHost("<script>alert(1)</script>");
    String out = new String(ReportRenderer.render(req).bytes(), StandardCharsets.UTF_8);
    assertThat(out).contains("&lt;script&gt;alert(1)&lt;/script&gt;").doesNotContain("<script>");
  }

  @Test
  void htmlHasTheSameFigures() {
    assertThat(html)
        .contains("<b>" + n(expected.windows().size()) + "</b> windows reached into the month")
        .contains("<b>" + n(expected.rejections().size()) + "</b> rejections were logged");
  }

  @Test
  void brandedCopyOverridesOnlyWhatItHolds() throws IOException {
    Path t = Files.createDirectories(dir.resolve("brand"));
    Files.writeString(
        t.resolve("brand.ftl"),
        "<#assign brand = {\"company\": \"ACME & Sons\", \"department\": \"\", \"reportTitle\":"
            + " \"Branded audit\", \"classification\": \"Secret\", \"preparedBy\": \"A. Auditor\","
            + " \"reviewer\": \"\", \"logo\": \"\"}>");
    ReportRequest req =
        SampleMonth.request(index, ReportRequest.Format.HTML).withTemplate(t.toString());
    String out = new String(ReportRenderer.render(req).bytes(), StandardCharsets.UTF_8);
    assertThat(out).contains("ACME &amp; Sons", "Branded audit", "A. Auditor", "Per-day coverage");
  }

  @Test
  void templateCannotReachJava() throws IOException {
    Path t = Files.createDirectories(dir.resolve("hostile"));
    Files.writeString(
        t.resolve("report.ftlh"),
        "<#assign ex = \"freemarker.template.utility.Execute\"?new()>${ex(\"id\")}");
    ReportRequest req =
        SampleMonth.request(index, ReportRequest.Format.HTML).withTemplate(t.toString());
    assertThatThrownBy(() -> ReportRenderer.render(req))
        .isInstanceOf(ReportException.class)
        .hasMessageContaining("template error in " + t.toAbsolutePath().normalize())
        .hasMessageContaining("Execute");
    Files.writeString(t.resolve("report.ftlh"), "${meta?api.getClass()}");
    assertThatThrownBy(() -> ReportRenderer.render(req))
        .isInstanceOf(ReportException.class)
        .hasMessageContaining("api");
  }

  @Test
  void unknownTemplateIsNamed() {
    assertThatThrownBy(() -> Templates.find("no-such-template"))
        .isInstanceOf(ReportException.class)
        .hasMessageContaining("no template 'no-such-template'");
  }

  @Test
  void japaneseReportHasJapaneseBodyTextAndTheSameFigures() throws IOException {
    ReportRequest html = SampleMonth.request(index, ReportRequest.Format.HTML).withLang("ja");
    String out = new String(ReportRenderer.render(html).bytes(), StandardCharsets.UTF_8);
    assertThat(out).contains("2026年10月", "集計値", "lang=\"ja\"");
    if (PdfOutput.cjkFont(false) == null) {
      assertThat(System.getenv("CI")).as("CI installs fonts-ipafont-gothic").isNotEqualTo("true");
      assertThatThrownBy(() -> ReportRenderer.render(html.withFormat(ReportRequest.Format.PDF)))
          .isInstanceOf(ReportException.class)
          .hasMessageContaining("--lang ja needs a TrueType font with Japanese glyphs")
          .hasMessageContaining("fonts-ipafont-gothic");
      return;
    }
    Path ja = dir.resolve("ja.pdf");
    ReportRenderer.Rendered r = ReportRenderer.write(html.withFormat(ReportRequest.Format.PDF), ja);
    // Japanese line breaks fall between any two characters: compare without whitespace
    String text = Poppler.text(ja).replaceAll("\\s+", "");
    Messages msg = Messages.load(Templates.find(null), "ja");
    for (String sentence :
        List.of(
            msg.get("windows.intro", n(expected.windows().size()), "", "")
                .replaceAll("<[^>]+>", "")
                .split("（")[0],
            msg.get("rejections.intro", n(expected.rejections().size()), "", "")
                .replaceAll("<[^>]+>", "")
                .split("、")[0],
            msg.get("summary.windows") + n(expected.windows().size()),
            msg.get("summary.sessions") + n(expected.sessions().size()),
            msg.get("summary.rejections") + n(expected.rejections().size()),
            // the sample month's snapshots: no change during the month, the same gate
            msg.get("ruleset.noChanges"),
            // codes print with their Japanese label beside them
            msg.get("label.closeReason.expired") + "expired",
            msg.get("label.anomaly.list-overflow") + "list-overflow",
            msg.get("label.anomalyAbout.list-overflow"),
            msg.get("method.p.dedupe"),
            msg.get("coverage.cannot.gaps"),
            msg.get("chart.perDay.title"),
            "1/" + Poppler.pageCount(ja) + "ページ")) {
      assertThat(text).contains(sentence.replaceAll("\\s+", ""));
    }
    // no English body text left: the English sentences of the same keys are absent
    Messages en = Messages.load(Templates.find(null), "en");
    assertThat(text)
        .doesNotContain(en.get("method.p.dedupe").replaceAll("\\s+", ""))
        .doesNotContain(en.get("coverage.cannot.gaps").replaceAll("\\s+", ""))
        .doesNotContain(en.get("label.closeReason.expired").replaceAll("\\s+", ""));
    // the anomaly's own message is Japanese too, its values and raw lines unchanged
    org.mobilessh.audit.Anomaly overflow = expected.anomalies().get(0);
    String translated = msg.anomaly(overflow.kind().id(), overflow.message());
    assertThat(translated).isNotEqualTo(overflow.message()).startsWith("101 個のアドレス");
    assertThat(text)
        .contains(translated.replaceAll("\\s+", ""))
        .doesNotContain(overflow.message().replaceAll("\\s+", ""))
        .contains(overflow.evidence().get(0).line().replaceAll("\\s+", ""));
    assertThat(out).contains(translated).contains(overflow.evidence().get(0).line());
    assertThat(r.model().figures()).isEqualTo(rendered.model().figures());
    // chart labels: the heat map's weekdays and axis titles are drawn in Japanese
    assertThat(r.model().root().toString()).contains(msg.get("chart.heatmap.title"));
    assertThat(Poppler.run("pdffonts", ja.toString())).contains("IPAGothic");
    assertThat(VeraPdf.failures(Files.readAllBytes(ja), "3b")).isEmpty();
  }

  @Test
  void everySummaryCommandPrintsItsFigure() throws Exception {
    // pdftotext joins a word broken at a line end after "-" and drops the "-": compare without
    // whitespace and hyphens
    String text = flat(Poppler.text(pdf));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> rows =
        (List<Map<String, Object>>)
            ((Map<String, Object>) rendered.model().root().get("summary")).get("rows");
    assertThat(rows).hasSizeGreaterThan(8);
    for (Map<String, Object> row : rows) {
      String command = (String) row.get("query");
      // what the auditor reads is what is run
      assertThat(text).contains(flat(command));
      assertThat(Commands.run(command, index)).as(command).isEqualTo(row.get("check"));
      String indexQuery = (String) row.get("indexQuery");
      if (!indexQuery.isEmpty()) {
        assertThat(text).contains(flat(indexQuery));
        assertThat(Commands.run(indexQuery, index))
            .as(indexQuery)
            .isEqualTo(((String) row.get("indexCount")).replace(",", ""));
      }
    }
  }

  static String flat(String s) {
    return s.replaceAll("[\\s-]+", "");
  }
}
