package org.mobilessh.cli;

import org.mobilessh.rules.RulesetSettings;
import picocli.CommandLine.Option;

/**
 * The LOG settings of the ruleset (prefixes and reject LOG rates), shared by the commands that
 * render it and the commands that read the logs it wrote: both must agree on them.
 */
final class LogOptions {
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

  @Option(
      names = "--reject-log-rate",
      paramLabel = "N/UNIT",
      description = "Reject LOG lines per source address. Default: 6/min.")
  String rejectLogRate;

  @Option(
      names = "--reject-log-global-rate",
      paramLabel = "N/UNIT",
      description = "Reject LOG lines overall. Default: 20/sec.")
  String rejectLogGlobalRate;

  @Option(
      names = "--reject-log-burst",
      paramLabel = "N",
      description = "Burst for both reject LOG limits. Default: 5.")
  String rejectLogBurst;

  /** Puts the values given on the command line over the config file's. */
  void applyTo(RulesetSettings settings) {
    RulesetOptions.override(settings, "log-prefix-set", setPrefix);
    RulesetOptions.override(settings, "log-prefix-remove", removePrefix);
    RulesetOptions.override(settings, "log-prefix-accept", acceptPrefix);
    RulesetOptions.override(settings, "log-prefix-reject", rejectPrefix);
    RulesetOptions.override(settings, "reject-log-rate", rejectLogRate);
    RulesetOptions.override(settings, "reject-log-global-rate", rejectLogGlobalRate);
    RulesetOptions.override(settings, "reject-log-burst", rejectLogBurst);
  }
}
