package org.mobilessh.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import org.mobilessh.rules.Netfilter;
import org.mobilessh.rules.SectionedFile;
import org.mobilessh.rules.Snapshots;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mobilessh rules snapshot}: counters and list contents as verifiable evidence. */
@Command(
    name = "snapshot",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Record both families' iptables-save -c (exact counters where LOG lines were rate-limited),"
          + " the xt_recent lists and ip_list_tot, with a UTC timestamp and a SHA-256 over the"
          + " file (check it with --verify, or: head -n -1 FILE | sha256sum).",
      "--verify FILE exits 0 when the hash matches and 1 when the file was changed."
    })
final class RulesSnapshotCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin BackendOption where;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Mode mode;

  static final class Mode {
    @Option(
        names = "--out",
        paramLabel = "FILE",
        description = "Write the snapshot here (atomically).")
    Path out;

    @Option(
        names = "--verify",
        paramLabel = "FILE",
        description = "Recompute a snapshot's SHA-256.")
    Path verify;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (mode.verify != null) {
      if (!Files.isRegularFile(mode.verify)) {
        // a failed verification, as verify's for a missing bundle; the reader's own message was
        // "cannot read X: X"
        PrintWriter err = spec.commandLine().getErr();
        err.println(
            spec.qualifiedName(" ")
                + ": --verify "
                + mode.verify
                + (Files.isDirectory(mode.verify)
                    ? ": a directory, not a snapshot"
                    : ": no such file"));
        err.flush();
        return ExitCodes.FAILURE;
      }
      SectionedFile.Verification v = SectionedFile.verify(mode.verify);
      if (v.ok()) {
        out.println("OK: " + mode.verify + " sha256 " + v.actual());
        out.flush();
        return ExitCodes.OK;
      }
      PrintWriter err = spec.commandLine().getErr();
      err.println(
          "FAIL: "
              + mode.verify
              + ": "
              + v.problem()
              + (v.expected().isEmpty()
                  ? ""
                  : " (recorded " + v.expected() + ", actual " + v.actual() + ")"));
      err.flush();
      return ExitCodes.FAILURE;
    }
    Netfilter netfilter = where.netfilter();
    SectionedFile snapshot = Snapshots.take(netfilter, Clock.systemUTC());
    snapshot.write(mode.out);
    out.println(
        "snapshot of "
            + netfilter.where()
            + " at "
            + snapshot.headers().get("timestamp")
            + " written to "
            + mode.out
            + " ("
            + String.join(", ", snapshot.sections().keySet())
            + ")");
    out.flush();
    return ExitCodes.OK;
  }
}
