package org.mobilessh.simulate;

/**
 * An address in the two spellings the logs use: netfilter LOG prints IPv6 fully expanded, conntrack
 * and the ground truth use the RFC 5952 form. Both are computed once.
 */
record Addr(int family, String text, String logText) {

  static Addr v4(int a, int b, int c, int d) {
    String s = a + "." + b + "." + c + "." + d;
    return new Addr(4, s, s);
  }

  /** An IPv6 address from its eight 16-bit groups. */
  static Addr v6(int... g) {
    if (g.length != 8) {
      throw new IllegalArgumentException("8 groups expected");
    }
    StringBuilder log = new StringBuilder(39);
    for (int i = 0; i < 8; i++) {
      if (i > 0) {
        log.append(':');
      }
      String h = Integer.toHexString(g[i] & 0xffff);
      log.append("0000", 0, 4 - h.length()).append(h);
    }
    return new Addr(6, compress(g), log.toString());
  }

  /** RFC 5952: the longest run (leftmost on ties) of two or more zero groups becomes "::". */
  static String compress(int[] g) {
    int bestStart = -1;
    int bestLen = 0;
    for (int i = 0; i < 8; ) {
      if (g[i] == 0) {
        int j = i;
        while (j < 8 && g[j] == 0) {
          j++;
        }
        if (j - i > bestLen) {
          bestStart = i;
          bestLen = j - i;
        }
        i = j;
      } else {
        i++;
      }
    }
    if (bestLen < 2) {
      bestStart = -1;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        sb.append("::");
        i += bestLen - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      sb.append(Integer.toHexString(g[i] & 0xffff));
    }
    return sb.toString();
  }
}
