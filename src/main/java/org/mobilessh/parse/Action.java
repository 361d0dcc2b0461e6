package org.mobilessh.parse;

/**
 * What an event records, stored as {@code event.action}. The four mobilessh steps come from a LOG
 * line's prefix ({@link PrefixMap}); any other netfilter LOG line is {@link #FIREWALL}.
 */
public enum Action {
  SET("set"),
  REMOVE("remove"),
  ACCEPT("accept"),
  REJECT("reject"),
  FIREWALL("firewall"),
  CONNTRACK_NEW("conntrack-new"),
  CONNTRACK_UPDATE("conntrack-update"),
  CONNTRACK_DESTROY("conntrack-destroy");

  private final String ecsName;

  Action(String ecsName) {
    this.ecsName = ecsName;
  }

  /** The value of {@code event.action}: {@code set}, {@code conntrack-new}, ... */
  public String ecsName() {
    return ecsName;
  }

  /** Inverse of {@link #ecsName()}. */
  public static Action ofEcsName(String name) {
    for (Action a : values()) {
      if (a.ecsName.equals(name)) {
        return a;
      }
    }
    throw new IllegalArgumentException("unknown event action '" + name + "'");
  }
}
