package org.mobilessh.rules;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * Reads the kernel's jiffies counter from {@code /proc/timer_list} (root only) and determines
 * {@code HZ}: from {@code CONFIG_HZ} in {@code /proc/config.gz}, else in {@code
 * /boot/config-RELEASE}, else by reading the counter twice over a known interval and rounding to
 * the nearest rate Linux offers. The counter is global, not per network namespace.
 */
public final class KernelClockSource {
  private final Path proc;
  private final Path boot;
  private final Clock wall;
  private final Duration measureFor;
  private KernelClock.Hz hz;

  /**
   * @param proc where procfs is mounted ({@code /proc}); tests point this at a directory of files
   * @param boot where kernel configs live ({@code /boot})
   * @param wall the wall clock paired with each counter reading
   * @param measureFor how long to measure HZ when no kernel config says it
   */
  public KernelClockSource(Path proc, Path boot, Clock wall, Duration measureFor) {
    this.proc = proc;
    this.boot = boot;
    this.wall = wall;
    this.measureFor = measureFor;
  }

  /** The running kernel's clock, UTC. */
  public static KernelClockSource system() {
    return new KernelClockSource(
        Path.of("/proc"), Path.of("/boot"), Clock.systemUTC(), Duration.ofMillis(400));
  }

  /** The counter now, paired with the wall clock right after it was read. */
  public KernelClock read() {
    KernelClock.Hz rate = hz();
    long jiffies = KernelClock.parseTimerListJiffies(timerList());
    return new KernelClock(jiffies, rate.hz(), rate.source(), wall.instant());
  }

  /** The tick rate and where it came from; determined once per source. */
  public synchronized KernelClock.Hz hz() {
    if (hz == null) {
      hz =
          configHz(proc.resolve("config.gz"), true)
              .or(() -> configHz(boot.resolve("config-" + release()), false))
              .orElseGet(this::measureHz);
    }
    return hz;
  }

  /** HZ from two counter readings, ignoring any kernel config. */
  public KernelClock.Hz measureHz() {
    String first = timerList();
    try {
      Thread.sleep(measureFor.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RulesException("interrupted while measuring HZ");
    }
    String second = timerList();
    // "now at" is CLOCK_MONOTONIC taken in the same read as "jiffies": no scheduling delay
    // between the two numbers, unlike a Java clock read around the file read.
    long ticks =
        KernelClock.parseTimerListJiffies(second) - KernelClock.parseTimerListJiffies(first);
    long nanos = KernelClock.parseTimerListNanos(second) - KernelClock.parseTimerListNanos(first);
    return new KernelClock.Hz(
        KernelClock.hzFromMeasurement(ticks, nanos),
        "measured (" + ticks + " jiffies in " + nanos / 1_000_000 + " ms)");
  }

  private Optional<KernelClock.Hz> configHz(Path file, boolean gzip) {
    if (!Files.isReadable(file)) {
      return Optional.empty();
    }
    try (InputStream raw = Files.newInputStream(file);
        InputStream in = gzip ? new GZIPInputStream(raw) : raw) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return KernelClock.parseConfigHz(text).map(h -> new KernelClock.Hz(h, file.toString()));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private String release() {
    try {
      return Files.readString(proc.resolve("sys/kernel/osrelease")).strip();
    } catch (IOException e) {
      return "unknown";
    }
  }

  private String timerList() {
    Path file = proc.resolve("timer_list");
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new RulesException("cannot read the kernel's jiffies: " + file + " does not exist");
    } catch (AccessDeniedException e) {
      throw new RulesException(
          "cannot read the kernel's jiffies: " + file + " is readable by root only", e);
    } catch (IOException e) {
      throw new RulesException("cannot read the kernel's jiffies from " + file + ": " + e, e);
    }
  }
}
