package org.mobilessh.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.mobilessh.evidence.EvidenceBundle;
import org.mobilessh.evidence.EvidenceException;
import org.mobilessh.evidence.ManifestSignature;
import org.mobilessh.evidence.Progress;
import org.mobilessh.report.Attachments;
import org.mobilessh.report.ReportException;
import org.mobilessh.report.ReportRenderer;
import org.mobilessh.report.ReportRequest;
import org.mobilessh.report.Templates;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mobilessh evidence}: the month's verifiable evidence bundle. */
@Command(
    name = "evidence",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Write the evidence bundle of one month: a zip holding a BagIt bag (RFC 8493) with the"
          + " CSV exports, the raw source lines behind every row (file, line number, byte offset),"
          + " the index's rules snapshots of the month (byte for byte, checked against their own"
          + " hash) and any given with --snapshot, the PDF report (as 'mobilessh report'"
          + " writes it, its cover naming the digest of the rest of the payload, the CSVs attached"
          + " up to --attach-limit),"
          + " and a SHA-256 manifest of every file.",
      "The zip is deterministic: the same index and options give the same bytes. Check it with"
          + " 'mobilessh verify BUNDLE'. See docs/evidence.md.",
      "Progress goes to stderr (each step with its time; on a terminal the step under way with"
          + " its count, redrawn in place; otherwise a line every 30 s); stdout has the summary"
          + " line only."
    })
final class EvidenceCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin ExportCommand.MonthOptions month;

  @Option(
      names = "--snapshot",
      paramLabel = "FILE",
      description =
          "A ruleset snapshot to include (rules snapshot output, iptables-save -c); repeatable.")
  List<Path> snapshots = List.of();

  @Option(
      names = "--no-report",
      description = "Leave the PDF report out (faster; the bundle then holds the data only).")
  boolean noReport;

  @Option(
      names = "--template",
      paramLabel = "NAME|DIR",
      description = "Report template (as for 'mobilessh report'). Default: default.")
  String template;

  @Option(
      names = "--lang",
      paramLabel = "en|ja",
      defaultValue = "en",
      description = "Language of the report. Default: ${DEFAULT-VALUE}.")
  String lang;

  @Option(
      names = "--paper",
      paramLabel = "a4|letter",
      defaultValue = "a4",
      description = "Page size of the report. Default: ${DEFAULT-VALUE}.")
  String paper;

  @Option(
      names = "--attach-limit",
      paramLabel = "SIZE",
      description = {
        "Attach the CSV files to the PDF (PDF/A-3 associated files) only up to this many bytes in"
            + " total, in name order: 64MiB, 500k, 2G, 0 (none) or unlimited. A file left out is"
            + " named in the report with its size, SHA-256 and place in the bundle. Default: $"
            + Attachments.ENV
            + " if set, else 64MiB."
      })
  String attachLimit;

  @Option(
      names = "--sign-key",
      paramLabel = "FILE",
      description = {
        "Sign the bag's tag manifest (detached CMS/PKCS #7, written as"
            + " tagmanifest-sha256.txt.p7s) with this private key: PEM (PKCS #8 or traditional,"
            + " optionally encrypted; may also hold the certificate) or PKCS #12 (.p12/.pfx)."
      })
  Path signKey;

  @Option(
      names = "--sign-cert",
      paramLabel = "FILE",
      description =
          "The signer's certificate (PEM; intermediates may follow), if --sign-key lacks it.")
  Path signCert;

  @Option(
      names = "--sign-password-env",
      paramLabel = "NAME",
      description =
          "Read the key's (or PKCS #12 file's) password from this environment variable."
              + " Never on the command line.")
  String signPasswordEnv;

  @Option(
      names = "--sign-password-file",
      paramLabel = "FILE",
      description = "Read the key's password from the first line of this file.")
  Path signPasswordFile;

  @Option(
      names = "--out",
      paramLabel = "FILE.zip",
      required = true,
      description =
          "The bundle to write (replaced atomically if it exists). Its directory must exist.")
  Path out;

  @Override
  public Integer call() throws IOException {
    month.validate();
    if (Files.isDirectory(out)) {
      throw new IllegalArgumentException("--out " + out + " is a directory; give a file name");
    }
    FileOptions.outputDirectory("--out", out);
    for (Path s : snapshots) {
      if (!Files.isRegularFile(s)) {
        throw new IllegalArgumentException("--snapshot " + s + ": no such file");
      }
    }
    ManifestSignature.Signer signer = signer();
    ReportRequest request = noReport ? null : reportRequest();
    long limit;
    try {
      limit = Attachments.limit(attachLimit, "--attach-limit");
    } catch (ReportException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    long started = System.nanoTime();
    EvidenceBundle.Written w;
    try (WorkProgress progress = WorkProgress.of(spec.commandLine().getErr(), "evidence")) {
      EvidenceBundle.ReportWriter report =
          request == null
              ? null
              : (digest, csv, pdf) ->
                  // the cover names the data it summarises: the digest of every payload file but
                  // itself; the CSVs are attached from their files as far as the bound allows
                  ReportRenderer.writePdf(
                      request.withEvidence(digest, Map.of()), csv, limit, pdf, progress::step);
      w =
          EvidenceBundle.write(
              month.index.path(),
              month.yearMonth(),
              month.host,
              month.auditConfig(),
              month.lookbackDuration(),
              toolVersion(),
              snapshots,
              report,
              signer,
              out,
              !month.noCache,
              progress);
      progress.step("done in " + Progress.since(started));
    }
    PrintWriter o = spec.commandLine().getOut();
    o.println(
        "wrote "
            + out
            + " ("
            + w.bytes()
            + " bytes, sha256 "
            + w.sha256()
            + "): windows "
            + w.export().windows()
            + ", sessions "
            + w.export().sessions()
            + ", rejections "
            + w.export().rejections()
            + ", anomalies "
            + w.export().anomalies()
            + (request == null ? "; no report (--no-report)" : "; with the PDF report")
            + (signer == null
                ? ""
                : "; tag manifest signed by "
                    + signer.certificate().getSubjectX500Principal().getName()));
    o.flush();
    month.warnIfEmpty(spec, w.export().indexedEvents() == 0);
    return ExitCodes.OK;
  }

  /** The signing key, read before any index work so a bad key or password is a usage error. */
  private ManifestSignature.Signer signer() throws IOException {
    if (signKey == null) {
      if (signCert != null || signPasswordEnv != null || signPasswordFile != null) {
        throw new IllegalArgumentException(
            "--sign-cert and --sign-password-* need --sign-key (the private key to sign with)");
      }
      return null;
    }
    if (signPasswordEnv != null && signPasswordFile != null) {
      throw new IllegalArgumentException(
          "give the password once: --sign-password-env or --sign-password-file");
    }
    char[] password = null;
    if (signPasswordEnv != null) {
      String v = System.getenv(signPasswordEnv);
      if (v == null) {
        throw new IllegalArgumentException(
            "--sign-password-env " + signPasswordEnv + ": no such environment variable");
      }
      password = v.toCharArray();
    } else if (signPasswordFile != null) {
      FileOptions.existingFile("--sign-password-file " + signPasswordFile, signPasswordFile);
      List<String> lines = Files.readAllLines(signPasswordFile, StandardCharsets.UTF_8);
      password = (lines.isEmpty() ? "" : lines.get(0)).toCharArray();
    }
    FileOptions.existingFile("--sign-key " + signKey, signKey);
    if (signCert != null) {
      FileOptions.existingFile("--sign-cert " + signCert, signCert);
    }
    try {
      return ManifestSignature.load(signKey, signCert, password);
    } catch (EvidenceException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /** The report request, checked before any index work so a bad template is a usage error. */
  private ReportRequest reportRequest() throws IOException {
    try {
      Templates.find(template);
      ReportRequest base =
          ReportRequest.of(
                  month.index.path(),
                  month.yearMonth(),
                  month.auditConfig(),
                  ReportRequest.Format.PDF)
              .withHost(month.host)
              .withTemplate(template)
              .withLang(lang)
              .withPaper(ReportRequest.Paper.parse(paper))
              .withToolVersion(toolVersion());
      // the report must read the same events as the CSVs: same lookback
      return new ReportRequest(
          base.index(),
          base.month(),
          base.host(),
          base.config(),
          base.template(),
          base.lang(),
          base.paper(),
          base.format(),
          base.toolVersion(),
          month.lookbackDuration(),
          base.generatedAt(),
          base.evidenceHash(),
          base.attachments(),
          base.topN(),
          !month.noCache);
    } catch (ReportException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  static String toolVersion() throws IOException {
    String v = new VersionProvider().getVersion()[0];
    return v.startsWith("mobilessh ") ? v.substring("mobilessh ".length()) : v;
  }
}
