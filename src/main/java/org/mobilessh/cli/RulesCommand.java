package org.mobilessh.cli;

import picocli.CommandLine.Command;

/** {@code mobilessh rules ...}: the ruleset's life cycle. */
@Command(
    name = "rules",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Render, install, check, snapshot and uninstall the IMAPS-before-SSH ruleset.",
    subcommands = {
      RulesRenderCommand.class,
      RulesInstallCommand.class,
      RulesCheckCommand.class,
      RulesSnapshotCommand.class,
      RulesUninstallCommand.class
    })
public final class RulesCommand extends CommandGroup {}
