package org.mobilessh.rules;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kernel's tick counter ({@code jiffies}) at one moment, paired with the wall clock at that
 * moment and the tick rate {@code HZ}: enough to turn an xt_recent {@code last_seen} stamp into an
 * age and a UTC time.
 *
 * <p>Resolution: one jiffy, i.e. {@code 1/HZ} seconds (4 ms at HZ=250). The counter also lags the
 * true time by up to one tick, so a converted time is good to about {@code ±1/HZ} plus the few
 * milliseconds between reading the list and reading the counter; printing microseconds keeps the
 * arithmetic exact, it does not add precision.
 *
 * <p>{@code HZ} is the kernel's internal tick rate ({@code CONFIG_HZ}: 100, 250, 300 or 1000). It
 * is <em>not</em> {@code getconf CLK_TCK}: that is {@code USER_HZ}, the fixed unit (100 on Linux)
 * in which the kernel reports process times to user space ({@code times(2)}, {@code
 * /proc/PID/stat}) after converting from jiffies. xt_recent prints raw jiffies, so dividing by
 * USER_HZ would be wrong by a factor of 2.5 on an HZ=250 kernel.
 *
 * @param jiffies the counter as the kernel printed it (unsigned; 64 bits on 64-bit kernels)
 * @param hz ticks per second
 * @param hzSource where {@code hz} came from, for messages ({@code /proc/config.gz}, "measured")
 * @param readAt the wall-clock time at which {@code jiffies} was read
 */
public record KernelClock(long jiffies, int hz, String hzSource, Instant readAt) {
  /** The tick rates Linux offers ({@code CONFIG_HZ_100} ... {@code CONFIG_HZ_1000}). */
  static final int[] KNOWN_HZ = {100, 250, 300, 1000};

  private static final long LOW_32_BITS = 0xFFFF_FFFFL;
  private static final Pattern TIMER_LIST_JIFFIES =
      Pattern.compile("^jiffies: ([0-9]+)$", Pattern.MULTILINE);
  private static final Pattern TIMER_LIST_NOW =
      Pattern.compile("^now at ([0-9]+) nsecs$", Pattern.MULTILINE);
  private static final Pattern CONFIG_HZ =
      Pattern.compile("^CONFIG_HZ=([0-9]+)$", Pattern.MULTILINE);

  /**
   * A tick rate and where it was found.
   *
   * @param hz ticks per second
   * @param source a file name, or how it was measured
   */
  public record Hz(int hz, String source) {}

  public KernelClock {
    if (hz <= 0) {
      throw new IllegalArgumentException("HZ must be positive, not " + hz);
    }
  }

  /**
   * Jiffies from {@code then} to {@link #jiffies()}.
   *
   * <p>On a 64-bit kernel the counter never wraps in practice; it starts at {@code INITIAL_JIFFIES
   * = 2^32 - 300*HZ} so that 32-bit code meets a wrap five minutes after boot, which is why raw
   * values just below and above 2^32 are normal. On a 32-bit kernel the counter (and every stamp)
   * is 32 bits wide and does wrap: a stamp larger than the current value then means the counter
   * wrapped in between, and the distance is taken modulo 2^32 — exactly as the kernel's own {@code
   * time_after()} does, with the same blind spot for entries older than 2^32 ticks (~198 days at
   * HZ=250).
   *
   * @throws RulesException if the stamp lies after the counter on a 64-bit kernel, which cannot
   *     happen when the list is read before the counter
   */
  public long elapsedJiffies(long then) {
    if (Long.compareUnsigned(then, jiffies) <= 0) {
      return jiffies - then;
    }
    if (Long.compareUnsigned(then, LOW_32_BITS) <= 0
        && Long.compareUnsigned(jiffies, LOW_32_BITS) <= 0) {
      return (jiffies - then) & LOW_32_BITS;
    }
    throw new RulesException(
        "stamp "
            + Long.toUnsignedString(then)
            + " is later than the kernel's jiffies "
            + Long.toUnsignedString(jiffies)
            + " (was the counter read before the list?)");
  }

  /** How long before {@link #readAt()} the stamp was taken. */
  public Duration age(long stamp) {
    long ticks = elapsedJiffies(stamp);
    long seconds = ticks / hz;
    long nanos = (ticks % hz) * 1_000_000_000L / hz;
    return Duration.ofSeconds(seconds, nanos);
  }

  /**
   * {@code INITIAL_JIFFIES} of a 64-bit kernel: the counter at boot, {@code 2^32 - 300*HZ} (see
   * {@link #elapsedJiffies}).
   */
  public static long initialJiffies(int hz) {
    return (1L << 32) - 300L * hz;
  }

  /**
   * The counter at wall time {@code t}, assuming it ticks at exactly {@code hz} (the inverse of
   * {@link #wallTime}, good to one tick): what a simulated kernel stamps a packet with.
   */
  public long jiffiesAt(Instant t) {
    Duration d = Duration.between(readAt, t);
    // getSeconds() is floored and getNano() in [0, 1e9): the sum floors exactly
    return jiffies
        + Math.multiplyExact(d.getSeconds(), hz)
        + (long) d.getNano() * hz / 1_000_000_000L;
  }

  /** The same clock read at {@code t}: the counter then, paired with {@code t}. */
  public KernelClock at(Instant t) {
    return new KernelClock(jiffiesAt(t), hz, hzSource, t);
  }

  /** The wall-clock time of a stamp. */
  public Instant wallTime(long stamp) {
    return readAt.minus(age(stamp));
  }

  /**
   * Whether {@code xt_recent --rcheck --seconds N} would match this stamp now: the kernel matches
   * while the stamp is strictly after {@code jiffies - N*HZ}, i.e. while fewer than {@code N*HZ}
   * ticks have passed.
   */
  public boolean within(long stamp, int seconds) {
    return Long.compareUnsigned(elapsedJiffies(stamp), (long) seconds * hz) < 0;
  }

  /** The first {@code jiffies:} line of {@code /proc/timer_list}. */
  public static long parseTimerListJiffies(String timerList) {
    Matcher m = TIMER_LIST_JIFFIES.matcher(timerList);
    if (!m.find()) {
      throw new RulesException("no 'jiffies:' line in /proc/timer_list");
    }
    return Long.parseUnsignedLong(m.group(1));
  }

  /** The {@code now at N nsecs} line of {@code /proc/timer_list}: CLOCK_MONOTONIC at the read. */
  public static long parseTimerListNanos(String timerList) {
    Matcher m = TIMER_LIST_NOW.matcher(timerList);
    if (!m.find()) {
      throw new RulesException("no 'now at ... nsecs' line in /proc/timer_list");
    }
    return Long.parseLong(m.group(1));
  }

  /** {@code CONFIG_HZ} from a kernel config ({@code /proc/config.gz} text), if it is set. */
  public static Optional<Integer> parseConfigHz(String kernelConfig) {
    Matcher m = CONFIG_HZ.matcher(kernelConfig);
    return m.find() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
  }

  /**
   * The tick rate from two counter readings: the nearest rate Linux offers, or an exception when
   * the measurement is not within 5% of any of them (a stalled VM, a clock jump).
   */
  public static int hzFromMeasurement(long jiffiesDelta, long nanosDelta) {
    if (nanosDelta <= 0 || jiffiesDelta <= 0) {
      throw new RulesException(
          "cannot measure HZ: " + jiffiesDelta + " jiffies in " + nanosDelta + " ns");
    }
    double measured = jiffiesDelta * 1e9 / nanosDelta;
    int best = KNOWN_HZ[0];
    for (int hz : KNOWN_HZ) {
      if (Math.abs(hz - measured) < Math.abs(best - measured)) {
        best = hz;
      }
    }
    if (Math.abs(best - measured) > best * 0.05) {
      throw new RulesException(
          String.format(
              java.util.Locale.ROOT,
              "measured %.1f ticks per second, not near any of 100/250/300/1000 HZ",
              measured));
    }
    return best;
  }
}
