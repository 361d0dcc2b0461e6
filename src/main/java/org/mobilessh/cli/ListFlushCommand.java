package org.mobilessh.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code mobilessh list flush}: close every SSH window at once. */
@Command(
    name = "flush",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Remove every address from the list: nobody can open a new SSH connection until they check"
          + " mail again. Running sessions are not cut (unless the ruleset uses --strict-sessions).",
      "The flush is logged to syslog first (authpriv.notice, tag mobilessh, with who made it and"
          + " how many entries it removed); if logger cannot deliver the line, nothing is changed."
    })
final class ListFlushCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin ListOptions options;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    options.recentList(err::println).flush();
    err.flush();
    return ExitCodes.OK;
  }
}
