package org.mobilessh.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CidrTest {
  @Test
  void parsesAddressesAndNetworksOfBothFamilies() {
    assertThat(Cidr.parse("198.51.100.10").toString()).isEqualTo("198.51.100.10");
    assertThat(Cidr.parse("198.51.100.0/24").toString()).isEqualTo("198.51.100.0/24");
    assertThat(Cidr.parse("2001:0db8::0010").toString()).isEqualTo("2001:db8::10");
    assertThat(Cidr.parse("2001:db8::/32").family()).isEqualTo(Family.IPV6);
    assertThat(Cidr.parse("192.0.2.1/32").isSingleAddress()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "mail.example.com",
        "localhost",
        "1.2.3",
        "192.0.2.300",
        "192.0.2.1/33",
        "2001:db8::/129",
        "192.0.2.1/",
        "192.0.2.1/-1",
        "192.0.2.1\n-A INPUT -j ACCEPT",
        "192.0.2.1 -j ACCEPT",
        "fe80::1%eth0",
        "",
        "\"192.0.2.1\"",
      })
  void refusesAnythingButLiteralAddresses(String text) {
    assertThatThrownBy(() -> Cidr.parse(text)).isInstanceOf(InvalidConfigException.class);
  }
}
