package org.mobilessh.audit;

import java.net.InetAddress;

/**
 * A set of addresses, as {@code HashSet<InetAddress>} answers: an {@link AddressMap} whose values
 * say "present". The engine adds or removes an address at every set and remove line.
 */
final class AddressSet {
  private final AddressMap<Boolean> map = new AddressMap<>();

  /** Adds {@code a}; whether it was absent. */
  boolean add(InetAddress a) {
    return map.add(a, Boolean.TRUE);
  }

  /** Removes {@code a}; whether it was there. */
  boolean remove(InetAddress a) {
    return map.remove(a) != null;
  }

  void clear() {
    map.clear();
  }

  int size() {
    return map.size();
  }
}
