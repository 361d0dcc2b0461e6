package org.mobilessh.parse;

/**
 * Which netfilter hook a LOG line came from. The line does not name the chain; the interfaces tell:
 * only {@code IN=} means the packet was for the router itself (INPUT), both mean it was routed
 * through (FORWARD), only {@code OUT=} means the router sent it (OUTPUT).
 */
public enum Direction {
  INPUT,
  FORWARD,
  OUTPUT,
  UNKNOWN;

  static Direction of(String in, String out) {
    boolean hasIn = !in.isEmpty();
    boolean hasOut = !out.isEmpty();
    if (hasIn && hasOut) {
      return FORWARD;
    }
    if (hasIn) {
      return INPUT;
    }
    return hasOut ? OUTPUT : UNKNOWN;
  }
}
