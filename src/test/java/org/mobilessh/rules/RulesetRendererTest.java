package org.mobilessh.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RulesetRendererTest {
  private static final RulesetRenderer RENDERER = RulesetRenderer.bundled();

  private static RulesetConfig config(String... keyValues) {
    RulesetSettings s =
        new RulesetSettings()
            .add("mail-server", "198.51.100.10")
            .add("mail-server", "2001:db8:1::10")
            .add("protect", "local")
            .add("protect", "198.51.100.22")
            .add("protect", "2001:db8:1::22");
    for (int i = 0; i < keyValues.length; i += 2) {
      s.set(keyValues[i], List.of(keyValues[i + 1]));
    }
    return s.toConfig();
  }

  private static List<String> rules(RulesetConfig c, Family f) {
    return RulesetRenderer.ruleLines(RENDERER.render(c, f));
  }

  private static int indexOf(List<String> lines, String fragment) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(fragment)) {
        return i;
      }
    }
    return -1;
  }

  @Test
  void stepsAppearInTheOrderRemoveUpdateRcheckReject() {
    for (Family f : Family.values()) {
      List<String> r = rules(config(), f);
      int remove = indexOf(r, "--remove");
      int update = indexOf(r, "--update");
      int rcheck = indexOf(r, "--rcheck --seconds 60 -j MOBILESSH-ACCEPT");
      int reject = indexOf(r, "-j REJECT --reject-with tcp-reset");
      assertThat(remove).isNotNegative().isLessThan(update);
      assertThat(update).isLessThan(rcheck);
      assertThat(rcheck).isLessThan(reject);
      assertThat(r.get(0)).isEqualTo("*filter");
      assertThat(r.get(r.size() - 1)).isEqualTo("COMMIT");
    }
  }

  @Test
  void everyStepHasItsLogPrefix() {
    String v4 = RENDERER.render(config(), Family.IPV4);
    assertThat(v4)
        .contains("--log-prefix \"mobilessh-set: \"")
        .contains("--log-prefix \"mobilessh-remove: \"")
        .contains("--log-prefix \"mobilessh-accept: \"")
        .contains("--log-prefix \"mobilessh-reject: \"");
  }

  @Test
  void eachFamilyGetsOnlyItsOwnAddresses() {
    List<String> v4 = rules(config(), Family.IPV4);
    List<String> v6 = rules(config(), Family.IPV6);
    assertThat(v4).anyMatch(l -> l.contains("-d 198.51.100.10 --dport 993"));
    assertThat(v4).anyMatch(l -> l.contains("-d 198.51.100.22 --dport 22 -j MOBILESSH-SSH"));
    assertThat(v4).noneMatch(l -> l.contains("2001:db8"));
    assertThat(v6).anyMatch(l -> l.contains("-d 2001:db8:1::10 --dport 993"));
    assertThat(v6).anyMatch(l -> l.contains("-d 2001:db8:1::22 --dport 22 -j MOBILESSH-SSH"));
    assertThat(v6).noneMatch(l -> l.contains("198.51.100"));
    assertThat(v6).anyMatch(l -> l.contains("--hashlimit-srcmask 64"));
    assertThat(v4).anyMatch(l -> l.contains("--hashlimit-srcmask 32"));
  }

  @Test
  void scannerRstAndNonEstablishedPacketsNeverSet() {
    List<String> r = rules(config(), Family.IPV4);
    int rst = indexOf(r, "-A MOBILESSH-IMAPS -p tcp --tcp-flags RST RST -j RETURN");
    int est = indexOf(r, "-A MOBILESSH-IMAPS -m conntrack ! --ctstate ESTABLISHED -j RETURN");
    int set = indexOf(r, "--set");
    assertThat(rst).isNotNegative().isLessThan(set);
    assertThat(est).isNotNegative().isLessThan(set);
  }

  /**
   * ESTABLISHED alone lets a blind spoofer set any address and remove a listed one
   * (ImapsBeforeSshIT proves both on the kernel): only connections whose handshake the client
   * completed (ASSURED) change the list, in both families; the set guard comes before the set LOG
   * so that no forged opening is logged either.
   */
  @Test
  void onlyAssuredConnectionsChangeTheList() {
    for (Family f : Family.values()) {
      List<String> r = rules(config(), f);
      int assured = indexOf(r, "-A MOBILESSH-IMAPS -m conntrack ! --ctstatus ASSURED -j RETURN");
      assertThat(assured).as(f + " ASSURED rule").isNotNegative();
      assertThat(assured).isLessThan(indexOf(r, "-j LOG --log-prefix \"mobilessh-set: \""));
      assertThat(assured).isLessThan(indexOf(r, "--set"));
      assertThat(r.get(indexOf(r, "--remove")))
          .contains("--ctstate ESTABLISHED --ctstatus ASSURED");
      assertThat(r.get(indexOf(r, "--update")))
          .contains("--ctstate ESTABLISHED --ctstatus ASSURED");
    }
  }

  @Test
  void expiredEntriesAreLoggedWhenReopenedAndNeverRevivedBySsh() {
    String v4 = RENDERER.render(config("seconds", "7"), Family.IPV4);
    assertThat(v4).contains("! --rcheck --seconds 7 -j LOG --log-prefix \"mobilessh-set: \"");
    assertThat(v4).contains("--update --seconds 7 -j ACCEPT");
  }

  @Test
  void optionsToggleTheirLines() {
    String plain = RENDERER.render(config(), Family.IPV4);
    assertThat(String.join("\n", RulesetRenderer.ruleLines(plain)))
        .doesNotContain("connmark")
        .doesNotContain("connbytes");
    assertThat(RulesetRenderer.ruleLines(plain))
        .contains("-A MOBILESSH-SSH -m conntrack --ctstate ESTABLISHED -j ACCEPT");

    String strict = RENDERER.render(config("strict-sessions", "true"), Family.IPV4);
    assertThat(strict)
        .contains("CONNMARK --or-mark 0x40000000")
        .contains("--mark 0x40000000/0x40000000 -m conntrack --ctstate ESTABLISHED -j ACCEPT");
    assertThat(RulesetRenderer.ruleLines(strict))
        .doesNotContain("-A MOBILESSH-SSH -m conntrack --ctstate ESTABLISHED -j ACCEPT");

    assertThat(RENDERER.render(config("no-remove", "true"), Family.IPV6))
        .doesNotContain("--remove");
    assertThat(RENDERER.render(config("imaps-min-bytes", "600"), Family.IPV4))
        .contains(
            "-m connbytes ! --connbytes 600 --connbytes-dir original --connbytes-mode bytes -j RETURN");
    assertThat(rules(config("wan", "ppp0"), Family.IPV4))
        .contains("-I INPUT 1 -i ppp0 -p tcp --dport 22 -j MOBILESSH-SSH")
        .noneMatch(l -> l.contains("! -i lo"));
  }

  @Test
  void protectingOnlyHostsLeavesInputSshAlone() {
    RulesetConfig c =
        new RulesetSettings()
            .add("mail-server", "198.51.100.10")
            .add("protect", "198.51.100.22")
            .toConfig();
    assertThat(rules(c, Family.IPV4))
        .noneMatch(l -> l.startsWith("-I INPUT 1 ! -i lo -p tcp --dport 22"));
  }

  @Test
  void userTemplateCannotSmuggleCommands(@TempDir Path dir) throws Exception {
    Path t = dir.resolve("evil.rules.in");
    Files.writeString(
        t, "*filter\n-A INPUT -j ACCEPT\nCOMMIT\n*nat\n-A PREROUTING -j ACCEPT\nCOMMIT\n");
    assertThatThrownBy(() -> RulesetRenderer.fromFile(t).render(config(), Family.IPV4))
        .isInstanceOf(RulesException.class)
        .hasMessageContaining("exactly one COMMIT");

    Files.writeString(t, "*filter\n-A INPUT -m comment --comment \"x\" -j ACCEPT\nCOMMIT\n");
    assertThatThrownBy(() -> RulesetRenderer.fromFile(t).render(config(), Family.IPV4))
        .hasMessageContaining("quote");

    Files.writeString(t, "*filter\n[if nonsense] -A INPUT -j ACCEPT\nCOMMIT\n");
    assertThatThrownBy(() -> RulesetRenderer.fromFile(t).render(config(), Family.IPV4))
        .hasMessageContaining("line 2")
        .hasMessageContaining("unknown condition");

    Files.writeString(t, "*filter\n-A INPUT -s ${nope} -j ACCEPT\nCOMMIT\n");
    assertThatThrownBy(() -> RulesetRenderer.fromFile(t).render(config(), Family.IPV4))
        .hasMessageContaining("unknown placeholder ${nope}");
  }
}
