package org.mobilessh.report;

import com.openhtmltopdf.outputdevice.helper.BaseRendererBuilder.FontStyle;
import com.openhtmltopdf.outputdevice.helper.ExternalResourceControlPriority;
import com.openhtmltopdf.pdfboxout.PdfBoxRenderer;
import com.openhtmltopdf.pdfboxout.PdfRendererBuilder;
import com.openhtmltopdf.svgsupport.BatikSVGDrawer;
import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Calendar;
import java.util.GregorianCalendar;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;
import java.util.TreeMap;
import org.apache.pdfbox.cos.COSArray;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.io.MemoryUsageSetting;
import org.apache.pdfbox.io.ScratchFile;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDDocumentCatalog;
import org.apache.pdfbox.pdmodel.PDDocumentInformation;
import org.apache.pdfbox.pdmodel.PDDocumentNameDictionary;
import org.apache.pdfbox.pdmodel.PDEmbeddedFilesNameTreeNode;
import org.apache.pdfbox.pdmodel.common.PDMetadata;
import org.apache.pdfbox.pdmodel.common.filespecification.PDComplexFileSpecification;
import org.apache.pdfbox.pdmodel.common.filespecification.PDEmbeddedFile;
import org.apache.xmpbox.XMPMetadata;
import org.apache.xmpbox.schema.AdobePDFSchema;
import org.apache.xmpbox.schema.DublinCoreSchema;
import org.apache.xmpbox.schema.PDFAIdentificationSchema;
import org.apache.xmpbox.schema.XMPBasicSchema;
import org.apache.xmpbox.xml.XmpSerializer;

/**
 * XHTML to PDF/A-3b with openhtmltopdf: paged media CSS, fonts embedded from the system, charts as
 * vectors, optional associated files, and a deterministic file: the dates and the document id come
 * from the report's data, not from the clock.
 */
final class PdfOutput {
  /** CSS family names the templates use; bound here to font files. */
  static final String SANS = "ReportSans";

  static final String MONO = "ReportMono";
  static final String CJK = "ReportCJK";

  /** Where the fonts are looked for (Debian's fonts-dejavu-core, fonts-ipafont-gothic). */
  static final List<Path> FONT_DIRS =
      List.of(
          Path.of("/usr/share/fonts/truetype/dejavu"),
          Path.of("/usr/share/fonts/dejavu"),
          Path.of("/usr/share/fonts/TTF"));

  static final List<Path> CJK_FONTS =
      List.of(
          Path.of("/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf"),
          Path.of("/usr/share/fonts/truetype/fonts-japanese-gothic.ttf"),
          Path.of("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"),
          Path.of("/usr/share/fonts/truetype/takao-gothic/TakaoGothic.ttf"));

  /** Environment variable naming a TrueType font with Japanese glyphs, for {@code --lang ja}. */
  static final String CJK_FONT_ENV = "MOBILESSH_REPORT_CJK_FONT";

  /**
   * openhtmltopdf and PDFBox log progress and font fallbacks through java.util.logging to stderr;
   * commands print only their own messages (errors still surface as exceptions). The loggers are
   * held here because java.util.logging keeps only weak references.
   */
  private static final List<java.util.logging.Logger> QUIET =
      List.of(
          java.util.logging.Logger.getLogger("org.apache.pdfbox"),
          java.util.logging.Logger.getLogger("org.apache.fontbox"));

  static {
    com.openhtmltopdf.util.XRLog.setLoggingEnabled(false);
    QUIET.forEach(l -> l.setLevel(java.util.logging.Level.OFF));
  }

  private PdfOutput() {}

  /**
   * Renders {@code xhtml} to PDF bytes.
   *
   * @param baseUri where relative links of the template resolve (its directory), or {@code null}
   * @param stamp creation and modification date written into the file
   */
  static byte[] render(
      String xhtml,
      String baseUri,
      ReportRequest req,
      String title,
      Instant stamp,
      Map<String, byte[]> attachments) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Map<String, Path> none = Map.of();
    render(xhtml, baseUri, req, title, stamp, attachments, none, out, null);
    return out.toByteArray();
  }

  /**
   * Renders {@code xhtml} to PDF into {@code out}, attaching {@code bytes} and {@code files} (names
   * distinct). With files attached the document keeps its streams in a temporary file rather than
   * in memory, and the attachments are read from their files as the PDF is written, so the size of
   * the attached evidence does not count against the heap.
   *
   * <p>The document is closed before this returns, also on failure: openhtmltopdf's {@code
   * createPDFWithoutClosing} leaves that to the caller and its renderer's {@code close()} does not
   * do it, and an unclosed document keeps its PDFBox scratch file ({@code PDFBox*.tmp}) on disk.
   *
   * @param scratch the directory for that scratch file; {@code null}: the JVM's temporary directory
   */
  static void render(
      String xhtml,
      String baseUri,
      ReportRequest req,
      String title,
      Instant stamp,
      Map<String, byte[]> bytes,
      Map<String, Path> files,
      java.io.OutputStream out,
      Path scratch) {
    PdfRendererBuilder b = new PdfRendererBuilder();
    b.useFastMode();
    b.usePdfAConformance(PdfRendererBuilder.PdfAConformance.PDFA_3_B);
    b.useColorProfile(ICC_Profile.getInstance(ColorSpace.CS_sRGB).getData());
    b.useSVGDrawer(new BatikSVGDrawer());
    Path dir = fontDir();
    b.useFont(dir.resolve("DejaVuSans.ttf").toFile(), SANS, 400, FontStyle.NORMAL, true);
    b.useFont(dir.resolve("DejaVuSans-Bold.ttf").toFile(), SANS, 700, FontStyle.NORMAL, true);
    b.useFont(dir.resolve("DejaVuSans-Oblique.ttf").toFile(), SANS, 400, FontStyle.ITALIC, true);
    b.useFont(dir.resolve("DejaVuSansMono.ttf").toFile(), MONO, 400, FontStyle.NORMAL, true);
    b.useFont(dir.resolve("DejaVuSansMono-Bold.ttf").toFile(), MONO, 700, FontStyle.NORMAL, true);
    // PDF/A allows no unembedded font: CSS's generic families (the default is serif, e.g. in a
    // user template or a page margin box) resolve to the same embedded files
    for (String generic : List.of("serif", "sans-serif")) {
      b.useFont(dir.resolve("DejaVuSans.ttf").toFile(), generic, 400, FontStyle.NORMAL, true);
      b.useFont(dir.resolve("DejaVuSans-Bold.ttf").toFile(), generic, 700, FontStyle.NORMAL, true);
    }
    b.useFont(dir.resolve("DejaVuSansMono.ttf").toFile(), "monospace", 400, FontStyle.NORMAL, true);
    Path cjk = cjkFont(req.lang().equals("ja"));
    if (cjk != null) {
      b.useFont(cjk.toFile(), CJK, 400, FontStyle.NORMAL, true);
      b.useFont(cjk.toFile(), CJK, 700, FontStyle.NORMAL, true);
    }
    // a template may link images and CSS next to itself; nothing else is fetched
    b.useExternalResourceAccessControl(
        (uri, type) ->
            uri != null
                && (uri.startsWith("data:") || (baseUri != null && uri.startsWith(baseUri))),
        ExternalResourceControlPriority.RUN_AFTER_RESOLVING_URI);
    b.withProducer("mobilessh " + req.toolVersion());
    b.withHtmlContent(xhtml, baseUri);
    // created last: nothing between here and the try below may fail and leave it open
    PDDocument own = null;
    if (!files.isEmpty()) {
      MemoryUsageSetting setting = MemoryUsageSetting.setupTempFileOnly();
      if (scratch != null) {
        setting.setTempDir(scratch.toFile());
      }
      own = new PDDocument(() -> new ScratchFile(setting));
      b.usePDDocument(own);
    }
    PDDocument doc = own;
    boolean written = false;
    try (PdfBoxRenderer r = b.buildPdfRenderer()) {
      doc = r.getPdfDocument();
      r.layout();
      r.createPDFWithoutClosing();
      fix(doc, req, title, stamp);
      Map<String, Attachment> all = new TreeMap<>();
      bytes.forEach((name, content) -> all.put(name, Attachment.of(content)));
      for (Map.Entry<String, Path> e : files.entrySet()) {
        if (all.put(e.getKey(), Attachment.of(e.getValue())) != null) {
          throw new ReportException("two attachments are named " + e.getKey());
        }
      }
      attach(doc, all, stamp);
      doc.save(out);
      written = true;
    } catch (IOException e) {
      throw new ReportException("cannot write the PDF: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      if (e instanceof ReportException) {
        throw e;
      }
      throw new ReportException("cannot lay out the report: " + e, e);
    } finally {
      close(doc, written);
    }
  }

  /**
   * Closes the document, which deletes its scratch file; a failure to close is an error only when
   * nothing failed before it (else the first failure is the one to report).
   */
  private static void close(PDDocument doc, boolean written) {
    if (doc == null) {
      return;
    }
    try {
      doc.close();
    } catch (IOException e) {
      if (written) {
        throw new ReportException("cannot close the PDF's scratch file: " + e.getMessage(), e);
      }
    }
  }

  static Path fontDir() {
    for (Path d : FONT_DIRS) {
      if (Files.isRegularFile(d.resolve("DejaVuSans.ttf"))
          && Files.isRegularFile(d.resolve("DejaVuSansMono.ttf"))) {
        return d;
      }
    }
    throw new ReportException(
        "the PDF needs the DejaVu fonts (DejaVuSans.ttf, DejaVuSansMono.ttf) in one of "
            + FONT_DIRS
            + ": install fonts-dejavu-core, or write --out FILE.html");
  }

  static Path cjkFont(boolean required) {
    String env = System.getenv(CJK_FONT_ENV);
    if (env != null && !env.isBlank()) {
      Path p = Path.of(env);
      if (!Files.isRegularFile(p)) {
        throw new ReportException(CJK_FONT_ENV + " names " + p + ", which is not a font file");
      }
      return p;
    }
    for (Path p : CJK_FONTS) {
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    if (required) {
      throw new ReportException(
          "--lang ja needs a TrueType font with Japanese glyphs: install fonts-ipafont-gothic,"
              + " or set "
              + CJK_FONT_ENV
              + "=/path/to/font.ttf (looked in "
              + CJK_FONTS
              + ")");
    }
    return null;
  }

  private static Calendar calendar(Instant t) {
    GregorianCalendar c = new GregorianCalendar(TimeZone.getTimeZone("UTC"));
    c.setTimeInMillis(t.toEpochMilli());
    return c;
  }

  /** Dates, document information and XMP from the report, not the clock. */
  private static void fix(PDDocument doc, ReportRequest req, String title, Instant stamp)
      throws IOException {
    Calendar cal = calendar(stamp);
    String producer = "mobilessh " + req.toolVersion();
    PDDocumentInformation info = new PDDocumentInformation();
    info.setTitle(title);
    info.setCreator(producer);
    info.setProducer(producer);
    info.setCreationDate(cal);
    info.setModificationDate(cal);
    doc.setDocumentInformation(info);
    XMPMetadata xmp = XMPMetadata.createXMPMetadata();
    PDFAIdentificationSchema id = xmp.createAndAddPDFAIdentificationSchema();
    id.setPart(3);
    try {
      id.setConformance("B");
    } catch (org.apache.xmpbox.type.BadFieldValueException e) {
      throw new IOException("cannot write XMP metadata: " + e.getMessage(), e);
    }
    DublinCoreSchema dc = xmp.createAndAddDublinCoreSchema();
    dc.setTitle(title);
    dc.addCreator(producer);
    dc.setFormat("application/pdf");
    XMPBasicSchema basic = xmp.createAndAddXMPBasicSchema();
    basic.setCreatorTool(producer);
    basic.setCreateDate(cal);
    basic.setModifyDate(cal);
    basic.setMetadataDate(cal);
    AdobePDFSchema pdf = xmp.createAndAddAdobePDFSchema();
    pdf.setProducer(producer);
    ByteArrayOutputStream x = new ByteArrayOutputStream();
    try {
      new XmpSerializer().serialize(xmp, x, true);
    } catch (javax.xml.transform.TransformerException e) {
      throw new IOException("cannot write XMP metadata: " + e.getMessage(), e);
    }
    PDMetadata meta = new PDMetadata(doc, new ByteArrayInputStream(x.toByteArray()));
    doc.getDocumentCatalog().setMetadata(meta);
    // PDFBox derives the file identifier from this seed and the document information
    doc.setDocumentId(stamp.toEpochMilli());
  }

  /** Attaches files as PDF/A-3 associated files of the document (relationship Supplement). */
  /** A file to attach: its size and its content, read when attached. */
  private record Attachment(long size, byte[] bytes, Path file) {
    static Attachment of(byte[] b) {
      return new Attachment(b.length, b, null);
    }

    static Attachment of(Path f) {
      try {
        return new Attachment(Files.size(f), null, f);
      } catch (IOException e) {
        throw new ReportException("cannot read " + f + ": " + e.getMessage(), e);
      }
    }

    java.io.InputStream open() throws IOException {
      return bytes != null ? new ByteArrayInputStream(bytes) : Files.newInputStream(file);
    }
  }

  private static void attach(PDDocument doc, Map<String, Attachment> files, Instant stamp)
      throws IOException {
    if (files.isEmpty()) {
      return;
    }
    Calendar cal = calendar(stamp);
    Map<String, PDComplexFileSpecification> specs = new TreeMap<>();
    COSArray af = new COSArray();
    for (Map.Entry<String, Attachment> e : new TreeMap<>(files).entrySet()) {
      String name = e.getKey();
      PDEmbeddedFile ef;
      try (java.io.InputStream in = e.getValue().open()) {
        ef = new PDEmbeddedFile(doc, in);
      }
      ef.setSubtype(
          name.toLowerCase(java.util.Locale.ROOT).endsWith(".csv")
              ? "text/csv"
              : "application/octet-stream");
      // /Size is optional and an int in PDFBox: files past 2 GiB go without it
      if (e.getValue().size() <= Integer.MAX_VALUE) {
        ef.setSize((int) e.getValue().size());
      }
      ef.setCreationDate(cal);
      ef.setModDate(cal);
      PDComplexFileSpecification fs = new PDComplexFileSpecification();
      fs.setFile(name);
      fs.setFileUnicode(name);
      fs.setEmbeddedFile(ef);
      fs.setEmbeddedFileUnicode(ef);
      fs.setFileDescription("Evidence: " + name);
      fs.getCOSObject().setName(COSName.getPDFName("AFRelationship"), "Supplement");
      specs.put(name, fs);
      af.add(fs);
    }
    PDEmbeddedFilesNameTreeNode tree = new PDEmbeddedFilesNameTreeNode();
    tree.setNames(specs);
    PDDocumentCatalog catalog = doc.getDocumentCatalog();
    PDDocumentNameDictionary names = catalog.getNames();
    if (names == null) {
      names = new PDDocumentNameDictionary(catalog);
    }
    names.setEmbeddedFiles(tree);
    catalog.setNames(names);
    catalog.getCOSObject().setItem(COSName.getPDFName("AF"), af);
  }
}
