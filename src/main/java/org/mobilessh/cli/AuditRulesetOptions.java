package org.mobilessh.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.mobilessh.rules.RulesetSettings;
import picocli.CommandLine.Option;

/**
 * The ruleset settings an audit needs to read the logs right — the window length, ports, mail
 * servers, LOG prefixes and reject LOG rates — from the same config file {@code rules install}
 * uses, each overridable on the command line. The installer-only settings ({@code --protect},
 * {@code --wan}, ...) are read from the file but not offered as options here.
 */
final class AuditRulesetOptions {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "The ruleset config file the logs were written under (N, prefixes, mail servers)."
              + " Default: $MOBILESSH_CONFIG, else /etc/mobilessh/mobilessh.conf if it exists.")
  Path config;

  @Option(
      names = "--seconds",
      paramLabel = "N",
      description = "Window length after the last IMAPS packet. Default: the config's, else 60.")
  String seconds;

  @Option(
      names = "--mail-server",
      paramLabel = "ADDR",
      description =
          "Mail server (address or CIDR) whose IMAPS flows refresh the list; repeatable."
              + " Default: the config's, else any destination on the IMAPS port.")
  List<String> mailServers;

  @Option(names = "--imaps-port", paramLabel = "PORT", description = "Default: 993.")
  String imapsPort;

  @Option(names = "--ssh-port", paramLabel = "PORT", description = "Default: 22.")
  String sshPort;

  @Option(
      names = "--no-remove",
      description = "The ruleset had no step 2: an SSH FIN did not remove the address.")
  Boolean noRemove;

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

  private Optional<Path> configFile() {
    if (config != null) {
      return Optional.of(config);
    }
    String env = System.getenv("MOBILESSH_CONFIG");
    if (env != null && !env.isBlank()) {
      return Optional.of(Path.of(env));
    }
    return Files.isRegularFile(RulesetOptions.DEFAULT_CONFIG)
        ? Optional.of(RulesetOptions.DEFAULT_CONFIG)
        : Optional.empty();
  }

  /** The config file's settings with the command line's on top. */
  RulesetSettings settings() {
    RulesetSettings settings =
        configFile().map(RulesetSettings::fromFile).orElseGet(RulesetSettings::new);
    override(settings, "seconds", seconds);
    override(settings, "mail-server", mailServers);
    override(settings, "imaps-port", imapsPort);
    override(settings, "ssh-port", sshPort);
    override(settings, "no-remove", noRemove);
    override(settings, "log-prefix-set", setPrefix);
    override(settings, "log-prefix-remove", removePrefix);
    override(settings, "log-prefix-accept", acceptPrefix);
    override(settings, "log-prefix-reject", rejectPrefix);
    override(settings, "reject-log-rate", rejectLogRate);
    override(settings, "reject-log-global-rate", rejectLogGlobalRate);
    override(settings, "reject-log-burst", rejectLogBurst);
    return settings;
  }

  private static void override(RulesetSettings settings, String key, Object value) {
    if (value instanceof List<?> values) {
      settings.set(key, values.stream().map(String::valueOf).toList());
    } else if (value != null) {
      settings.set(key, List.of(String.valueOf(value)));
    }
  }
}
