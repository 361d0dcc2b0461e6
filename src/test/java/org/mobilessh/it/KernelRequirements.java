package org.mobilessh.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.mobilessh.os.CommandRunner;

/**
 * What the kernel tests need from the machine: root, network namespaces, iptables and ip6tables,
 * python3, rsyslogd. In CI ({@code CI=true}) a missing piece fails the tests, because a skipped
 * proof would read as a passed one; elsewhere the tests are skipped with the reason.
 */
final class KernelRequirements {
  private KernelRequirements() {}

  static void require() {
    List<String> missing = missing();
    if (missing.isEmpty()) {
      return;
    }
    String reason = "kernel tests need " + String.join(", ", missing);
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      Assertions.fail(reason + " (CI=true: these tests must run, not skip)");
    }
    Assumptions.abort(reason);
  }

  /**
   * A proof that only the real command can give (e.g. that uninstall restores the prior ruleset:
   * the harness's stand-in would merely replay its own snapshot) needs that command in the CLI.
   */
  static void requireCli(String subcommand) {
    if (RouterFirewall.cliHas(subcommand)) {
      return;
    }
    String reason = "'mobilessh rules " + subcommand + "' does not exist yet";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      Assertions.fail(reason + " (CI=true: this proof must run, not skip)");
    }
    Assumptions.abort(reason);
  }

  private static List<String> missing() {
    List<String> missing = new ArrayList<>();
    CommandRunner host = CommandRunner.host();
    if (!works(host, List.of("id", "-u"), "0")) {
      missing.add("root");
      return missing;
    }
    for (String tool : List.of("iptables", "ip6tables")) {
      if (!works(host, List.of(tool, "--version"), "")) {
        missing.add(tool);
      }
    }
    if (!works(host, List.of("python3", "-c", "import socket"), "")) {
      missing.add("python3");
    }
    if (!works(host, List.of("rsyslogd", "-v"), "")) {
      missing.add("rsyslogd");
    }
    if (!works(host, List.of("ss", "-V"), "")) {
      missing.add("ss (iproute2)");
    }
    if (!Files.exists(Path.of("/dev/kmsg"))) {
      missing.add("/dev/kmsg");
    }
    String probe = "msh-c-probe-" + ProcessHandle.current().pid();
    if (works(host, List.of("ip", "netns", "add", probe), "")) {
      CommandRunner inside = CommandRunner.in(Optional.of(probe));
      if (!works(inside, List.of("iptables", "-S"), "")) {
        missing.add("iptables inside a network namespace");
      }
      host.run(List.of("ip", "netns", "del", probe));
    } else {
      missing.add("network namespaces (ip netns add)");
    }
    return missing;
  }

  private static boolean works(CommandRunner runner, List<String> command, String expected) {
    try {
      CommandRunner.Result result = runner.run(command);
      return result.ok() && result.stdout().strip().startsWith(expected);
    } catch (RuntimeException e) {
      return false;
    }
  }
}
