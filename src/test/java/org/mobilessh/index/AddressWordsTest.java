package org.mobilessh.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AddressWordsTest {

  /**
   * Far more address objects than slots (so slots are taken over again and again), equal addresses
   * as distinct objects, IPv4, IPv6 and IPv4-mapped IPv6 (which InetAddress makes an IPv4 address),
   * looked up in random order: always the words of {@link InetAddress#getAddress()}.
   */
  @Test
  void theWordsAreTheAddressBytes() throws Exception {
    Random r = new Random(11);
    List<InetAddress> all = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      byte[] b = new byte[r.nextInt(3) == 0 ? 4 : 16];
      r.nextBytes(b);
      if (b.length == 16 && r.nextInt(4) == 0) {
        java.util.Arrays.fill(b, 0, 10, (byte) 0);
        b[10] = (byte) 0xff;
        b[11] = (byte) 0xff;
      }
      InetAddress a = InetAddress.getByAddress(b);
      all.add(a);
      all.add(InetAddress.getByAddress(b.clone())); // equal, another object
    }
    AddressWords w = new AddressWords();
    for (int i = 0; i < 100_000; i++) {
      InetAddress a = all.get(r.nextInt(i < 50_000 ? 40 : all.size()));
      w.of(a);
      byte[] raw = a.getAddress();
      ByteBuffer expected = ByteBuffer.wrap(raw);
      if (raw.length == 16) {
        assertThat(w.ipv6).isTrue();
        assertThat(w.high).isEqualTo(expected.getLong(0));
        assertThat(w.low).isEqualTo(expected.getLong(8));
      } else {
        assertThat(w.ipv6).isFalse();
        assertThat(w.high).isEqualTo(expected.getInt(0) & 0xffffffffL);
        assertThat(w.low).isZero();
      }
    }
  }
}
