package org.mobilessh.simulate;

import java.time.YearMonth;
import java.time.ZoneId;
import java.util.Locale;
import java.util.Objects;

/**
 * What to simulate. Invalid values throw {@link IllegalArgumentException} (a usage error).
 *
 * @param month the calendar month, in {@code zone}
 * @param seed the same seed (and the same other values) gives byte-identical output
 * @param routers how many routers (each gets its own directory and population)
 * @param clients phones and laptops per router (an admin comes on top)
 * @param scale multiplies the background traffic (scanners, floods); see {@link #scaleOf}
 * @param seconds the ruleset's window length N ({@code --seconds})
 * @param zone the routers' local zone: traditional syslog stamps and logrotate run in it
 */
public record SimulationSpec(
    YearMonth month, long seed, int routers, int clients, double scale, int seconds, ZoneId zone) {

  public SimulationSpec {
    Objects.requireNonNull(month, "month");
    Objects.requireNonNull(zone, "zone");
    if (routers < 1 || routers > 9) {
      throw new IllegalArgumentException("--routers must be 1..9, got " + routers);
    }
    if (clients < 1 || clients > 2000) {
      throw new IllegalArgumentException("--clients must be 1..2000, got " + clients);
    }
    if (!(scale > 0) || scale > 1000) {
      throw new IllegalArgumentException("--scale must be > 0 and <= 1000, got " + scale);
    }
    if (seconds < 1 || seconds > 86400) {
      throw new IllegalArgumentException("--seconds must be 1..86400, got " + seconds);
    }
  }

  /**
   * A scale from its name or a number: {@code small} (0.05, the committed sample month), {@code
   * medium} (1), {@code large} (about 1,000,000 kernel LOG lines per router and month, for the
   * benchmarks), or a positive decimal.
   */
  public static double scaleOf(String text) {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "small" -> 0.05;
      case "medium" -> 1;
      case "large" -> LARGE;
      default -> {
        try {
          yield Double.parseDouble(text);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              "--scale must be small, medium, large or a number, got '" + text + "'");
        }
      }
    };
  }

  /** The client count that goes with a scale when {@code --clients} is not given. */
  public static int defaultClients(double scale) {
    return (int) Math.max(2, Math.round(6 * scale));
  }

  static final double LARGE = 34;
}
