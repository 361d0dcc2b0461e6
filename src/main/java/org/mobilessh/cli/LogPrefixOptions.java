package org.mobilessh.cli;

import org.mobilessh.rules.RulesetSettings;
import picocli.CommandLine.Option;

/**
 * The ruleset's four LOG prefixes: the commands that render the ruleset, the ones that audit its
 * logs and {@code ingest} (which files each line under its step, {@code event.action}) must agree
 * on them.
 */
final class LogPrefixOptions {
  @Option(names = "--log-prefix-set", paramLabel = "WORD:", description = "Default: mobilessh-set:")
  String setPrefix;

  @Option(
      names = "--log-prefix-remove",
      paramLabel = "WORD:",
      description = "Default: mobilessh-remove:")
  String removePrefix;

  @Option(
      names = "--log-prefix-accept",
      paramLabel = "WORD:",
      description = "Default: mobilessh-accept:")
  String acceptPrefix;

  @Option(
      names = "--log-prefix-reject",
      paramLabel = "WORD:",
      description = "Default: mobilessh-reject:")
  String rejectPrefix;

  /** Puts the prefixes given on the command line over the config file's. */
  void applyTo(RulesetSettings settings) {
    RulesetOptions.override(settings, "log-prefix-set", setPrefix);
    RulesetOptions.override(settings, "log-prefix-remove", removePrefix);
    RulesetOptions.override(settings, "log-prefix-accept", acceptPrefix);
    RulesetOptions.override(settings, "log-prefix-reject", rejectPrefix);
  }
}
