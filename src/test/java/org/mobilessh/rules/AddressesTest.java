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

  @net.jqwik.api.Property(tries = 20000)
  void formatsAsTheDefinitionSays(@net.jqwik.api.ForAll("addresses") byte[] ip) throws Exception {
    InetAddress a = InetAddress.getByAddress(ip);
    assertThat(Addresses.format(a)).isEqualTo(definition(a));
  }

  @net.jqwik.api.Provide
  net.jqwik.api.Arbitrary<byte[]> addresses() {
    // groups mostly zero or small: runs of zeros (ties, at either end) and short groups are common;
    // 16 bytes of ::ffff:a.b.c.d make an IPv4 address
    net.jqwik.api.Arbitrary<Integer> group =
        net.jqwik.api.Arbitraries.oneOf(
            net.jqwik.api.Arbitraries.just(0),
            net.jqwik.api.Arbitraries.integers().between(0, 0xf),
            net.jqwik.api.Arbitraries.integers().between(0, 0xffff));
    net.jqwik.api.Arbitrary<byte[]> v6 =
        group
            .array(int[].class)
            .ofSize(8)
            .map(
                g -> {
                  byte[] b = new byte[16];
                  for (int i = 0; i < 8; i++) {
                    b[2 * i] = (byte) (g[i] >>> 8);
                    b[2 * i + 1] = (byte) g[i];
                  }
                  return b;
                });
    net.jqwik.api.Arbitrary<byte[]> v4 =
        net.jqwik.api.Arbitraries.bytes().array(byte[].class).ofSize(4);
    net.jqwik.api.Arbitrary<byte[]> mapped =
        v4.map(
            q -> {
              byte[] b = new byte[16];
              b[10] = (byte) 0xff;
              b[11] = (byte) 0xff;
              System.arraycopy(q, 0, b, 12, 4);
              return b;
            });
    return net.jqwik.api.Arbitraries.oneOf(v6, v4, mapped);
  }

  /** RFC 5952 spelled out as Addresses.format was written before it wrote bytes. */
  private static String definition(InetAddress address) {
    if (address instanceof java.net.Inet4Address) {
      return address.getHostAddress();
    }
    byte[] b = address.getAddress();
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLen = 0;
    for (int i = 0; i < 8; ) {
      if (groups[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      if (j - i > bestLen && j - i >= 2) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    StringBuilder out = new StringBuilder(39);
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        out.append("::");
        i += bestLen - 1;
        continue;
      }
      if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
        out.append(':');
      }
      out.append(Integer.toHexString(groups[i]));
    }
    return out.toString();
  }
}
