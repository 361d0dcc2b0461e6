package org.mobilessh.audit;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A map keyed by address, as {@code HashMap<InetAddress, V>} answers, with the IPv4 keys as plain
 * numbers in an open-addressing table: the engine looks an address up for every line it applies and
 * adds or removes one at every set and remove line of a router's month, and a hash map makes a node
 * per entry and goes through the address object (and its holder) for the hash and for {@code
 * equals}. The order of {@link #values} is unspecified (as a hash map's). Not thread-safe; no
 * {@code null} values.
 */
final class AddressMap<V> {
  /** IPv4 keys, linear probing; a slot holding 0 is empty unless its value is set (0.0.0.0). */
  private int[] keys = new int[64];

  private Object[] vals = new Object[64];
  private int v4Size;

  /** The value of 0.0.0.0, which the table cannot tell from an empty slot. */
  private V zero;

  private final Map<InetAddress, V> others = new HashMap<>();

  V get(InetAddress a) {
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

  void clear() {
    java.util.Arrays.fill(keys, 0);
    java.util.Arrays.fill(vals, null);
    v4Size = 0;
    zero = null;
    others.clear();
  }

  int size() {
    return v4Size + (zero == null ? 0 : 1) + others.size();
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
