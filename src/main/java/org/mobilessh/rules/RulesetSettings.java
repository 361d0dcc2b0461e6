package org.mobilessh.rules;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns ruleset settings written as text — {@code key = value} lines of a config file, or the same
 * keys given as command-line options — into a {@link RulesetConfig}. Every value is parsed into a
 * typed value; anything unknown or malformed is an {@link InvalidConfigException} naming the key.
 *
 * <p>Config file format: one {@code key = value} per line, {@code #} starts a comment line, keys
 * are the long option names without dashes, repeatable keys ({@code mail-server}, {@code protect})
 * may appear several times, flags take {@code true} or {@code false}.
 */
public final class RulesetSettings {
  public static final Set<String> REPEATABLE = Set.of("mail-server", "protect");
  public static final Set<String> FLAGS = Set.of("no-remove", "strict-sessions", "ipv4-only");
  public static final Set<String> KEYS =
      Set.of(
          "mail-server",
          "protect",
          "wan",
          "seconds",
          "list",
          "imaps-port",
          "ssh-port",
          "no-remove",
          "strict-sessions",
          "imaps-min-bytes",
          "closing-mark",
          "log-prefix-set",
          "log-prefix-remove",
          "log-prefix-accept",
          "log-prefix-reject",
          "reject-log-rate",
          "reject-log-global-rate",
          "reject-log-burst",
          "ipv4-only");

  /** Interface names as the kernel allows them (IFNAMSIZ 16 including the terminator). */
  private static final Pattern IFACE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,14}");

  private final Map<String, List<String>> values = new LinkedHashMap<>();

  /** Reads a config file; a later {@link #set} (from the command line) overrides its values. */
  public static RulesetSettings fromFile(Path file) {
    RulesetSettings settings = new RulesetSettings();
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new InvalidConfigException("cannot read config file " + file + ": " + e.getMessage());
    }
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int eq = line.indexOf('=');
      String where = file + ":" + (i + 1);
      if (eq <= 0) {
        throw new InvalidConfigException(where + ": expected 'key = value', got '" + line + "'");
      }
      String key = line.substring(0, eq).strip();
      String value = line.substring(eq + 1).strip();
      try {
        settings.add(key, value);
      } catch (InvalidConfigException e) {
        throw new InvalidConfigException(where + ": " + e.getMessage());
      }
    }
    return settings;
  }

  /** Adds one value; repeatable keys accumulate, others may be given once. */
  public RulesetSettings add(String key, String value) {
    checkKey(key);
    List<String> list = values.computeIfAbsent(key, k -> new ArrayList<>());
    if (!list.isEmpty() && !REPEATABLE.contains(key)) {
      throw new InvalidConfigException("'" + key + "' is given more than once");
    }
    list.add(value);
    return this;
  }

  /** Replaces all values of a key (command-line values override the config file). */
  public RulesetSettings set(String key, List<String> newValues) {
    checkKey(key);
    values.put(key, new ArrayList<>(newValues));
    return this;
  }

  private static void checkKey(String key) {
    if (!KEYS.contains(key)) {
      throw new InvalidConfigException(
          "unknown setting '"
              + key
              + "' (known: "
              + String.join(", ", KEYS.stream().sorted().toList())
              + ")");
    }
  }

  private Optional<String> single(String key) {
    List<String> list = values.get(key);
    return list == null || list.isEmpty() ? Optional.empty() : Optional.of(list.get(0));
  }

  private boolean flag(String key) {
    return single(key).map(v -> parseBoolean(key, v)).orElse(false);
  }

  private static boolean parseBoolean(String key, String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "true", "yes", "on", "1" -> true;
      case "false", "no", "off", "0" -> false;
      default ->
          throw new InvalidConfigException(key + " must be true or false, not '" + value + "'");
    };
  }

  private int integer(String key, int def, int min, int max) {
    Optional<String> text = single(key);
    if (text.isEmpty()) {
      return def;
    }
    String value = text.get();
    if (!value.matches("[0-9]{1,10}")) {
      throw new InvalidConfigException(key + " must be a whole number, not '" + value + "'");
    }
    long n = Long.parseLong(value);
    if (n < min || n > max) {
      throw new InvalidConfigException(
          key + " must be between " + min + " and " + max + ", not " + n);
    }
    return (int) n;
  }

  /** Builds the typed configuration; mail servers are required, the target defaults to local. */
  public RulesetConfig toConfig() {
    List<Cidr> mail = new ArrayList<>();
    for (String m : values.getOrDefault("mail-server", List.of())) {
      mail.add(prefixed("mail-server", () -> Cidr.parse(m)));
    }
    if (mail.isEmpty()) {
      throw new InvalidConfigException(
          "no mail server given: add --mail-server ADDR (or 'mail-server = ADDR' in the config file)");
    }
    boolean local = false;
    List<Cidr> hosts = new ArrayList<>();
    List<String> protect = values.getOrDefault("protect", List.of("local"));
    for (String p : protect) {
      if (p.equals("local")) {
        local = true;
      } else {
        hosts.add(prefixed("protect", () -> Cidr.parse(p)));
      }
    }
    Optional<String> wan = single("wan");
    wan.ifPresent(
        w -> {
          if (!IFACE.matcher(w).matches()) {
            throw new InvalidConfigException(
                "wan must be an interface name (letters, digits, '.', '_', '-', at most 15), not '"
                    + w
                    + "'");
          }
        });
    String list = RecentList.checkName(single("list").orElse(RulesetConfig.DEFAULT_LIST));
    int imapsPort = integer("imaps-port", 993, 1, 65535);
    int sshPort = integer("ssh-port", 22, 1, 65535);
    if (imapsPort == sshPort) {
      throw new InvalidConfigException(
          "imaps-port and ssh-port must differ (both are " + sshPort + ")");
    }
    boolean strict = flag("strict-sessions");
    boolean remove = !flag("no-remove");
    long mark = single("closing-mark").map(RulesetSettings::parseMark).orElse(0x4000_0000L);
    List<String> steps = List.of("set", "remove", "accept", "reject");
    List<LogPrefix> prefixes = new ArrayList<>();
    for (String step : steps) {
      LogPrefix p = prefix("log-prefix-" + step, "mobilessh-" + step);
      int same = prefixes.indexOf(p);
      if (same >= 0) {
        // The audit tells the steps apart by prefix alone.
        throw new InvalidConfigException(
            "log-prefix-" + steps.get(same) + " and log-prefix-" + step + " are both '" + p + "'");
      }
      prefixes.add(p);
    }
    return new RulesetConfig(
        mail,
        local,
        hosts,
        wan,
        // xt_recent keeps timestamps in jiffies; a day is plenty for "IMAPS within N seconds".
        integer("seconds", RulesetConfig.DEFAULT_SECONDS, 1, 86400),
        list,
        imapsPort,
        sshPort,
        remove,
        strict,
        integer("imaps-min-bytes", 0, 0, 1_000_000),
        mark,
        prefixes.get(0),
        prefixes.get(1),
        prefixes.get(2),
        prefixes.get(3),
        rate("reject-log-rate", "6/min"),
        rate("reject-log-global-rate", "20/sec"),
        integer("reject-log-burst", 5, 1, 10000),
        flag("ipv4-only"));
  }

  private RateLimit rate(String key, String def) {
    return prefixed(key, () -> RateLimit.parse(single(key).orElse(def)));
  }

  private LogPrefix prefix(String key, String def) {
    return prefixed(key, () -> LogPrefix.parse(single(key).orElse(def)));
  }

  private static long parseMark(String text) {
    String t = text.toLowerCase(Locale.ROOT);
    long mark;
    try {
      mark = t.startsWith("0x") ? Long.parseLong(t.substring(2), 16) : Long.parseLong(t);
    } catch (NumberFormatException e) {
      throw new InvalidConfigException(
          "closing-mark must be a number such as 0x40000000, not '" + text + "'");
    }
    if (mark <= 0 || mark > 0xffff_ffffL || Long.bitCount(mark) != 1) {
      throw new InvalidConfigException(
          "closing-mark must be a single bit of the 32-bit connmark (e.g. 0x40000000), not '"
              + text
              + "'");
    }
    return mark;
  }

  private static <T> T prefixed(String key, java.util.function.Supplier<T> parse) {
    try {
      return parse.get();
    } catch (InvalidConfigException e) {
      throw new InvalidConfigException(key + ": " + e.getMessage());
    }
  }
}
