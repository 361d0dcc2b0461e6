package org.mobilessh.evidence;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a long export or bundle is doing, for the error stream: each finished step as one line with
 * its time, and the step under way with a counter the caller may show while it runs (the stage adds
 * to the counter; it never prints).
 */
public interface Progress {
  /** Says nothing. */
  Progress NONE =
      new Progress() {
        @Override
        public void step(String line) {}

        @Override
        public AtomicLong phase(String name, String unit) {
          return new AtomicLong();
        }
      };

  /** A finished step, one line ({@code "index documents: 10,172,470 read in 41.2 s"}). */
  void step(String line);

  /**
   * A step begins: {@code name} says what is done, {@code unit} what the returned counter counts
   * ({@code "rows"}, {@code "bytes"}). The stage adds to the counter as the work goes; it is read
   * from another thread.
   */
  AtomicLong phase(String name, String unit);

  /** {@code "%,d"}. */
  static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  /** Seconds since {@code t0} ({@link System#nanoTime}), one decimal: {@code "41.2 s"}. */
  static String since(long t0) {
    return String.format(Locale.ROOT, "%.1f s", (System.nanoTime() - t0) / 1e9);
  }
}
