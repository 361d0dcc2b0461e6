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

/** {@code mobilessh list add}: grant addresses an SSH window by hand. */
@Command(
    name = "add",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Add addresses to the list (or refresh them), as if each had just checked mail: they may"
          + " open SSH for the next N seconds.",
      "Each change is logged to syslog first (authpriv.notice, tag mobilessh, with who made it);"
          + " if logger cannot deliver the line, nothing is changed (exit 1)."
    })
final class ListAddCommand implements Callable<Integer> {
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
    options.recentList(err::println).add(parsed);
    err.flush();
    return ExitCodes.OK;
  }
}
