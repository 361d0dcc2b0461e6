package org.mobilessh.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mobilessh.os.CommandRunner;

/** The kernel clock on the running kernel: HZ, and jiffies against the wall clock. */
class RecentListClockIT {
  static final String NS = "msh-b-clock-" + ProcessHandle.current().pid();
  static final CommandRunner HOST = CommandRunner.host();
  static final CommandRunner IN_NS = CommandRunner.in(Optional.of(NS));

  @BeforeAll
  static void requireRoot() {
    if (Actor.current().uid() != 0 || !Files.isReadable(Path.of("/proc/timer_list"))) {
      if ("true".equals(System.getenv("CI"))) {
        fail("CI=true but this test needs root (/proc/timer_list, ip netns)");
      }
      assumeTrue(false, "skipped: needs root (/proc/timer_list, ip netns)");
    }
  }

  @AfterAll
  static void deleteNamespace() {
    HOST.run(List.of("ip", "netns", "del", NS));
  }

  @Test
  void measuredHzMatchesTheKernelConfig() {
    KernelClockSource source = KernelClockSource.system();
    KernelClock.Hz measured = source.measureHz();
    KernelClock.Hz configured = source.hz();
    assertThat(measured.hz()).isIn(100, 250, 300, 1000);
    if (Files.exists(Path.of("/proc/config.gz"))) {
      assertThat(configured.source()).isEqualTo("/proc/config.gz");
    }
    assertThat(measured.hz()).as(measured.source()).isEqualTo(configured.hz());
  }

  @Test
  void jiffiesAdvanceWithTheWallClock() throws Exception {
    KernelClockSource source = KernelClockSource.system();
    // each read is bracketed by the wall clock: on a busy machine the read itself can take
    // longer than a few ticks, so the counter is checked against the bracket, not one instant
    Instant before1 = Instant.now();
    KernelClock first = source.read();
    Instant after1 = Instant.now();
    Thread.sleep(1_000);
    Instant before2 = Instant.now();
    KernelClock second = source.read();
    Instant after2 = Instant.now();
    long ticks = second.elapsedJiffies(first.jiffies());
    double hz = first.hz();
    double least = Duration.between(after1, before2).toNanos() * hz / 1e9 - 1;
    double most = Duration.between(before1, after2).toNanos() * hz / 1e9 + 1;
    assertThat((double) ticks).isBetween(least, most);
    assertThat(least).isGreaterThan(0.9 * hz); // the sleep is in the bracket
    // A 64-bit kernel starts at 2^32 - 300*HZ; any counter read after boot is at least that.
    assertThat(Long.compareUnsigned(first.jiffies(), (1L << 32) - 300L * first.hz()))
        .isGreaterThanOrEqualTo(0);
  }

  @Test
  void aStampConvertsToTheWallClockTimeOfTheWrite() throws Exception {
    HOST.run(List.of("ip", "netns", "del", NS));
    assertThat(HOST.run(List.of("ip", "netns", "add", NS)).ok()).isTrue();
    assertThat(
            IN_NS
                .run(
                    List.of(
                        "iptables", "-A", "INPUT", "-m", "recent", "--name", "CLOCK", "--rcheck"))
                .ok())
        .isTrue();
    List<Instant[]> windows = new ArrayList<>();
    for (String address : List.of("192.0.2.90", "2001:db8::90")) {
      Instant before = Instant.now();
      CommandRunner.Result r =
          IN_NS.run(List.of("tee", "/proc/net/xt_recent/CLOCK"), "+" + address + "\n");
      windows.add(new Instant[] {before, Instant.now()});
      assertThat(r.ok()).as(r.describe()).isTrue();
      Thread.sleep(500);
    }
    RecentList list =
        new RecentList(
            IN_NS,
            "CLOCK",
            KernelClockSource.system(),
            SyslogAudit.toSocket(Path.of("/nonexistent")), // reading is never audited
            Actor.current(),
            line -> {});
    RecentSnapshot snapshot = list.snapshot();
    List<RecentSnapshot.Row> rows = snapshot.rows(60);
    assertThat(rows)
        .extracting(r -> r.entry().text())
        .containsExactly("2001:db8::90", "192.0.2.90");
    Duration tick = Duration.ofNanos(1_000_000_000L / snapshot.clock().hz());
    for (int i = 0; i < 2; i++) {
      RecentSnapshot.Row row = rows.get(1 - i);
      Instant[] window = windows.get(i);
      // 50 ms beyond a tick: the conversion samples the kernel's and the wall clock one after the
      // other, and on a loaded machine (load 15) a 10 ms margin was missed by a millisecond; a
      // wrong conversion (HZ, the counter's offset) is off by seconds, not milliseconds.
      assertThat(row.lastSeen())
          .isBetween(window[0].minus(tick).minusMillis(50), window[1].plus(tick).plusMillis(50));
    }
    // the gap between the two stamps is the gap between the writes, whatever the sleep took on a
    // loaded machine: bounded by the measured instants (the clocks' common offset cancels out)
    assertThat(Duration.between(rows.get(1).lastSeen(), rows.get(0).lastSeen()))
        .isBetween(
            Duration.between(windows.get(0)[1], windows.get(1)[0]).minus(tick).minusMillis(5),
            Duration.between(windows.get(0)[0], windows.get(1)[1]).plus(tick).plusMillis(5));
  }
}
