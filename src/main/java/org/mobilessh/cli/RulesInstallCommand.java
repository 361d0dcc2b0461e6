package org.mobilessh.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;
import org.mobilessh.rules.Backups;
import org.mobilessh.rules.Family;
import org.mobilessh.rules.Installer;
import org.mobilessh.rules.Netfilter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mobilessh rules install}: applies both families atomically, with backup and rollback. */
@Command(
    name = "install",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Install the ruleset for IPv4 and IPv6: iptables-restore --test, then a backup of the"
          + " current rules, then iptables-restore --noflush per family (each one transaction).",
      "Installing again replaces the previous mobilessh rules (never two copies). If IPv6 fails"
          + " after IPv4 was applied, IPv4 is rolled back. Refuses to install IPv4 alone unless"
          + " --ipv4-only is given: IPv6 would stay wide open to SSH."
    })
final class RulesInstallCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin RulesetOptions ruleset;

  @Mixin RulesTemplateOption template;

  @Mixin BackendOption where;

  @Option(
      names = "--dry-run",
      description =
          "Print the transactions (both families, with their -D lines), test them, change nothing.")
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
    Installer.Plan plan = installer.planInstall(ruleset.toConfig(), template.renderer());
    plan.notes().forEach(out::println);
    if (dryRun) {
      printPlan(out, netfilter, plan);
      out.println("dry run: tested with --test, nothing changed in " + netfilter.where());
      out.flush();
      return ExitCodes.OK;
    }
    Installer.Outcome outcome = installer.apply(plan);
    outcome.messages().forEach(out::println);
    out.println("backup of the rules before: " + outcome.backup());
    out.flush();
    return ExitCodes.OK;
  }

  static void printPlan(PrintWriter out, Netfilter netfilter, Installer.Plan plan) {
    for (Map.Entry<Family, String> e : plan.scripts().entrySet()) {
      out.println("# ---- " + netfilter.backend().restoreTool(e.getKey()) + " --noflush ----");
      out.print(e.getValue());
    }
  }
}
