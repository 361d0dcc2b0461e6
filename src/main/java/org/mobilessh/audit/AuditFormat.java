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
    if (t == null) {
      return "";
    }
    long sec = t.getEpochSecond();
    // years 1000-9999 by hand (the pattern's text exactly, AuditFormatTest proves it against the
    // formatter); others (a sign, more digits) through the formatter
    if (sec < MIN_FAST || sec >= MAX_FAST) {
      return ISO_MICROS.format(t);
    }
    byte[] b = new byte[27];
    time(t, b, 0);
    return new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  /** {@link #time(Instant)} appended to {@code out} as bytes (nothing for null). */
  public static void time(Instant t, PrintBuffer out) {
    if (t == null) {
      return;
    }
    long sec = t.getEpochSecond();
    if (sec < MIN_FAST || sec >= MAX_FAST) {
      out.append(ISO_MICROS.format(t));
      return;
    }
    int at = out.extend(27); // first: it may replace the array
    byte[] b = out.array();
    long days = Math.floorDiv(sec, 86400);
    int sod = (int) Math.floorMod(sec, 86400);
    byte[] date = out.day;
    if (days != out.dayNumber || date == null) {
      date = new byte[27];
      time(Instant.ofEpochSecond(days * 86400), date, 0);
      out.day = date;
      out.dayNumber = days;
    }
    System.arraycopy(date, 0, b, at, 11); // YYYY-MM-DDT: the same for a day's times
    pair(b, at + 11, sod / 3600);
    b[at + 13] = ':';
    pair(b, at + 14, sod / 60 % 60);
    b[at + 16] = ':';
    pair(b, at + 17, sod % 60);
    b[at + 19] = '.';
    int micros = t.getNano() / 1000;
    pair(b, at + 20, micros / 10000);
    pair(b, at + 22, micros / 100 % 100);
    pair(b, at + 24, micros % 100);
    b[at + 26] = 'Z';
  }

  private static final byte[] PAIRS = new byte[200];

  static {
    for (int i = 0; i < 100; i++) {
      PAIRS[2 * i] = (byte) ('0' + i / 10);
      PAIRS[2 * i + 1] = (byte) ('0' + i % 10);
    }
  }

  /** Two digits of {@code v} (0-99). */
  private static void pair(byte[] b, int at, int v) {
    b[at] = PAIRS[2 * v];
    b[at + 1] = PAIRS[2 * v + 1];
  }

  /** The 27 bytes of a time in years 1000-9999 into {@code b} from {@code at}. */
  private static void time(Instant t, byte[] b, int at) {
    long sec = t.getEpochSecond();
    long days = Math.floorDiv(sec, 86400);
    int sod = (int) Math.floorMod(sec, 86400);
    // civil from days (H. Hinnant), proleptic Gregorian as java.time
    long z = days + 719468;
    long era = Math.floorDiv(z, 146097);
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    int day = (int) (doy - (153 * mp + 2) / 5 + 1);
    int month = (int) (mp < 10 ? mp + 3 : mp - 9);
    int year = (int) (yoe + era * 400 + (month <= 2 ? 1 : 0));
    int micros = t.getNano() / 1000;
    digits(b, at, year, 4);
    b[at + 4] = '-';
    digits(b, at + 5, month, 2);
    b[at + 7] = '-';
    digits(b, at + 8, day, 2);
    b[at + 10] = 'T';
    digits(b, at + 11, sod / 3600, 2);
    b[at + 13] = ':';
    digits(b, at + 14, sod / 60 % 60, 2);
    b[at + 16] = ':';
    digits(b, at + 17, sod % 60, 2);
    b[at + 19] = '.';
    digits(b, at + 20, micros, 6);
    b[at + 26] = 'Z';
  }

  /** 1000-01-01T00:00:00Z and 10000-01-01T00:00:00Z. */
  private static final long MIN_FAST = -30610224000L;

  private static final long MAX_FAST = 253402300800L;

  private static void digits(byte[] b, int at, int v, int n) {
    for (int i = at + n - 1; i >= at; i--) {
      b[i] = (byte) ('0' + v % 10);
      v /= 10;
    }
  }

  /** RFC 5952 text of an address; "" for null. */
  public static String address(InetAddress a) {
    return a == null ? "" : Addresses.format(a);
  }

  /**
   * {@link #address(InetAddress)} appended to {@code out} as bytes (nothing for null), made from
   * the address's bytes: no string, no lookup (a map of recent addresses' texts cost a quarter of
   * the windows CSV's printing, InetAddress hashing poorly).
   */
  public static void address(InetAddress a, PrintBuffer out) {
    if (a == null) {
      return;
    }
    byte[] ip = a.getAddress();
    int at = out.extend(Addresses.MAX_TEXT); // first: it may replace the array
    out.setLength(Addresses.format(ip, out.array(), at));
  }

  /** Seconds with microsecond digits, trailing zeros dropped; "" for null. */
  public static String seconds(Double s) {
    if (s == null) {
      return "";
    }
    String fast = secondsFast(s);
    if (fast != null) {
      return fast;
    }
    return secondsExact(s);
  }

  /**
   * {@link #seconds(Double)} appended to {@code out} (nothing for null): a whole number of seconds
   * below 10^7 as its digits ({@code Double.toString} gives {@code N.0} for it, which {@link
   * #seconds} prints as {@code N}), any other through {@link #seconds(Double)}.
   */
  public static void seconds(Double s, PrintBuffer out) {
    if (s == null) {
      return;
    }
    double d = s;
    if (d >= 0 && d < 1e7 && Double.doubleToRawLongBits(d) >= 0 && d == Math.floor(d)) {
      out.append((long) d);
      return;
    }
    out.append(seconds(s));
  }

  /** {@link #seconds} as it is defined: the decimal of {@code Double.toString}, rounded. */
  static String secondsExact(double s) {
    return BigDecimal.valueOf(s)
        .setScale(6, RoundingMode.HALF_UP)
        .stripTrailingZeros()
        .toPlainString();
  }

  /**
   * {@link #secondsExact} on the text of {@code Double.toString} (what {@code BigDecimal.valueOf}
   * reads), for the common case: not negative, no exponent, no carry out of the sixth decimal;
   * {@code null} otherwise. AuditFormatTest compares the two.
   */
  static String secondsFast(double s) {
    if (!(s >= 0) || s >= 1e7 || Double.doubleToRawLongBits(s) < 0) {
      return null; // negative, NaN, or Double.toString's exponent form
    }
    String d = Double.toString(s);
    int dot = d.indexOf('.');
    if (dot < 0 || d.indexOf('E') >= 0) {
      return null;
    }
    int fracLen = d.length() - dot - 1;
    int frac = 0;
    int n = Math.min(fracLen, 6);
    for (int i = 0; i < n; i++) {
      frac = frac * 10 + (d.charAt(dot + 1 + i) - '0');
    }
    for (int i = n; i < 6; i++) {
      frac *= 10;
    }
    if (fracLen > 6 && d.charAt(dot + 7) >= '5') {
      frac++; // HALF_UP: the discarded part is at least one half
      if (frac == 1_000_000) {
        return null; // the carry reaches the integer part
      }
    }
    if (frac == 0) {
      return d.substring(0, dot);
    }
    int digits = 6;
    while (frac % 10 == 0) {
      frac /= 10;
      digits--;
    }
    StringBuilder b = new StringBuilder(dot + 8).append(d, 0, dot).append('.');
    String f = Integer.toString(frac);
    for (int i = f.length(); i < digits; i++) {
      b.append('0');
    }
    return b.append(f).toString();
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
