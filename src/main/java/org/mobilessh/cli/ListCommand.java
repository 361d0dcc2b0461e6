package org.mobilessh.cli;

import picocli.CommandLine.Command;

/** {@code mobilessh list ...}: the xt_recent list of addresses that may open SSH. */
@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Show and change the xt_recent list (/proc/net/xt_recent/LIST) that holds the addresses"
          + " allowed to open SSH.",
      "Every change (add, del, flush) is first written to syslog (authpriv.notice, tag mobilessh)"
          + " with who made it; a change that cannot be logged is refused."
    },
    subcommands = {
      ListShowCommand.class,
      ListAddCommand.class,
      ListDelCommand.class,
      ListFlushCommand.class
    })
public final class ListCommand extends CommandGroup {}
