package org.mobilessh.parse;

/** Allocation-free number scanning over a region of a line; failures are line diagnostics. */
final class Text {
  private Text() {}

  static ParseException bad(String what, String s, int from, int to) {
    return new ParseException(
        Diagnostic.Reason.BAD_FIELD, "invalid " + what + " '" + s.substring(from, to) + "'");
  }

  /** Decimal digits in {@code s[from, to)} (at most 18, so no overflow). */
  static long decimal(String s, int from, int to, String what) {
    if (from >= to || to - from > 18) {
      throw bad(what, s, from, to);
    }
    long v = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        throw bad(what, s, from, to);
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  static int decimalInt(String s, int from, int to, String what) {
    long v = decimal(s, from, to, what);
    if (v > Integer.MAX_VALUE) {
      throw bad(what, s, from, to);
    }
    return (int) v;
  }

  /** Hex digits, with or without a leading {@code 0x}. */
  static long hex(String s, int from, int to, String what) {
    if (to - from > 2 && s.charAt(from) == '0' && (s.charAt(from + 1) | 0x20) == 'x') {
      from += 2;
    }
    if (from >= to || to - from > 15) {
      throw bad(what, s, from, to);
    }
    long v = 0;
    for (int i = from; i < to; i++) {
      int d = Character.digit(s.charAt(i), 16);
      if (d < 0) {
        throw bad(what, s, from, to);
      }
      v = (v << 4) | d;
    }
    return v;
  }

  /**
   * {@link #decimal(String, int, int, String)} reading {@code c}, a copy of {@code s}'s characters
   * at the same indices (the netfilter scanner's), with the same result and the same errors.
   */
  static long decimal(char[] c, String s, int from, int to, String what) {
    if (from >= to || to - from > 18) {
      throw bad(what, s, from, to);
    }
    long v = 0;
    for (int i = from; i < to; i++) {
      char ch = c[i];
      if (ch < '0' || ch > '9') {
        throw bad(what, s, from, to);
      }
      v = v * 10 + (ch - '0');
    }
    return v;
  }

  /**
   * {@link #decimalInt(String, int, int, String)} over a copy, as {@link #decimal(char[], ...)}.
   */
  static int decimalInt(char[] c, String s, int from, int to, String what) {
    long v = decimal(c, s, from, to, what);
    if (v > Integer.MAX_VALUE) {
      throw bad(what, s, from, to);
    }
    return (int) v;
  }

  /** {@link #hex(String, int, int, String)} over a copy, as {@link #decimal(char[], ...)}. */
  static long hex(char[] c, String s, int from, int to, String what) {
    if (to - from > 2 && c[from] == '0' && (c[from + 1] | 0x20) == 'x') {
      from += 2;
    }
    if (from >= to || to - from > 15) {
      throw bad(what, s, from, to);
    }
    long v = 0;
    for (int i = from; i < to; i++) {
      char ch = c[i];
      int d;
      if (ch >= '0' && ch <= '9') {
        d = ch - '0';
      } else if (ch >= 'a' && ch <= 'f') {
        d = ch - 'a' + 10;
      } else {
        d = Character.digit(ch, 16); // 'A'-'F', and whatever else Character.digit accepts
      }
      if (d < 0) {
        throw bad(what, s, from, to);
      }
      v = (v << 4) | d;
    }
    return v;
  }

  static int twoDigits(String s, int at, String what) {
    char a = s.charAt(at);
    char b = s.charAt(at + 1);
    if (a < '0' || a > '9' || b < '0' || b > '9') {
      throw new ParseException(
          Diagnostic.Reason.BAD_TIMESTAMP, "invalid " + what + " in '" + s + "'");
    }
    return (a - '0') * 10 + (b - '0');
  }

  static boolean regionIs(String s, int from, int to, String word) {
    return to - from == word.length() && s.startsWith(word, from);
  }

  static boolean isBlank(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) > ' ') {
        return false;
      }
    }
    return true;
  }
}
