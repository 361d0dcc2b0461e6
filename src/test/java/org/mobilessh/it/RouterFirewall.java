package org.mobilessh.it;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mobilessh.cli.MobilesshCommand;
import org.mobilessh.os.CommandRunner;
import org.mobilessh.rules.Family;
import picocli.CommandLine;

/**
 * The router's netfilter state: its own site rules (set up before mobilessh), installing and
 * uninstalling mobilessh through the CLI, and reading rules, counters and the xt_recent list.
 */
final class RouterFirewall {
  private static final Pattern COUNTERS = Pattern.compile("\\[\\d+:\\d+\\]");
  private static final Pattern SAVED_RULE = Pattern.compile("^\\[(\\d+):(\\d+)\\] (.*)$");

  private final String netns;
  private final CommandRunner runner;
  private final Map<Family, String> beforeInstall = new EnumMap<>(Family.class);
  private final String backups;
  private boolean installed;

  /** The firewall of {@code netns}; install backups go to {@code backups} (under target/). */
  RouterFirewall(String netns, Path backups) {
    this.netns = netns;
    this.backups = backups.toString();
    this.runner = CommandRunner.in(Optional.of(netns));
  }

  /**
   * A router's own firewall, as a site would have it before mobilessh: DROP policies, an accept for
   * established traffic, a web server, SSH and IMAPS allowed, a user chain and a mangle rule.
   * mobilessh must leave all of it exactly as it is.
   */
  void setUpSiteRules() {
    for (Family family : Family.values()) {
      String icmp = family == Family.IPV4 ? "icmp" : "ipv6-icmp";
      String text =
          String.join(
              "\n",
              "*mangle",
              "-A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu",
              "COMMIT",
              "*filter",
              ":INPUT DROP [0:0]",
              ":FORWARD DROP [0:0]",
              ":OUTPUT ACCEPT [0:0]",
              ":SITE-IN - [0:0]",
              "-A INPUT -i lo -j ACCEPT",
              "-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT",
              // IPv6 neighbour discovery is untracked: without this, IPv6 stops working.
              "-A INPUT -p " + icmp + " -j ACCEPT",
              "-A INPUT -j SITE-IN",
              "-A SITE-IN -p tcp --dport 80 -j ACCEPT",
              "-A SITE-IN -p tcp --dport 22 -j ACCEPT",
              "-A SITE-IN -p tcp --dport 993 -j ACCEPT",
              "-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT",
              "-A FORWARD -p " + icmp + " -j ACCEPT",
              "-A FORWARD -p tcp -d " + Topology.MAIL_ADDRESS.of(family) + " --dport 993 -j ACCEPT",
              "-A FORWARD -p tcp -d " + Topology.HOST_ADDRESS.of(family) + " --dport 22 -j ACCEPT",
              "COMMIT",
              "");
      check(runner.run(List.of(family.tool() + "-restore"), text));
    }
  }

  /**
   * Installs mobilessh with {@code options}. Uses {@code rules install --netns} as soon as the CLI
   * has it; until then the CLI's own {@code rules render} output is applied with {@code
   * iptables-restore --noflush}, which is what install does at its core.
   */
  void install(List<String> options) {
    if (beforeInstall.isEmpty()) {
      for (Family family : Family.values()) {
        beforeInstall.put(family, save(family));
      }
    }
    if (cliHas("install")) {
      installAgain(options);
    } else {
      for (Family family : Family.values()) {
        List<String> args =
            new ArrayList<>(List.of("rules", "render", "--family", "" + family.number()));
        args.addAll(options);
        String rendered = cli(args);
        check(runner.run(List.of(family.tool() + "-restore", "--noflush"), rendered));
      }
    }
    installed = true;
  }

  /** Installs over an installed ruleset, as an administrator re-running install would. */
  void installAgain(List<String> options) {
    List<String> args =
        new ArrayList<>(List.of("rules", "install", "--netns", netns, "--backup-dir", backups));
    args.addAll(options);
    cli(args);
  }

  /** Removes mobilessh: {@code rules uninstall --netns} once the CLI has it. */
  void uninstall() {
    if (!installed) {
      return;
    }
    if (cliHas("uninstall")) {
      cli(List.of("rules", "uninstall", "--netns", netns, "--backup-dir", backups));
    } else {
      for (Family family : Family.values()) {
        check(runner.run(List.of(family.tool() + "-restore"), beforeInstall.get(family)));
      }
    }
    installed = false;
  }

  /** Whether the ruleset is applied through the real install command (for the report). */
  static String installPath() {
    return cliHas("install")
        ? "rules install --netns"
        : "rules render | iptables-restore --noflush";
  }

  String beforeInstall(Family family) {
    return beforeInstall.get(family);
  }

  /** {@code iptables-save} without counters and comments: what "the same ruleset" means. */
  String save(Family family) {
    StringBuilder out = new StringBuilder();
    for (String line : check(runner.run(List.of(family.tool() + "-save"))).split("\n")) {
      if (!line.startsWith("#") && !line.isBlank()) {
        out.append(COUNTERS.matcher(line).replaceAll("").stripTrailing()).append('\n');
      }
    }
    return out.toString();
  }

  /** Packets counted by the one rule whose {@code iptables-save} text contains all fragments. */
  long packets(Family family, String chain, String... fragments) {
    List<Long> found = new ArrayList<>();
    for (String line : check(runner.run(List.of(family.tool() + "-save", "-c"))).split("\n")) {
      Matcher m = SAVED_RULE.matcher(line);
      if (m.matches() && m.group(3).startsWith("-A " + chain + " ")) {
        boolean all = true;
        for (String fragment : fragments) {
          all &= m.group(3).contains(fragment);
        }
        if (all) {
          found.add(Long.parseLong(m.group(1)));
        }
      }
    }
    if (found.size() != 1) {
      throw new IllegalStateException(
          "expected one "
              + family.tool()
              + " rule in "
              + chain
              + " with "
              + List.of(fragments)
              + ", found "
              + found.size());
    }
    return found.get(0);
  }

  /** The router's xt_recent lists (file names under /proc/net/xt_recent). */
  List<String> recentLists() {
    String out = check(runner.run(List.of("ls", "/proc/net/xt_recent")));
    return out.isBlank() ? List.of() : List.of(out.strip().split("\\s+"));
  }

  /** The contents of one xt_recent list, read inside the router's namespace. */
  String recent(String list) {
    return check(runner.run(List.of("cat", "/proc/net/xt_recent/" + list)));
  }

  /**
   * The addresses in one xt_recent list. The kernel prints IPv6 entries fully expanded, so they are
   * compared as addresses, never as text.
   */
  Set<InetAddress> recentAddresses(String list) {
    Set<InetAddress> addresses = new HashSet<>();
    for (String line : recent(list).split("\n")) {
      if (line.startsWith("src=")) {
        addresses.add(address(line.substring(4, line.indexOf(' '))));
      }
    }
    return addresses;
  }

  static InetAddress address(String text) {
    try {
      return InetAddress.getByName(text);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an address: " + text, e);
    }
  }

  /** What {@code rules check} said: its exit code and standard output. */
  record CheckResult(int code, String out) {}

  /** Runs {@code rules check --netns} with {@code options}; any exit code is an answer. */
  CheckResult checkRules(List<String> options) {
    List<String> args = new ArrayList<>(List.of("rules", "check", "--netns", netns));
    args.addAll(options);
    StringWriter out = new StringWriter();
    CommandLine cl = MobilesshCommand.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(new StringWriter()));
    int code = cl.execute(args.toArray(String[]::new));
    return new CheckResult(code, out.toString());
  }

  /** Runs {@code iptables}/{@code ip6tables} with {@code args} in the router. */
  void iptables(Family family, String... args) {
    List<String> command = new ArrayList<>(List.of(family.tool()));
    command.addAll(List.of(args));
    check(runner.run(command));
  }

  /** Writes a command ({@code +ADDR}, {@code -ADDR}, {@code /}) to an xt_recent list. */
  void recentWrite(String list, String command) {
    check(
        runner.run(List.of("dd", "status=none", "of=/proc/net/xt_recent/" + list), command + "\n"));
  }

  /** Whether the CLI has {@code rules SUBCOMMAND} yet. */
  static boolean cliHas(String subcommand) {
    return MobilesshCommand.commandLine()
        .getSubcommands()
        .get("rules")
        .getSubcommands()
        .containsKey(subcommand);
  }

  private static String cli(List<String> args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = MobilesshCommand.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args.toArray(String[]::new));
    if (code != 0) {
      throw new IllegalStateException(
          "mobilessh " + String.join(" ", args) + " exited with " + code + ": " + err);
    }
    return out.toString();
  }

  private static String check(CommandRunner.Result result) {
    if (!result.ok()) {
      throw new IllegalStateException(result.describe());
    }
    return result.stdout();
  }
}
