package org.mobilessh.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.mobilessh.rules.InvalidConfigException;
import org.mobilessh.rules.KernelClock;
import org.mobilessh.rules.RecentListWriter;
import org.mobilessh.rules.RecentSnapshot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mobilessh list show}: the list's entries with wall-clock times. */
@Command(
    name = "show",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Print the list's entries, most recently seen first: address, family, last_seen (UTC),"
          + " age in seconds, fresh (would open SSH now: seen less than --seconds ago), hits"
          + " (stamps the kernel kept, at most 32 by default).",
      "last_seen is converted from the kernel's jiffies; its resolution is one tick (1/HZ, 4 ms at"
          + " HZ=250). Data goes to stdout, a summary to stderr. Needs root (/proc/timer_list)."
    })
final class ListShowCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin ListOptions options;

  @Option(
      names = "--seconds",
      paramLabel = "N",
      defaultValue = "60",
      description = "Window length the 'fresh' column is judged by. Default: ${DEFAULT-VALUE}.")
  int seconds;

  @Option(
      names = "--format",
      paramLabel = "table|csv|json",
      defaultValue = "table",
      description = "Output format. Default: ${DEFAULT-VALUE}.")
  String format;

  @Override
  public Integer call() {
    if (seconds < 1 || seconds > 86_400) {
      throw new InvalidConfigException("--seconds must be between 1 and 86400, not " + seconds);
    }
    RecentListWriter.Format outputFormat = RecentListWriter.Format.parse(format);
    PrintWriter err = spec.commandLine().getErr();
    RecentSnapshot snapshot = options.recentList(err::println).snapshot();
    RecentListWriter.write(snapshot, seconds, outputFormat, spec.commandLine().getOut());
    KernelClock clock = snapshot.clock();
    long fresh = snapshot.rows(seconds).stream().filter(RecentSnapshot.Row::fresh).count();
    err.printf(
        "list %s%s: %d entries, %d fresh (seen < %d s ago); HZ=%d from %s, times to +-%d ms%n",
        snapshot.list(),
        snapshot.netns().map(n -> " in netns " + n).orElse(""),
        snapshot.entries().size(),
        fresh,
        seconds,
        clock.hz(),
        clock.hzSource(),
        (1000 + clock.hz() - 1) / clock.hz());
    err.flush();
    return ExitCodes.OK;
  }
}
