package org.mobilessh.parse;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mobilessh.rules.Addresses;

class InetTest {

  @Test
  void expandedLogAddressesBecomeCanonical() {
    InetAddress a = Inet.parse("2001:0db8:0002:0000:0000:0000:0000:0010");
    assertThat(Addresses.format(a)).isEqualTo("2001:db8:2::10");
    assertThat(Addresses.format(Inet.parse("2001:db8:2::10"))).isEqualTo("2001:db8:2::10");
    assertThat(Addresses.format(Inet.parse("::"))).isEqualTo("::");
    assertThat(Addresses.format(Inet.parse("::1"))).isEqualTo("::1");
    assertThat(Addresses.format(Inet.parse("2001:db8::"))).isEqualTo("2001:db8::");
    assertThat(Addresses.format(Inet.parse("192.0.2.1"))).isEqualTo("192.0.2.1");
    assertThat(Inet.parse("::ffff:192.0.2.1").getAddress()).containsExactly(192, 0, 2, 1);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "1.2.3",
        "1.2.3.4.5",
        "256.1.1.1",
        "1..2.3",
        "1.2.3.",
        "01234.1.1.1",
        ":",
        ":::",
        "1:2:3:4:5:6:7:8:9",
        "1:2:3:4:5:6:7",
        "12345::",
        "1::2::3",
        "g::1",
        "1:",
        ":1",
        "1:2:3:4:5:6:7:8::",
        "2001:db8::1.2.3",
        "203.0.113.999"
      })
  void invalidLiteralsAreRejected(String text) {
    assertThat(Inet.parse(text)).as(text).isNull();
  }

  @Test
  void agreesWithTheJdkOnRandomAddressesInEverySpelling() throws Exception {
    Random r = new Random(42);
    for (int i = 0; i < 5000; i++) {
      byte[] b = new byte[16];
      r.nextBytes(b);
      // runs of zero groups exercise "::" placement
      for (int g = 0; g < 8; g++) {
        if (r.nextInt(3) == 0) {
          b[2 * g] = 0;
          b[2 * g + 1] = 0;
        }
      }
      if ((b[10] == (byte) 0xff && b[11] == (byte) 0xff && allZero(b, 10))) {
        continue; // v4-mapped: the JDK turns those into Inet4Address
      }
      InetAddress expected = InetAddress.getByAddress(b);
      StringBuilder full = new StringBuilder();
      for (int g = 0; g < 8; g++) {
        full.append(g == 0 ? "" : ":")
            .append(String.format("%02x%02x", b[2 * g] & 0xff, b[2 * g + 1] & 0xff));
      }
      for (String spelling :
          new String[] {full.toString(), Addresses.format(expected), expected.getHostAddress()}) {
        assertThat(Inet.parse(spelling)).as(spelling).isEqualTo(expected);
      }
    }
  }

  /**
   * The parser's cache reads the LOG spellings in one pass of its own: on expanded IPv6 and dotted
   * quads, intact or with one character replaced (non-ASCII ones too, whose low bits look like hex
   * digits), it must say exactly what Inet.parse says.
   */
  @Test
  void theCacheAgreesWithParseOnDamagedLogSpellings() {
    Random r = new Random(11);
    String noise = "0aF:.g \u00b1\u0131\u0141\u0000\uff10";
    Inet.Cache cache = new Inet.Cache();
    for (int i = 0; i < 50_000; i++) {
      StringBuilder b = new StringBuilder();
      if (r.nextBoolean()) {
        for (int g = 0; g < 8; g++) {
          int v = r.nextInt(4) == 0 ? 0xffff : r.nextInt(65536);
          b.append(g == 0 ? "" : ":").append(String.format(r.nextBoolean() ? "%04x" : "%04X", v));
        }
      } else {
        b.append(r.nextInt(300))
            .append('.')
            .append(r.nextInt(256))
            .append('.')
            .append(r.nextInt(256));
        b.append('.').append(r.nextInt(256));
      }
      if (r.nextBoolean()) {
        b.setCharAt(r.nextInt(b.length()), noise.charAt(r.nextInt(noise.length())));
      }
      String s = "SRC=" + b + " ";
      InetAddress expected = Inet.parse(s, 4, s.length() - 1);
      assertThat(cache.parse(s.toCharArray(), s, 4, s.length() - 1)).as(s).isEqualTo(expected);
    }
  }

  private static boolean allZero(byte[] b, int n) {
    for (int i = 0; i < n; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }
}
