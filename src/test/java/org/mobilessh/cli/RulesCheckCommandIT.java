package org.mobilessh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mobilessh.cli.RulesCommandsItSupport.exec;
import static org.mobilessh.cli.RulesCommandsItSupport.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mobilessh.cli.RulesCommandsItSupport.Result;

/** {@code rules check} on a live ruleset: sound, then drifted by hand. */
class RulesCheckCommandIT {
  private String ns;

  @BeforeAll
  static void root() {
    RulesCommandsItSupport.requireRoot();
  }

  @BeforeEach
  void install() {
    ns = RulesCommandsItSupport.newNetns("chk");
    Result install = rules("install", ns, "--seconds", "3");
    assertThat(install.exit()).as(install.all()).isZero();
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
  void deletedRemoveStepIsDriftNamingTheProblem() {
    exec(List.of("ip", "netns", "exec", ns, "iptables", "-D", "MOBILESSH-SSH", "1"));
    Result check = rules("check", ns, "--seconds", "3");
    assertThat(check.exit()).as(check.all()).isEqualTo(ExitCodes.DRIFT);
    assertThat(check.out())
        .contains("FAIL IPv4 remove: no '--remove' rule in MOBILESSH-SSH")
        .contains("FAIL IPv4 drift: filter MOBILESSH-SSH: rule 1")
        .contains("FAIL parity:")
        .contains("OK   IPv6 drift:")
        .contains("rules install");
  }

  @Test
  void otherSecondsInTheConfigurationIsDrift() {
    Result check = rules("check", ns, "--seconds", "60");
    assertThat(check.exit()).isEqualTo(ExitCodes.DRIFT);
    assertThat(check.out())
        .contains(
            "FAIL IPv4 rcheck-accept: MOBILESSH-SSH rule 4 opens a window of 3 s, configured 60 s")
        .contains("FAIL IPv6 rcheck-accept:");
  }

  @Test
  void jumpsNotAtTheTopFail() {
    exec(
        List.of(
            "ip",
            "netns",
            "exec",
            ns,
            "ip6tables",
            "-I",
            "INPUT",
            "1",
            "-p",
            "tcp",
            "--dport",
            "22",
            "-j",
            "ACCEPT"));
    Result check = rules("check", ns, "--seconds", "3");
    assertThat(check.exit()).isEqualTo(ExitCodes.DRIFT);
    assertThat(check.out())
        .contains("FAIL IPv6 jumps: INPUT rule 1 '-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT'");
  }

  @Test
  void jsonReport() throws Exception {
    Result check = rules("check", ns, "--seconds", "3", "--json", "--expected-clients", "100000");
    assertThat(check.exit()).as(check.all()).isZero();
    JsonNode doc = new ObjectMapper().readTree(check.out());
    assertThat(doc.get("sound").asBoolean()).isTrue();
    assertThat(doc.get("netns").asText()).isEqualTo(ns);
    assertThat(doc.get("ipListTot").asInt()).isPositive();
    JsonNode findings = doc.get("findings");
    assertThat(findings.size()).isGreaterThan(20);
    assertThat(findings.get(0).get("level").asText()).isEqualTo("OK");
    assertThat(findings.get(0).get("family").asText()).isEqualTo("IPv4");
    assertThat(findings.findValuesAsText("check")).contains("drift", "parity", "order");
    assertThat(check.out()).contains("\"level\" : \"WARN\"").contains("expected-clients 100000");
  }

  @Test
  void nothingInstalledFails() {
    assertThat(rules("uninstall", ns).exit()).isZero();
    Result check = rules("check", ns, "--seconds", "3");
    assertThat(check.exit()).isEqualTo(ExitCodes.DRIFT);
    assertThat(check.out()).contains("FAIL IPv4 installed").contains("FAIL IPv6 installed");
  }
}
