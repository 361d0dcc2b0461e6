package org.mobilessh.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AddressesTest {
  @ParameterizedTest
  @CsvSource({
    "2001:0db8:0002:0000:0000:0000:0000:0010, 2001:db8:2::10",
    "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
    "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
    "0:0:0:0:0:0:0:1, ::1",
    "0:0:0:0:0:0:0:0, ::",
    "2001:DB8:0:0:0:0:2:1, 2001:db8::2:1",
    "2001:db8:1:0:0:0:0:0, 2001:db8:1::",
    "fe80:0:0:0:0:0:0:0, fe80::",
    "192.0.2.7, 192.0.2.7",
  })
  void formatsRfc5952(String input, String expected) throws Exception {
    assertThat(Addresses.format(InetAddress.getByName(input))).isEqualTo(expected);
  }
}
