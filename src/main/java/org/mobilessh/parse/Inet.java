package org.mobilessh.parse;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * Address literals to {@link InetAddress} without a resolver and without regular expressions:
 * dotted IPv4, and IPv6 both fully expanded (LOG lines) and compressed (conntrack, ulogd2). The
 * resulting objects print canonically through {@code org.mobilessh.rules.Addresses}.
 */
final class Inet {
  private Inet() {}

  // ASCII hex digit values, -1 for everything else
  private static final byte[] HEX = new byte[0x80];

  static {
    Arrays.fill(HEX, (byte) -1);
    for (int c = '0'; c <= '9'; c++) {
      HEX[c] = (byte) (c - '0');
    }
    for (int c = 'a'; c <= 'f'; c++) {
      HEX[c] = (byte) (c - 'a' + 10);
      HEX[c - 'a' + 'A'] = (byte) (c - 'a' + 10);
    }
  }

  /** The address in {@code s[from, to)}, or {@code null} if it is not a valid literal. */
  static InetAddress parse(String s, int from, int to) {
    byte[] bytes = new byte[16];
    int n = parseInto(s, from, to, bytes);
    return n == 0 ? null : byAddress(n == 4 ? Arrays.copyOf(bytes, 4) : bytes);
  }

  static InetAddress parse(String s) {
    return parse(s, 0, s.length());
  }

  /**
   * Parses {@code s[from, to)} into {@code out} (16 bytes): returns 4 for an IPv4 literal (bytes
   * 0-3), 16 for an IPv6 one, 0 if it is neither.
   */
  static int parseInto(String s, int from, int to, byte[] out) {
    for (int i = from; i < to; i++) {
      if (s.charAt(i) == ':') {
        return parse6(s, from, to, out) ? 16 : 0;
      }
    }
    return parse4(s, from, to, out, 0) ? 4 : 0;
  }

  private static InetAddress byAddress(byte[] bytes) {
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      return null; // unreachable: length is 4 or 16
    }
  }

  /**
   * {@link Inet#parse(String, int, int)} that hands out the same {@link InetAddress} object again
   * for an address it parsed recently. A router month names a few thousand hosts a million times:
   * building an {@code InetAddress} (three objects, a copied array) per line cost more than parsing
   * the text. The text is still parsed and validated every time, only the object is shared; {@code
   * InetAddress} is immutable for us (no one asks these objects for host names). Bounded: a
   * direct-mapped table per family, a colliding address replaces the older one; the tables (~50 KB)
   * are made on first use, as some callers build a parser for a single line. One per parser, not
   * thread-safe.
   */
  static final class Cache {
    private static final int BITS = 11;
    private static final int SIZE = 1 << BITS;

    private final byte[] scratch = new byte[16];
    private int[] v4Keys;
    private InetAddress[] v4;
    private long[] v6High;
    private long[] v6Low;
    private InetAddress[] v6;
    private boolean hadColon;

    /**
     * The address in {@code s[from, to)}, or {@code null} if it is not a valid literal; {@code c}
     * holds {@code s}'s characters at the same indices.
     */
    InetAddress parse(char[] c, String s, int from, int to) {
      // The two spellings of LOG lines first, each in one pass without a byte array: a dotted
      // quad and a fully expanded IPv6 address. Anything else (or anything odd about these)
      // goes the general way, which decides validity exactly as Inet.parse does.
      long quad = dottedQuad(c, from, to);
      if (quad >= 0) {
        hadColon = false;
        return ipv4((int) quad);
      }
      if (to - from == 39) {
        long high = expandedHalf(c, from);
        long low = high == -1 ? -1 : expandedHalf(c, from + 20);
        if (high != -1 && low != -1 && c[from + 19] == ':') {
          hadColon = true;
          // -1 as a half means "not parsed", so ffff:ffff:ffff:ffff halves take the general way
          return ipv6(high, low);
        }
      }
      byte[] b = scratch;
      int n = parseInto(s, from, to, b);
      hadColon = n == 16;
      if (n == 4) {
        return ipv4((b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff));
      }
      return n == 16 ? ipv6(longAt(b, 0), longAt(b, 8)) : null;
    }

    /**
     * Whether the text of the last {@link #parse} that returned an address had a colon (the IPv6
     * form, also when the address is IPv4-mapped).
     */
    boolean hadColon() {
      return hadColon;
    }

    private InetAddress ipv4(int key) {
      if (v4 == null) {
        v4Keys = new int[SIZE];
        v4 = new InetAddress[SIZE];
      }
      int slot = (key * 0x9E3779B9) >>> (32 - BITS);
      InetAddress a = v4[slot];
      if (a == null || v4Keys[slot] != key) {
        a =
            byAddress(
                new byte[] {
                  (byte) (key >>> 24), (byte) (key >>> 16), (byte) (key >>> 8), (byte) key
                });
        v4Keys[slot] = key;
        v4[slot] = a;
      }
      return a;
    }

    private InetAddress ipv6(long high, long low) {
      if (v6 == null) {
        v6High = new long[SIZE];
        v6Low = new long[SIZE];
        v6 = new InetAddress[SIZE];
      }
      long mix = (high ^ Long.rotateLeft(low, 29)) * 0x9E3779B97F4A7C15L;
      int slot = (int) (mix >>> (64 - BITS));
      InetAddress a = v6[slot];
      if (a == null || v6High[slot] != high || v6Low[slot] != low) {
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
          b[i] = (byte) (high >>> (56 - 8 * i));
          b[8 + i] = (byte) (low >>> (56 - 8 * i));
        }
        a = byAddress(b); // may be an Inet4Address (IPv4-mapped), as with Inet.parse
        v6High[slot] = high;
        v6Low[slot] = low;
        v6[slot] = a;
      }
      return a;
    }

    /** A dotted quad as an unsigned int, or -1 if the text is not exactly what parse4 accepts. */
    private static long dottedQuad(char[] s, int from, int to) {
      long result = 0;
      int part = 0;
      int value = 0;
      int digits = 0;
      for (int i = from; i < to; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
          value = value * 10 + (c - '0');
          if (++digits > 3 || value > 255) {
            return -1;
          }
        } else if (c == '.' && digits > 0 && part < 3) {
          result = result << 8 | value;
          part++;
          value = 0;
          digits = 0;
        } else {
          return -1;
        }
      }
      if (part != 3 || digits == 0) {
        return -1;
      }
      return result << 8 | value;
    }

    /**
     * Four groups {@code hhhh:hhhh:hhhh:hhhh} of ASCII hex digits at {@code s[from, from+19)} as 64
     * bits, or -1.
     */
    private static long expandedHalf(char[] s, int from) {
      // without a branch per digit: any fault (a non-ASCII char, a non-hex digit, a missing
      // colon) leaves a bit in bad
      int bad = (s[from + 4] ^ ':') | (s[from + 9] ^ ':') | (s[from + 14] ^ ':');
      long v = 0;
      for (int at = from; at < from + 20; at += 5) {
        char c0 = s[at];
        char c1 = s[at + 1];
        char c2 = s[at + 2];
        char c3 = s[at + 3];
        int d0 = HEX[c0 & 0x7f];
        int d1 = HEX[c1 & 0x7f];
        int d2 = HEX[c2 & 0x7f];
        int d3 = HEX[c3 & 0x7f];
        bad |= ((c0 | c1 | c2 | c3) & 0xff80) | ((d0 | d1 | d2 | d3) & ~0xf);
        v = v << 16 | (d0 << 12 | d1 << 8 | d2 << 4 | d3) & 0xffffL;
      }
      return bad == 0 ? v : -1;
    }

    private static long longAt(byte[] b, int at) {
      long v = 0;
      for (int i = at; i < at + 8; i++) {
        v = v << 8 | (b[i] & 0xff);
      }
      return v;
    }
  }

  private static boolean parse4(String s, int from, int to, byte[] out, int at) {
    int part = 0;
    int value = 0;
    int digits = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c >= '0' && c <= '9') {
        value = value * 10 + (c - '0');
        if (++digits > 3 || value > 255) {
          return false;
        }
      } else if (c == '.' && digits > 0 && part < 3) {
        out[at + part++] = (byte) value;
        value = 0;
        digits = 0;
      } else {
        return false;
      }
    }
    if (part != 3 || digits == 0) {
      return false;
    }
    out[at + 3] = (byte) value;
    return true;
  }

  /** A hex digit's value, or -1; ASCII first, the rest as {@link Character#digit} sees it. */
  private static int hexDigit(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    int lower = c | 0x20;
    if (lower >= 'a' && lower <= 'f') {
      return lower - 'a' + 10;
    }
    // Character.digit also takes e.g. fullwidth digits; keep accepting what it accepts
    return c < 0x80 ? -1 : Character.digit(c, 16);
  }

  private static boolean parse6(String s, int from, int to, byte[] out) {
    if (to - from < 2) {
      return false;
    }
    Arrays.fill(out, (byte) 0);
    int group = 0;
    int gap = -1;
    int i = from;
    if (s.charAt(i) == ':') {
      if (s.charAt(i + 1) != ':') {
        return false;
      }
      gap = 0;
      i += 2;
      if (i == to) {
        return true;
      }
    }
    while (i < to) {
      if (group == 8) {
        return false;
      }
      int start = i;
      int value = 0;
      while (i < to && i - start < 5) {
        int d = hexDigit(s.charAt(i));
        if (d < 0) {
          break;
        }
        value = (value << 4) | d;
        i++;
      }
      int len = i - start;
      if (i < to && s.charAt(i) == '.') {
        // embedded IPv4 (::ffff:192.0.2.1): the rest is a dotted quad
        if (group > 6 || !parse4(s, start, to, out, group * 2)) {
          return false;
        }
        group += 2;
        i = to;
        break;
      }
      if (len == 0 || len > 4) {
        return false;
      }
      out[group * 2] = (byte) (value >> 8);
      out[group * 2 + 1] = (byte) value;
      group++;
      if (i == to) {
        break;
      }
      if (s.charAt(i) != ':') {
        return false;
      }
      i++;
      if (i < to && s.charAt(i) == ':') {
        if (gap >= 0) {
          return false;
        }
        gap = group;
        i++;
      } else if (i == to) {
        return false;
      }
    }
    if (gap < 0) {
      return group == 8;
    }
    if (group == 8) {
      return false;
    }
    int tail = group - gap;
    int shift = 8 - group;
    for (int g = tail - 1; g >= 0; g--) {
      out[(gap + shift + g) * 2] = out[(gap + g) * 2];
      out[(gap + shift + g) * 2 + 1] = out[(gap + g) * 2 + 1];
    }
    for (int g = gap; g < gap + shift; g++) {
      out[g * 2] = 0;
      out[g * 2 + 1] = 0;
    }
    return true;
  }
}
