package org.mobilessh.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link AddressMap} answers as a {@code HashMap<InetAddress, V>} (the engine's tracks by address):
 * the same results of every operation and the same size after any sequence, with addresses crowded
 * into few slots (removal moves entries back along their probe runs), the addresses 0.0.0.0 and
 * {@code ::} (the tables' empty marks), IPv6 beside IPv4, and a flush now and then.
 */
class AddressMapTest {
  /** An operation: 0 put, 1 remove, 2 clear, 3 remove the values a test accepts; and an address. */
  record Op(int kind, InetAddress address) {}

  @Property(tries = 200)
  void mapAnswersAsAHashMap(@ForAll("ops") List<Op> ops) {
    AddressMap<Integer> got = new AddressMap<>();
    java.util.Map<InetAddress, Integer> want = new java.util.HashMap<>();
    int n = 0;
    for (Op op : ops) {
      switch (op.kind()) {
        case 0 -> assertThat(got.put(op.address(), n)).isEqualTo(want.put(op.address(), n));
        case 1 -> assertThat(got.remove(op.address())).isEqualTo(want.remove(op.address()));
        case 3 -> {
          got.removeValues(v -> v % 3 == 0);
          want.values().removeIf(v -> v % 3 == 0);
        }
        default -> {
          got.clear();
          want.clear();
        }
      }
      n++;
      if (op.address() != null) {
        assertThat(got.get(op.address())).isEqualTo(want.get(op.address()));
      }
      assertThat(got.size()).isEqualTo(want.size());
    }
    assertThat(got.values()).containsExactlyInAnyOrderElementsOf(want.values());
    for (java.util.Map.Entry<InetAddress, Integer> e : want.entrySet()) {
      assertThat(got.get(e.getKey())).isEqualTo(e.getValue());
    }
  }

  @Provide
  Arbitrary<List<Op>> ops() {
    Arbitrary<InetAddress> v4 =
        Arbitraries.integers()
            .between(0, 700)
            .map(
                i -> {
                  // a few hundred addresses of 203.0.113.0/24 and 198.51.100.0/24, 0.0.0.0, and
                  // others whose numbers differ in high bits only
                  int x =
                      i == 0
                          ? 0
                          : i < 300
                              ? 0xCB007100 | (i & 0xff)
                              : i < 600 ? 0xC6336400 | (i & 0xff) : (i << 20);
                  return address(
                      new byte[] {
                        (byte) (x >>> 24), (byte) (x >>> 16), (byte) (x >>> 8), (byte) x
                      });
                });
    Arbitrary<InetAddress> v6 =
        Arbitraries.integers()
            .between(0, 600)
            .map(
                i -> {
                  // 2001:db8::/32 addresses differing in the last byte, in the /64 or both,
                  // and :: (the table's empty mark)
                  byte[] b = new byte[16];
                  if (i == 0) {
                    return address(b);
                  }
                  b[0] = 0x20;
                  b[1] = 0x01;
                  b[2] = 0x0d;
                  b[3] = (byte) 0xb8;
                  b[15] = (byte) (i % 200);
                  b[7] = (byte) (i / 200);
                  return address(b);
                });
    Arbitrary<Op> op =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(12, Arbitraries.oneOf(v4, v6).map(a -> new Op(0, a))),
            net.jqwik.api.Tuple.of(10, Arbitraries.oneOf(v4, v6).map(a -> new Op(1, a))),
            net.jqwik.api.Tuple.of(1, Arbitraries.just(new Op(2, null))),
            net.jqwik.api.Tuple.of(1, Arbitraries.just(new Op(3, null))));
    return op.list().ofMinSize(0).ofMaxSize(3000);
  }

  @Property(tries = 200)
  void ipv4NumberIsTheAddress(@ForAll int x) throws Exception {
    byte[] b = {(byte) (x >>> 24), (byte) (x >>> 16), (byte) (x >>> 8), (byte) x};
    assertThat(AddressMap.ipv4(InetAddress.getByAddress(b))).isEqualTo(x);
  }

  private static InetAddress address(byte[] b) {
    try {
      return InetAddress.getByAddress(b);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
