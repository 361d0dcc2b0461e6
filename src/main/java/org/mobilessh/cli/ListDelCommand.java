package org.mobilessh.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.mobilessh.rules.RecentList;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mobilessh list del}: close addresses' SSH windows by hand. */
@Command(
    name = "del",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Remove addresses from the list: they can no longer open new SSH connections until they"
          + " check mail again. An address that is not in the list is reported and skipped.",
      "Each change is logged to syslog first (authpriv.notice, tag mobilessh, with who made it);"
          + " if logger cannot deliver the line, nothing is changed (exit 1)."
    })
final class ListDelCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin ListOptions options;

  @Parameters(
      paramLabel = "ADDR",
      arity = "1..*",
      description = "Literal IPv4 or IPv6 addresses (no host names, no ranges).")
  List<String> addresses;

  @Override
  public Integer call() {
    var parsed = RecentList.parseAddresses(addresses);
    PrintWriter err = spec.commandLine().getErr();
    options.recentList(err::println).delete(parsed);
    err.flush();
    return ExitCodes.OK;
  }
}
