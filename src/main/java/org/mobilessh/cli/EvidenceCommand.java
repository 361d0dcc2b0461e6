package org.mobilessh.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.mobilessh.evidence.BagWriter;
import org.mobilessh.evidence.EvidenceBundle;
import org.mobilessh.evidence.MonthAudit;
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
          + " the ruleset snapshots given with --snapshot, and a SHA-256 manifest of every file.",
      "The zip is deterministic: the same index and options give the same bytes. Check it with"
          + " 'mobilessh verify BUNDLE'. See docs/evidence.md."
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
      names = "--out",
      paramLabel = "FILE.zip",
      required = true,
      description = "The bundle to write (replaced atomically if it exists).")
  Path out;

  @Override
  public Integer call() throws IOException {
    month.validate();
    if (Files.isDirectory(out)) {
      throw new IllegalArgumentException("--out " + out + " is a directory; give a file name");
    }
    for (Path s : snapshots) {
      if (!Files.isRegularFile(s)) {
        throw new IllegalArgumentException("--snapshot " + s + ": no such file");
      }
    }
    MonthAudit audit = month.load();
    EvidenceBundle.Options options = new EvidenceBundle.Options(toolVersion(), null, snapshots);
    byte[] zip = EvidenceBundle.zip(audit, options);
    BagWriter.writeAtomically(zip, out);
    PrintWriter o = spec.commandLine().getOut();
    o.println(
        "wrote "
            + out
            + " ("
            + zip.length
            + " bytes, sha256 "
            + BagWriter.sha256(zip)
            + "): "
            + audit.result().windows().size()
            + " windows, "
            + audit.result().sessions().size()
            + " sessions, "
            + audit.result().rejections().size()
            + " rejections, "
            + audit.result().anomalies().size()
            + " anomalies");
    o.flush();
    month.warnIfEmpty(spec, audit);
    return ExitCodes.OK;
  }

  static String toolVersion() throws IOException {
    String v = new VersionProvider().getVersion()[0];
    return v.startsWith("mobilessh ") ? v.substring("mobilessh ".length()) : v;
  }
}
