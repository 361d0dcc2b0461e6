package org.mobilessh.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The hand-written formatters print exactly what their definitions print. */
class AuditFormatTest {
  private static final DateTimeFormatter ISO_MICROS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  @Property(tries = 20000)
  void timeIsTheFormattersText(@ForAll("instants") Instant t) {
    assertThat(AuditFormat.time(t)).isEqualTo(ISO_MICROS.format(t));
  }

  @Provide
  Arbitrary<Instant> instants() {
    // every year the fast path takes and beyond it on both sides, any nanosecond
    Arbitrary<Long> seconds =
        Arbitraries.oneOf(
            Arbitraries.longs().between(-62_135_596_800L, 300_000_000_000L),
            Arbitraries.longs().between(1_700_000_000L, 1_900_000_000L),
            Arbitraries.of(
                -30610224001L, -30610224000L, 0L, -1L, 951782400L, 253402300799L, 253402300800L));
    return net.jqwik.api.Combinators.combine(
            seconds, Arbitraries.integers().between(0, 999_999_999))
        .as(Instant::ofEpochSecond);
  }

  @Test
  void timeAtTheEdgesOfEveryDayOfSomeLeapYears() {
    for (int year : new int[] {1000, 1600, 1900, 2000, 2024, 2026, 2100, 9999}) {
      Instant t = java.time.LocalDate.of(year, 1, 1).atStartOfDay().toInstant(ZoneOffset.UTC);
      for (int d = 0; d < 366; d++) {
        for (long off : new long[] {0, 1, 86_399}) {
          Instant x = t.plusSeconds(d * 86_400L + off).plusNanos(999_999_999);
          assertThat(AuditFormat.time(x)).isEqualTo(ISO_MICROS.format(x));
        }
      }
    }
  }

  @Property(tries = 20000)
  void secondsIsTheBigDecimalText(@ForAll("durations") double s) {
    assertThat(AuditFormat.seconds(s)).isEqualTo(exact(s));
  }

  @Provide
  Arbitrary<Double> durations() {
    return Arbitraries.oneOf(
        // what the audit prints: µs-exact durations, precisions, clock uncertainties
        Arbitraries.longs()
            .between(0, 40L * 86_400 * 1_000_000)
            .map(us -> (us / 1_000_000) + (us % 1_000_000) * 1000 / 1e9),
        Arbitraries.longs().between(0, 10_000_000_000L).map(ns -> ns / 1e9),
        Arbitraries.longs()
            .between(-1_000_000_000_000_000L, 1_000_000_000_000_000L)
            .map(x -> x / 1e6),
        Arbitraries.longs()
            .between(0, Long.MAX_VALUE)
            .map(Double::longBitsToDouble)
            .filter(Double::isFinite),
        Arbitraries.longs().between(0, 1_000_000_000L).map(x -> x / 1e12),
        Arbitraries.of(
            0.0,
            -0.0,
            0.5,
            0.9999995,
            0.9999994999,
            9.9999995,
            1e7,
            9_999_999.9999996,
            1e-7,
            Double.MIN_VALUE,
            0.1,
            0.01,
            1.0,
            60.0,
            100.0));
  }

  @Test
  void secondsOnCarriesAndRoundingEdges() {
    for (int i = 0; i < 2_000_000; i += 7) {
      double s = i / 1e6 + 5e-7;
      assertThat(AuditFormat.seconds(s)).isEqualTo(exact(s));
      double r = i / 1e6;
      assertThat(AuditFormat.seconds(r)).isEqualTo(exact(r));
    }
  }

  private static String exact(double s) {
    return BigDecimal.valueOf(s)
        .setScale(6, RoundingMode.HALF_UP)
        .stripTrailingZeros()
        .toPlainString();
  }

  @Property(tries = 2000)
  void addressBytesAreTheAddressText(@ForAll("addresses") byte[] ip) throws Exception {
    java.net.InetAddress a = java.net.InetAddress.getByAddress(ip);
    PrintBuffer out = new PrintBuffer(1);
    out.append("x"); // what is there stays, and the buffer grows
    AuditFormat.address(a, out);
    assertThat(out.toString()).isEqualTo("x" + AuditFormat.address(a));
  }

  @Provide
  Arbitrary<byte[]> addresses() {
    return Arbitraries.oneOf(
        Arbitraries.bytes().array(byte[].class).ofSize(4),
        Arbitraries.bytes().array(byte[].class).ofSize(16),
        Arbitraries.of(0, 1, 0xffff)
            .map(x -> new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, 0, 0, 0, (byte) (int) x}));
  }
}
