package org.mobilessh.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RulesetSettingsTest {
  private static RulesetSettings base() {
    return new RulesetSettings().add("mail-server", "198.51.100.10");
  }

  @Test
  void defaultsFollowThePost() {
    RulesetConfig c = base().toConfig();
    assertThat(c.seconds()).isEqualTo(60);
    assertThat(c.list()).isEqualTo("MOBILE");
    assertThat(c.imapsPort()).isEqualTo(993);
    assertThat(c.sshPort()).isEqualTo(22);
    assertThat(c.protectLocal()).isTrue();
    assertThat(c.protectHosts()).isEmpty();
    assertThat(c.remove()).isTrue();
    assertThat(c.strictSessions()).isFalse();
    assertThat(c.imapsMinBytes()).isZero();
    assertThat(c.families()).containsExactly(Family.IPV4, Family.IPV6);
    assertThat(c.prefixes().stream().map(LogPrefix::toString))
        .containsExactly(
            "mobilessh-set:", "mobilessh-remove:", "mobilessh-accept:", "mobilessh-reject:");
    assertThat(c.rejectLogRate().toString()).isEqualTo("6/min");
  }

  @Test
  void readsConfigFileAndCommandLineOverridesIt(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("mobilessh.conf");
    Files.writeString(
        file,
        """
        # company router
        mail-server = 198.51.100.10
        mail-server = 2001:db8:1::10
        protect = local
        protect = 198.51.100.22
        seconds = 120
        strict-sessions = true
        log-prefix-set = corp-set:
        """);
    RulesetSettings settings = RulesetSettings.fromFile(file);
    settings.set("seconds", List.of("30"));
    RulesetConfig c = settings.toConfig();
    assertThat(c.mailServers())
        .extracting(Cidr::toString)
        .containsExactly("198.51.100.10", "2001:db8:1::10");
    assertThat(c.mailServers(Family.IPV6))
        .extracting(Cidr::toString)
        .containsExactly("2001:db8:1::10");
    assertThat(c.protectLocal()).isTrue();
    assertThat(c.protectHosts()).extracting(Cidr::toString).containsExactly("198.51.100.22");
    assertThat(c.seconds()).isEqualTo(30);
    assertThat(c.strictSessions()).isTrue();
    assertThat(c.setPrefix().logText()).isEqualTo("corp-set: ");
  }

  @Test
  void configFileErrorsNameFileAndLine(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("bad.conf");
    Files.writeString(file, "mail-server = 198.51.100.10\nsecnds = 5\n");
    assertThatThrownBy(() -> RulesetSettings.fromFile(file))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("bad.conf:2")
        .hasMessageContaining("unknown setting 'secnds'");
  }

  @Test
  void mailServerIsRequired() {
    assertThatThrownBy(() -> new RulesetSettings().toConfig())
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("--mail-server");
  }

  /**
   * The audit tells the steps apart by prefix alone: two steps with one prefix would be confused.
   */
  @Test
  void twoStepsCannotShareALogPrefix() {
    RulesetSettings settings =
        new RulesetSettings()
            .add("mail-server", "198.51.100.10")
            .add("log-prefix-set", "same:")
            .add("log-prefix-reject", "same");
    assertThatThrownBy(settings::toConfig)
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("log-prefix-set and log-prefix-reject are both 'same:'");
  }

  static Stream<Arguments> invalidValues() {
    return Stream.of(
        arguments("seconds", "0"),
        arguments("seconds", "86401"),
        arguments("seconds", "60s"),
        arguments("seconds", "-1"),
        arguments("ssh-port", "65536"),
        arguments("ssh-port", "22 -j ACCEPT"),
        arguments("imaps-port", "0"),
        arguments("list", "MOBILE\nCOMMIT"),
        arguments("list", "MOBILE --set"),
        arguments("list", "a\"b"),
        arguments("list", ""),
        arguments("wan", "eth0 -j ACCEPT"),
        arguments("wan", "eth0\n-A INPUT -j ACCEPT"),
        arguments("wan", "averyveryverylongifname"),
        arguments("log-prefix-set", "mobilessh set:"),
        arguments("log-prefix-set", "mobilessh-set:\""),
        arguments("log-prefix-set", "x\" -j ACCEPT\nCOMMIT\n*filter"),
        arguments("log-prefix-reject", "COMMIT:\n"),
        arguments("log-prefix-remove", "rm'; reboot; '"),
        arguments("log-prefix-accept", "abcdefghijklmnopqrstuvwxyz0123:"),
        arguments("reject-log-rate", "6/fortnight"),
        arguments("reject-log-rate", "0/min"),
        arguments("reject-log-rate", "6/min -j ACCEPT"),
        arguments("closing-mark", "0x3"),
        arguments("closing-mark", "0x100000000"),
        arguments("strict-sessions", "maybe"),
        arguments("protect", "router"),
        arguments("protect", "198.51.100.22 -j ACCEPT"),
        arguments("mail-server", "mail.example.com"),
        arguments("mail-server", "198.51.100.10\nCOMMIT"));
  }

  @ParameterizedTest(name = "{0} = {1}")
  @MethodSource("invalidValues")
  void refusesInvalidValues(String key, String value) {
    RulesetSettings settings = base();
    settings.set(key, List.of(value));
    assertThatThrownBy(settings::toConfig)
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining(key);
  }

  @Test
  void portsMustDiffer() {
    assertThatThrownBy(() -> base().add("imaps-port", "22").toConfig())
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("must differ");
  }

  @Test
  void singleValuedKeysCannotRepeat() {
    assertThatThrownBy(() -> base().add("seconds", "5").add("seconds", "6"))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("more than once");
  }
}
