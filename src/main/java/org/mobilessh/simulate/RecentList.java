package org.mobilessh.simulate;

import java.util.Iterator;
import java.util.LinkedHashMap;

/**
 * xt_recent's list as the kernel keeps it: one timestamp per address, entries kept after they are
 * stale, and, when {@code ip_list_tot} entries exist, the least recently updated one evicted to
 * make room. Times are microseconds; "fresh" means refreshed at most N seconds ago ({@code
 * --seconds N} compares {@code stamp >= now - N}).
 */
final class RecentList {
  private final int capacity;
  private final long windowMicros;
  // access order is not what the kernel does: only set/update move an entry to the LRU tail
  private final LinkedHashMap<String, long[]> entries = new LinkedHashMap<>(256, 0.75f, false);
  private long evictions;

  RecentList(int capacity, long windowMicros) {
    this.capacity = capacity;
    this.windowMicros = windowMicros;
  }

  /** Last refresh of {@code addr}, or -1 when absent. */
  long lastSeen(String addr) {
    long[] e = entries.get(addr);
    return e == null ? -1 : e[0];
  }

  boolean fresh(String addr, long now) {
    long last = lastSeen(addr);
    return last >= 0 && now - last <= windowMicros;
  }

  /** {@code --set}: creates (evicting the oldest if full) or refreshes; returns the evicted one. */
  String set(String addr, long now) {
    long[] e = entries.remove(addr);
    String evicted = null;
    if (e == null) {
      if (entries.size() >= capacity) {
        Iterator<String> it = entries.keySet().iterator();
        evicted = it.next();
        it.remove();
        evictions++;
      }
      e = new long[1];
    }
    e[0] = now;
    entries.put(addr, e);
    return evicted;
  }

  /** {@code --update --seconds N}: refreshes a fresh entry; returns whether it matched. */
  boolean update(String addr, long now) {
    if (!fresh(addr, now)) {
      return false;
    }
    set(addr, now);
    return true;
  }

  /** {@code --remove}: matches any present entry, stale or not. */
  boolean remove(String addr) {
    return entries.remove(addr) != null;
  }

  long evictions() {
    return evictions;
  }
}
