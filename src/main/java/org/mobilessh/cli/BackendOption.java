package org.mobilessh.cli;

import org.mobilessh.os.CommandRunner;
import org.mobilessh.rules.Backend;
import org.mobilessh.rules.Netfilter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code --netns NAME --backend auto|nft|legacy}: where and through which tools rules live. */
public final class BackendOption {
  @Mixin NetnsOption netns;

  @Option(
      names = "--backend",
      paramLabel = "auto|nft|legacy",
      defaultValue = "auto",
      description =
          "iptables implementation: nft (iptables-nft-*), legacy (iptables-legacy-*) or auto"
              + " (plain iptables-*, the system's choice). Default: ${DEFAULT-VALUE}.")
  String backend;

  Netfilter netfilter() {
    CommandRunner runner = netns.runner();
    return new Netfilter(runner, Backend.parse(backend));
  }
}
