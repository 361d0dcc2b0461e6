package org.mobilessh.rules;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;

/** Canonical text for addresses, so that every stage compares the same spelling. */
public final class Addresses {
  private Addresses() {}

  /**
   * IPv4 dotted quad, or IPv6 in RFC 5952 form: lower case, no leading zeros, the longest run
   * (first if tied) of two or more zero groups written as "::".
   */
  public static String format(InetAddress address) {
    byte[] b = new byte[MAX_TEXT];
    int n = format(address.getAddress(), b, 0);
    return new String(b, 0, n, StandardCharsets.ISO_8859_1);
  }

  /** The longest text {@link #format(byte[], byte[], int)} writes. */
  public static final int MAX_TEXT = 39;

  /**
   * {@link #format(InetAddress)} of the address with bytes {@code ip} (4: IPv4, 16: IPv6) written
   * as ASCII into {@code b} from {@code at} ({@link #MAX_TEXT} bytes free), without a string: the
   * audit's CSV prints millions; returns where the text ends.
   */
  public static int format(byte[] ip, byte[] b, int at) {
    int i = at;
    if (ip.length == 4) {
      for (int k = 0; k < 4; k++) {
        if (k > 0) {
          b[i++] = '.';
        }
        int v = ip[k] & 0xff;
        if (v >= 100) {
          b[i++] = (byte) ('0' + v / 100);
          b[i++] = DIGIT_PAIRS[2 * (v % 100)];
          b[i++] = DIGIT_PAIRS[2 * (v % 100) + 1];
        } else if (v >= 10) {
          b[i++] = DIGIT_PAIRS[2 * v];
          b[i++] = DIGIT_PAIRS[2 * v + 1];
        } else {
          b[i++] = (byte) ('0' + v);
        }
      }
      return i;
    }
    // RFC 5952: lower case, no leading zeros, the longest run (first if tied) of two or more zero
    // groups as "::"
    int bestStart = -1;
    int bestLen = 1;
    for (int g = 0; g < 8; ) {
      if (ip[2 * g] != 0 || ip[2 * g + 1] != 0) {
        g++;
        continue;
      }
      int e = g + 1;
      while (e < 8 && ip[2 * e] == 0 && ip[2 * e + 1] == 0) {
        e++;
      }
      if (e - g > bestLen) {
        bestStart = g;
        bestLen = e - g;
      }
      g = e;
    }
    for (int g = 0; g < 8; g++) {
      if (g == bestStart) {
        b[i++] = ':';
        b[i++] = ':';
        g += bestLen - 1;
        continue;
      }
      if (i > at && b[i - 1] != ':') {
        b[i++] = ':';
      }
      int v = ((ip[2 * g] & 0xff) << 8) | (ip[2 * g + 1] & 0xff);
      if (v >= 0x1000) {
        b[i++] = HEX[v >>> 12];
      }
      if (v >= 0x100) {
        b[i++] = HEX[(v >>> 8) & 0xf];
      }
      if (v >= 0x10) {
        b[i++] = HEX[(v >>> 4) & 0xf];
      }
      b[i++] = HEX[v & 0xf];
    }
    return i;
  }

  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private static final byte[] DIGIT_PAIRS = new byte[200];

  static {
    for (int i = 0; i < 100; i++) {
      DIGIT_PAIRS[2 * i] = (byte) ('0' + i / 10);
      DIGIT_PAIRS[2 * i + 1] = (byte) ('0' + i % 10);
    }
  }
}
