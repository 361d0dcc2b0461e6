package org.mobilessh.audit;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.mobilessh.rules.Addresses;

/** How audit values are printed in CSV and JSON: one place, so every output agrees. */
public final class AuditFormat {
  private static final DateTimeFormatter ISO_MICROS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  private AuditFormat() {}

  /** ISO-8601 UTC with microseconds ({@code 2026-11-26T23:42:25.123456Z}); "" for null. */
  public static String time(Instant t) {
    return t == null ? "" : ISO_MICROS.format(t);
  }

  /** RFC 5952 text of an address; "" for null. */
  public static String address(InetAddress a) {
    return a == null ? "" : Addresses.format(a);
  }

  /** Seconds with microsecond digits, trailing zeros dropped; "" for null. */
  public static String seconds(Double s) {
    if (s == null) {
      return "";
    }
    return BigDecimal.valueOf(s)
        .setScale(6, RoundingMode.HALF_UP)
        .stripTrailingZeros()
        .toPlainString();
  }

  /** The duration between two instants in seconds (µs resolution), or null if either is null. */
  public static Double between(Instant from, Instant to) {
    if (from == null || to == null) {
      return null;
    }
    Duration d = Duration.between(from, to);
    return d.getSeconds() + d.getNano() / 1e9;
  }

  static String number(Number n) {
    return n == null ? "" : n.toString();
  }
}
