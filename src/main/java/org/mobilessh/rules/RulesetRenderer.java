package org.mobilessh.rules;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders the ruleset template ({@code rules/mobilessh.rules.in}) into iptables-restore input for
 * one family. The template language is documented at the top of the template itself: {@code
 * ${name}} placeholders and {@code [if X]}, {@code [unless X]}, {@code [each mail|host]} line
 * guards. Every value that reaches the output was validated by {@link RulesetSettings}, and the
 * output is checked once more for characters that could smuggle a second command.
 */
public final class RulesetRenderer {
  public static final String CHAIN_PREFIX = "MOBILESSH-";
  private static final String BUNDLED = "mobilessh.rules.in";
  private static final Pattern GUARD = Pattern.compile("^\\[(if|unless|each) ([a-z_]+)\\] ");
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([a-z_]+)\\}");

  private final List<String> template;

  private RulesetRenderer(List<String> template) {
    this.template = template;
  }

  /** The template bundled with mobilessh (a copy of {@code rules/mobilessh.rules.in}). */
  public static RulesetRenderer bundled() {
    try (InputStream in = RulesetRenderer.class.getResourceAsStream(BUNDLED)) {
      if (in == null) {
        throw new RulesException("ruleset template " + BUNDLED + " is missing from the jar");
      }
      return new RulesetRenderer(
          new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList());
    } catch (IOException e) {
      throw new RulesException("cannot read bundled ruleset template: " + e.getMessage(), e);
    }
  }

  /** A user-edited template. */
  public static RulesetRenderer fromFile(Path file) {
    try {
      return new RulesetRenderer(Files.readAllLines(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new RulesException("cannot read ruleset template " + file + ": " + e.getMessage(), e);
    }
  }

  /** iptables-restore (IPv4) or ip6tables-restore (IPv6) input, comments included. */
  public String render(RulesetConfig config, Family family) {
    Map<String, String> values = values(config, family);
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < template.size(); i++) {
      String line = template.get(i);
      Matcher guard = GUARD.matcher(line);
      if (!guard.find()) {
        out.append(substitute(line, values, i, null)).append('\n');
        continue;
      }
      String kind = guard.group(1);
      String name = guard.group(2);
      String body = line.substring(guard.end());
      switch (kind) {
        case "if", "unless" -> {
          if (condition(config, name, i) == kind.equals("if")) {
            out.append(substitute(body, values, i, null)).append('\n');
          }
        }
        default -> {
          for (Cidr each : each(config, family, name, i)) {
            out.append(substitute(body, values, i, Map.entry(name, each.toString()))).append('\n');
          }
        }
      }
    }
    String text = out.toString();
    checkNoInjection(text);
    return text;
  }

  /** Only the rule lines (no comments, no blank lines), as they are sent to the kernel. */
  public static List<String> ruleLines(String rendered) {
    List<String> lines = new ArrayList<>();
    for (String line : rendered.split("\n")) {
      if (!line.isBlank() && !line.startsWith("#")) {
        lines.add(line);
      }
    }
    return lines;
  }

  private static boolean condition(RulesetConfig config, String name, int line) {
    return switch (name) {
      case "local" -> config.protectLocal();
      case "remove" -> config.remove();
      case "strict" -> config.strictSessions();
      case "min_bytes" -> config.imapsMinBytes() > 0;
      default -> throw templateError(line, "unknown condition '" + name + "'");
    };
  }

  private static List<Cidr> each(RulesetConfig config, Family family, String name, int line) {
    return switch (name) {
      case "mail" -> config.mailServers(family);
      case "host" -> config.protectHosts(family);
      default -> throw templateError(line, "unknown repetition '" + name + "'");
    };
  }

  private static Map<String, String> values(RulesetConfig c, Family family) {
    return Map.ofEntries(
        Map.entry("list", c.list()),
        Map.entry("seconds", Integer.toString(c.seconds())),
        Map.entry("ssh_port", Integer.toString(c.sshPort())),
        Map.entry("imaps_port", Integer.toString(c.imapsPort())),
        Map.entry("in", c.wan().map(w -> "-i " + w).orElse("! -i lo")),
        Map.entry("min_bytes", Integer.toString(c.imapsMinBytes())),
        Map.entry("closing_mark", "0x" + Long.toHexString(c.closingMark())),
        Map.entry("set_prefix", quoted(c.setPrefix())),
        Map.entry("remove_prefix", quoted(c.removePrefix())),
        Map.entry("accept_prefix", quoted(c.acceptPrefix())),
        Map.entry("reject_prefix", quoted(c.rejectPrefix())),
        Map.entry("reject_log_rate", c.rejectLogRate().toString()),
        Map.entry("reject_log_global", c.rejectLogGlobalRate().toString()),
        Map.entry("reject_log_burst", Integer.toString(c.rejectLogBurst())),
        Map.entry("srcmask", family == Family.IPV4 ? "32" : "64"));
  }

  private static String quoted(LogPrefix prefix) {
    return "\"" + prefix.logText() + "\"";
  }

  private static String substitute(
      String line, Map<String, String> values, int lineIndex, Map.Entry<String, String> each) {
    if (line.startsWith("#")) {
      return line;
    }
    Matcher m = PLACEHOLDER.matcher(line);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1);
      String value =
          each != null && each.getKey().equals(name) ? each.getValue() : values.get(name);
      if (value == null) {
        throw templateError(lineIndex, "unknown placeholder ${" + name + "}");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  /**
   * Last line of defence: validation already refuses these, but a user template could contain
   * anything. A rule line must be one line, the only quotes are around LOG prefixes, and COMMIT
   * appears exactly once, alone on its line.
   */
  private static void checkNoInjection(String text) {
    int commits = 0;
    for (String line : ruleLines(text)) {
      if (line.equals("COMMIT")) {
        commits++;
      } else if (line.contains("COMMIT")) {
        throw new RulesException("rendered rule contains COMMIT inside a line: " + line);
      }
      if (line.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
        throw new RulesException("rendered rule contains a control character: " + line);
      }
      if (line.replaceAll("--log-prefix \"[A-Za-z0-9._-]+: \"", "").matches(".*['\"\\\\].*")) {
        throw new RulesException("rendered rule contains a quote or backslash: " + line);
      }
    }
    if (commits != 1) {
      throw new RulesException(
          "rendered ruleset must contain exactly one COMMIT, found " + commits);
    }
  }

  private static RulesException templateError(int lineIndex, String message) {
    return new RulesException("ruleset template line " + (lineIndex + 1) + ": " + message);
  }
}
