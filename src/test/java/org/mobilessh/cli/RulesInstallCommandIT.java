package org.mobilessh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mobilessh.cli.RulesCommandsItSupport.MAIL6;
import static org.mobilessh.cli.RulesCommandsItSupport.count;
import static org.mobilessh.cli.RulesCommandsItSupport.mobilessh;
import static org.mobilessh.cli.RulesCommandsItSupport.rules;
import static org.mobilessh.cli.RulesCommandsItSupport.saveBoth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mobilessh.cli.RulesCommandsItSupport.Result;

/** {@code rules install} against real network namespaces, nft (auto) and legacy backends. */
class RulesInstallCommandIT {
  private String ns;

  @BeforeAll
  static void root() {
    RulesCommandsItSupport.requireRoot();
  }

  @BeforeEach
  void createNamespace() {
    ns = RulesCommandsItSupport.newNetns("inst");
  }

  @AfterEach
  void deleteNamespace() {
    RulesCommandsItSupport.deleteNetns(ns);
  }

  @AfterAll
  static void deleteLeftovers() {
    RulesCommandsItSupport.deleteAll();
  }

  @Test
  void installThenCheckIsSound() {
    Result install = rules("install", ns, "--seconds", "3");
    assertThat(install.exit()).as(install.all()).isZero();
    assertThat(install.out())
        .contains("IPv4: installed 4 chains, 15 rules and 3 jumps in netns " + ns)
        .contains("IPv6: installed 4 chains, 15 rules and 3 jumps in netns " + ns)
        .contains("backup of the rules before: ");
    Result check = rules("check", ns, "--seconds", "3");
    assertThat(check.exit()).as(check.all()).isZero();
    assertThat(check.out()).contains("sound: ").doesNotContain("FAIL");
  }

  @Test
  void installingTwiceLeavesOneCopy() {
    assertThat(rules("install", ns, "--seconds", "3").exit()).isZero();
    String once = saveBoth(ns, "");
    Result again = rules("install", ns, "--seconds", "3");
    assertThat(again.exit()).as(again.all()).isZero();
    String twice = saveBoth(ns, "");
    assertThat(twice).isEqualTo(once);
    assertThat(count(twice, "-j MOBILESSH-SSH")).isEqualTo(2);
    assertThat(count(twice, "-j MOBILESSH-IMAPS")).isEqualTo(4);
    assertThat(count(twice, ":MOBILESSH-SSH")).isEqualTo(2);
    // A changed configuration replaces the old one instead of adding to it.
    assertThat(rules("install", ns, "--seconds", "7").exit()).isZero();
    String changed = saveBoth(ns, "");
    assertThat(count(changed, "--seconds 7")).isEqualTo(6);
    assertThat(changed).doesNotContain("--seconds 3");
    assertThat(count(changed, "-j MOBILESSH-SSH")).isEqualTo(2);
  }

  @Test
  void backupHoldsTheStateBefore() throws IOException {
    String before = saveBoth(ns, "");
    Result install = rules("install", ns);
    String line =
        install.out().lines().filter(l -> l.startsWith("backup of")).findFirst().orElseThrow();
    Path backup = Path.of(line.substring(line.indexOf(": ") + 2));
    String text = Files.readString(backup);
    assertThat(text).startsWith("# mobilessh backup v1\n").contains("netns: " + ns);
    assertThat(text).contains("--- iptables-save\n").contains("--- ip6tables-save\n");
    assertThat(text)
        .contains("-A INPUT -p udp -m udp --dport 53 -j ACCEPT")
        .doesNotContain("MOBILESSH");
    assertThat(before).doesNotContain("MOBILESSH");
    assertThat(mobilessh("rules", "snapshot", "--verify", backup.toString()).exit()).isZero();
  }

  @Test
  void dryRunPrintsBothFamiliesWithTheirDeleteLinesAndChangesNothing() throws IOException {
    assertThat(rules("install", ns, "--seconds", "3").exit()).isZero();
    String before = saveBoth(ns, "");
    long backups = countBackups();
    Result dry = rules("install", ns, "--seconds", "9", "--dry-run");
    assertThat(dry.exit()).as(dry.all()).isZero();
    assertThat(dry.out())
        .contains("# ---- iptables-restore --noflush ----")
        .contains("# ---- ip6tables-restore --noflush ----")
        .contains("-D INPUT ! -i lo -p tcp -m tcp --dport 22 -j MOBILESSH-SSH")
        .contains(
            "-D INPUT -d 198.51.100.10/32 ! -i lo -p tcp -m tcp --dport 993 -j MOBILESSH-IMAPS")
        .contains(
            "-D INPUT -d 2001:db8:1::10/128 ! -i lo -p tcp -m tcp --dport 993 -j MOBILESSH-IMAPS")
        .contains("--rcheck --seconds 9")
        .contains("dry run: tested with --test, nothing changed");
    assertThat(saveBoth(ns, "")).isEqualTo(before);
    assertThat(countBackups()).isEqualTo(backups);
  }

  @Test
  void ipv6FailureRollsBackBothFamiliesExactly() throws IOException {
    assertThat(rules("install", ns, "--seconds", "5").exit()).isZero();
    String before = saveBoth(ns, "");
    // Valid for --test on both families, refused by the kernel on apply (tcp-reset needs -p tcp),
    // and only rendered for IPv6: with an IPv6-only mail server IPv4 gets no such line and
    // applies fine first.
    Path template = badTemplate("-A MOBILESSH-IMAPS -d ${mail} -j REJECT --reject-with tcp-reset");
    Result install =
        mobilessh(
            "rules",
            "install",
            "--netns",
            ns,
            "--backup-dir",
            RulesCommandsItSupport.BACKUPS.toString(),
            "--mail-server",
            MAIL6,
            "--seconds",
            "9",
            "--rules-template",
            template.toString());
    assertThat(install.exit()).as(install.all()).isEqualTo(ExitCodes.FAILURE);
    assertThat(install.err())
        .contains("install failed for IPv6")
        .contains("IPv4: rolled back, the ruleset is exactly as before")
        .contains("backup of the state before: ");
    assertThat(saveBoth(ns, "")).isEqualTo(before);
  }

  @Test
  void refusesIpv4OnlyWhenIpv6CannotBeInstalled() {
    String before = saveBoth(ns, "");
    // ip6tables has no --icmp-type: IPv6 fails --test, IPv4 would install.
    Path template = badTemplate("-A MOBILESSH-IMAPS -d ${mail} -p icmp --icmp-type 8 -j RETURN");
    String[] args = {
      "rules",
      "install",
      "--netns",
      ns,
      "--backup-dir",
      RulesCommandsItSupport.BACKUPS.toString(),
      "--mail-server",
      MAIL6,
      "--rules-template",
      template.toString()
    };
    Result refused = mobilessh(args);
    assertThat(refused.exit()).as(refused.all()).isEqualTo(ExitCodes.FAILURE);
    assertThat(refused.err())
        .contains("refusing to install for IPv4 only")
        .contains("ip6tables-restore --test rejected")
        .contains("wide open over IPv6")
        .contains("--ipv4-only");
    assertThat(saveBoth(ns, "")).isEqualTo(before);

    Result forced =
        mobilessh(Stream.concat(Stream.of(args), Stream.of("--ipv4-only")).toArray(String[]::new));
    assertThat(forced.exit()).as(forced.all()).isZero();
    assertThat(forced.out()).contains("WARN: --ipv4-only").contains("IPv4: installed");
    String after = saveBoth(ns, "");
    String v6 = after.substring(after.indexOf("# v6\n"));
    assertThat(v6).isEqualTo(before.substring(before.indexOf("# v6\n")));
    assertThat(after.substring(0, after.indexOf("# v6\n"))).contains(":MOBILESSH-SSH");
  }

  @Test
  void legacyBackendInstallCheckUninstall() {
    String nftBefore = saveBoth(ns, "-nft");
    String legacyBefore = saveBoth(ns, "-legacy");
    Result install = rules("install", ns, "--backend", "legacy");
    assertThat(install.exit()).as(install.all()).isZero();
    assertThat(install.out()).contains("(legacy backend)");
    String legacy = saveBoth(ns, "-legacy");
    assertThat(count(legacy, "-j MOBILESSH-SSH")).isEqualTo(2);
    assertThat(saveBoth(ns, "-nft")).isEqualTo(nftBefore);

    Result check = rules("check", ns, "--backend", "legacy");
    assertThat(check.exit()).as(check.all()).isZero();
    // The nft side has nothing: checked there, it is not installed.
    Result nftCheck = rules("check", ns, "--backend", "nft");
    assertThat(nftCheck.exit()).isEqualTo(ExitCodes.DRIFT);
    assertThat(nftCheck.out()).contains("FAIL IPv4 installed");

    assertThat(rules("install", ns, "--backend", "legacy").exit()).isZero();
    assertThat(saveBoth(ns, "-legacy")).isEqualTo(legacy);

    Result uninstall = rules("uninstall", ns, "--backend", "legacy");
    assertThat(uninstall.exit()).as(uninstall.all()).isZero();
    assertThat(saveBoth(ns, "-legacy")).isEqualTo(legacyBefore);
    assertThat(saveBoth(ns, "-nft")).isEqualTo(nftBefore);
  }

  private static long countBackups() throws IOException {
    Files.createDirectories(RulesCommandsItSupport.BACKUPS);
    try (Stream<Path> files = Files.list(RulesCommandsItSupport.BACKUPS)) {
      return files.count();
    }
  }

  /** The bundled template plus one extra line per mail server, before COMMIT. */
  private static Path badTemplate(String extra) {
    try {
      String bundled = Files.readString(Path.of("rules", "mobilessh.rules.in"));
      Path file =
          Files.createTempFile(
              Files.createDirectories(Path.of("target", "it-scratch")), "bad", ".rules.in");
      Files.writeString(file, bundled.replace("\nCOMMIT", "\n[each mail] " + extra + "\nCOMMIT"));
      return file;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
