package org.mobilessh.audit;

import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.mobilessh.parse.ConntrackEvent;
import org.mobilessh.parse.ConntrackType;

/**
 * One conntrack flow of a client, assembled from its NEW/UPDATE/DESTROY events (conntrack -E) or a
 * ulogd2 flow record. Mutable while the engine reads events; read-only afterwards.
 */
final class Flow {
  enum Kind {
    IMAPS,
    SSH
  }

  final String observer;
  final Kind kind;
  final Long id;
  final InetAddress source;
  final InetAddress destination;
  final int sourcePort;
  final int destinationPort;
  final List<TracedEvent> events = new ArrayList<>();

  Instant firstSeen;
  Instant newAt;
  TracedEvent newEvent;
  Instant establishedAt;
  TracedEvent establishedEvent;

  /**
   * State changes no later than a client packet: ESTABLISHED (the client's handshake ACK) and
   * LAST_ACK (the second FIN; the client's last packet is this one or the ACK after it).
   */
  final List<TracedEvent> activity = new ArrayList<>();

  /** Updates caused by FINs (FIN_WAIT, LAST_ACK): candidates for a remove line's packet. */
  final List<TracedEvent> finUpdates = new ArrayList<>();

  TracedEvent firstClose;
  TracedEvent lastUpdate;
  boolean finished;
  TracedEvent destroy;
  Instant flowStart;
  Instant flowStop;
  Long packetsIn;
  Long bytesIn;
  Long packetsOut;
  Long bytesOut;

  Flow(String observer, Kind kind, Long id, ConntrackEvent first) {
    this.observer = observer;
    this.kind = kind;
    this.id = id;
    this.source = first.original().source();
    this.destination = first.original().destination();
    this.sourcePort = first.original().sourcePort();
    this.destinationPort = first.original().destinationPort();
  }

  void add(TracedEvent te) {
    ConntrackEvent e = (ConntrackEvent) te.event();
    Instant t = te.time();
    events.add(te);
    if (firstSeen == null || t.isBefore(firstSeen)) {
      firstSeen = t;
    }
    if (e.start() != null) {
      flowStart = e.start();
    }
    if (e.stop() != null) {
      flowStop = e.stop();
    }
    if (e.type() == ConntrackType.NEW) {
      newAt = t;
      newEvent = te;
    } else if (e.type() == ConntrackType.DESTROY) {
      destroy = te;
    }
    if (e.original().packets() != null) {
      packetsIn = e.original().packets();
      bytesIn = e.original().bytes();
    }
    if (e.reply() != null && e.reply().packets() != null) {
      packetsOut = e.reply().packets();
      bytesOut = e.reply().bytes();
    }
    if (e.type() != ConntrackType.UPDATE || e.state() == null) {
      return;
    }
    lastUpdate = te;
    switch (e.state()) {
      case "ESTABLISHED" -> {
        if (establishedAt == null) {
          establishedAt = t;
          establishedEvent = te;
        }
        activity.add(te);
      }
      // conntrack does not say which side sent a packet. Client closes first: FIN_WAIT (client
      // FIN), CLOSE_WAIT, LAST_ACK (server FIN), TIME_WAIT (client ACK); server first: FIN_WAIT,
      // CLOSE_WAIT (client ACK), LAST_ACK (client FIN), TIME_WAIT (server ACK). Either way the
      // client's last packet lies in [LAST_ACK, TIME_WAIT]: LAST_ACK is a known refresh bound.
      case "FIN_WAIT" -> {
        finUpdates.add(te);
        closing(te);
      }
      case "LAST_ACK" -> {
        finUpdates.add(te);
        closing(te);
        activity.add(te);
        finished = true;
      }
      case "CLOSE_WAIT" -> closing(te);
      case "TIME_WAIT" -> {
        closing(te);
        finished = true;
      }
      case "CLOSE" -> {
        // an RST: it does not refresh (RST never sets), but nothing follows it
        closing(te);
        finished = true;
      }
      default -> {}
    }
  }

  private void closing(TracedEvent te) {
    if (firstClose == null) {
      firstClose = te;
    }
  }

  /** When the flow began, as far as the data shows. */
  Instant begin() {
    if (newAt != null) {
      return newAt;
    }
    return flowStart != null && flowStart.isBefore(firstSeen) ? flowStart : firstSeen;
  }

  /**
   * The latest instant a client packet of this flow can have passed the router, or {@code null} if
   * the data does not bound it (still established at the end of the data).
   */
  Instant lastPossibleActivity() {
    if (finished && lastUpdate != null) {
      return lastUpdate.time();
    }
    if (flowStop != null) {
      return flowStop;
    }
    return destroy == null ? null : destroy.time();
  }

  /** The event that bounds {@link #lastPossibleActivity()}, for evidence. */
  TracedEvent lastPossibleEvidence() {
    if (finished && lastUpdate != null) {
      return lastUpdate;
    }
    return destroy != null ? destroy : events.get(events.size() - 1);
  }

  /** The end of the session this flow carries: last state change, else DESTROY, else null. */
  TracedEvent end() {
    if (finished && lastUpdate != null) {
      return lastUpdate;
    }
    return destroy;
  }
}
