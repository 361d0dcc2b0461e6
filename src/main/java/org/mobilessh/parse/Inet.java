package org.mobilessh.parse;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Address literals to {@link InetAddress} without a resolver and without regular expressions:
 * dotted IPv4, and IPv6 both fully expanded (LOG lines) and compressed (conntrack, ulogd2). The
 * resulting objects print canonically through {@code org.mobilessh.rules.Addresses}.
 */
final class Inet {
  private Inet() {}

  /** The address in {@code s[from, to)}, or {@code null} if it is not a valid literal. */
  static InetAddress parse(String s, int from, int to) {
    byte[] bytes = null;
    for (int i = from; i < to; i++) {
      if (s.charAt(i) == ':') {
        bytes = parse6(s, from, to);
        break;
      }
    }
    if (bytes == null) {
      bytes = new byte[4];
      if (!parse4(s, from, to, bytes, 0)) {
        return null;
      }
    }
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      return null; // unreachable: length is 4 or 16
    }
  }

  static InetAddress parse(String s) {
    return parse(s, 0, s.length());
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

  private static byte[] parse6(String s, int from, int to) {
    if (to - from < 2) {
      return null;
    }
    byte[] out = new byte[16];
    int group = 0;
    int gap = -1;
    int i = from;
    if (s.charAt(i) == ':') {
      if (s.charAt(i + 1) != ':') {
        return null;
      }
      gap = 0;
      i += 2;
      if (i == to) {
        return out;
      }
    }
    while (i < to) {
      if (group == 8) {
        return null;
      }
      int start = i;
      int value = 0;
      while (i < to && i - start < 5) {
        int d = Character.digit(s.charAt(i), 16);
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
          return null;
        }
        group += 2;
        i = to;
        break;
      }
      if (len == 0 || len > 4) {
        return null;
      }
      out[group * 2] = (byte) (value >> 8);
      out[group * 2 + 1] = (byte) value;
      group++;
      if (i == to) {
        break;
      }
      if (s.charAt(i) != ':') {
        return null;
      }
      i++;
      if (i < to && s.charAt(i) == ':') {
        if (gap >= 0) {
          return null;
        }
        gap = group;
        i++;
      } else if (i == to) {
        return null;
      }
    }
    if (gap < 0) {
      return group == 8 ? out : null;
    }
    if (group == 8) {
      return null;
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
    return out;
  }
}
