package org.mobilessh.cli;

import org.mobilessh.rules.RulesetSettings;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The LOG settings of the ruleset (prefixes and reject LOG rates), shared by the commands that
 * render it and the commands that read the logs it wrote: both must agree on them.
 */
final class LogOptions {
  @Mixin LogPrefixOptions prefixes;

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
    prefixes.applyTo(settings);
    RulesetOptions.override(settings, "reject-log-rate", rejectLogRate);
    RulesetOptions.override(settings, "reject-log-global-rate", rejectLogGlobalRate);
    RulesetOptions.override(settings, "reject-log-burst", rejectLogBurst);
  }
}
