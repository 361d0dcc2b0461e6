package org.mobilessh.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.mobilessh.audit.AuditConfig;
import org.mobilessh.report.ReportException;
import org.mobilessh.report.ReportRenderer;
import org.mobilessh.report.ReportRequest;
import org.mobilessh.report.Templates;
import org.mobilessh.rules.InvalidConfigException;
import org.mobilessh.rules.RulesetConfig;
import org.mobilessh.rules.RulesetSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mobilessh report}: the monthly audit report as PDF/A or HTML. */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Write the monthly audit report (PDF/A-3b or HTML, chosen by the --out extension): cover,"
          + " scope and coverage, ruleset, summary figures with the queries that reproduce them,"
          + " charts, windows, sessions, rejections, anomalies with their raw lines, methodology.",
      "Templates: --template DIR (a copy of report-templates/default, files missing from it come"
          + " from the bundled default) or the name of a bundled template.",
      "The PDF embeds DejaVu from /usr/share/fonts/truetype/dejavu (Debian: fonts-dejavu-core);"
          + " --lang ja also needs a Japanese font (fonts-ipafont-gothic, or"
          + " MOBILESSH_REPORT_CJK_FONT=FILE.ttf)."
    })
final class ReportCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin IndexOption index;

  @Mixin RulesetOptions ruleset;

  @Option(
      names = "--month",
      required = true,
      paramLabel = "YYYY-MM",
      description = "The calendar month (UTC) to report on.")
  String month;

  @Option(
      names = "--host",
      paramLabel = "NAME",
      description = "Only this router (observer.hostname). Default: every router.")
  String host;

  @Option(
      names = "--template",
      paramLabel = "NAME|DIR",
      description = "Template directory or file, or bundled template name. Default: default.")
  String template;

  @Option(
      names = "--lang",
      paramLabel = "en|ja",
      defaultValue = "en",
      description = "Language of the headings. Default: ${DEFAULT-VALUE}.")
  String lang;

  @Option(
      names = "--paper",
      paramLabel = "a4|letter",
      defaultValue = "a4",
      description = "Page size of the PDF. Default: ${DEFAULT-VALUE}.")
  String paper;

  @Option(
      names = "--top",
      paramLabel = "N",
      defaultValue = "25",
      description =
          "Rows of each long table (the CSV export has them all). Default: ${DEFAULT-VALUE}.")
  int top;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "FILE.pdf|FILE.html",
      description =
          "Where to write the report; the extension selects the format. Its directory must"
              + " exist.")
  Path out;

  @Option(
      names = "--no-cache",
      description =
          "Reconstruct the month and count its events from the index alone: neither read nor"
              + " fill the audit results and event figures kept with the index"
              + " (INDEX/mobilessh-audit-cache, INDEX/mobilessh-report-cache).")
  boolean noCache;

  @Override
  public Integer call() throws IOException {
    PrintWriter err = spec.commandLine().getErr();
    if (top < 1) {
      // the request's own message did not name the option
      throw new IllegalArgumentException("--top must be at least 1, not " + top);
    }
    ReportRequest req;
    try {
      Templates.find(template);
      req =
          ReportRequest.of(
                  index.path(),
                  AuditQueryOptions.month(month),
                  auditConfig(),
                  ReportRequest.Format.ofFileName(out))
              .withHost(host)
              .withTemplate(template)
              .withLang(lang)
              .withPaper(ReportRequest.Paper.parse(paper))
              .withTopN(top)
              .withToolVersion(version())
              .withCache(!noCache);
    } catch (ReportException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    FileOptions.outputDirectory("--out", out);
    long started = System.nanoTime();
    ReportRenderer.Rendered r =
        ReportRenderer.write(
            req,
            out,
            m -> {
              synchronized (err) {
                err.println(m);
                err.flush();
              }
            });
    long ms = Duration.ofNanos(System.nanoTime() - started).toMillis();
    err.printf(
        "%s: windows %d, sessions %d, rejections %d, anomalies %d; %,d bytes in %d ms%n",
        out,
        r.model().figures().windows(),
        r.model().figures().sessions(),
        r.model().figures().rejections(),
        r.model().figures().anomalies(),
        r.bytes().length,
        ms);
    err.flush();
    return ExitCodes.OK;
  }

  /** The ruleset's settings; without a mail server any IMAPS destination counts as a refresh. */
  private AuditConfig auditConfig() {
    RulesetSettings settings = ruleset.settings();
    try {
      return AuditConfig.of(settings.toConfig());
    } catch (InvalidConfigException e) {
      if (!e.getMessage().startsWith("no mail server given")) {
        throw e;
      }
      // a placeholder only to pass the installer's validation, dropped right away
      RulesetConfig c = settings.set("mail-server", List.of("192.0.2.0/24")).toConfig();
      return AuditConfig.of(c).withMailServers(List.of());
    }
  }

  private static String version() throws IOException {
    String v = new VersionProvider().getVersion()[0];
    return v.startsWith("mobilessh ") ? v.substring("mobilessh ".length()) : v;
  }
}
