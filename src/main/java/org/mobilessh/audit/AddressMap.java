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

  /**
   * IPv6 keys as two longs side by side (slot {@code i}: {@code keys6[2i]}, {@code keys6[2i + 1]}),
   * linear probing; a slot holding {@code ::} (both 0) is empty: a probe reads one array, and the
   * values only where it ends.
   */
  private long[] keys6 = new long[32];

  private Object[] vals6 = new Object[16];
  private int v6Size;

  /** The value of {@code ::}, which the table cannot tell from an empty slot. */
  private V zero6;

  /** Any other kind of address (none today). */
  private final Map<InetAddress, V> others = new HashMap<>();

  V get(InetAddress a) {
    if (a instanceof Inet6Address) {
      byte[] b = a.getAddress();
      return get6(hi(b), lo(b));
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
      return put6(hi(b), lo(b), v);
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
    return put4(x, v);
  }

  private V put4(int x, V v) {
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

  /**
   * The value of the IPv6 address whose 16 bytes are {@code h} and {@code l} (big-endian), or
   * {@code null}: for keys that are not addresses of their own (a /64 network: {@code l} 0).
   */
  V get6(long h, long l) {
    if ((h | l) == 0) {
      return zero6;
    }
    int i = find6(h, l);
    if (i < 0) {
      return null;
    }
    @SuppressWarnings("unchecked")
    V v = (V) vals6[i];
    return v;
  }

  /** Sets the value of the IPv6 key {@code h}, {@code l} ({@link #get6}); the one it had. */
  V put6(long h, long l, V v) {
    java.util.Objects.requireNonNull(v, "value");
    if ((h | l) == 0) {
      V had = zero6;
      zero6 = v;
      return had;
    }
    int i = find6(h, l);
    if (i >= 0) {
      @SuppressWarnings("unchecked")
      V had = (V) vals6[i];
      vals6[i] = v;
      return had;
    }
    insert6(-i - 1, h, l, v);
    return null;
  }

  /** Removes the keys whose values {@code drop} accepts. */
  void removeValues(java.util.function.Predicate<V> drop) {
    boolean any = false;
    for (V v : values()) {
      any |= drop.test(v);
    }
    if (!any) {
      return;
    }
    int[] oldKeys = keys;
    Object[] oldVals = vals;
    long[] oldKeys6 = keys6;
    Object[] oldVals6 = vals6;
    keys = new int[oldKeys.length];
    vals = new Object[oldVals.length];
    keys6 = new long[oldKeys6.length];
    vals6 = new Object[oldVals6.length];
    v4Size = 0;
    v6Size = 0;
    // the survivors put again (rather than deleted in place, which would move entries along the
    // probe runs being walked)
    for (int k = 0; k < oldKeys.length; k++) {
      @SuppressWarnings("unchecked")
      V v = (V) oldVals[k];
      if (oldKeys[k] != 0 && !drop.test(v)) {
        put4(oldKeys[k], v);
      }
    }
    for (int k = 0; k < oldVals6.length; k++) {
      @SuppressWarnings("unchecked")
      V v = (V) oldVals6[k];
      if (v != null && !drop.test(v)) {
        put6(oldKeys6[2 * k], oldKeys6[2 * k + 1], v);
      }
    }
    if (zero != null && drop.test(zero)) {
      zero = null;
    }
    if (zero6 != null && drop.test(zero6)) {
      zero6 = null;
    }
    others.values().removeIf(drop);
  }

  /** The high 64 bits of an IPv6 address (its /64 network). */
  static long high64(Inet6Address a) {
    return hi(a.getAddress());
  }

  /**
   * The slot of an IPv6 key (not {@code ::}), or {@code -(the empty slot its probe ends at) - 1}.
   */
  private int find6(long h, long l) {
    int mask = vals6.length - 1;
    for (int i = slot6(h, l, mask); ; i = (i + 1) & mask) {
      long kh = keys6[2 * i];
      long kl = keys6[2 * i + 1];
      if (kh == h && kl == l) {
        return i;
      }
      if ((kh | kl) == 0) {
        return -i - 1;
      }
    }
  }

  private void insert6(int i, long h, long l, V v) {
    keys6[2 * i] = h;
    keys6[2 * i + 1] = l;
    vals6[i] = v;
    if (++v6Size * 2 > vals6.length) {
      grow6();
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
    if ((h | l) == 0) {
      V had = zero6;
      zero6 = null;
      return had;
    }
    int i = find6(h, l);
    if (i < 0) {
      return null;
    }
    @SuppressWarnings("unchecked")
    V had = (V) vals6[i];
    int mask = vals6.length - 1;
    // backward-shift deletion, as in remove
    int hole = i;
    for (int j = (hole + 1) & mask; (keys6[2 * j] | keys6[2 * j + 1]) != 0; j = (j + 1) & mask) {
      int home = slot6(keys6[2 * j], keys6[2 * j + 1], mask);
      boolean movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
      if (movable) {
        keys6[2 * hole] = keys6[2 * j];
        keys6[2 * hole + 1] = keys6[2 * j + 1];
        vals6[hole] = vals6[j];
        hole = j;
      }
    }
    keys6[2 * hole] = 0;
    keys6[2 * hole + 1] = 0;
    vals6[hole] = null;
    v6Size--;
    return had;
  }

  void clear() {
    java.util.Arrays.fill(keys, 0);
    java.util.Arrays.fill(vals, null);
    java.util.Arrays.fill(keys6, 0);
    java.util.Arrays.fill(vals6, null);
    v6Size = 0;
    zero6 = null;
    v4Size = 0;
    zero = null;
    others.clear();
  }

  int size() {
    return v4Size + v6Size + (zero == null ? 0 : 1) + (zero6 == null ? 0 : 1) + others.size();
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
    if (zero6 != null) {
      out.add(zero6);
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
    long[] oldKeys = keys6;
    Object[] oldVals = vals6;
    keys6 = new long[oldKeys.length * 2];
    vals6 = new Object[oldVals.length * 2];
    int mask = vals6.length - 1;
    for (int k = 0; k < oldVals.length; k++) {
      if (oldVals[k] != null) {
        int i = slot6(oldKeys[2 * k], oldKeys[2 * k + 1], mask);
        while (vals6[i] != null) {
          i = (i + 1) & mask;
        }
        keys6[2 * i] = oldKeys[2 * k];
        keys6[2 * i + 1] = oldKeys[2 * k + 1];
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
