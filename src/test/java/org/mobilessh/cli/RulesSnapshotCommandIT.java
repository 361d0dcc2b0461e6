package org.mobilessh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mobilessh.cli.RulesCommandsItSupport.mobilessh;
import static org.mobilessh.cli.RulesCommandsItSupport.rules;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mobilessh.cli.RulesCommandsItSupport.Result;
import org.mobilessh.rules.SectionedFile;

/** {@code rules snapshot}: counters of both families and the list, verifiable. */
class RulesSnapshotCommandIT {
  private String ns;

  @BeforeAll
  static void root() {
    RulesCommandsItSupport.requireRoot();
  }

  @BeforeEach
  void install() {
    ns = RulesCommandsItSupport.newNetns("snap");
    assertThat(rules("install", ns).exit()).isZero();
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
  void snapshotRecordsBothFamiliesCountersAndTheListAndVerifies() throws Exception {
    // A manual grant, written the way `mobilessh list add` does, so the list has content.
    Result grant =
        RulesCommandsItSupport.run(
            List.of("ip", "netns", "exec", ns, "tee", "/proc/net/xt_recent/MOBILE"),
            "+192.0.2.7\n");
    assertThat(grant.exit()).as(grant.err()).isZero();
    Path file = Path.of("target", "it-scratch", "snapshots", ns + ".snapshot");
    Result snap = rules("snapshot", ns, "--out", file.toString());
    assertThat(snap.exit()).as(snap.all()).isZero();
    assertThat(snap.out()).contains("written to " + file);

    String text = Files.readString(file);
    SectionedFile parsed = SectionedFile.parse(text);
    assertThat(parsed.title()).isEqualTo("mobilessh snapshot v1");
    assertThat(parsed.headers().get("timestamp"))
        .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z");
    assertThat(parsed.headers())
        .containsEntry("netns", ns)
        .containsKeys("hostname", "ip_list_tot", "backend");
    assertThat(parsed.sections().get("iptables-save -c"))
        .contains("[0:0] -A MOBILESSH-SSH -p tcp -j REJECT --reject-with tcp-reset")
        .contains("-A INPUT -p udp -m udp --dport 53 -j ACCEPT");
    assertThat(parsed.sections().get("ip6tables-save -c"))
        .contains("[0:0] -A MOBILESSH-SSH -p tcp -j REJECT --reject-with tcp-reset")
        .contains("2001:db8:1::10/128");
    assertThat(parsed.sections().get("xt_recent MOBILE")).contains("src=192.0.2.7");

    Result verify = mobilessh("rules", "snapshot", "--verify", file.toString());
    assertThat(verify.exit()).as(verify.all()).isZero();
    assertThat(verify.out()).startsWith("OK: ");
    Result sha =
        RulesCommandsItSupport.run(
            List.of("sh", "-c", "head -n -1 \"$0\" | sha256sum", file.toString()), null);
    assertThat(text).endsWith("sha256: " + sha.out().split(" ")[0] + "\n");

    Files.writeString(file, text.replace("src=192.0.2.7", "src=192.0.2.8"));
    Result tampered = mobilessh("rules", "snapshot", "--verify", file.toString());
    assertThat(tampered.exit()).isEqualTo(ExitCodes.FAILURE);
    assertThat(tampered.err()).contains("sha256 mismatch");
  }
}
