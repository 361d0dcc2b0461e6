package org.mobilessh.cli;

import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.mobilessh.audit.Anomaly;
import org.mobilessh.audit.AuditFormat;
import org.mobilessh.audit.AuditSink;
import org.mobilessh.audit.Rejection;
import org.mobilessh.audit.Session;
import org.mobilessh.audit.SourceLine;
import org.mobilessh.audit.Window;
import org.mobilessh.parse.ConntrackEvent;
import org.mobilessh.rules.Cidr;
import org.mobilessh.rules.InvalidConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mobilessh timeline ADDR}: everything about one address, in order, with its sources. */
@Command(
    name = "timeline",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Everything about one address (or network) in time order: windows opening and closing, SSH"
          + " sessions accepted and ending, rejections, anomalies, and its conntrack events (its"
          + " IMAPS and SSH flows). Each line names the input line it rests on (source ="
          + " file:line)."
    })
final class TimelineCommand implements Callable<Integer> {
  /** Columns of the output, in order. */
  static final List<String> COLUMNS =
      List.of("at", "observer", "record", "source_ip", "detail", "source");

  @Spec CommandSpec spec;

  @Mixin AuditQueryOptions query;

  @Parameters(index = "0", paramLabel = "ADDR", description = "Client address or CIDR.")
  String address;

  /** One line of the timeline; {@code rank} orders records of the same instant. */
  private record Entry(Instant at, int rank, List<String> values) {}

  @Override
  public Integer call() {
    if (query.ip != null) {
      throw new IllegalArgumentException("timeline takes the address as its argument, not --ip");
    }
    Cidr ip;
    try {
      ip = Cidr.parse(address.trim());
    } catch (InvalidConfigException e) {
      throw new IllegalArgumentException("ADDR must be an address or CIDR: " + e.getMessage());
    }
    query.validate();
    AuditQueryOptions.Period p = query.period();
    // the address's records as the period's stream delivers them (only they are held), then the
    // address's own events: its conntrack lines, and the times that tell which line ended a session
    List<Entry> entries = new ArrayList<>();
    List<Session> sessions = new ArrayList<>();
    query.stream(
        spec,
        p,
        new AuditSink() {
          @Override
          public void window(Window w) {
            if (AuditQueryOptions.matches(ip, w.source())) {
              TimelineCommand.window(w, entries);
            }
          }

          @Override
          public void session(Session s) {
            if (AuditQueryOptions.matches(ip, s.source())) {
              sessions.add(s);
            }
          }

          @Override
          public void rejection(Rejection x) {
            if (AuditQueryOptions.matches(ip, x.source())) {
              entries.add(rejected(x));
            }
          }

          @Override
          public void anomaly(Anomaly a) {
            if (a.address() != null && AuditQueryOptions.matches(ip, a.address())) {
              entries.add(
                  entry(
                      a.at(),
                      5,
                      a.observer(),
                      "anomaly",
                      a.address(),
                      a.kind().id() + ": " + a.message(),
                      a.evidence().isEmpty() ? null : a.evidence().get(0)));
            }
          }
        });
    Map<String, Instant> times = new HashMap<>();
    query.forEachEventOf(
        ip,
        p,
        te -> {
          times.put(te.sourcePath() + ":" + te.lineNumber(), te.time());
          if (te.event() instanceof ConntrackEvent c
              && inPeriod(te.time(), p)
              && (AuditQueryOptions.matches(ip, c.original().source())
                  || AuditQueryOptions.matches(ip, c.original().destination()))) {
            entries.add(
                entry(
                    te.time(),
                    6,
                    te.observer(),
                    "conntrack",
                    c.original().source(),
                    conntrack(c),
                    te.sourceLine()));
          }
        });
    for (Session s : sessions) {
      session(s, p, times, entries);
    }
    entries.sort(
        Comparator.comparing(Entry::at, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparingInt(Entry::rank)
            .thenComparing(e -> e.values().get(5)));
    List<AuditTable.Row> rows =
        entries.stream().map(e -> new AuditTable.Row(e.values(), null)).toList();
    // each row's source column is its evidence
    return AuditTable.print(
        spec, COLUMNS, rows, false, query.outputFormat(), "events for " + label(ip));
  }

  private static Entry rejected(Rejection x) {
    return entry(
        x.at(),
        4,
        x.observer(),
        "reject",
        x.source(),
        x.protocol().ecsName()
            + " "
            + x.tcpFlagText()
            + " "
            + endpoint(x.source(), x.sourcePort())
            + " -> "
            + endpoint(x.destination(), x.destinationPort())
            + " reset"
            + (x.sampled() ? " (sampled: more attempts may follow unlogged)" : ""),
        x.evidence());
  }

  private static String label(Cidr ip) {
    return ip.isSingleAddress() ? AuditFormat.address(ip.address()) : ip.toString();
  }

  private static void window(Window w, List<Entry> entries) {
    SourceLine first = w.evidence().isEmpty() ? null : w.evidence().get(0);
    SourceLine last = w.evidence().isEmpty() ? null : w.evidence().get(w.evidence().size() - 1);
    entries.add(
        entry(
            w.openedAt(),
            0,
            w.observer(),
            "window-open",
            w.source(),
            w.clippedStart()
                ? "window open since before the period"
                : "window opened (set line), precision "
                    + AuditFormat.seconds(w.openPrecisionS())
                    + " s",
            first));
    if (w.clippedEnd()) {
      entries.add(
          entry(
              w.closedAt(),
              3,
              w.observer(),
              "window-continues",
              w.source(),
              "window still open at the end of the period (" + w.closeReason().id() + ")",
              last));
    } else if (w.closedAt() != null) {
      entries.add(
          entry(
              w.closedAt(),
              3,
              w.observer(),
              "window-close",
              w.source(),
              w.closeReason().id()
                  + ": closed between "
                  + AuditFormat.time(w.closedAtEarliest())
                  + " and "
                  + AuditFormat.time(w.closedAt())
                  + " (precision "
                  + AuditFormat.seconds(w.closePrecisionS())
                  + " s), "
                  + AuditFormat.seconds(w.durationS())
                  + " s open, "
                  + w.sshSessions()
                  + " SSH session(s)",
              last));
    } else {
      entries.add(
          entry(
              w.openedAt(),
              3,
              w.observer(),
              "window-still-open",
              w.source(),
              "nothing in the data closes it: it may still be open",
              last));
    }
  }

  private static void session(
      Session s, AuditQueryOptions.Period p, Map<String, Instant> times, List<Entry> entries) {
    String conn =
        "SSH "
            + endpoint(s.source(), s.sourcePort())
            + " -> "
            + endpoint(s.destination(), s.destinationPort());
    SourceLine first = s.evidence().isEmpty() ? null : s.evidence().get(0);
    entries.add(
        entry(
            s.acceptedAt(),
            1,
            s.observer(),
            "session-accept",
            s.source(),
            conn
                + " accepted"
                + (s.windowOpenedAt() == null
                    ? " with no open window"
                    : " in the window opened " + AuditFormat.time(s.windowOpenedAt())),
            first));
    if (s.endedAt() != null && inPeriod(s.endedAt(), p)) {
      // the flow event that ended it, rather than its later DESTROY
      SourceLine last = s.evidence().get(s.evidence().size() - 1);
      for (SourceLine l : s.evidence()) {
        if (s.endedAt().equals(times.get(l.sourcePath() + ":" + l.lineNumber()))) {
          last = l;
          break;
        }
      }
      entries.add(
          entry(
              s.endedAt(),
              2,
              s.observer(),
              "session-end",
              s.source(),
              conn
                  + " ended after "
                  + AuditFormat.seconds(s.durationS())
                  + " s, bytes in "
                  + (s.bytesIn() == null ? "?" : s.bytesIn())
                  + ", out "
                  + (s.bytesOut() == null ? "?" : s.bytesOut())
                  + (s.outlivesWindow() ? " (outlived its window)" : ""),
              last));
    }
  }

  private static String conntrack(ConntrackEvent c) {
    StringBuilder b = new StringBuilder();
    b.append(c.type().name())
        .append(' ')
        .append(
            c.protocol() == null ? Integer.toString(c.protocolNumber()) : c.protocol().ecsName())
        .append(' ')
        .append(endpoint(c.original().source(), c.original().sourcePort()))
        .append(" -> ")
        .append(endpoint(c.original().destination(), c.original().destinationPort()));
    if (c.state() != null) {
      b.append(' ').append(c.state());
    }
    if (c.id() != null) {
      b.append(" id=").append(c.id());
    }
    return b.toString();
  }

  private static boolean inPeriod(Instant t, AuditQueryOptions.Period p) {
    return t != null && !t.isBefore(p.fromOrMin()) && t.isBefore(p.toOrMax());
  }

  private static String endpoint(InetAddress a, Integer port) {
    String text = AuditFormat.address(a);
    if (port == null) {
      return text;
    }
    return (a != null && a.getAddress().length == 16 ? "[" + text + "]" : text) + ":" + port;
  }

  private static Entry entry(
      Instant at,
      int rank,
      String observer,
      String record,
      InetAddress source,
      String detail,
      SourceLine line) {
    return new Entry(
        at,
        rank,
        List.of(
            AuditFormat.time(at),
            observer,
            record,
            AuditFormat.address(source),
            detail,
            line == null ? "" : line.sourcePath() + ":" + line.lineNumber()));
  }
}
