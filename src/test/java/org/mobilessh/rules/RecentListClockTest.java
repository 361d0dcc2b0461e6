package org.mobilessh.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** jiffies to wall-clock time, HZ detection, and the counter's wrap-around. */
class RecentListClockTest {
  static final Instant READ_AT = Instant.parse("2026-11-27T01:03:05.020603Z");
  static final long TWO_TO_32 = 1L << 32;

  static KernelClock clock(long jiffies, int hz) {
    return new KernelClock(jiffies, hz, "test", READ_AT);
  }

  @Test
  void convertsJiffiesToAgeAndWallTime() {
    // 43457 ticks at 250 HZ = 173.828 s, the numbers of a real `list show` on this kernel.
    KernelClock c = clock(4_295_065_766L, 250);
    assertThat(c.age(4_295_022_309L)).isEqualTo(Duration.ofMillis(173_828));
    assertThat(c.wallTime(4_295_022_309L)).isEqualTo(Instant.parse("2026-11-27T01:00:11.192603Z"));
    assertThat(c.age(4_295_065_766L)).isZero();
  }

  @Test
  void keepsSubMillisecondTicksAtOddRates() {
    KernelClock c = clock(1_000, 300);
    assertThat(c.age(999)).isEqualTo(Duration.ofNanos(3_333_333));
    assertThat(c.age(700)).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void valuesAroundTwoToThe32AreNormalOn64BitKernels() {
    // INITIAL_JIFFIES = 2^32 - 300*HZ: five minutes after boot a 64-bit counter crosses 2^32.
    long initial = TWO_TO_32 - 300 * 250;
    KernelClock c = clock(TWO_TO_32 + 1_000, 250);
    assertThat(c.elapsedJiffies(initial)).isEqualTo(75_000 + 1_000);
    assertThat(c.age(TWO_TO_32 - 250)).isEqualTo(Duration.ofMillis(1_000 + 4_000));
  }

  @Test
  void a32BitCounterWrapsModulo2To32() {
    // 32-bit kernel, 1000 ticks after the wrap; the stamp was taken 296 ticks before it.
    KernelClock c = clock(1_000, 250);
    assertThat(c.elapsedJiffies(TWO_TO_32 - 296)).isEqualTo(1_296);
    assertThat(c.age(TWO_TO_32 - 296)).isEqualTo(Duration.ofMillis(5_184));
  }

  @Test
  void aStampAfterA64BitCounterIsAnError() {
    KernelClock c = clock(TWO_TO_32 + 10, 250);
    assertThatThrownBy(() -> c.elapsedJiffies(TWO_TO_32 + 11))
        .isInstanceOf(RulesException.class)
        .hasMessageContaining("later than the kernel's jiffies");
  }

  @Test
  void freshMeansWhatRcheckSecondsMatches() {
    // xt_recent matches while the stamp is strictly after jiffies - N*HZ.
    KernelClock c = clock(TWO_TO_32 + 100_000, 250);
    assertThat(c.within(TWO_TO_32 + 100_000 - 60 * 250 + 1, 60)).isTrue();
    assertThat(c.within(TWO_TO_32 + 100_000 - 60 * 250, 60)).isFalse();
    assertThat(c.within(TWO_TO_32 + 100_000, 60)).isTrue();
  }

  @Test
  void readsTheFirstJiffiesLineNotIdleJiffies() {
    String timerList =
        "Timer List Version: v0.10\n"
            + "now at 446440054964 nsecs\n"
            + "  .idle_jiffies   : 4295002562\n"
            + "jiffies: 4295003880\n"
            + "jiffies: 4295003881\n";
    assertThat(KernelClock.parseTimerListJiffies(timerList)).isEqualTo(4_295_003_880L);
    assertThat(KernelClock.parseTimerListNanos(timerList)).isEqualTo(446_440_054_964L);
    assertThatThrownBy(() -> KernelClock.parseTimerListJiffies("  .idle_jiffies   : 5\n"))
        .isInstanceOf(RulesException.class);
  }

  @Test
  void roundsAMeasuredRateToTheNearestLinuxHz() {
    assertThat(KernelClock.hzFromMeasurement(101, 400_000_000)).isEqualTo(250);
    assertThat(KernelClock.hzFromMeasurement(121, 400_000_000)).isEqualTo(300);
    assertThat(KernelClock.hzFromMeasurement(39, 400_000_000)).isEqualTo(100);
    assertThat(KernelClock.hzFromMeasurement(401, 400_000_000)).isEqualTo(1000);
    // 550 Hz is no kernel's rate: a stalled VM or a clock jump, not a guess.
    assertThatThrownBy(() -> KernelClock.hzFromMeasurement(220, 400_000_000))
        .isInstanceOf(RulesException.class)
        .hasMessageContaining("550.0");
    assertThatThrownBy(() -> KernelClock.hzFromMeasurement(0, 400_000_000))
        .isInstanceOf(RulesException.class);
  }

  @Test
  void configHzComesFromTheKernelConfig() {
    assertThat(KernelClock.parseConfigHz("CONFIG_HZ_250=y\nCONFIG_HZ=250\n")).contains(250);
    assertThat(KernelClock.parseConfigHz("# CONFIG_HZ_1000 is not set\n")).isEmpty();
  }

  @Test
  void sourcePrefersProcConfigGz(@TempDir Path dir) throws IOException {
    Path proc = Files.createDirectories(dir.resolve("proc"));
    Path boot = Files.createDirectories(dir.resolve("boot"));
    try (OutputStream out =
        new GZIPOutputStream(Files.newOutputStream(proc.resolve("config.gz")))) {
      out.write("CONFIG_HZ_300=y\nCONFIG_HZ=300\n".getBytes(StandardCharsets.UTF_8));
    }
    Files.writeString(proc.resolve("timer_list"), "now at 5 nsecs\njiffies: 4294967296\n");
    Clock wall = Clock.fixed(READ_AT, ZoneOffset.UTC);
    KernelClock c = new KernelClockSource(proc, boot, wall, Duration.ofMillis(1)).read();
    assertThat(c)
        .isEqualTo(new KernelClock(TWO_TO_32, 300, proc.resolve("config.gz").toString(), READ_AT));
  }

  @Test
  void sourceFallsBackToBootConfigOfTheRunningRelease(@TempDir Path dir) throws IOException {
    Path proc = Files.createDirectories(dir.resolve("proc"));
    Path boot = Files.createDirectories(dir.resolve("boot"));
    Files.createDirectories(proc.resolve("sys/kernel"));
    Files.writeString(proc.resolve("sys/kernel/osrelease"), "6.1.0-test\n");
    Files.writeString(boot.resolve("config-6.1.0-test"), "CONFIG_HZ=1000\n");
    Files.writeString(boot.resolve("config-5.0.0-other"), "CONFIG_HZ=100\n");
    KernelClockSource source =
        new KernelClockSource(proc, boot, Clock.systemUTC(), Duration.ofMillis(1));
    assertThat(source.hz())
        .isEqualTo(new KernelClock.Hz(1000, boot.resolve("config-6.1.0-test").toString()));
  }

  @Test
  void sourceWithoutTimerListSaysSo(@TempDir Path dir) throws IOException {
    Path proc = Files.createDirectories(dir.resolve("proc"));
    Files.writeString(proc.resolve("sys-dummy"), "");
    KernelClockSource source =
        new KernelClockSource(proc, dir, Clock.systemUTC(), Duration.ofMillis(1));
    assertThatThrownBy(source::read)
        .isInstanceOf(RulesException.class)
        .hasMessageContaining("timer_list does not exist");
  }
}
