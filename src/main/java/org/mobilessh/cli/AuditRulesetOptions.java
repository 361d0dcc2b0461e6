package org.mobilessh.cli;

import java.nio.file.Path;
import java.util.List;
import org.mobilessh.audit.AuditConfig;
import org.mobilessh.rules.InvalidConfigException;
import org.mobilessh.rules.RulesetConfig;
import org.mobilessh.rules.RulesetSettings;
import picocli.CommandLine.Mixin;
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

  @Option(
      names = "--strict-sessions",
      description =
          "The ruleset was installed with --strict-sessions: a removal cut the address's other"
              + " sessions.")
  Boolean strictSessions;

  @Mixin LogOptions log;

  /** The config file's settings with the command line's on top. */
  RulesetSettings settings() {
    RulesetSettings settings = RulesetOptions.fileSettings(config);
    RulesetOptions.override(settings, "seconds", seconds);
    RulesetOptions.override(settings, "mail-server", mailServers);
    RulesetOptions.override(settings, "imaps-port", imapsPort);
    RulesetOptions.override(settings, "ssh-port", sshPort);
    RulesetOptions.override(settings, "no-remove", noRemove);
    RulesetOptions.override(settings, "strict-sessions", strictSessions);
    log.applyTo(settings);
    return settings;
  }

  /**
   * The audit settings of these ruleset settings, except that mail servers are optional — without
   * them any IMAPS destination counts as a refresh.
   */
  static AuditConfig auditConfig(RulesetSettings settings) {
    RulesetConfig config;
    boolean anyMailServer = false;
    try {
      config = settings.toConfig();
    } catch (InvalidConfigException e) {
      if (!e.getMessage().startsWith("no mail server given")) {
        throw e;
      }
      // a placeholder only to pass the installer's validation; dropped below
      config = settings.set("mail-server", List.of("192.0.2.0/24")).toConfig();
      anyMailServer = true;
    }
    AuditConfig audit = AuditConfig.of(config);
    return anyMailServer ? audit.withMailServers(List.of()) : audit;
  }
}
