package org.mobilessh.audit;

/**
 * How the end of a {@link Window} was determined. The {@link #id()} is what tables, CSV and JSON
 * print.
 */
public enum CloseReason {
  /**
   * A {@code remove} line (an SSH FIN from the address) while the entry was provably fresh: the
   * close time is the line's (or the FIN's conntrack event's) time.
   */
  FIN_REMOVE("fin-remove"),
  /**
   * N seconds after the last refresh. The last refresh is bounded by conntrack flows (IMAPS and
   * SSH) of the address, or only from above by the next event that proves the window shut (a new
   * {@code set} line, a rejected SYN) when conntrack does not cover the time.
   */
  EXPIRED("expired"),
  /**
   * A {@code remove} line arrived, but the entry may already have expired before it: an SSH session
   * that may have idled longer than N seconds (established SSH packets are not logged, and
   * conntrack shows no packet times inside an established flow). The close lies between the
   * earliest possible expiry and the removal.
   */
  EXPIRED_OR_REMOVED("expired-or-removed"),
  /**
   * The entry vanished while it was provably fresh: a {@code set} line (logged only for absent or
   * stale entries) or a rejected SYN while the last known refresh was less than N seconds ago. The
   * list evicts its oldest entry when full ({@code ip_list_tot}); manual deletion and lost log
   * lines look the same. Always comes with an {@link Anomaly}.
   */
  EVICTED("evicted"),
  /**
   * {@code mobilessh list del} took the address out by hand: exact, at its syslog line (written
   * just before the kernel was told).
   */
  LIST_DEL("list-del"),
  /** {@code mobilessh list flush} emptied the list by hand: exact, at its syslog line. */
  LIST_FLUSH("list-flush"),
  /** Nothing in the data closes it: it may still be open where the data ends. */
  STILL_OPEN("still-open");

  private final String id;

  CloseReason(String id) {
    this.id = id;
  }

  /** The printed name: {@code fin-remove}, {@code expired}, ... */
  public String id() {
    return id;
  }

  @Override
  public String toString() {
    return id;
  }
}
