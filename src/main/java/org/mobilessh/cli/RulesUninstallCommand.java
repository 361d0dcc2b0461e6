package org.mobilessh.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import org.mobilessh.rules.Backups;
import org.mobilessh.rules.Installer;
import org.mobilessh.rules.Netfilter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mobilessh rules uninstall}: removes exactly what install added. */
@Command(
    name = "uninstall",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Remove the jumps into MOBILESSH-* chains, then flush and delete those chains, in one"
          + " iptables-restore --noflush transaction per family. Nothing else changes: afterwards"
          + " iptables-save (without counters and comments) is what it was before install.",
      "When nothing is installed it says so and exits 0."
    })
final class RulesUninstallCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin BackendOption where;

  @Option(names = "--dry-run", description = "Print the transactions, test them, change nothing.")
  boolean dryRun;

  @Option(
      names = "--backup-dir",
      paramLabel = "DIR",
      defaultValue = Backups.DEFAULT_DIR,
      description = "Where the state before is saved. Default: ${DEFAULT-VALUE}.")
  Path backupDir;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Netfilter netfilter = where.netfilter();
    Installer installer = new Installer(netfilter, backupDir, Clock.systemUTC());
    Installer.Plan plan = installer.planUninstall();
    plan.notes().forEach(out::println);
    if (plan.nothingToDo()) {
      out.println("nothing to uninstall: no MOBILESSH-* chains or jumps in " + netfilter.where());
    } else if (dryRun) {
      RulesInstallCommand.printPlan(out, netfilter, plan);
      out.println("dry run: tested with --test, nothing changed in " + netfilter.where());
    } else {
      Installer.Outcome outcome = installer.apply(plan);
      outcome.messages().forEach(out::println);
      out.println("backup of the rules before: " + outcome.backup());
    }
    out.flush();
    return ExitCodes.OK;
  }
}
