package org.mobilessh.parse;

/** A conntrack event type ({@code [NEW]}, {@code [UPDATE]}, {@code [DESTROY]}). */
public enum ConntrackType {
  NEW(1, Action.CONNTRACK_NEW),
  UPDATE(2, Action.CONNTRACK_UPDATE),
  DESTROY(4, Action.CONNTRACK_DESTROY);

  private final int bit;
  private final Action action;

  ConntrackType(int bit, Action action) {
    this.bit = bit;
    this.action = action;
  }

  /** The value of ulogd2's {@code ct.event} (NFCT_T_* bit). */
  public int bit() {
    return bit;
  }

  public Action action() {
    return action;
  }

  static ConntrackType ofBit(int bit) {
    for (ConntrackType t : values()) {
      if (t.bit == bit) {
        return t;
      }
    }
    return null;
  }
}
