package org.mobilessh.cli;

import java.util.Optional;
import org.mobilessh.os.CommandRunner;
import picocli.CommandLine.Option;

/** {@code --netns NAME}: act on a network namespace made with {@code ip netns add}. */
public final class NetnsOption {
  @Option(
      names = "--netns",
      paramLabel = "NAME",
      description = "Act inside this network namespace (ip netns) instead of the host's.")
  String netns;

  CommandRunner runner() {
    return CommandRunner.in(Optional.ofNullable(netns));
  }
}
