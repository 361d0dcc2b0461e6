package org.mobilessh.simulate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * xt_recent's list as the kernel keeps it: per address a ring of the last {@value #RING} stamps,
 * entries kept after they are stale, and, when {@code ip_list_tot} entries exist, the least
 * recently updated one evicted to make room. Times are microseconds; "fresh" means refreshed at
 * most N seconds ago ({@code --seconds N} compares {@code stamp >= now - N}).
 */
final class RecentList {
  /** Stamps per entry: {@code ip_pkt_list_tot} (20) rounded up to a power of two, as 6.x does. */
  static final int RING = 32;

  /** One address: what {@code /proc/net/xt_recent/LIST} prints for it. */
  static final class Entry {
    final Addr addr;
    final long created; // insertion order within a hash bucket
    int ttl;
    final long[] stamps = new long[RING];
    int index; // the kernel's e->index: next ring slot (printed as oldest_pkt)
    int nstamps;
    long last;

    Entry(Addr addr, long created) {
      this.addr = addr;
      this.created = created;
    }

    void stamp(long now, int packetTtl) {
      index &= RING - 1;
      stamps[index++] = now;
      nstamps = Math.max(nstamps, index);
      last = now;
      ttl = packetTtl;
    }
  }

  private final int capacity;
  private final long windowMicros;
  // insertion order = LRU order: only set/update move an entry to the tail, as in the kernel
  private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(256, 0.75f, false);
  private long evictions;
  private long created;

  RecentList(int capacity, long windowMicros) {
    this.capacity = capacity;
    this.windowMicros = windowMicros;
  }

  /** Last refresh of {@code addr}, or -1 when absent. */
  long lastSeen(String addr) {
    Entry e = entries.get(addr);
    return e == null ? -1 : e.last;
  }

  boolean fresh(String addr, long now) {
    long last = lastSeen(addr);
    return last >= 0 && now - last <= windowMicros;
  }

  /**
   * {@code --set}: creates (evicting the oldest if full) or refreshes; returns the evicted one.
   *
   * @param ttl the packet's TTL as it arrived (xt_recent undoes the forwarding decrement)
   */
  String set(Addr addr, long now, int ttl) {
    Entry e = entries.remove(addr.text());
    String evicted = null;
    if (e == null) {
      if (entries.size() >= capacity) {
        Iterator<String> it = entries.keySet().iterator();
        evicted = it.next();
        it.remove();
        evictions++;
      }
      e = new Entry(addr, created++);
    }
    e.stamp(now, ttl);
    entries.put(addr.text(), e);
    return evicted;
  }

  /** {@code --update --seconds N}: refreshes a fresh entry; returns whether it matched. */
  boolean update(Addr addr, long now, int ttl) {
    if (!fresh(addr.text(), now)) {
      return false;
    }
    set(addr, now, ttl);
    return true;
  }

  /** {@code --remove}: matches any present entry, stale or not. */
  boolean remove(String addr) {
    return entries.remove(addr) != null;
  }

  long evictions() {
    return evictions;
  }

  /**
   * The entries in the order {@code /proc/net/xt_recent/LIST} lists them: by hash bucket (the
   * kernel hashes with a boot-time random seed; here a hash of the address and {@code seed}),
   * within a bucket oldest first.
   */
  List<Entry> kernelOrder(long seed) {
    List<Entry> out = new ArrayList<>(entries.values());
    out.sort(
        Comparator.comparingInt((Entry e) -> bucket(e.addr.text(), seed))
            .thenComparingLong(e -> e.created));
    return out;
  }

  private static int bucket(String addr, long seed) {
    long h = seed * 0x9E3779B97F4A7C15L;
    for (int i = 0; i < addr.length(); i++) {
      h = (h ^ addr.charAt(i)) * 0x100000001B3L;
    }
    h ^= h >>> 29;
    return (int) (h & 127); // ip_list_hash_size for ip_list_tot 100
  }
}
