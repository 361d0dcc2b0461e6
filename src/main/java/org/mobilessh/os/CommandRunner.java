package org.mobilessh.os;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Runs system tools (iptables-restore, logger, ...) as argument lists — never through a shell —
 * optionally inside a named network namespace via {@code ip netns exec}.
 */
public final class CommandRunner {
  private static final Pattern NETNS_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  private final Optional<String> netns;

  private CommandRunner(Optional<String> netns) {
    this.netns = netns;
  }

  /** Runs commands in the caller's own network namespace. */
  public static CommandRunner host() {
    return new CommandRunner(Optional.empty());
  }

  /** Runs commands inside {@code name} (as created by {@code ip netns add}); empty: host. */
  public static CommandRunner in(Optional<String> name) {
    name.ifPresent(
        n -> {
          if (!NETNS_NAME.matcher(n).matches()) {
            throw new IllegalArgumentException(
                "network namespace name '" + n + "' must be letters, digits, '.', '_' or '-'");
          }
        });
    return new CommandRunner(name);
  }

  public Optional<String> netns() {
    return netns;
  }

  /** The output of a finished command. */
  public record Result(List<String> command, int exitCode, String stdout, String stderr) {
    public boolean ok() {
      return exitCode == 0;
    }

    /** One line for error messages: the command and what it said. */
    public String describe() {
      String said = stderr.isBlank() ? stdout.strip() : stderr.strip();
      return String.join(" ", command)
          + " exited with "
          + exitCode
          + (said.isEmpty() ? "" : ": " + said);
    }
  }

  public Result run(List<String> command) {
    return run(command, null);
  }

  /** Runs {@code command}, feeding {@code stdin} (may be null), and waits for it to finish. */
  public Result run(List<String> command, String stdin) {
    List<String> full = new ArrayList<>();
    netns.ifPresent(n -> full.addAll(List.of("ip", "netns", "exec", n)));
    full.addAll(command);
    Process process;
    try {
      process = new ProcessBuilder(full).start();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot run " + command.get(0) + " (is it installed and on PATH?): " + e.getMessage(), e);
    }
    CompletableFuture<String> out = drain(process.getInputStream());
    CompletableFuture<String> err = drain(process.getErrorStream());
    try (OutputStream in = process.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      // The tool exited before reading its input; its exit code and stderr tell why.
    }
    try {
      if (!process.waitFor(DEFAULT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new UncheckedIOException(
            new IOException(
                String.join(" ", full)
                    + " did not finish within "
                    + DEFAULT_TIMEOUT.toSeconds()
                    + " s"));
      }
      return new Result(full, process.exitValue(), out.join(), err.join());
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new UncheckedIOException(new IOException("interrupted while running " + full.get(0)));
    }
  }

  private static CompletableFuture<String> drain(InputStream stream) {
    // A thread of its own per stream: the common pool may have a single worker on two cores,
    // and a tool blocked on a full stderr pipe would then never exit.
    CompletableFuture<String> result = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (InputStream in = stream) {
                ByteArrayOutputStream buffer = new ByteArrayOutputStream();
                in.transferTo(buffer);
                result.complete(buffer.toString(StandardCharsets.UTF_8));
              } catch (IOException e) {
                result.complete("");
              }
            },
            "command-output");
    reader.setDaemon(true);
    reader.start();
    return result;
  }
}
