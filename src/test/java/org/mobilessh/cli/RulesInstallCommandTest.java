package org.mobilessh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mobilessh.cli.RulesCommandsItSupport.mobilessh;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mobilessh.cli.RulesCommandsItSupport.Result;

/** Help and usage errors of install/check/uninstall/snapshot; none of this touches the kernel. */
class RulesInstallCommandTest {
  @ParameterizedTest
  @ValueSource(strings = {"install", "check", "uninstall", "snapshot"})
  void helpListsOptionsAndExitCodes(String command) {
    Result help = mobilessh("rules", command, "--help");
    assertThat(help.exit()).isZero();
    assertThat(help.out())
        .contains("Usage: mobilessh rules " + command)
        .contains("--netns=NAME")
        .contains("--backend=auto|nft|legacy")
        .contains("Exit codes:")
        .contains("3   `rules check`");
  }

  @Test
  void installHelpNamesItsContract() {
    String help = mobilessh("rules", "install", "--help").out();
    assertThat(help)
        .contains("--dry-run")
        .contains("--backup-dir=DIR")
        .contains("--ipv4-only")
        .contains("/var/lib/mobilessh/backup")
        .contains("--rules-template=FILE");
  }

  @Test
  void unknownBackendIsAUsageError() {
    Result r = mobilessh("rules", "install", "--backend", "ebpf", "--mail-server", "198.51.100.10");
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("backend must be auto, nft or legacy, not 'ebpf'");
  }

  @Test
  void installWithoutMailServerIsAUsageError() {
    Result r = mobilessh("rules", "install", "--netns", "msh-a-unused");
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("no mail server given");
  }

  @Test
  void badNamespaceNameIsAUsageError() {
    Result r = mobilessh("rules", "uninstall", "--netns", "../x");
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("network namespace name");
  }

  @Test
  void expectedClientsMustBePositive() {
    Result r =
        mobilessh("rules", "check", "--mail-server", "198.51.100.10", "--expected-clients", "0");
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--expected-clients must be a positive number");
  }
}
