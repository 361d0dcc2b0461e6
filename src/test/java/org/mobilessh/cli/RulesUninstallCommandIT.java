package org.mobilessh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mobilessh.cli.RulesCommandsItSupport.rules;
import static org.mobilessh.cli.RulesCommandsItSupport.saveBoth;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mobilessh.cli.RulesCommandsItSupport.Result;

/** {@code rules uninstall}: the ruleset afterwards is the ruleset before install. */
class RulesUninstallCommandIT {
  private String ns;

  @BeforeAll
  static void root() {
    RulesCommandsItSupport.requireRoot();
  }

  @BeforeEach
  void createNamespace() {
    ns = RulesCommandsItSupport.newNetns("unin");
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
  void uninstallRestoresTheRulesetBeforeInstallExactly() {
    String before = saveBoth(ns, "");
    assertThat(before).contains(":FORWARD DROP").contains("--dport 53").contains("--dport 80");
    assertThat(
            rules(
                    "install",
                    ns,
                    "--protect",
                    "local",
                    "--protect",
                    "192.0.2.20",
                    "--protect",
                    "2001:db8:2::20")
                .exit())
        .isZero();
    assertThat(saveBoth(ns, "")).contains("-d 192.0.2.20/32").contains("-d 2001:db8:2::20/128");
    Result uninstall = rules("uninstall", ns);
    assertThat(uninstall.exit()).as(uninstall.all()).isZero();
    assertThat(uninstall.out())
        .contains("IPv4: removed mobilessh from netns " + ns)
        .contains("IPv6: removed mobilessh from netns " + ns);
    assertThat(saveBoth(ns, "")).isEqualTo(before);
  }

  @Test
  void uninstallWhenNothingIsInstalledSaysSoAndSucceeds() {
    String before = saveBoth(ns, "");
    Result uninstall = rules("uninstall", ns);
    assertThat(uninstall.exit()).as(uninstall.all()).isZero();
    assertThat(uninstall.out()).contains("nothing to uninstall: no MOBILESSH-* chains or jumps");
    assertThat(saveBoth(ns, "")).isEqualTo(before);
  }

  @Test
  void dryRunShowsTheRemovalAndChangesNothing() {
    assertThat(rules("install", ns).exit()).isZero();
    String installed = saveBoth(ns, "");
    Result dry = rules("uninstall", ns, "--dry-run");
    assertThat(dry.exit()).as(dry.all()).isZero();
    assertThat(dry.out())
        .contains("-X MOBILESSH-SSH")
        .contains("-D INPUT ! -i lo -p tcp -m tcp --dport 22 -j MOBILESSH-SSH");
    assertThat(saveBoth(ns, "")).isEqualTo(installed);
  }

  @Test
  void aMissingNamespaceIsAClearError() {
    Result r = rules("uninstall", "msh-a-does-not-exist");
    assertThat(r.exit()).isEqualTo(ExitCodes.FAILURE);
    assertThat(r.err()).contains("msh-a-does-not-exist");
  }
}
