package org.mobilessh.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class RulesetCheckerTest {
  private static final Map<Family, SavedRuleset> CANONICAL =
      Map.of(
          Family.IPV4, RulesCheckFixtures.saved("canonical-v4.save"),
          Family.IPV6, RulesCheckFixtures.saved("canonical-v6.save"));

  private static CheckReport check(String v4, String v6) {
    return check(RulesCheckFixtures.config(), v4, v6, OptionalInt.empty());
  }

  private static CheckReport check(
      RulesetConfig config, String v4, String v6, OptionalInt expectedClients) {
    return RulesetChecker.check(
        config,
        Map.of(
            Family.IPV4, RulesCheckFixtures.saved(v4), Family.IPV6, RulesCheckFixtures.saved(v6)),
        CANONICAL,
        OptionalInt.of(100),
        expectedClients);
  }

  private static List<String> failures(CheckReport report) {
    return report.failures().stream().map(Finding::line).toList();
  }

  @Test
  void installedRulesetIsSound() {
    CheckReport report = check("live-v4.save", "live-v6.save");
    assertThat(failures(report)).isEmpty();
    assertThat(report.sound()).isTrue();
    assertThat(report.findings())
        .extracting(Finding::check)
        .contains("set", "set-log", "remove", "remove-log", "update", "rcheck-accept", "accept-log")
        .contains("reject", "reject-log", "order", "jumps", "drift", "parity", "list-size")
        .contains("list-use");
    assertThat(report.findings()).allMatch(f -> f.level() == Finding.Level.OK);
  }

  @Test
  void wrongOrderFails() {
    CheckReport report = check("live-v4-wrong-order.save", "live-v6.save");
    assertThat(report.sound()).isFalse();
    assertThat(failures(report))
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith("FAIL IPv4 order:")
                    .contains("runs update -> remove -> rcheck -> reject")
                    .contains("must be remove -> update -> rcheck -> reject"))
        .anySatisfy(l -> assertThat(l).startsWith("FAIL IPv4 drift: filter MOBILESSH-SSH: rule 1"))
        .anySatisfy(l -> assertThat(l).startsWith("FAIL parity:"));
  }

  @Test
  void missingRejectFails() {
    CheckReport report = check("live-v4-missing-reject.save", "live-v6.save");
    assertThat(failures(report))
        .anySatisfy(
            l -> assertThat(l).startsWith("FAIL IPv4 reject: no REJECT rule in MOBILESSH-SSH"))
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith("FAIL IPv4 drift: filter MOBILESSH-SSH: rule 6 is missing")
                    .contains("(5 rules installed, 6 configured)"));
    assertThat(failures(report)).noneMatch(l -> l.startsWith("FAIL IPv6"));
  }

  @Test
  void changedPrefixFails() {
    CheckReport report = check("live-v4-prefix-changed.save", "live-v6.save");
    assertThat(failures(report))
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith("FAIL IPv4 reject-log:")
                    .contains("prefix 'ssh-reject:', configured 'mobilessh-reject:'"))
        .anySatisfy(l -> assertThat(l).startsWith("FAIL IPv4 drift:"));
  }

  @Test
  void configuredPrefixThatIsNotInstalledFails() {
    CheckReport report =
        check(
            RulesCheckFixtures.config("log-prefix-set", "other-set:"),
            "live-v4.save",
            "live-v6.save",
            OptionalInt.empty());
    assertThat(failures(report))
        .anySatisfy(l -> assertThat(l).startsWith("FAIL IPv4 set-log:").contains("'other-set:'"))
        .anySatisfy(l -> assertThat(l).startsWith("FAIL IPv6 set-log:"));
  }

  @Test
  void jumpBelowAnotherRuleFails() {
    CheckReport report = check("live-v4-jump-below.save", "live-v6.save");
    assertThat(failures(report))
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith("FAIL IPv4 jumps: INPUT rule 1")
                    .contains("--dport 53 -j ACCEPT")
                    .contains("bypasses the gate"));
  }

  /**
   * xt_recent lists are shared by every table and both families: a rule after the jumps (so not a
   * bypass) and outside the MOBILESSH-* chains (so no drift) that writes MOBILE opens SSH to
   * whatever it matches. Real iptables-save text: the site rules of live-v4.save plus such rules.
   */
  @Test
  void aRuleOutsideOurChainsThatWritesTheListFails() {
    CheckReport report = check("live-v4-foreign-list.save", "live-v6.save");
    assertThat(report.sound()).isFalse();
    assertThat(failures(report))
        .singleElement()
        .satisfies(
            l ->
                assertThat(l)
                    .startsWith("FAIL IPv4 list-use: filter INPUT rule 4 '-A INPUT -p tcp")
                    .contains("--dport 80 -m recent --set --name MOBILE")
                    .contains("adds addresses to MOBILE outside the MOBILESSH-* chains")
                    .contains("-> remove that rule, or install mobilessh with a --list"));
    assertThat(report.findings())
        .filteredOn(f -> f.level() == Finding.Level.WARN)
        .singleElement()
        .satisfies(
            f ->
                assertThat(f.line())
                    .startsWith("WARN IPv4 list-use: mangle PREROUTING rule 1")
                    .contains("--rcheck")
                    .contains("trusts the addresses mobilessh lets through to SSH"));
    // Another list (OTHER) is none of mobilessh's business; IPv6 has no such rule.
    assertThat(report.findings()).noneMatch(f -> f.message().contains("OTHER"));
    assertThat(report.findings())
        .anyMatch(f -> f.line().startsWith("OK   IPv6 list-use: no rule outside"));
  }

  @Test
  void otherSecondsIsDriftAndNamesBothValues() {
    CheckReport report =
        check(
            RulesCheckFixtures.config("seconds", "60"),
            "live-v4.save",
            "live-v6.save",
            OptionalInt.empty());
    assertThat(failures(report))
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith("FAIL IPv4 rcheck-accept:")
                    .contains("3 s, configured 60 s"))
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith("FAIL IPv4 update:")
                    .contains("--seconds 3, configured --seconds 60"));
  }

  @Test
  void noRemoveConfiguredButInstalledFails() {
    CheckReport report =
        check(
            RulesCheckFixtures.config("no-remove", "true"),
            "live-v4.save",
            "live-v6.save",
            OptionalInt.empty());
    assertThat(failures(report))
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith("FAIL IPv4 remove:")
                    .contains("--no-remove is configured"));
  }

  @Test
  void missingIpv6IsAFailureThatSaysWhy() {
    CheckReport report =
        RulesetChecker.check(
            RulesCheckFixtures.config(),
            Map.of(
                Family.IPV4,
                RulesCheckFixtures.saved("live-v4.save"),
                Family.IPV6,
                SavedRuleset.parse("")),
            CANONICAL,
            OptionalInt.of(100),
            OptionalInt.empty());
    assertThat(failures(report))
        .singleElement()
        .satisfies(
            l -> assertThat(l).startsWith("FAIL IPv6 installed:").contains("wide open over IPv6"));
  }

  @Test
  void ipv6RuleMissingBreaksParity() {
    String v6 =
        RulesCheckFixtures.text("live-v6.save")
            .replace("-A MOBILESSH-SSH -m conntrack --ctstate ESTABLISHED -j ACCEPT\n", "");
    CheckReport report =
        RulesetChecker.check(
            RulesCheckFixtures.config(),
            Map.of(
                Family.IPV4,
                RulesCheckFixtures.saved("live-v4.save"),
                Family.IPV6,
                SavedRuleset.parse(v6)),
            CANONICAL,
            OptionalInt.of(100),
            OptionalInt.empty());
    assertThat(failures(report))
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith("FAIL parity: filter: IPv4 and IPv6 MOBILESSH-* chains differ"))
        .anySatisfy(l -> assertThat(l).startsWith("FAIL IPv6 drift:"));
  }

  @Test
  void shapeIgnoresAddressesAndMasks() {
    SavedRuleset.Table v4 = RulesCheckFixtures.saved("live-v4.save").table("filter").orElseThrow();
    SavedRuleset.Table v6 = RulesCheckFixtures.saved("live-v6.save").table("filter").orElseThrow();
    assertThat(RulesetChecker.shape(v4.ownRules())).isEqualTo(RulesetChecker.shape(v6.ownRules()));
    assertThat(RulesetChecker.shape(v4.jumps())).isEqualTo(RulesetChecker.shape(v6.jumps()));
    assertThat(RulesetChecker.shape(v4.ownRules())).isNotEqualTo(RulesetChecker.shape(v4.jumps()));
  }

  @Test
  void listSmallerThanExpectedClientsWarnsButStaysSound() {
    CheckReport report =
        check(RulesCheckFixtures.config(), "live-v4.save", "live-v6.save", OptionalInt.of(500));
    assertThat(report.sound()).isTrue();
    assertThat(report.findings())
        .filteredOn(f -> f.level() == Finding.Level.WARN)
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.check()).isEqualTo("list-size");
              assertThat(f.message()).contains("100").contains("500");
              assertThat(f.action()).contains("ip_list_tot=500");
            });
    assertThat(
            check(RulesCheckFixtures.config(), "live-v4.save", "live-v6.save", OptionalInt.of(100))
                .findings())
        .noneMatch(f -> f.level() == Finding.Level.WARN);
  }

  @Test
  void findingLineFormat() {
    assertThat(Finding.fail("IPv4", "order", "x", "do y").line())
        .isEqualTo("FAIL IPv4 order: x -> do y");
    assertThat(Finding.ok("", "parity", "same").line()).isEqualTo("OK   parity: same");
  }
}
