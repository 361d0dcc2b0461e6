package org.mobilessh.cli;

import java.nio.file.Path;
import java.util.function.Consumer;
import org.mobilessh.rules.Actor;
import org.mobilessh.rules.KernelClockSource;
import org.mobilessh.rules.RecentList;
import org.mobilessh.rules.RulesetConfig;
import org.mobilessh.rules.SyslogAudit;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code --netns}, {@code --list} and {@code --syslog-socket}, shared by the list commands. */
public final class ListOptions {
  @Mixin NetnsOption netns;

  @Option(
      names = "--list",
      paramLabel = "NAME",
      defaultValue = RulesetConfig.DEFAULT_LIST,
      description = "xt_recent list name. Default: ${DEFAULT-VALUE}.")
  String list;

  @Option(
      names = "--syslog-socket",
      paramLabel = "PATH",
      description =
          "Send the audit lines to this syslog socket (logger -u) instead of /dev/log, e.g. a"
              + " container's or a chroot's.")
  Path syslogSocket;

  RecentList recentList(Consumer<String> notices) {
    SyslogAudit audit =
        syslogSocket == null ? SyslogAudit.system() : SyslogAudit.toSocket(syslogSocket);
    return new RecentList(
        netns.runner(), list, KernelClockSource.system(), audit, Actor.current(), notices);
  }
}
