package org.mobilessh.rules;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.mobilessh.os.CommandRunner;

/**
 * The iptables-save / iptables-restore tools of one {@link Backend}, run in one network namespace
 * (or the host's). Failures become {@link RulesException}s whose message says what to do next.
 */
public final class Netfilter {
  private final CommandRunner runner;
  private final Backend backend;

  public Netfilter(CommandRunner runner, Backend backend) {
    this.runner = runner;
    this.backend = backend;
  }

  public Backend backend() {
    return backend;
  }

  public CommandRunner runner() {
    return runner;
  }

  /** Where the commands act: {@code netns NAME} or {@code the host}. */
  public String where() {
    return runner.netns().map(n -> "netns " + n).orElse("the host");
  }

  /** Whether both tools of a family are installed (on PATH). */
  public boolean available(Family family) {
    return missingTool(family).isEmpty();
  }

  /** The first tool of this family that is not on PATH, if any. */
  public Optional<String> missingTool(Family family) {
    for (String tool : List.of(backend.saveTool(family), backend.restoreTool(family))) {
      if (!onPath(tool)) {
        return Optional.of(tool);
      }
    }
    return Optional.empty();
  }

  /** Fails with an install hint when a tool of this family is missing. */
  public void requireTools(Family family) {
    missingTool(family)
        .ifPresent(
            tool -> {
              throw new RulesException(
                  tool + " not found: install the iptables package (it provides " + tool + ")");
            });
  }

  /** {@code iptables-save} (with {@code -c}: with packet and byte counters). */
  public String save(Family family, boolean counters) {
    requireTools(family);
    List<String> command = new ArrayList<>(List.of(backend.saveTool(family)));
    if (counters) {
      command.add("-c");
    }
    CommandRunner.Result result = runner.run(command);
    if (!result.ok()) {
      throw failure(result);
    }
    return result.stdout();
  }

  /** Parsed {@link #save} without counters. */
  public SavedRuleset read(Family family) {
    return SavedRuleset.parse(save(family, false));
  }

  /** {@code iptables-restore --test --noflush}: empty when the script would apply. */
  public Optional<String> test(Family family, String script) {
    requireTools(family);
    CommandRunner.Result result =
        runner.run(List.of(backend.restoreTool(family), "--test", "--noflush"), script);
    return result.ok() ? Optional.empty() : Optional.of(explain(result));
  }

  /** {@code iptables-restore --noflush}: one atomic transaction per table. */
  public void restore(Family family, String script) {
    requireTools(family);
    CommandRunner.Result result =
        runner.run(List.of(backend.restoreTool(family), "--noflush"), script);
    if (!result.ok()) {
      throw failure(result);
    }
  }

  /** Runs {@code cat FILE} where the rules live: /proc/net is per network namespace. */
  public Optional<String> readProcFile(String path) {
    CommandRunner.Result result = runner.run(List.of("cat", path));
    return result.ok() ? Optional.of(result.stdout()) : Optional.empty();
  }

  /** Lists a /proc directory inside the namespace; empty when it does not exist. */
  public List<String> listProcDir(String path) {
    CommandRunner.Result result = runner.run(List.of("ls", "-1", path));
    if (!result.ok()) {
      return List.of();
    }
    return result.stdout().lines().filter(l -> !l.isBlank()).sorted().toList();
  }

  static RulesException failure(CommandRunner.Result result) {
    return new RulesException(explain(result));
  }

  /** The tool's complaint, with the next step when we recognise it. */
  static String explain(CommandRunner.Result result) {
    String said = result.describe();
    String lower = said.toLowerCase(java.util.Locale.ROOT);
    if (lower.contains("permission denied")
        || lower.contains("you must be root")
        || lower.contains("operation not permitted")) {
      return "permission denied: run as root (" + said + ")";
    }
    if (lower.contains("cannot open network namespace")
        || lower.contains("no such file or directory") && result.command().contains("netns")) {
      return said + " (does the network namespace exist? see 'ip netns list')";
    }
    return said;
  }

  static boolean onPath(String tool) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }
}
