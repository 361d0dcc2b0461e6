package org.mobilessh.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.YearMonth;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import org.mobilessh.audit.AuditConfig;
import org.mobilessh.evidence.BagWriter;
import org.mobilessh.evidence.CsvExport;
import org.mobilessh.evidence.EvidenceException;
import org.mobilessh.evidence.MonthExport;
import org.mobilessh.evidence.Progress;
import org.mobilessh.report.ScratchFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mobilessh export}: the month's audit as CSV files. */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Write the audit of one month as CSV files (RFC 4180, UTF-8, CRLF) into a directory:"
          + " windows.csv, sessions.csv, rejects.csv, anomalies.csv, and events.csv with every"
          + " indexed line behind them (log.file.path, log.file.line, log.offset, event.hash).",
      "The default (raw) files hold every value exactly as the audit prints it, so the same index"
          + " gives the same bytes. --spreadsheet-safe writes a copy for spreadsheets instead:"
          + " cells that would run as formulas get a leading apostrophe. See docs/evidence.md.",
      "Progress goes to stderr (each step with its time; on a terminal the step under way with"
          + " its count, redrawn in place; otherwise a line every 30 s); stdout has the files'"
          + " rows and SHA-256 only."
    })
final class ExportCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin MonthOptions month;

  @Option(
      names = "--spreadsheet-safe",
      description =
          "Neutralise formula injection (cells starting with = + - @, tab or CR get a leading"
              + " apostrophe; plain numbers stay) and start each file with a UTF-8 byte order"
              + " mark. Not byte-identical to the raw export: do not hash these.")
  boolean spreadsheetSafe;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      required = true,
      description = "Directory to write into (created if missing; the five files are replaced).")
  Path out;

  @Override
  public Integer call() {
    month.validate();
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw new IllegalArgumentException("--out " + out + " exists and is not a directory");
    }
    CsvExport.Variant variant =
        spreadsheetSafe ? CsvExport.Variant.SPREADSHEET_SAFE : CsvExport.Variant.RAW;
    long started = System.nanoTime();
    MonthExport.Written written;
    Map<String, String> sums = new LinkedHashMap<>();
    // the files are written into a scratch directory inside --out and moved over the old ones only
    // when all are complete: a failed or killed run leaves the previous files, never partial ones
    Path name = out.resolve("export");
    Path stage = ScratchFiles.beside(name, "work");
    try (WorkProgress progress = WorkProgress.of(spec.commandLine().getErr(), "export")) {
      try {
        Files.createDirectories(out);
        ScratchFiles.removeStale(name, "work");
        ScratchFiles.deleteTree(stage);
        Path spill = Files.createDirectories(stage.resolve("spill"));
        written =
            MonthExport.write(
                month.index.path(),
                month.yearMonth(),
                month.host,
                month.auditConfig(),
                month.lookbackDuration(),
                variant,
                stage,
                null,
                !month.noCache,
                spill,
                progress);
        long t0 = System.nanoTime();
        AtomicLong hashed = progress.phase("SHA-256 of the files", "bytes");
        for (String f : CsvExport.FILES) {
          sums.put(f, BagWriter.sha256(stage.resolve(f), hashed));
        }
        for (String f : CsvExport.FILES) {
          Files.move(
              stage.resolve(f),
              out.resolve(f),
              StandardCopyOption.REPLACE_EXISTING,
              StandardCopyOption.ATOMIC_MOVE);
        }
        progress.step(
            "SHA-256 of "
                + CsvExport.FILES.size()
                + " files ("
                + Progress.count(hashed.get())
                + " bytes) in "
                + Progress.since(t0));
      } catch (IOException e) {
        throw new EvidenceException("cannot write " + out + ": " + e.getMessage(), e);
      } finally {
        ScratchFiles.deleteTree(stage);
      }
      progress.step("done in " + Progress.since(started));
    }
    PrintWriter o = spec.commandLine().getOut();
    for (String f : CsvExport.FILES) {
      o.printf("%-14s %7d rows  sha256 %s%n", f, written.rows().get(f), sums.get(f));
    }
    o.println(
        "wrote "
            + CsvExport.FILES.size()
            + " files ("
            + (spreadsheetSafe ? "spreadsheet-safe" : "raw")
            + ") to "
            + out);
    o.flush();
    month.warnIfEmpty(spec, written.indexedEvents() == 0);
    return ExitCodes.OK;
  }

  /** Data rows of a CSV we wrote: records minus the header (quoted line breaks do not count). */
  static long rows(byte[] csv) {
    long records = 0;
    boolean quoted = false;
    for (int i = 0; i < csv.length; i++) {
      if (csv[i] == '"') {
        quoted = !quoted;
      } else if (csv[i] == '\n' && !quoted) {
        records++;
      }
    }
    return Math.max(0, records - 1);
  }

  /**
   * The options that pick one month of the index and the ruleset it was logged under, shared by
   * {@code export} and {@code evidence}: the same ruleset options and lookback as the audit
   * commands, through {@link AuditQueryOptions}.
   */
  static final class MonthOptions {
    @Mixin IndexOption index;

    @Mixin AuditRulesetOptions ruleset;

    @Option(
        names = "--month",
        paramLabel = "YYYY-MM",
        required = true,
        description =
            "The calendar month (UTC). Windows open across its ends are clipped and marked.")
    String month;

    @Option(
        names = "--host",
        paramLabel = "NAME",
        description = "Only this router (observer.hostname). Default: every router.")
    String host;

    @Option(
        names = "--lookback",
        paramLabel = "DURATION",
        defaultValue = "1d",
        description =
            "How far outside the month events are read, so windows open at its start and sessions"
                + " running at its end are whole (N s, m, h or d). Default: ${DEFAULT-VALUE}.")
    String lookback;

    @Option(
        names = "--no-cache",
        description =
            "Reconstruct the month from the indexed events alone: neither read nor fill the audit"
                + " results kept with the index (INDEX/mobilessh-audit-cache).")
    boolean noCache;

    private AuditQueryOptions audit() {
      AuditQueryOptions q = new AuditQueryOptions();
      q.index = index;
      q.ruleset = ruleset;
      q.month = month;
      q.host = host;
      q.lookback = lookback;
      q.format = "csv";
      return q;
    }

    /** Checks every option before any work; a bad one is a usage error. */
    void validate() {
      audit().validate();
    }

    YearMonth yearMonth() {
      return AuditQueryOptions.month(month);
    }

    AuditConfig auditConfig() {
      return audit().auditConfig();
    }

    Duration lookbackDuration() {
      return audit().lookbackDuration();
    }

    void warnIfEmpty(CommandSpec spec, boolean empty) {
      if (empty) {
        PrintWriter err = spec.commandLine().getErr();
        err.println(
            spec.qualifiedName(" ")
                + ": warning: the index has no events for "
                + month
                + (host == null ? "" : " on " + host)
                + " (check --month, --host and --index)");
        err.flush();
      }
    }
  }
}
