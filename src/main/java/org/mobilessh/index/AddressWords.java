package org.mobilessh.index;

import java.net.InetAddress;

/**
 * An address's bytes as two big-endian longs, remembered per address object: the parser hands out
 * the same {@link InetAddress} object for the same address (its cache), and {@link
 * InetAddress#getAddress()} allocates and copies a new array on every call, twice per event on the
 * reading thread (identity hash, index point). One per thread; not thread-safe.
 */
final class AddressWords {
  private static final int SIZE = 1024; // a power of two

  private final InetAddress[] keys = new InetAddress[SIZE];
  private final long[] highs = new long[SIZE];
  private final long[] lows = new long[SIZE];
  private final boolean[] sixteen = new boolean[SIZE];

  /** The last looked-up address's first eight bytes (IPv4: its four bytes in the low half). */
  long high;

  /** The last looked-up address's bytes 8..15 (IPv4: 0). */
  long low;

  /** Whether the last looked-up address has 16 bytes (IPv6) rather than 4. */
  boolean ipv6;

  // the slots of the last two addresses looked up, most recent first: an event's destination is
  // usually the last event's, and the mapper asks for the source the identity just asked for;
  // comparing references does not touch the address object (an identity hash reads its header,
  // often a cache miss: the parser's address objects are spread over the heap)
  private int recent = -1;
  private int before = -1;

  /** Looks up {@code a} (not null) into {@link #high}, {@link #low} and {@link #ipv6}. */
  void of(InetAddress a) {
    int slot;
    if (recent >= 0 && keys[recent] == a) {
      slot = recent;
    } else if (before >= 0 && keys[before] == a) {
      slot = before;
      before = recent;
      recent = slot;
    } else {
      slot = lookUp(a);
      if (slot != recent) {
        before = recent;
        recent = slot;
      }
    }
    high = highs[slot];
    low = lows[slot];
    ipv6 = sixteen[slot];
  }

  private int lookUp(InetAddress a) {
    int slot = System.identityHashCode(a) & (SIZE - 1);
    if (keys[slot] != a) {
      byte[] b = a.getAddress();
      if (b.length == 16) {
        highs[slot] = word(b, 0);
        lows[slot] = word(b, 8);
        sixteen[slot] = true;
      } else {
        highs[slot] =
            (b[0] & 0xffL) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
        lows[slot] = 0;
        sixteen[slot] = false;
      }
      keys[slot] = a;
    }
    return slot;
  }

  private static long word(byte[] b, int at) {
    long v = 0;
    for (int i = at; i < at + 8; i++) {
      v = v << 8 | (b[i] & 0xff);
    }
    return v;
  }
}
