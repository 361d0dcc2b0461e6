package org.mobilessh.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RestoreScriptsTest {
  private final String rendered =
      RulesetRenderer.bundled().render(RulesCheckFixtures.config(), Family.IPV4);

  @Test
  void firstInstallIsTheRenderedRulesetAlone() {
    String script = RestoreScripts.install(rendered, SavedRuleset.parse(""));
    assertThat(script).isEqualTo(String.join("\n", RulesetRenderer.ruleLines(rendered)) + "\n");
  }

  @Test
  void reinstallDeletesEveryExistingJumpInTheSameTransaction() {
    String script = RestoreScripts.install(rendered, RulesCheckFixtures.saved("live-v4.save"));
    List<String> lines = script.lines().toList();
    assertThat(lines.get(0)).isEqualTo("*filter");
    assertThat(lines.subList(1, 4))
        .containsExactly(
            "-D INPUT ! -i lo -p tcp -m tcp --dport 22 -j MOBILESSH-SSH",
            "-D INPUT -d 198.51.100.10/32 ! -i lo -p tcp -m tcp --dport 993 -j MOBILESSH-IMAPS",
            "-D FORWARD -d 198.51.100.10/32 ! -i lo -p tcp -m tcp --dport 993 -j MOBILESSH-IMAPS");
    assertThat(lines.get(4)).isEqualTo(":MOBILESSH-IMAPS - [0:0]");
    assertThat(lines).filteredOn(l -> l.equals("COMMIT")).hasSize(1);
    assertThat(lines.get(lines.size() - 1)).isEqualTo("COMMIT");
    // The unrelated rule is never named.
    assertThat(script).doesNotContain("--dport 53");
  }

  @Test
  void chainsTheNewRulesetNoLongerDeclaresAreFlushedAndDeleted() {
    SavedRuleset live =
        SavedRuleset.parse(
            "*filter\n:INPUT ACCEPT [0:0]\n:MOBILESSH-OLD - [0:0]\n"
                + "-A INPUT -p tcp --dport 2222 -j MOBILESSH-OLD\n-A MOBILESSH-OLD -j ACCEPT\nCOMMIT\n");
    List<String> lines = RestoreScripts.install(rendered, live).lines().toList();
    assertThat(lines.subList(0, 3))
        .containsExactly(
            "*filter", "-D INPUT -p tcp --dport 2222 -j MOBILESSH-OLD", "-F MOBILESSH-OLD");
    assertThat(lines.subList(lines.size() - 2, lines.size()))
        .containsExactly("-X MOBILESSH-OLD", "COMMIT");
  }

  @Test
  void ownStateInAnotherTableIsRemovedToo() {
    SavedRuleset live =
        SavedRuleset.parse(
            "*mangle\n:PREROUTING ACCEPT [0:0]\n:MOBILESSH-MARK - [0:0]\n"
                + "-A PREROUTING -j MOBILESSH-MARK\nCOMMIT\n");
    String script = RestoreScripts.install(rendered, live);
    assertThat(script)
        .endsWith(
            "*mangle\n-D PREROUTING -j MOBILESSH-MARK\n-F MOBILESSH-MARK\n-X MOBILESSH-MARK\nCOMMIT\n");
  }

  @Test
  void uninstallRemovesJumpsThenFlushesAllThenDeletesAll() {
    String script = RestoreScripts.uninstall(RulesCheckFixtures.saved("live-v4.save"));
    assertThat(script)
        .isEqualTo(
            "*filter\n"
                + "-D INPUT ! -i lo -p tcp -m tcp --dport 22 -j MOBILESSH-SSH\n"
                + "-D INPUT -d 198.51.100.10/32 ! -i lo -p tcp -m tcp --dport 993 -j MOBILESSH-IMAPS\n"
                + "-D FORWARD -d 198.51.100.10/32 ! -i lo -p tcp -m tcp --dport 993 -j MOBILESSH-IMAPS\n"
                + "-F MOBILESSH-ACCEPT\n-F MOBILESSH-IMAPS\n-F MOBILESSH-REMOVED\n-F MOBILESSH-SSH\n"
                + "-X MOBILESSH-ACCEPT\n-X MOBILESSH-IMAPS\n-X MOBILESSH-REMOVED\n-X MOBILESSH-SSH\n"
                + "COMMIT\n");
    assertThat(RestoreScripts.isEmpty(RestoreScripts.uninstall(SavedRuleset.parse("")))).isTrue();
  }

  @Test
  void rollbackRemovesTheNewStateAndReinsertsOldJumpsAtTheirPositions() {
    SavedRuleset before =
        SavedRuleset.parse(
            "*filter\n:INPUT ACCEPT [0:0]\n:MOBILESSH-SSH - [0:0]\n"
                + "-A INPUT -j MOBILESSH-SSH\n-A INPUT -p udp -j ACCEPT\n-A INPUT -p tcp --dport 80 -j MOBILESSH-SSH\n"
                + "-A MOBILESSH-SSH -j REJECT\nCOMMIT\n");
    SavedRuleset current =
        SavedRuleset.parse(
            "*filter\n:INPUT ACCEPT [0:0]\n:MOBILESSH-NEW - [0:0]\n:MOBILESSH-SSH - [0:0]\n"
                + "-A INPUT -j MOBILESSH-NEW\n-A INPUT -p udp -j ACCEPT\n-A MOBILESSH-SSH -j ACCEPT\nCOMMIT\n");
    assertThat(RestoreScripts.rollback(current, before))
        .isEqualTo(
            "*filter\n"
                + "-D INPUT -j MOBILESSH-NEW\n"
                + "-F MOBILESSH-NEW\n-F MOBILESSH-SSH\n-X MOBILESSH-NEW\n"
                + ":MOBILESSH-SSH - [0:0]\n"
                + "-A MOBILESSH-SSH -j REJECT\n"
                + "-I INPUT 1 -j MOBILESSH-SSH\n"
                + "-I INPUT 3 -p tcp --dport 80 -j MOBILESSH-SSH\n"
                + "COMMIT\n");
  }

  @Test
  void rollbackToNothingIsAnUninstall() {
    SavedRuleset current = RulesCheckFixtures.saved("live-v4.save");
    String script = RestoreScripts.rollback(current, SavedRuleset.parse(""));
    assertThat(script).isEqualTo(RestoreScripts.uninstall(current));
  }
}
