package org.mobilessh.audit;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A map keyed by address, as {@code HashMap<InetAddress, V>} answers, with the keys as plain
 * numbers in open-addressing tables (IPv4: one int; IPv6: two longs): the engine looks an address
 * up for every line it applies and adds or removes one at every set and remove line of a router's
 * month, and a hash map makes a node per entry and goes through the address object (and its holder)
 * for the hash and for {@code equals}. The order of {@link #values} is unspecified (as a hash
 * map's). Not thread-safe; no {@code null} values.
 */
final class AddressMap<V> {
  /** IPv4 keys, linear probing; a slot holding 0 is empty unless its value is set (0.0.0.0). */
  private int[] keys = new int[64];

  private Object[] vals = new Object[64];
  private int v4Size;

  /** The value of 0.0.0.0, which the table cannot tell from an empty slot. */
  private V zero;

  /** IPv6 keys as two longs, linear probing; a slot is taken when its value is not null. */
  private long[] hi6 = new long[16];

  private long[] lo6 = new long[16];
  private Object[] vals6 = new Object[16];
  private int v6Size;

  /** Any other kind of address (none today). */
  private final Map<InetAddress, V> others = new HashMap<>();

  V get(InetAddress a) {
    if (a instanceof Inet6Address) {
      byte[] b = a.getAddress();
      long h = hi(b);
      long l = lo(b);
      int mask = vals6.length - 1;
      for (int i = slot6(h, l, mask); vals6[i] != null; i = (i + 1) & mask) {
        if (hi6[i] == h && lo6[i] == l) {
          @SuppressWarnings("unchecked")
          V v = (V) vals6[i];
          return v;
        }
      }
      return null;
    }
    if (!(a instanceof Inet4Address)) {
      return others.get(a);
    }
    int x = ipv4(a);
    if (x == 0) {
      return zero;
    }
    int mask = keys.length - 1;
    for (int i = slot(x, mask); ; i = (i + 1) & mask) {
      int y = keys[i];
      if (y == x) {
        @SuppressWarnings("unchecked")
        V v = (V) vals[i];
        return v;
      }
      if (y == 0) {
        return null;
      }
    }
  }

  /** Sets the value of {@code a}; the one it had, or {@code null}. */
  V put(InetAddress a, V v) {
    java.util.Objects.requireNonNull(v, "value");
    if (a instanceof Inet6Address) {
      byte[] b = a.getAddress();
      long h = hi(b);
      long l = lo(b);
      int mask = vals6.length - 1;
      int i = slot6(h, l, mask);
      for (; vals6[i] != null; i = (i + 1) & mask) {
        if (hi6[i] == h && lo6[i] == l) {
          @SuppressWarnings("unchecked")
          V had = (V) vals6[i];
          vals6[i] = v;
          return had;
        }
      }
      hi6[i] = h;
      lo6[i] = l;
      vals6[i] = v;
      if (++v6Size * 2 > vals6.length) {
        grow6();
      }
      return null;
    }
    if (!(a instanceof Inet4Address)) {
      return others.put(a, v);
    }
    int x = ipv4(a);
    if (x == 0) {
      V had = zero;
      zero = v;
      return had;
    }
    int mask = keys.length - 1;
    for (int i = slot(x, mask); ; i = (i + 1) & mask) {
      int y = keys[i];
      if (y == x) {
        @SuppressWarnings("unchecked")
        V had = (V) vals[i];
        vals[i] = v;
        return had;
      }
      if (y == 0) {
        keys[i] = x;
        vals[i] = v;
        if (++v4Size * 2 > keys.length) {
          grow();
        }
        return null;
      }
    }
  }

  /** Removes {@code a}; the value it had, or {@code null}. */
  V remove(InetAddress a) {
    if (a instanceof Inet6Address) {
      return remove6(a.getAddress());
    }
    if (!(a instanceof Inet4Address)) {
      return others.remove(a);
    }
    int x = ipv4(a);
    if (x == 0) {
      V had = zero;
      zero = null;
      return had;
    }
    int mask = keys.length - 1;
    int i = slot(x, mask);
    while (keys[i] != x) {
      if (keys[i] == 0) {
        return null;
      }
      i = (i + 1) & mask;
    }
    @SuppressWarnings("unchecked")
    V had = (V) vals[i];
    // backward-shift deletion: later entries of the probe run move into the hole, so that every
    // entry stays reachable from its home slot without tombstones
    int hole = i;
    for (int j = (hole + 1) & mask; keys[j] != 0; j = (j + 1) & mask) {
      int home = slot(keys[j], mask);
      // the entry at j may move to the hole unless its home lies cyclically in (hole, j]
      boolean movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
      if (movable) {
        keys[hole] = keys[j];
        vals[hole] = vals[j];
        hole = j;
      }
    }
    keys[hole] = 0;
    vals[hole] = null;
    v4Size--;
    return had;
  }

  private V remove6(byte[] b) {
    long h = hi(b);
    long l = lo(b);
    int mask = vals6.length - 1;
    int i = slot6(h, l, mask);
    while (vals6[i] != null && !(hi6[i] == h && lo6[i] == l)) {
      i = (i + 1) & mask;
    }
    if (vals6[i] == null) {
      return null;
    }
    @SuppressWarnings("unchecked")
    V had = (V) vals6[i];
    // backward-shift deletion, as in remove
    int hole = i;
    for (int j = (hole + 1) & mask; vals6[j] != null; j = (j + 1) & mask) {
      int home = slot6(hi6[j], lo6[j], mask);
      boolean movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
      if (movable) {
        hi6[hole] = hi6[j];
        lo6[hole] = lo6[j];
        vals6[hole] = vals6[j];
        hole = j;
      }
    }
    vals6[hole] = null;
    v6Size--;
    return had;
  }

  void clear() {
    java.util.Arrays.fill(keys, 0);
    java.util.Arrays.fill(vals, null);
    java.util.Arrays.fill(vals6, null);
    v6Size = 0;
    v4Size = 0;
    zero = null;
    others.clear();
  }

  int size() {
    return v4Size + v6Size + (zero == null ? 0 : 1) + others.size();
  }

  boolean isEmpty() {
    return size() == 0;
  }

  /** The values, in no particular order, as a list of their own. */
  List<V> values() {
    List<V> out = new ArrayList<>(size());
    for (int i = 0; i < keys.length; i++) {
      if (keys[i] != 0) {
        @SuppressWarnings("unchecked")
        V v = (V) vals[i];
        out.add(v);
      }
    }
    if (zero != null) {
      out.add(zero);
    }
    for (Object o : vals6) {
      if (o != null) {
        @SuppressWarnings("unchecked")
        V v = (V) o;
        out.add(v);
      }
    }
    out.addAll(others.values());
    return out;
  }

  private void grow() {
    int[] oldKeys = keys;
    Object[] oldVals = vals;
    keys = new int[oldKeys.length * 2];
    vals = new Object[oldKeys.length * 2];
    int mask = keys.length - 1;
    for (int k = 0; k < oldKeys.length; k++) {
      int x = oldKeys[k];
      if (x != 0) {
        int i = slot(x, mask);
        while (keys[i] != 0) {
          i = (i + 1) & mask;
        }
        keys[i] = x;
        vals[i] = oldVals[k];
      }
    }
  }

  private void grow6() {
    long[] oldHi = hi6;
    long[] oldLo = lo6;
    Object[] oldVals = vals6;
    hi6 = new long[oldVals.length * 2];
    lo6 = new long[oldVals.length * 2];
    vals6 = new Object[oldVals.length * 2];
    int mask = vals6.length - 1;
    for (int k = 0; k < oldVals.length; k++) {
      if (oldVals[k] != null) {
        int i = slot6(oldHi[k], oldLo[k], mask);
        while (vals6[i] != null) {
          i = (i + 1) & mask;
        }
        hi6[i] = oldHi[k];
        lo6[i] = oldLo[k];
        vals6[i] = oldVals[k];
      }
    }
  }

  private static long hi(byte[] b) {
    return (long) LONG.get(b, 0);
  }

  private static long lo(byte[] b) {
    return (long) LONG.get(b, 8);
  }

  private static final java.lang.invoke.VarHandle LONG =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(
          long[].class, java.nio.ByteOrder.BIG_ENDIAN);

  private static int slot6(long h, long l, int mask) {
    long x = (h * 0x9E3779B97F4A7C15L) ^ (l * 0xC2B2AE3D27D4EB4FL);
    int y = (int) (x ^ (x >>> 32));
    return (y ^ (y >>> 16)) & mask;
  }

  private static int slot(int x, int mask) {
    int h = x * 0x9E3779B9;
    return (h ^ (h >>> 16)) & mask;
  }

  /** An IPv4 address as a number, without the copy {@code getAddress()} makes. */
  static int ipv4(InetAddress a) {
    // the JDK's Inet4Address.hashCode is its address: checked once (HASH_IS_ADDRESS), and the
    // copy taken where a JDK does otherwise
    if (HASH_IS_ADDRESS) {
      return a.hashCode();
    }
    byte[] b = a.getAddress();
    return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
  }

  private static final boolean HASH_IS_ADDRESS = hashIsAddress();

  private static boolean hashIsAddress() {
    try {
      for (int x : new int[] {0xCB007107, 0xC0000201, 0xFFFFFFFF, 0x00000001, 0x80000000}) {
        byte[] b = {(byte) (x >>> 24), (byte) (x >>> 16), (byte) (x >>> 8), (byte) x};
        if (InetAddress.getByAddress(b).hashCode() != x) {
          return false;
        }
      }
      return true;
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }
}
