package org.mobilessh.simulate;

import java.util.HashMap;
import java.util.Map;

/**
 * The reject LOG rule's two matches: {@code -m hashlimit --hashlimit-upto RATE --hashlimit-burst B
 * --hashlimit-mode srcip} (per /32, per /64 for IPv6; an entry idle for {@code htable-expire}, 10 s
 * by default, is dropped and comes back with a full burst) then {@code -m limit --limit GLOBAL
 * --limit-burst B}, evaluated only when the hashlimit matched. Both are token buckets.
 */
final class RejectLimiter {
  private static final long EXPIRE_MICROS = 10_000_000L;

  private final long perSourceInterval;
  private final long globalInterval;
  private final int burst;
  private final Map<String, long[]> perSource = new HashMap<>();
  private double globalTokens;
  private long globalLast = Long.MIN_VALUE;

  /**
   * @param perSourcePerMinute hashlimit rate, per minute
   * @param globalPerSecond limit rate, per second
   */
  RejectLimiter(int perSourcePerMinute, int globalPerSecond, int burst) {
    this.perSourceInterval = 60_000_000L / perSourcePerMinute;
    this.globalInterval = 1_000_000L / globalPerSecond;
    this.burst = burst;
    this.globalTokens = burst;
  }

  /** Whether the reject of a packet from {@code sourceKey} at {@code now} is logged. */
  boolean allow(String sourceKey, long now) {
    long[] e = perSource.get(sourceKey); // {tokens in microseconds of credit, last}
    if (e == null || now - e[1] >= EXPIRE_MICROS) {
      e = new long[] {burst * perSourceInterval, now};
      perSource.put(sourceKey, e);
    } else {
      e[0] = Math.min(burst * perSourceInterval, e[0] + (now - e[1]));
      e[1] = now;
    }
    if (e[0] < perSourceInterval) {
      return false;
    }
    e[0] -= perSourceInterval;
    if (globalLast != Long.MIN_VALUE) {
      globalTokens = Math.min(burst, globalTokens + (double) (now - globalLast) / globalInterval);
    }
    globalLast = now;
    if (globalTokens < 1) {
      return false;
    }
    globalTokens -= 1;
    return true;
  }

  /** Forgets per-source entries idle long enough to have expired (bounded memory). */
  void gc(long now) {
    perSource.values().removeIf(e -> now - e[1] >= EXPIRE_MICROS);
  }
}
