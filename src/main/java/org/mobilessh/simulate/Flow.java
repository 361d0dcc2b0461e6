package org.mobilessh.simulate;

import java.util.ArrayList;
import java.util.List;

/**
 * One TCP connection attempt as the router sees it: the client-to-server packets that reach the
 * MOBILESSH chains (times in epoch microseconds), and, once simulated, what happened to it.
 */
final class Flow {
  static final int SYN = 1;
  static final int ACK = 2;
  static final int PSH = 4;
  static final int FIN = 8;
  static final int RST = 16;

  enum Kind {
    IMAPS("imaps"),
    SSH("ssh"),
    SCAN_993("syn-scan"),
    SCAN_22("scan"),
    FLOOD_22("flood");

    final String json;

    Kind(String json) {
      this.json = json;
    }
  }

  enum Target {
    ROUTER("router"),
    HOST("host"),
    MAIL("mail");

    final String json;

    Target(String json) {
      this.json = json;
    }
  }

  /** How a client's operating system shapes its packets (LOG shows LEN, TTL, WINDOW, DF). */
  record Os(int ttl, boolean df, int synLen4, int synLen6, int synWindow, int window, int ipId) {
    static final Os LINUX = new Os(64, true, 60, 80, 64240, 501, -1);
    static final Os IOS = new Os(64, true, 64, 84, 65535, 2048, -1);
    static final Os WINDOWS = new Os(128, true, 52, 72, 64240, 1026, -1);

    /** zmap: fixed IP ID 54321, no DF, bare 40-byte SYN. */
    static final Os ZMAP = new Os(255, false, 40, 60, 65535, 65535, 54321);

    /** masscan: random IP ID, window 1024. */
    static final Os MASSCAN = new Os(255, false, 40, 60, 1024, 1024, -1);
  }

  final String id;
  final Kind kind;
  final Target target;
  final String client;
  final String role;
  final Addr src;
  final int sport;
  final Addr dst;
  final int dport;
  final Os os;
  final int hops;
  final int flowLabel;
  int ipId;
  final long[] times;
  final byte[] flags;
  final short[] payload;
  final String closedBy;

  // filled in by the simulation
  String outcome;
  String window;
  boolean rejectLogged;
  final List<String> logged = new ArrayList<>(2);
  boolean removedStale;
  long conntrackId;

  Flow(
      String id,
      Kind kind,
      Target target,
      String client,
      String role,
      Addr src,
      int sport,
      Addr dst,
      int dport,
      Os os,
      int hops,
      int flowLabel,
      int ipId,
      long[] times,
      byte[] flags,
      short[] payload,
      String closedBy) {
    this.id = id;
    this.kind = kind;
    this.target = target;
    this.client = client;
    this.role = role;
    this.src = src;
    this.sport = sport;
    this.dst = dst;
    this.dport = dport;
    this.os = os;
    this.hops = hops;
    this.flowLabel = flowLabel;
    this.ipId = ipId;
    this.times = times;
    this.flags = flags;
    this.payload = payload;
    this.closedBy = closedBy;
  }

  long start() {
    return times[0];
  }

  long end() {
    return times[times.length - 1];
  }

  boolean forwarded() {
    return target != Target.ROUTER;
  }
}
