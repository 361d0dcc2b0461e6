package org.mobilessh.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.mobilessh.rules.RulesetConfig;
import org.mobilessh.rules.RulesetSettings;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options that decide the ruleset, shared by every command that renders or compares it. Each
 * has the same key in the config file; command-line values override the file. Values stay text
 * here: {@link RulesetSettings} parses file and command line through the same validation.
 */
public final class RulesetOptions {
  static final Path DEFAULT_CONFIG = Path.of("/etc/mobilessh/mobilessh.conf");

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "Config file of 'key = value' lines (keys are these option names without dashes)."
              + " Default: $MOBILESSH_CONFIG, else /etc/mobilessh/mobilessh.conf if it exists.")
  Path config;

  @Option(
      names = "--mail-server",
      paramLabel = "ADDR",
      description = "Mail server (IPv4 or IPv6 address or CIDR); repeatable.")
  List<String> mailServers;

  @Option(
      names = "--protect",
      paramLabel = "local|ADDR",
      description =
          "SSH target: 'local' (the router, INPUT) or a host behind it (FORWARD); repeatable. Default: local.")
  List<String> protect;

  @Option(
      names = "--wan",
      paramLabel = "IFACE",
      description = "Gate only traffic arriving on this interface. Default: all but lo.")
  String wan;

  @Option(
      names = "--seconds",
      paramLabel = "N",
      description = "Window length after the last IMAPS packet. Default: 60.")
  String seconds;

  @Option(
      names = "--list",
      paramLabel = "NAME",
      description = "xt_recent list name. Default: MOBILE.")
  String list;

  @Option(names = "--imaps-port", paramLabel = "PORT", description = "Default: 993.")
  String imapsPort;

  @Option(names = "--ssh-port", paramLabel = "PORT", description = "Default: 22.")
  String sshPort;

  @Option(
      names = "--no-remove",
      description = "Skip step 2: an SSH FIN does not remove the address.")
  Boolean noRemove;

  @Option(
      names = "--strict-sessions",
      description =
          "The post's literal behaviour: when the address is removed, its other SSH sessions are cut.")
  Boolean strictSessions;

  @Option(
      names = "--imaps-min-bytes",
      paramLabel = "BYTES",
      description =
          "Hardening: an IMAPS connection opens SSH only after the client sent this many bytes (e.g. 600 for a TLS ClientHello). Default: 0 (off).")
  String imapsMinBytes;

  @Option(
      names = "--closing-mark",
      paramLabel = "BIT",
      description = "Connmark bit for strict mode. Default: 0x40000000.")
  String closingMark;

  @Mixin LogOptions log;

  @Option(
      names = "--ipv4-only",
      description =
          "The ruleset is for IPv4 only, leaving IPv6 alone (and so open to SSH). Without this"
              + " flag both families are gated, and install refuses to gate IPv4 alone.")
  Boolean ipv4Only;

  /**
   * {@code explicit} (--config), else $MOBILESSH_CONFIG, else the default file if it exists.
   *
   * @throws IllegalArgumentException when the file named by the option or the variable does not
   *     exist (the file's reader said only "cannot read config file X: X")
   */
  static Optional<Path> configFile(Path explicit) {
    if (explicit != null) {
      return Optional.of(FileOptions.existingFile("--config " + explicit, explicit));
    }
    String env = System.getenv("MOBILESSH_CONFIG");
    if (env != null && !env.isBlank()) {
      return Optional.of(FileOptions.existingFile("$MOBILESSH_CONFIG " + env, Path.of(env)));
    }
    return Files.isRegularFile(DEFAULT_CONFIG) ? Optional.of(DEFAULT_CONFIG) : Optional.empty();
  }

  /** The settings of the config file {@link #configFile(Path)} finds; none without one. */
  static RulesetSettings fileSettings(Path explicit) {
    return configFile(explicit).map(RulesetSettings::fromFile).orElseGet(RulesetSettings::new);
  }

  RulesetSettings settings() {
    RulesetSettings settings = fileSettings(config);
    override(settings, "mail-server", mailServers);
    override(settings, "protect", protect);
    override(settings, "wan", wan);
    override(settings, "seconds", seconds);
    override(settings, "list", list);
    override(settings, "imaps-port", imapsPort);
    override(settings, "ssh-port", sshPort);
    override(settings, "no-remove", noRemove);
    override(settings, "strict-sessions", strictSessions);
    override(settings, "imaps-min-bytes", imapsMinBytes);
    override(settings, "closing-mark", closingMark);
    log.applyTo(settings);
    override(settings, "ipv4-only", ipv4Only);
    return settings;
  }

  /** The validated configuration; an invalid value is an InvalidConfigException (exit 2). */
  RulesetConfig toConfig() {
    return settings().toConfig();
  }

  static void override(RulesetSettings settings, String key, Object value) {
    if (value instanceof List<?> values) {
      settings.set(key, values.stream().map(String::valueOf).toList());
    } else if (value != null) {
      settings.set(key, List.of(String.valueOf(value)));
    }
  }
}
