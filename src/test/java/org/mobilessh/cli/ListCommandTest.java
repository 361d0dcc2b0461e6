package org.mobilessh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** `list` usage errors: all caught before any system tool runs, so no root is needed. */
class ListCommandTest {
  @Test
  void listAloneIsAUsageError() {
    CliResult r = CliResult.run("list");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("Missing subcommand");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void helpNamesTheSubcommandsAndExitCodes() {
    CliResult r = CliResult.run("list", "--help");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains("show", "add", "del", "flush", "Exit codes:", "syslog");
  }

  @Test
  void showHelpStatesTheResolution() {
    CliResult r = CliResult.run("list", "show", "--help");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains("--format", "--seconds", "--netns", "--list", "1/HZ");
  }

  @Test
  void aRangeIsRefusedWithExit2() {
    CliResult r = CliResult.run("list", "add", "--netns", "msh-b-none", "192.0.2.0/24");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("'192.0.2.0/24' is a range");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void aHostNameIsRefusedWithExit2() {
    CliResult r = CliResult.run("list", "del", "192.0.2.1", "mail.example.com");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("host names are not accepted");
  }

  @Test
  void addWithoutAddressesIsAUsageError() {
    CliResult r = CliResult.run("list", "add");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("ADDR");
  }

  @Test
  void anUnsafeListNameIsRefused() {
    CliResult r = CliResult.run("list", "show", "--list", "../../sys/x");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("list must be 1-32 letters");
  }

  @Test
  void anUnknownFormatIsRefused() {
    CliResult r = CliResult.run("list", "show", "--format", "xml");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("table, csv or json");
  }

  @Test
  void secondsMustBeAPositiveWindow() {
    assertThat(CliResult.run("list", "show", "--seconds", "0").exitCode())
        .isEqualTo(ExitCodes.USAGE);
    assertThat(CliResult.run("list", "show", "--seconds", "soon").exitCode())
        .isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void aNetnsNameWithShellCharactersIsRefused() {
    CliResult r = CliResult.run("list", "flush", "--netns", "x;reboot");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("network namespace name");
  }
}
