package org.mobilessh.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SavedRulesetTest {
  @Test
  void parsesChainsRulesAndJumps() {
    SavedRuleset.Table filter =
        RulesCheckFixtures.saved("live-v4.save").table("filter").orElseThrow();
    assertThat(filter.builtinChains())
        .extracting(SavedRuleset.Chain::name)
        .containsExactly("INPUT", "FORWARD", "OUTPUT");
    assertThat(filter.chain("FORWARD").orElseThrow().policy()).isEqualTo("DROP");
    assertThat(filter.ownChains())
        .extracting(SavedRuleset.Chain::name)
        .containsExactly(
            "MOBILESSH-ACCEPT", "MOBILESSH-IMAPS", "MOBILESSH-REMOVED", "MOBILESSH-SSH");
    assertThat(filter.jumps())
        .extracting(SavedRuleset.Rule::toString)
        .containsExactly(
            "-A INPUT ! -i lo -p tcp -m tcp --dport 22 -j MOBILESSH-SSH",
            "-A INPUT -d 198.51.100.10/32 ! -i lo -p tcp -m tcp --dport 993 -j MOBILESSH-IMAPS",
            "-A FORWARD -d 198.51.100.10/32 ! -i lo -p tcp -m tcp --dport 993 -j MOBILESSH-IMAPS");
    assertThat(filter.rules("MOBILESSH-SSH")).hasSize(6);
    assertThat(filter.ownRules()).hasSize(14);
    assertThat(filter.hasOwnState()).isTrue();
  }

  @Test
  void quotedLogPrefixIsOneWordWithItsSpace() {
    SavedRuleset.Rule log =
        RulesCheckFixtures.saved("live-v4.save")
            .table("filter")
            .orElseThrow()
            .rules("MOBILESSH-ACCEPT")
            .get(0);
    assertThat(log.target()).isEqualTo("LOG");
    assertThat(log.option("--log-prefix")).contains("mobilessh-accept: ");
    assertThat(log.option("--seconds")).isEmpty();
  }

  @Test
  void readsCountersOfSaveMinusC() {
    SavedRuleset saved =
        SavedRuleset.parse(
            "# Generated\n*filter\n:INPUT DROP [12:3400]\n:MOBILESSH-SSH - [0:0]\n"
                + "[7:420] -A INPUT -p tcp -j MOBILESSH-SSH\n[3:180] -A MOBILESSH-SSH -p tcp -j REJECT --reject-with tcp-reset\nCOMMIT\n");
    SavedRuleset.Rule reject = saved.table("filter").orElseThrow().rules("MOBILESSH-SSH").get(0);
    assertThat(reject.packets()).isEqualTo(3);
    assertThat(reject.bytes()).isEqualTo(180);
    assertThat(reject.toString())
        .isEqualTo("-A MOBILESSH-SSH -p tcp -j REJECT --reject-with tcp-reset");
    assertThat(saved.table("filter").orElseThrow().jumps()).hasSize(1);
  }

  @Test
  void emptyOutputHasNoState() {
    assertThat(SavedRuleset.parse("").hasOwnState()).isFalse();
    assertThat(SavedRuleset.parse("*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n").hasOwnState())
        .isFalse();
  }

  @Test
  void refusesWhatItDoesNotUnderstand() {
    assertThatThrownBy(() -> SavedRuleset.parse("*filter\n-I INPUT 1 -j ACCEPT\nCOMMIT\n"))
        .isInstanceOf(RulesException.class)
        .hasMessageContaining("line 2");
    assertThatThrownBy(() -> SavedRuleset.parse("*filter\n:INPUT ACCEPT [0:0]\n"))
        .hasMessageContaining("no COMMIT");
    assertThatThrownBy(() -> SavedRuleset.parse("-A INPUT -j ACCEPT\n"))
        .hasMessageContaining("outside a table");
  }

  @Test
  void tokensKeepQuotedSpaces() {
    assertThat(Tokens.split("-j LOG --log-prefix \"a b: \"  -m x"))
        .containsExactly("-j", "LOG", "--log-prefix", "a b: ", "-m", "x");
  }
}
