package org.mobilessh.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What `list add/del` accept, list names, and who the audit line names. */
class RecentListAddressTest {
  @Test
  void acceptsLiteralAddressesOfBothFamilies() {
    assertThat(RecentList.parseAddresses(List.of("192.0.2.10", "2001:DB8:0:0:0:0:0:10")))
        .extracting(Addresses::format)
        .containsExactly("192.0.2.10", "2001:db8::10");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "mail.example.com",
        "localhost",
        "192.0.2.0/24",
        "2001:db8::/64",
        "192.0.2",
        "192.0.2.256",
        "fe80::1%eth0",
        "+192.0.2.1",
        "/",
        "192.0.2.1\n+198.51.100.1",
        ""
      })
  void refusesAnythingElse(String text) {
    assertThatThrownBy(() -> RecentList.parseAddresses(List.of("192.0.2.1", text)))
        .isInstanceOf(InvalidConfigException.class);
  }

  @Test
  void rangesAreCalledRanges() {
    assertThatThrownBy(() -> RecentList.parseAddresses(List.of("192.0.2.0/24")))
        .hasMessageContaining("is a range");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "../MOBILE",
        "MOBILE/x",
        "",
        "-MOBILE",
        "a b",
        "M\nOBILE",
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456"
      })
  void refusesListNamesThatAreNotSafeInAPath(String name) {
    assertThatThrownBy(() -> RecentList.checkName(name)).isInstanceOf(InvalidConfigException.class);
  }

  @Test
  void acceptsOrdinaryListNames() {
    assertThat(RecentList.checkName("MOBILE")).isEqualTo("MOBILE");
    assertThat(RecentList.checkName("ssh_ok-2")).isEqualTo("ssh_ok-2");
  }

  @Test
  void actorIsTheSudoUserWhenThereIsOne() {
    Actor a = Actor.of(Map.of("SUDO_USER", "alice"), "root", 0);
    assertThat(a.describe()).isEqualTo("alice (uid=0, sudo=yes)");
    assertThat(Actor.of(Map.of(), "root", 0).describe()).isEqualTo("root (uid=0, sudo=no)");
  }

  @Test
  void aCraftedUserNameCannotForgeAnAuditLine() {
    Actor a = Actor.of(Map.of("SUDO_USER", "eve\nlist del 192.0.2.1 by bob"), "root", 0);
    assertThat(a.name()).doesNotContain("\n").doesNotContain(" ");
    assertThat(a.describe()).startsWith("eve?list?del?192.0.2.1?by?bob (uid=0");
  }

  @Test
  void loggerAlwaysReportsSocketErrorsAndTakesTheMessageAfterDashDash() {
    assertThat(SyslogAudit.system().command("list flush"))
        .containsExactly(
            "logger",
            "--socket-errors=on",
            "-t",
            "mobilessh",
            "-p",
            "authpriv.notice",
            "--",
            "list flush");
    assertThat(SyslogAudit.toSocket(java.nio.file.Path.of("/run/x.sock")).command("-x"))
        .containsSubsequence("-u", "/run/x.sock", "--", "-x");
  }
}
