package org.mobilessh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Shared by the rules install/check/uninstall/snapshot integration tests: scratch network
 * namespaces named {@code msh-a-*} (always deleted), seeded with unrelated rules and a DROP policy
 * that mobilessh must leave alone, and the CLI run in-process with StringWriters.
 */
final class RulesCommandsItSupport {
  static final String MAIL4 = "198.51.100.10";
  static final String MAIL6 = "2001:db8:1::10";
  static final Path BACKUPS = Path.of("target", "it-scratch", "rules-backups");
  private static final Set<String> CREATED = ConcurrentHashMap.newKeySet();

  private RulesCommandsItSupport() {}

  /** Root is needed for namespaces and netfilter: in CI its absence is a failure, not a skip. */
  static void requireRoot() {
    boolean root;
    try {
      root = ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    } catch (IOException | UnsupportedOperationException e) {
      root = false;
    }
    String why = "rules integration tests need root (ip netns, iptables-restore)";
    if (!root && "true".equals(System.getenv("CI"))) {
      fail(why + ", and CI=true: run them as root");
    }
    assumeTrue(root, why);
  }

  /** A fresh namespace with unrelated IPv4 and IPv6 rules and a DROP policy on FORWARD. */
  static String newNetns(String tag) {
    String name =
        "msh-a-" + tag + "-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(3));
    exec(List.of("ip", "netns", "add", name));
    CREATED.add(name);
    for (String tool : List.of("iptables", "ip6tables")) {
      exec(
          List.of(
              "ip", "netns", "exec", name, tool, "-A", "INPUT", "-p", "udp", "--dport", "53", "-j",
              "ACCEPT"));
      exec(
          List.of(
              "ip", "netns", "exec", name, tool, "-A", "INPUT", "-p", "tcp", "--dport", "80", "-j",
              "DROP"));
      exec(List.of("ip", "netns", "exec", name, tool, "-P", "FORWARD", "DROP"));
      exec(
          List.of(
              "ip",
              "netns",
              "exec",
              name,
              tool + "-legacy",
              "-A",
              "OUTPUT",
              "-p",
              "udp",
              "--dport",
              "123",
              "-j",
              "ACCEPT"));
      exec(List.of("ip", "netns", "exec", name, tool + "-legacy", "-P", "FORWARD", "DROP"));
    }
    return name;
  }

  static void deleteNetns(String name) {
    if (name != null && CREATED.remove(name)) {
      run(List.of("ip", "netns", "del", name), null);
    }
  }

  /** Deletes every namespace this JVM created and has not deleted yet. */
  static void deleteAll() {
    for (String name : List.copyOf(CREATED)) {
      deleteNetns(name);
    }
  }

  /** {@code TOOL-save} inside the namespace without comment lines (they carry the time). */
  static String save(String netns, String saveTool) {
    StringBuilder out = new StringBuilder();
    for (String line : exec(List.of("ip", "netns", "exec", netns, saveTool)).split("\n")) {
      if (!line.startsWith("#") && !line.isBlank()) {
        out.append(line).append('\n');
      }
    }
    return out.toString();
  }

  /** Both families of one backend ({@code ""}, {@code "-legacy"}, {@code "-nft"}). */
  static String saveBoth(String netns, String infix) {
    return "# v4\n"
        + save(netns, "iptables" + infix + "-save")
        + "# v6\n"
        + save(netns, "ip6tables" + infix + "-save");
  }

  static long count(String text, String needle) {
    return text.lines().filter(l -> l.contains(needle)).count();
  }

  /** Runs a command as root in a namespace or on the host; fails the test if it fails. */
  static String exec(List<String> command) {
    Result r = run(command, null);
    assertThat(r.exit()).as(String.join(" ", command) + ": " + r.err()).isZero();
    return r.out();
  }

  static Result run(List<String> command, String stdin) {
    try {
      Process p = new ProcessBuilder(command).start();
      if (stdin != null) {
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        fail(command + " did not finish");
      }
      return new Result(p.exitValue(), out, err);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The output of one run, of the CLI or of a tool. */
  record Result(int exit, String out, String err) {
    String all() {
      return out + err;
    }
  }

  /** {@code mobilessh ARGS} in-process, as Main runs it. */
  static Result mobilessh(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cl = MobilesshCommand.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int exit = cl.execute(args);
    return new Result(exit, out.toString(), err.toString());
  }

  /** {@code rules ACTION --netns NS --backup-dir ... --mail-server both ... EXTRA}. */
  static Result rules(String action, String netns, String... extra) {
    List<String> args = new ArrayList<>(List.of("rules", action, "--netns", netns));
    if (!action.equals("check") && !action.equals("snapshot")) {
      args.addAll(List.of("--backup-dir", BACKUPS.toString()));
    }
    if (action.equals("install") || action.equals("check")) {
      args.addAll(List.of("--mail-server", MAIL4, "--mail-server", MAIL6));
    }
    args.addAll(List.of(extra));
    return mobilessh(args.toArray(String[]::new));
  }
}
