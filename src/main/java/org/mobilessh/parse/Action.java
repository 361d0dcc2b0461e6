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
  CONNTRACK_DESTROY("conntrack-destroy"),
  /** {@code mobilessh list add}: an address put into the list by hand ({@link NoticeEvent}). */
  LIST_ADD("list-add"),
  /** {@code mobilessh list del}: an address taken out of the list by hand. */
  LIST_DEL("list-del"),
  /** {@code mobilessh list flush}: every address taken out of the list by hand. */
  LIST_FLUSH("list-flush"),
  /** The kernel or journald says it dropped log lines ({@link NoticeEvent}). */
  LOSS_MARKER("loss-marker");

  private final String ecsName;

  Action(String ecsName) {
    this.ecsName = ecsName;
  }

  /** The value of {@code event.action}: {@code set}, {@code conntrack-new}, ... */
  public String ecsName() {
    return ecsName;
  }

  /** Whether events of this action are {@link NoticeEvent}s. */
  public boolean isNotice() {
    return this == LIST_ADD || this == LIST_DEL || this == LIST_FLUSH || this == LOSS_MARKER;
  }

  // values() clones the array on every call, and the index's read path asks once per event
  private static final Action[] ALL = values();

  /** Inverse of {@link #ecsName()}. */
  public static Action ofEcsName(String name) {
    for (Action a : ALL) {
      if (a.ecsName.equals(name)) {
        return a;
      }
    }
    throw new IllegalArgumentException("unknown event action '" + name + "'");
  }
}
