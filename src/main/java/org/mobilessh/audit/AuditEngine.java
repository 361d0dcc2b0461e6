package org.mobilessh.audit;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.mobilessh.parse.Action;
import org.mobilessh.parse.ConntrackEvent;
import org.mobilessh.parse.EventTime;
import org.mobilessh.parse.IpPacket;
import org.mobilessh.parse.LogEvent;
import org.mobilessh.parse.NetfilterEvent;
import org.mobilessh.parse.NoticeEvent;
import org.mobilessh.parse.Protocol;
import org.mobilessh.parse.TcpFlag;
import org.mobilessh.parse.TimePrecision;
import org.mobilessh.rules.Family;

/**
 * Reconstructs windows, sessions, rejections and anomalies from parsed events. Stateless between
 * calls and deterministic: the result depends only on the set of distinct events, not on their
 * order or on duplicates. See {@code docs/audit-model.md} for the rules it applies.
 */
public final class AuditEngine {
  /** Kernel lines of one packet arriving through several sources lie this close together. */
  private static final double SAME_PACKET_S = 2.5;

  /** A session ending this close after its window's earliest close ended with it. */
  private static final double OUTLIVE_SLACK_S = 0.1;

  /** How far a line's time and its flow's conntrack event may lie apart beyond the clocks. */
  private static final double MATCH_SLACK_S = 0.05;

  /**
   * Time, then the file order a single reader would have seen: a stream's rotated files oldest
   * first ({@code kern.log.1} before {@code kern.log}), so splitting a file at a rotation never
   * reorders lines with equal stamps.
   */
  private static final Comparator<TracedEvent> ORDER = AuditEngine::compareOrder;

  /**
   * {@link #ORDER} written out: the same keys in the same order, but lines of one file (the common
   * tie of second-precision syslog stamps) skip the stream and rotation look-ups, which compare
   * equal for equal paths.
   */
  private static int compareOrder(TracedEvent a, TracedEvent b) {
    int c = a.time().compareTo(b.time());
    if (c != 0) {
      return c;
    }
    c = a.observer().compareTo(b.observer());
    if (c != 0) {
      return c;
    }
    String pa = a.sourcePath();
    String pb = b.sourcePath();
    if (!pa.equals(pb)) {
      c = stream(pa).compareTo(stream(pb));
      if (c != 0) {
        return c;
      }
      c = Integer.compare(-generation(pa), -generation(pb));
      if (c != 0) {
        return c;
      }
      return pa.compareTo(pb);
    }
    c = Long.compare(a.lineNumber(), b.lineNumber());
    return c != 0 ? c : a.originalLine().compareTo(b.originalLine());
  }

  private final AuditConfig config;

  public AuditEngine(AuditConfig config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  public AuditConfig config() {
    return config;
  }

  /** Runs the reconstruction. Never modifies the input. */
  public AuditResult reconstruct(AuditInput input) {
    return new Run(input).run();
  }

  /** One reconstruction's working state. */
  private final class Run {
    final AuditInput input;
    final List<Anomaly> anomalies = new ArrayList<>();
    final List<Window> windows = new ArrayList<>();
    final List<Session> sessions = new ArrayList<>();
    final List<Rejection> rejections = new ArrayList<>();
    final List<RejectTotals> totals = new ArrayList<>();
    long duplicates;
    long untimed;
    List<TracedEvent> events;

    /** {@code observer|address} strings, made once per pair instead of once per line. */
    final Map<String, Map<InetAddress, String>> addressKeys = new HashMap<>();

    /** {@code observer|stream} strings, made once per pair instead of once per line. */
    final Map<String, Map<String, String>> streamKeys = new HashMap<>();

    /** {@code observer + "|" + AuditFormat.address(a)}, cached. */
    String addressKey(String observer, InetAddress a) {
      return addressKeys
          .computeIfAbsent(observer, o -> new HashMap<>())
          .computeIfAbsent(a, x -> observer + "|" + AuditFormat.address(x));
    }

    /** {@code observer + "|" + stream(path)}, cached. */
    String streamKey(String observer, String path) {
      return streamKeys
          .computeIfAbsent(observer, o -> new HashMap<>())
          .computeIfAbsent(path, x -> observer + "|" + stream(x));
    }

    /** Per observer: first and last time of any event, and of conntrack events. */
    final Map<String, Instant[]> dataSpan = new HashMap<>();

    final Map<String, Instant[]> conntrackSpan = new HashMap<>();
    final Map<String, List<Flow>> flowsByClient = new HashMap<>();
    final Map<String, List<Flow>> flowsByTuple = new HashMap<>();

    Run(AuditInput input) {
      this.input = input;
    }

    AuditResult run() {
      prepare();
      buildFlows();
      checkClocks();
      manualChanges();
      // filled by hash, walked in key order (TreeMap below): the key strings come from a cache
      Map<String, List<TracedEvent>> byAddress = new HashMap<>();
      Map<String, List<TracedEvent>> flushes = new HashMap<>();
      List<TracedEvent> rejectLines = new ArrayList<>();
      for (TracedEvent te : events) {
        if (te.event() instanceof NoticeEvent n) {
          if (!changesList(te)) {
            continue;
          }
          if (n.action() == Action.LIST_FLUSH) {
            flushes.computeIfAbsent(te.observer(), k -> new ArrayList<>()).add(te);
          } else {
            byAddress
                .computeIfAbsent(addressKey(te.observer(), n.address()), k -> new ArrayList<>())
                .add(te);
          }
          continue;
        }
        Action a = stepOf(te);
        if (a == null) {
          continue;
        }
        NetfilterEvent ne = (NetfilterEvent) te.event();
        byAddress
            .computeIfAbsent(
                addressKey(te.observer(), ne.packet().source()), k -> new ArrayList<>())
            .add(te);
        if (a == Action.REJECT) {
          rejectLines.add(te);
        }
      }
      Map<String, List<TracedEvent>> lines = new TreeMap<>(byAddress);
      byAddress = null;
      for (List<TracedEvent> addressLines : lines.values()) {
        // a flush empties the list for every address of its observer
        List<TracedEvent> f = flushes.get(addressLines.get(0).observer());
        if (f != null) {
          addressLines = new ArrayList<>(addressLines);
          addressLines.addAll(f);
          addressLines.sort(ORDER);
        }
        new AddressTrack(addressLines).run();
      }
      rejections(rejectLines);
      snapshots(rejectLines);
      rulesets();
      markers();
      listOverflow();
      sourcesStopped();
      windows.sort(
          Comparator.comparing(Window::openedAt)
              .thenComparing(Window::observer)
              .thenComparing(w -> AuditFormat.address(w.source())));
      sessions.sort(
          Comparator.comparing(Session::acceptedAt)
              .thenComparing(Session::observer)
              .thenComparing(s -> AuditFormat.address(s.source()))
              .thenComparingInt(Session::sourcePort));
      anomalies.sort(
          Comparator.comparing((Anomaly a) -> a.at() == null ? Instant.MIN : a.at())
              .thenComparing(Anomaly::kind)
              .thenComparing(Anomaly::observer)
              .thenComparing(a -> AuditFormat.address(a.address()))
              .thenComparing(Anomaly::message));
      return new AuditResult(
          windows, sessions, rejections, totals, anomalies, events.size(), duplicates, untimed);
    }

    // ---------------------------------------------------------------- input preparation

    /** Sorts, drops untimed events, exact duplicates and kernel lines seen through two sources. */
    void prepare() {
      List<TracedEvent> timed = new ArrayList<>();
      for (TracedEvent te : input.events()) {
        if (te.time() == null) {
          untimed++;
        } else {
          timed.add(te);
        }
      }
      if (!sorted(timed)) {
        timed.sort(ORDER); // the index delivers time order; other inputs may come in any order
      }
      // equal events have equal times, and equal times lie together once sorted: a duplicate
      // can only be among the events of its own instant
      Set<LogEvent> seen = new HashSet<>();
      List<TracedEvent> distinct = new ArrayList<>(timed.size());
      int n = timed.size();
      for (int i = 0; i < n; ) {
        Instant at = timed.get(i).time();
        int j = i + 1;
        while (j < n && timed.get(j).time().equals(at)) {
          j++;
        }
        if (j - i == 1) {
          distinct.add(timed.get(i)); // alone at its instant: nothing to hash
        } else {
          seen.clear();
          for (int k = i; k < j; k++) {
            TracedEvent te = timed.get(k);
            if (seen.add(te.event())) {
              distinct.add(te);
            } else {
              duplicates++;
            }
          }
        }
        i = j;
      }
      timed = null;
      events = dropCrossSourceCopies(distinct);
      for (TracedEvent te : events) {
        span(dataSpan, te.observer(), te.time());
        if (te.event() instanceof ConntrackEvent) {
          span(conntrackSpan, te.observer(), te.time());
        }
      }
    }

    /**
     * The same kernel LOG line may arrive through dmesg, journald and rsyslog with different
     * stamps. Lines of different sources with the same packet fields within {@value #SAME_PACKET_S}
     * s are one packet; the copy with the most precise clock stays.
     */
    List<TracedEvent> dropCrossSourceCopies(List<TracedEvent> in) {
      if (!severalStreams(in)) {
        return in; // copies are lines of different streams of one observer: there are none
      }
      Map<List<Object>, List<List<TracedEvent>>> clusters = new HashMap<>();
      Set<TracedEvent> drop =
          java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
      for (TracedEvent te : in) {
        List<Object> key;
        if (te.event() instanceof NoticeEvent n) {
          // the same logger or marker line through syslog and journald
          key = List.of(te.observer(), n.action(), n.message());
        } else if (te.event() instanceof NetfilterEvent ne && ne.packet() != null) {
          key = packetKey(te, ne);
        } else {
          continue;
        }
        List<List<TracedEvent>> cs = clusters.computeIfAbsent(key, k -> new ArrayList<>());
        List<TracedEvent> home = null;
        for (List<TracedEvent> c : cs) {
          TracedEvent first = c.get(0);
          // one stream (kern.log and its rotations) never holds the same line twice
          String stream = stream(te.sourcePath());
          boolean sameSource = c.stream().anyMatch(x -> stream(x.sourcePath()).equals(stream));
          if (!sameSource && seconds(first.time(), te.time()) <= SAME_PACKET_S) {
            home = c;
            break;
          }
        }
        if (home == null) {
          home = new ArrayList<>();
          cs.add(home);
        }
        home.add(te);
      }
      for (List<List<TracedEvent>> cs : clusters.values()) {
        for (List<TracedEvent> c : cs) {
          if (c.size() < 2) {
            continue;
          }
          TracedEvent best =
              c.stream()
                  .min(
                      Comparator.comparingDouble((TracedEvent x) -> uncertainty(x))
                          .thenComparing(TracedEvent::sourcePath)
                          .thenComparingLong(TracedEvent::lineNumber))
                  .orElseThrow();
          for (TracedEvent x : c) {
            if (x != best) {
              drop.add(x);
            }
          }
        }
      }
      duplicates += drop.size();
      List<TracedEvent> out = new ArrayList<>(in.size() - drop.size());
      for (TracedEvent te : in) {
        if (!drop.contains(te)) {
          out.add(te);
        }
      }
      return out;
    }

    /**
     * Whether some observer has lines that {@link #dropCrossSourceCopies} could pair (notices or
     * LOG lines with a packet) in more than one stream.
     */
    boolean severalStreams(List<TracedEvent> in) {
      Map<String, String> streamOf = new HashMap<>();
      String lastPath = null;
      String lastObserver = null;
      for (TracedEvent te : in) {
        LogEvent e = te.event();
        if (!(e instanceof NoticeEvent
            || (e instanceof NetfilterEvent ne && ne.packet() != null))) {
          continue;
        }
        String path = te.sourcePath();
        String observer = te.observer();
        if (path.equals(lastPath) && observer.equals(lastObserver)) {
          continue;
        }
        lastPath = path;
        lastObserver = observer;
        String s = stream(path);
        String known = streamOf.putIfAbsent(observer, s);
        if (known != null && !known.equals(s)) {
          return true;
        }
      }
      return false;
    }

    /** What makes two LOG lines of different streams the same packet. */
    List<Object> packetKey(TracedEvent te, NetfilterEvent ne) {
      IpPacket p = ne.packet();
      return java.util.Arrays.asList(
          te.observer(),
          ne.prefix(),
          ne.inInterface(),
          ne.outInterface(),
          p.source(),
          p.destination(),
          p.sourcePort(),
          p.destinationPort(),
          p.ipId(),
          p.length(),
          p.tcpFlagBits(),
          p.flowLabel(),
          p.tcpWindow(),
          p.tcpSequence());
    }

    // ---------------------------------------------------------------- manual list changes

    /** Observers whose remove lines contradicted a no-remove configuration (reported once). */
    final Set<String> removeLinesSeen = new HashSet<>();

    /** Attempt lines that a {@code FAILED} line says changed nothing. */
    final Set<TracedEvent> failedAttempts = new HashSet<>();

    /** Whether a notice changed the list: a list change that did not fail. */
    boolean changesList(TracedEvent te) {
      return te.event() instanceof NoticeEvent n
          && n.isListChange()
          && !n.failed()
          && !failedAttempts.contains(te);
    }

    /**
     * Pairs each {@code FAILED} line with the attempt line written just before it, and raises one
     * {@code manual-list-change} anomaly per change (or failed attempt), with its lines.
     */
    void manualChanges() {
      List<TracedEvent> notices = new ArrayList<>();
      for (TracedEvent te : events) {
        if (te.event() instanceof NoticeEvent n && n.isListChange()) {
          notices.add(te);
        }
      }
      Map<TracedEvent, TracedEvent> failureOf = new HashMap<>();
      for (TracedEvent te : notices) {
        NoticeEvent n = (NoticeEvent) te.event();
        if (!n.failed()) {
          continue;
        }
        TracedEvent attempt = null;
        for (TracedEvent c : notices) {
          NoticeEvent cn = (NoticeEvent) c.event();
          boolean candidate =
              !cn.failed()
                  && c.observer().equals(te.observer())
                  && cn.message().equals(n.attempt())
                  && !failureOf.containsKey(c)
                  && seconds(c.time(), te.time()) <= 2 * uncertainty(te) + SAME_PACKET_S
                  && !c.time().isAfter(te.time().plusSeconds(1));
          if (candidate && (attempt == null || c.time().isAfter(attempt.time()))) {
            attempt = c;
          }
        }
        if (attempt != null) {
          failureOf.put(attempt, te);
          failedAttempts.add(attempt);
        } else {
          anomalies.add(
              new Anomaly(
                  Anomaly.Kind.MANUAL_LIST_CHANGE,
                  te.observer(),
                  n.address(),
                  te.time(),
                  "a manual list change FAILED (nothing changed), but the line of its attempt is"
                      + " missing: "
                      + n.message(),
                  List.of(te.sourceLine())));
        }
      }
      for (TracedEvent te : notices) {
        NoticeEvent n = (NoticeEvent) te.event();
        if (n.failed()) {
          continue;
        }
        TracedEvent failure = failureOf.get(te);
        String who = n.actor().isEmpty() ? "" : " by " + n.actor();
        String what =
            switch (n.action()) {
              case LIST_ADD ->
                  "an SSH window for "
                      + AuditFormat.address(n.address())
                      + " put in list "
                      + n.list()
                      + " by hand (mobilessh list add"
                      + who
                      + "), not by IMAPS";
              case LIST_DEL ->
                  AuditFormat.address(n.address())
                      + " taken out of list "
                      + n.list()
                      + " by hand (mobilessh list del"
                      + who
                      + ")";
              default ->
                  "list "
                      + n.list()
                      + " flushed by hand (mobilessh list flush"
                      + who
                      + (n.count() == null ? "" : ", " + n.count() + " entries")
                      + ")";
            };
        List<SourceLine> ev = new ArrayList<>(List.of(te.sourceLine()));
        if (failure != null) {
          ev.add(failure.sourceLine());
          what =
              "attempted: "
                  + what
                  + "; it FAILED and changed nothing: "
                  + ((NoticeEvent) failure.event())
                      .message()
                      .substring(n.message().length() + " FAILED: ".length());
        }
        anomalies.add(
            new Anomaly(
                Anomaly.Kind.MANUAL_LIST_CHANGE, te.observer(), n.address(), te.time(), what, ev));
      }
    }

    /** The mobilessh step of a usable LOG line (TCP with ports), by the configured prefixes. */
    Action stepOf(TracedEvent te) {
      if (!(te.event() instanceof NetfilterEvent ne)) {
        return null;
      }
      IpPacket p = ne.packet();
      if (p == null || p.protocol() != Protocol.TCP || p.sourcePort() == null) {
        return null;
      }
      Action a = config.prefixes().actionFor(ne.prefix());
      return a == Action.FIREWALL ? null : a;
    }

    // ---------------------------------------------------------------- conntrack flows

    void buildFlows() {
      Map<List<Object>, Flow> live = new HashMap<>();
      for (TracedEvent te : events) {
        if (!(te.event() instanceof ConntrackEvent ce)) {
          continue;
        }
        if (ce.protocol() != Protocol.TCP || ce.original().destinationPort() == null) {
          continue;
        }
        int dport = ce.original().destinationPort();
        Flow.Kind kind;
        if (dport == config.sshPort()) {
          kind = Flow.Kind.SSH;
        } else if (dport == config.imapsPort()
            && config.isMailServer(ce.original().destination())) {
          kind = Flow.Kind.IMAPS;
        } else {
          continue;
        }
        List<Object> key =
            java.util.Arrays.asList(
                te.observer(),
                ce.id(),
                ce.original().source(),
                ce.original().destination(),
                ce.original().sourcePort(),
                dport);
        Flow f = live.get(key);
        // conntrack ids are reused only after the entry is gone: a NEW after a NEW or DESTROY
        // starts another flow; a second DESTROY (ulogd next to conntrack -E) is the same flow
        boolean restart =
            f != null
                && ce.type() == org.mobilessh.parse.ConntrackType.NEW
                && (f.newAt != null || f.destroy != null);
        if (f == null || restart) {
          f = new Flow(te.observer(), kind, ce.id(), ce);
          live.put(key, f);
          flowsByClient
              .computeIfAbsent(clientKey(te.observer(), f.source), k -> new ArrayList<>())
              .add(f);
          flowsByTuple
              .computeIfAbsent(
                  tupleKey(te.observer(), f.source, f.destination, f.sourcePort, dport),
                  k -> new ArrayList<>())
              .add(f);
        }
        f.add(te);
      }
    }

    // ---------------------------------------------------------------- one address

    /** The windows of one address at one observer, in time order. */
    private final class AddressTrack {
      final List<TracedEvent> lines;
      final String observer;
      final InetAddress address;
      final List<Flow> flows;
      Open open;
      final List<Flow> active = new ArrayList<>();
      int nextFlow;

      AddressTrack(List<TracedEvent> lines) {
        this.lines = lines;
        this.observer = lines.get(0).observer();
        InetAddress a = null;
        for (TracedEvent te : lines) {
          if (te.event() instanceof NetfilterEvent ne) {
            a = ne.packet().source();
          } else if (((NoticeEvent) te.event()).address() != null) {
            a = ((NoticeEvent) te.event()).address();
          }
          if (a != null) {
            break; // a flush names no address; every track holds a line of its own address
          }
        }
        this.address = a;
        this.flows =
            new ArrayList<>(flowsByClient.getOrDefault(clientKey(observer, address), List.of()));
        // windows are closed in time order: flows enter when they begin, leave once they ended
        // before a window opened, so each window looks only at the flows that can matter
        this.flows.sort(
            Comparator.comparing(Flow::begin).thenComparing(f -> f.events.get(0), ORDER));
      }

      void run() {
        Map<String, SessionDraft> sessionByTuple = new HashMap<>();
        for (TracedEvent te : lines) {
          if (te.event() instanceof NoticeEvent n) {
            manual(te, n);
            continue;
          }
          NetfilterEvent ne = (NetfilterEvent) te.event();
          switch (stepOf(te)) {
            case SET -> {
              Timed t = refineSet(te);
              if (open != null) {
                close(Cap.SET, t, te);
              }
              open = new Open(te, notBeforeLast(t), flowOf(te), Window.Opening.SET);
            }
            case REMOVE -> {
              if (!config.remove() && removeLinesSeen.add(observer)) {
                anomalies.add(
                    new Anomaly(
                        Anomaly.Kind.RULESET_MISMATCH,
                        observer,
                        address,
                        te.time(),
                        "a remove line, although the audit was told the ruleset has no step 2"
                            + " (--no-remove): the kernel removed addresses on SSH FINs",
                        List.of(te.sourceLine())));
              }
              if (open == null) {
                anomaly(
                    Anomaly.Kind.REMOVE_WITHOUT_WINDOW,
                    te,
                    "remove line with no window open: the address was in the list although no set"
                        + " line shows it entering (lost line, or it entered before the data"
                        + " starts)");
              } else {
                close(Cap.REMOVE, refineRemove(te), te);
              }
            }
            case ACCEPT -> {
              String tuple =
                  tupleKey(
                      observer,
                      address,
                      ne.packet().destination(),
                      ne.packet().sourcePort(),
                      ne.packet().destinationPort());
              SessionDraft d = sessionByTuple.get(tuple);
              Flow f = flowOf(te);
              if (d != null && (d.flow == f || seconds(d.firstLine.time(), te.time()) < 10)) {
                d.lines.add(te); // a retransmitted SYN
                continue;
              }
              d = new SessionDraft(te, f, refineAccept(te, f));
              sessionByTuple.put(tuple, d);
              if (open == null) {
                anomaly(
                    Anomaly.Kind.SESSION_WITHOUT_WINDOW,
                    te,
                    "SSH accepted with no window open for "
                        + AuditFormat.address(address)
                        + " (lost set line, drift, or a window opened before the data starts)");
              } else {
                open.sessions.add(d);
              }
            }
            case REJECT -> {
              IpPacket p = ne.packet();
              if (open != null && p.isSyn()) {
                // a rejected SYN proves the entry was not fresh at this instant
                close(Cap.REJECT, timed(te), te);
              }
            }
            default -> {}
          }
        }
        if (open != null) {
          Instant end = dataSpan.get(observer)[1];
          close(Cap.END, new Timed(end, 0, null), null);
        }
        for (SessionDraft d : allDrafts) {
          sessions.add(d.build());
        }
      }

      final List<SessionDraft> allDrafts = new ArrayList<>();

      /**
       * A manual change: {@code list add} opens a window (or refreshes the open one: the kernel
       * sets the entry's stamp either way), {@code list del} and {@code list flush} close it.
       */
      void manual(TracedEvent te, NoticeEvent n) {
        switch (n.action()) {
          case LIST_ADD -> {
            if (open != null) {
              open.manualRefreshes.add(te);
            } else {
              open = new Open(te, notBeforeLast(timed(te)), null, Window.Opening.LIST_ADD);
            }
          }
          case LIST_DEL -> {
            if (open != null) {
              close(Cap.LIST_DEL, timed(te), te);
            }
          }
          case LIST_FLUSH -> {
            if (open != null) {
              close(Cap.LIST_FLUSH, timed(te), te);
            }
          }
          default -> {}
        }
      }

      /** Two clocks disagree by less than their uncertainty: windows must not overlap. */
      Timed notBeforeLast(Timed t) {
        if (last != null && last.closedAt() != null && last.closedAt().isAfter(t.at)) {
          return new Timed(last.closedAt(), t.u + seconds(t.at, last.closedAt()), t.line);
        }
        return t;
      }

      /** The window closed last, so the next one cannot start before its close. */
      Window last;

      /** The flow whose original tuple is this line's packet, nearest in time. */
      Flow flowOf(TracedEvent te) {
        if (flowsByTuple.isEmpty()) {
          return null; // no conntrack: spare the key
        }
        IpPacket p = ((NetfilterEvent) te.event()).packet();
        List<Flow> fs =
            flowsByTuple.get(
                tupleKey(
                    observer, p.source(), p.destination(), p.sourcePort(), p.destinationPort()));
        if (fs == null) {
          return null;
        }
        double u = uncertainty(te) + MATCH_SLACK_S;
        Flow best = null;
        for (Flow f : fs) {
          Instant b = f.begin();
          Instant last = f.lastPossibleActivity();
          boolean covers =
              !te.time().isBefore(b.minusNanos((long) (u * 1e9)))
                  && (last == null || !te.time().isAfter(last.plusNanos((long) (u * 1e9))));
          if (covers && (best == null || b.isAfter(best.begin()))) {
            best = f;
          }
        }
        return best;
      }

      /** A set line is the flow's first ESTABLISHED packet when the flow just got established. */
      Timed refineSet(TracedEvent te) {
        Flow f = flowOf(te);
        if (f != null && f.establishedEvent != null) {
          Timed t = nearest(te, List.of(f.establishedEvent));
          if (t != null) {
            return t;
          }
        }
        return timed(te);
      }

      /** A remove line's packet is an SSH FIN: the flow's FIN_WAIT or LAST_ACK update. */
      Timed refineRemove(TracedEvent te) {
        Flow f = flowOf(te);
        if (f != null) {
          Timed t = nearest(te, f.finUpdates);
          if (t != null) {
            return t;
          }
        }
        return timed(te);
      }

      Timed refineAccept(TracedEvent te, Flow f) {
        if (f != null && f.newEvent != null) {
          Timed t = nearest(te, List.of(f.newEvent));
          if (t != null) {
            return t;
          }
        }
        return timed(te);
      }

      /** Closes the open window at a cap: the first event that shows it shut (or the data end). */
      void close(Cap cap, Timed c, TracedEvent capLine) {
        Open w = open;
        open = null;
        if (w.opened.at.isAfter(c.at)) {
          // the cap came after the set line; only the clocks put it earlier
          c = new Timed(w.opened.at, c.u + seconds(c.at, w.opened.at), c.line);
        }
        for (SessionDraft d : w.sessions) {
          if (d.accepted.at.isAfter(c.at)) {
            // the cap came after the accept line; only the clocks put it earlier
            c = new Timed(d.accepted.at, c.u + seconds(c.at, d.accepted.at), c.line);
          }
        }
        int n = config.seconds();
        List<SourceLine> evidence = new ArrayList<>();
        evidence.add(w.setLine.sourceLine());
        for (SessionDraft d : w.sessions) {
          for (TracedEvent l : d.lines) {
            evidence.add(l.sourceLine());
          }
        }
        // last refresh, known (lower bound) and possible (upper bound)
        Timed lastLo = w.opened;
        List<TracedEvent> points = new ArrayList<>();
        List<Flow> candidates = new ArrayList<>();
        // a set line that is its flow's first established packet: that flow began just before
        // the cap and never refreshed this window (a set in the middle of a flow did: keep it)
        Flow capFlow = cap == Cap.SET ? flowOf(capLine) : null;
        if (capFlow != null
            && (capFlow.establishedEvent == null
                || !capFlow.establishedEvent.time().equals(c.at))) {
          capFlow = null;
        }
        while (nextFlow < flows.size() && flows.get(nextFlow).begin().isBefore(c.at)) {
          active.add(flows.get(nextFlow++));
        }
        Instant openedAt = w.opened.at;
        active.removeIf(
            f -> f.lastPossibleActivity() != null && !f.lastPossibleActivity().isAfter(openedAt));
        java.util.Map<TracedEvent, Flow> owner = new java.util.IdentityHashMap<>();
        for (Flow f : active) {
          if (!f.begin().isBefore(c.at) || f == capFlow) {
            continue;
          }
          candidates.add(f);
          for (TracedEvent a : f.activity) {
            if (f.kind == Flow.Kind.SSH
                && config.remove()
                && f.firstClose != null
                && !a.time().isBefore(f.firstClose.time())) {
              continue; // the client's FIN removes; nothing of a closing SSH flow refreshes
            }
            if (a.time().isAfter(w.opened.at) && a.time().isBefore(c.at)) {
              points.add(a);
              owner.put(a, f);
            }
          }
        }
        points.sort(ORDER);
        for (TracedEvent a : points) {
          Flow f = owner.get(a);
          boolean refreshes =
              f.kind == Flow.Kind.IMAPS || !a.time().isAfter(lastLo.at.plusSeconds(n));
          if (refreshes && a.time().isAfter(lastLo.at)) {
            lastLo = timed(a);
          }
        }
        // a manual re-add sets the entry's stamp: a known refresh, exact
        for (TracedEvent m : w.manualRefreshes) {
          evidence.add(m.sourceLine());
          if (m.time().isAfter(lastLo.at) && m.time().isBefore(c.at)) {
            lastLo = timed(m);
          }
        }
        if (lastLo.line != null && lastLo.line != w.setLine) {
          evidence.add(lastLo.line.sourceLine());
        }
        // the upper bound, only when conntrack can be trusted to show every refresh
        Timed lastHi = null;
        Instant[] ct = conntrackSpan.get(observer);
        boolean covered = ct != null && !ct[0].isAfter(w.opened.at);
        boolean manual = w.opening == Window.Opening.LIST_ADD;
        if (covered && w.setFlow == null && !manual) {
          anomaly(
              Anomaly.Kind.WINDOW_WITHOUT_IMAPS_FLOW,
              w.setLine,
              "conntrack covers this window's opening but shows no IMAPS flow for its set line"
                  + " (lost conntrack events?): the close is bounded by later lines only");
        }
        if (covered && (w.setFlow != null || manual)) {
          lastHi = lastLo;
          for (Flow f : candidates) {
            TracedEvent bound;
            Instant last;
            if (f.kind == Flow.Kind.SSH && config.remove() && !f.finUpdates.isEmpty()) {
              // the client's FIN (one of the FIN updates) removed the entry
              bound = f.finUpdates.get(f.finUpdates.size() - 1);
              last = bound.time();
            } else {
              last = f.lastPossibleActivity();
              bound = f.lastPossibleEvidence();
            }
            if (last == null) {
              lastHi = null;
              break;
            }
            if (last.isAfter(c.at)) {
              last = c.at;
            }
            if (last.isAfter(lastHi.at)) {
              lastHi = new Timed(last, uncertainty(bound), bound);
            }
          }
          if (lastHi != null && ct[1].isBefore(min(c.at, lastHi.at.plusSeconds(n)))) {
            lastHi = null; // conntrack stops before the window could have expired
          }
          if (lastHi != null && lastHi.line != null && lastHi.line != lastLo.line) {
            evidence.add(lastHi.line.sourceLine());
          }
        }
        if (capLine != null && capLine != w.setLine) {
          evidence.add(capLine.sourceLine());
        }
        Timed lo = new Timed(lastLo.at.plusSeconds(n), lastLo.u, lastLo.line);
        Timed hi =
            lastHi == null
                ? c
                : (lastHi.at.plusSeconds(n).isBefore(c.at)
                    ? new Timed(lastHi.at.plusSeconds(n), lastHi.u, lastHi.line)
                    : c);
        // an accepted SYN proves the window open at that instant
        Timed lastAccept = null;
        for (SessionDraft d : w.sessions) {
          if (lastAccept == null || d.accepted.at.isAfter(lastAccept.at)) {
            lastAccept = d.accepted;
          }
        }
        double tol = lo.u + c.u;
        CloseReason reason;
        Timed earliest;
        Timed latest;
        switch (cap) {
          case LIST_DEL, LIST_FLUSH -> {
            CloseReason byHand =
                cap == Cap.LIST_DEL ? CloseReason.LIST_DEL : CloseReason.LIST_FLUSH;
            if (!lo.at.isBefore(c.at) || seconds(c.at, lo.at) <= tol) {
              reason = byHand; // fresh when taken out: exact
              earliest = c;
              latest = c;
            } else if (lastHi != null && seconds(hi.at, c.at) > tol && hi.at.isBefore(c.at)) {
              reason = CloseReason.EXPIRED; // it had expired before the hand took it out
              earliest = lo;
              latest = hi;
            } else {
              reason = byHand; // expired before, or fresh until, the manual change
              earliest = lo;
              latest = c;
            }
          }
          case REMOVE -> {
            if (!lo.at.isBefore(c.at) || seconds(c.at, lo.at) <= tol) {
              reason = CloseReason.FIN_REMOVE;
              earliest = c;
              latest = c;
            } else if (lastHi != null && seconds(hi.at, c.at) > tol && hi.at.isBefore(c.at)) {
              reason = CloseReason.EXPIRED; // the remove line came after the expiry
              earliest = lo;
              latest = hi;
            } else {
              reason = CloseReason.EXPIRED_OR_REMOVED;
              earliest = lo;
              latest = c;
            }
          }
          case SET, REJECT -> {
            if (lo.at.isAfter(c.at) && seconds(c.at, lo.at) > tol) {
              reason = CloseReason.EVICTED;
              earliest = lastLo;
              latest = c;
              anomaly(
                  Anomaly.Kind.EVICTED_WHILE_FRESH,
                  capLine,
                  "the entry of "
                      + AuditFormat.address(address)
                      + " was refreshed at "
                      + AuditFormat.time(lastLo.at)
                      + " yet gone at "
                      + AuditFormat.time(c.at)
                      + " (window "
                      + n
                      + " s): evicted from a full list, deleted by hand, or a remove line was"
                      + " lost");
            } else {
              reason = CloseReason.EXPIRED;
              earliest = lo.at.isAfter(c.at) ? c : lo;
              latest = hi;
            }
          }
          default -> {
            if (lo.at.isAfter(c.at) || lastHi == null || hi == c) {
              reason = CloseReason.STILL_OPEN;
              earliest = lo.at.isAfter(c.at) ? c : lo;
              latest = null;
            } else {
              reason = CloseReason.EXPIRED;
              earliest = lo;
              latest = hi;
            }
          }
        }
        if (lastAccept != null && latest != null && lastAccept.at.isAfter(latest.at)) {
          anomaly(
              Anomaly.Kind.UNEXPLAINED_REFRESH,
              lastAccept.line,
              "SSH accepted after every refresh the data shows had expired: a refresh the"
                  + " logs and conntrack do not show");
          latest = c;
        }
        if (latest != null && latest.at.isAfter(c.at)) {
          latest = c;
        }
        if (lastAccept != null && earliest.at.isBefore(lastAccept.at)) {
          earliest = lastAccept;
        }
        if (latest != null && earliest.at.isAfter(latest.at)) {
          earliest = latest;
        }
        Double precision =
            latest == null
                ? null
                : seconds(earliest.at, latest.at) + Math.max(earliest.u, latest.u);
        Window win =
            new Window(
                observer,
                address,
                w.opened.at,
                w.opened.u,
                latest == null ? null : latest.at,
                earliest.at,
                reason,
                precision,
                w.sessions.size(),
                false,
                false,
                dedupe(evidence),
                w.opening);
        windows.add(win);
        last = win;
        for (SessionDraft d : w.sessions) {
          d.window = win;
          d.closedBy = capLine;
        }
      }

      void anomaly(Anomaly.Kind kind, TracedEvent te, String message) {
        anomalies.add(
            new Anomaly(kind, observer, address, te.time(), message, List.of(te.sourceLine())));
      }

      /** The open window and what belongs to it so far. */
      private final class Open {
        /** The set line, or the {@code list add} line of a manual opening. */
        final TracedEvent setLine;

        final Timed opened;
        final Flow setFlow;
        final Window.Opening opening;
        final List<SessionDraft> sessions = new ArrayList<>();

        /** {@code list add} lines while open: each sets the entry's stamp. */
        final List<TracedEvent> manualRefreshes = new ArrayList<>();

        Open(TracedEvent setLine, Timed opened, Flow setFlow, Window.Opening opening) {
          this.setLine = setLine;
          this.opened = opened;
          this.setFlow = setFlow;
          this.opening = opening;
        }
      }

      /** An accepted connection until its window is known. */
      private final class SessionDraft {
        final TracedEvent firstLine;
        final List<TracedEvent> lines = new ArrayList<>();
        final Flow flow;
        final Timed accepted;
        Window window;

        /** The line that closed its window ({@code null}: the data ended). */
        TracedEvent closedBy;

        SessionDraft(TracedEvent line, Flow flow, Timed accepted) {
          this.firstLine = line;
          this.lines.add(line);
          this.flow = flow;
          this.accepted = accepted;
          allDrafts.add(this);
        }

        /**
         * Strict mode: a removal ({@code remove} line, {@code list del}, {@code list flush}) takes
         * the address out of the list, and from then on the ESTABLISHED packets of its other
         * sessions are reset (only the connection whose FIN removed it may finish its close). An
         * idle session is cut at its next packet, so running on is no proof; a FIN exchange after
         * the removal is: that FIN would have been reset.
         */
        void strictCheck(IpPacket p, List<SourceLine> ev) {
          if (!config.strict() || closedBy == null || flow == null || flow.finUpdates.isEmpty()) {
            return;
          }
          boolean byHand = closedBy.event() instanceof NoticeEvent;
          if (!byHand && stepOf(closedBy) != Action.REMOVE) {
            return;
          }
          if (!byHand) {
            IpPacket fin = ((NetfilterEvent) closedBy.event()).packet();
            if (fin.sourcePort().equals(p.sourcePort())
                && fin.destination().equals(p.destination())) {
              return; // its own FIN removed the address: the closing mark lets it finish
            }
          }
          TracedEvent fin = flow.finUpdates.get(0);
          double reach = uncertainty(closedBy) + uncertainty(fin) + OUTLIVE_SLACK_S;
          if (fin.time().isAfter(closedBy.time()) && seconds(closedBy.time(), fin.time()) > reach) {
            List<SourceLine> lines = new ArrayList<>(List.of(closedBy.sourceLine()));
            lines.addAll(ev);
            anomalies.add(
                new Anomaly(
                    Anomaly.Kind.SESSION_OUTLIVED_REMOVAL,
                    observer,
                    address,
                    fin.time(),
                    "strict mode: "
                        + AuditFormat.address(address)
                        + " was taken out of the list at "
                        + AuditFormat.time(closedBy.time())
                        + ", yet the SSH session from port "
                        + p.sourcePort()
                        + " closed normally (FIN) at "
                        + AuditFormat.time(fin.time())
                        + ": that FIN would have been reset; the ruleset in force was not strict,"
                        + " or lines are missing",
                    dedupe(lines)));
          }
        }

        Session build() {
          IpPacket p = ((NetfilterEvent) firstLine.event()).packet();
          List<SourceLine> ev = new ArrayList<>();
          for (TracedEvent l : lines) {
            ev.add(l.sourceLine());
          }
          Instant ended = null;
          Double endU = null;
          if (flow != null) {
            for (TracedEvent e : flow.events) {
              ev.add(e.sourceLine());
            }
            TracedEvent end = flow.end();
            if (end != null) {
              ended = flow.finished ? end.time() : flow.lastPossibleActivity();
              // a flow seen only at its DESTROY ended at most its timeout before it
              endU =
                  flow.finished
                      ? uncertainty(end)
                      : seconds(
                          flow.establishedAt == null ? accepted.at : flow.establishedAt, ended);
            }
          }
          // "may have outlived": past the earliest possible close by more than the clocks
          // (a session's own FIN closes its window a few µs before its flow ends)
          boolean outlives =
              window != null
                  && window.closeReason() != CloseReason.STILL_OPEN
                  && (ended == null
                      ? flow != null // still running where the data ends
                      : seconds(window.closedAtEarliest(), ended)
                              > (endU == null ? 0 : endU) + OUTLIVE_SLACK_S
                          && ended.isAfter(window.closedAtEarliest()));
          strictCheck(p, ev);
          return new Session(
              observer,
              address,
              p.sourcePort(),
              p.destination(),
              p.destinationPort(),
              accepted.at,
              accepted.u,
              ended,
              endU,
              flow == null ? null : flow.bytesIn,
              flow == null ? null : flow.bytesOut,
              flow == null ? null : flow.packetsIn,
              flow == null ? null : flow.packetsOut,
              flow == null ? null : flow.id,
              window == null ? null : window.openedAt(),
              outlives,
              dedupe(ev));
        }
      }
    }

    // ---------------------------------------------------------------- rejections

    /**
     * Rejections in time order with {@code sampled} from a replay of the reject LOG's token
     * buckets: hashlimit per source (/32, /64) and limit overall, per observer and family.
     */
    void rejections(List<TracedEvent> lines) {
      Map<String, double[]> buckets = new HashMap<>();
      for (TracedEvent te : lines) {
        NetfilterEvent ne = (NetfilterEvent) te.event();
        IpPacket p = ne.packet();
        Family fam = p.family();
        String perSource =
            bucketKeys.computeIfAbsent(
                new BucketKey(te.observer(), fam, p.source()),
                k -> k.observer() + "|" + k.family() + "|" + sourceGroup(k.source()));
        String overall =
            bucketKeys.computeIfAbsent(
                new BucketKey(te.observer(), fam, null), k -> k.observer() + "|" + k.family());
        boolean emptyA = take(buckets, perSource, te.time(), config.rejectLogPerSecond());
        boolean emptyB = take(buckets, overall, te.time(), config.rejectLogGlobalPerSecond());
        Set<TcpFlag> flags = p.tcpFlags();
        rejections.add(
            new Rejection(
                te.observer(),
                te.time(),
                uncertainty(te),
                p.source(),
                p.sourcePort(),
                p.destination(),
                p.destinationPort(),
                p.protocol(),
                flags,
                emptyA || emptyB,
                te.sourceLine()));
      }
    }

    /** The bucket names of {@link #rejections}, made once per router, family and address. */
    final Map<BucketKey, String> bucketKeys = new HashMap<>();

    /** Takes one token; true if the bucket is left with less than one. */
    boolean take(Map<String, double[]> buckets, String key, Instant t, double rate) {
      int burst = config.rejectLogBurst();
      double now = t.getEpochSecond() + t.getNano() / 1e9;
      double[] b = buckets.computeIfAbsent(key, k -> new double[] {burst, now});
      double tokens = Math.min(burst, b[0] + (now - b[1]) * rate);
      tokens = Math.max(0, tokens - 1);
      b[0] = tokens;
      b[1] = now;
      return tokens < 1 - 1e-9;
    }

    String sourceGroup(InetAddress a) {
      byte[] b = a.getAddress();
      if (b.length == 16) {
        byte[] net = java.util.Arrays.copyOf(b, 8);
        return java.util.HexFormat.of().formatHex(net);
      }
      return a.getHostAddress();
    }

    void snapshots(List<TracedEvent> rejectLines) {
      List<RejectTotals> stretches =
          RejectTotals.between(
              input.snapshots(),
              (observer, family, from, to) ->
                  rejectLines.stream()
                      .filter(
                          te ->
                              te.observer().equals(observer)
                                  && ((NetfilterEvent) te.event()).family() == family
                                  && (from == null || te.time().isAfter(from))
                                  && !te.time().isAfter(to))
                      .count());
      for (RejectTotals t : stretches) {
        totals.add(t);
        if (t.linesLost() > 0) {
          anomalies.add(
              new Anomaly(
                  Anomaly.Kind.LOG_LINES_MISSING,
                  t.observer(),
                  null,
                  t.to(),
                  "the reject LOG rule ("
                      + t.family().tool()
                      + ") counted "
                      + t.logged()
                      + " lines "
                      + (t.from() == null ? "since the counters were zero" : "since " + t.from())
                      + " but "
                      + t.linesSeen()
                      + " arrived: "
                      + t.linesLost()
                      + " lost on the way (or the data starts after the counters did)",
                  List.of()));
        }
      }
    }

    // ---------------------------------------------------------------- rulesets from snapshots

    /**
     * What the {@code rules snapshot}s say: changes between a router's consecutive snapshots,
     * broken IPv4/IPv6 parity and rulesets other than the configured one (each raised when it first
     * appears, not again for every later snapshot that still shows it), and LOG counters that moved
     * further than the lines that arrived.
     */
    void rulesets() {
      if (input.rulesets().isEmpty()) {
        return;
      }
      RulesetHistory h = RulesetHistory.ofInForce(input.rulesets());
      for (RulesetChange c : h.changes()) {
        anomalies.add(
            new Anomaly(
                Anomaly.Kind.RULESET_CHANGED,
                c.observer(),
                null,
                c.at(),
                c.message(),
                List.of(c.previous(), c.current())));
      }
      Map<String, List<RulesetParity.Difference>> parity = new HashMap<>();
      Map<String, String> mismatch = new HashMap<>();
      Map<String, RulesetInForce> previous = new HashMap<>();
      for (RulesetInForce snap : h.snapshots()) {
        List<RulesetParity.Difference> d =
            snap.parity().broken() ? snap.parity().differences() : List.of();
        List<RulesetParity.Difference> before = parity.put(snap.observer(), d);
        if (!d.isEmpty() && !d.equals(before)) {
          anomalies.add(
              new Anomaly(
                  Anomaly.Kind.PARITY_BROKEN,
                  snap.observer(),
                  null,
                  snap.takenAt(),
                  snap.parity().message(),
                  List.of(snap.evidence())));
        }
        String m = mismatch(snap);
        String mBefore = mismatch.put(snap.observer(), m);
        if (!m.isEmpty() && !m.equals(mBefore)) {
          anomalies.add(
              new Anomaly(
                  Anomaly.Kind.RULESET_MISMATCH,
                  snap.observer(),
                  null,
                  snap.takenAt(),
                  "the snapshot's ruleset is not the one the audit assumed: " + m,
                  List.of(snap.evidence())));
        }
        logGaps(previous.put(snap.observer(), snap), snap);
      }
    }

    /** How a snapshot's ruleset differs from {@link #config}, or {@code ""}. */
    String mismatch(RulesetInForce snap) {
      List<String> out = new ArrayList<>();
      for (Family f : Family.values()) {
        FamilyRuleset r = snap.family(f);
        if (!r.installed()) {
          continue;
        }
        String fam = f == Family.IPV4 ? "IPv4" : "IPv6";
        Integer n = r.seconds().orElse(null);
        if (n != null && n != config.seconds()) {
          out.add(fam + " N is " + n + " s, the audit assumed " + config.seconds() + " s");
        }
        if (r.removeMode() != config.remove()) {
          out.add(
              fam
                  + (r.removeMode()
                      ? " has step 2 (remove), the audit assumed none (--no-remove)"
                      : " has no step 2 (remove), the audit assumed it"));
        }
        if (r.strictMode() != config.strict()) {
          out.add(
              fam
                  + (r.strictMode()
                      ? " is strict, the audit assumed not (--strict-sessions)"
                      : " is not strict, the audit assumed --strict-sessions"));
        }
        for (Map.Entry<RulesetStep.Kind, Action> e : LOGGED_STEPS.entrySet()) {
          RulesetStep step = r.step(e.getKey()).orElse(null);
          if (step == null) {
            continue;
          }
          if (step.logPrefix().isEmpty()) {
            out.add(fam + " " + e.getKey().id() + " is not logged: the audit cannot see it");
            continue;
          }
          Action read = config.prefixes().actionFor(step.logPrefix().strip());
          if (read != e.getValue()) {
            out.add(
                fam
                    + " "
                    + e.getKey().id()
                    + " logs with prefix \""
                    + step.logPrefix()
                    + "\", which the audit reads as "
                    + read.ecsName());
          }
        }
      }
      return String.join("; ", out);
    }

    /** Per observer, family and step: the times of its lines, sorted (for counting stretches). */
    Map<String, long[]> stepTimes;

    /**
     * LOG counters of set, remove and accept between two snapshots against the lines that arrived
     * for the same stretch (reject: {@link #snapshots}). Only stretches the data covers count.
     */
    void logGaps(RulesetInForce prev, RulesetInForce cur) {
      Instant[] span = dataSpan.get(cur.observer());
      if (prev == null || span == null || prev.takenAt().isBefore(span[0])) {
        return;
      }
      if (stepTimes == null) {
        Map<String, List<Instant>> times = new HashMap<>();
        for (TracedEvent te : events) {
          Action a = stepOf(te);
          if (a != null && a != Action.REJECT) {
            times
                .computeIfAbsent(
                    te.observer() + "|" + ((NetfilterEvent) te.event()).family() + "|" + a,
                    k -> new ArrayList<>())
                .add(te.time());
          }
        }
        stepTimes = new HashMap<>();
        times.forEach(
            (k, v) ->
                stepTimes.put(
                    k,
                    v.stream()
                        .mapToLong(t -> t.getEpochSecond() * 1_000_000_000L + t.getNano())
                        .sorted()
                        .toArray()));
      }
      for (Family f : Family.values()) {
        FamilyRuleset a = prev.family(f);
        FamilyRuleset b = cur.family(f);
        if (!a.installed() || !b.installed()) {
          continue;
        }
        for (Map.Entry<RulesetStep.Kind, Action> e : LOGGED_STEPS.entrySet()) {
          if (e.getValue() == Action.REJECT) {
            continue;
          }
          RulesetStep p = a.step(e.getKey()).orElse(null);
          RulesetStep q = b.step(e.getKey()).orElse(null);
          if (p == null || q == null || p.logPackets() < 0 || q.logPackets() < p.logPackets()) {
            continue; // no LOG, no counters, or reset by a reload
          }
          long counted = q.logPackets() - p.logPackets();
          long[] t =
              stepTimes.getOrDefault(cur.observer() + "|" + f + "|" + e.getValue(), new long[0]);
          long seen = countIn(t, prev.takenAt(), cur.takenAt());
          if (counted > seen) {
            anomalies.add(
                new Anomaly(
                    Anomaly.Kind.LOG_LINES_MISSING,
                    cur.observer(),
                    null,
                    cur.takenAt(),
                    "the "
                        + e.getKey().id()
                        + " LOG rule ("
                        + f.tool()
                        + ") counted "
                        + counted
                        + " packets between the snapshots of "
                        + AuditFormat.time(prev.takenAt())
                        + " and "
                        + AuditFormat.time(cur.takenAt())
                        + " but "
                        + seen
                        + " lines arrived: "
                        + (counted - seen)
                        + " lost (a log gap while the counters moved)",
                    List.of(prev.evidence(), cur.evidence())));
          }
        }
      }
    }

    // ---------------------------------------------------------------- data-quality anomalies

    void markers() {
      List<LossMarker> all = new ArrayList<>(input.lossMarkers());
      for (TracedEvent te : events) {
        if (te.event() instanceof NoticeEvent n && n.action() == Action.LOSS_MARKER) {
          LossMarker.recognize(te.observer(), te.time(), te.sourceLine()).ifPresent(all::add);
        }
      }
      for (LossMarker m : all) {
        anomalies.add(
            new Anomaly(
                Anomaly.Kind.RATE_LIMIT_MARKER,
                m.observer(),
                null,
                m.at(),
                switch (m.kind()) {
                      case KERNEL_CALLBACKS_SUPPRESSED -> "the kernel suppressed ";
                      case JOURNAL_SUPPRESSED -> "journald suppressed ";
                      case SKIPPED_LINES -> "an earlier stage skipped ";
                    }
                    + (m.count() == null ? "an unknown number of" : m.count().toString())
                    + " messages: LOG lines may be missing around this time",
                List.of(m.evidence())));
      }
    }

    /** Timestamps going backwards within one source, beyond twice its clock's uncertainty. */
    void checkClocks() {
      Map<String, List<TracedEvent>> bySource = new TreeMap<>();
      for (TracedEvent te : events) {
        bySource
            .computeIfAbsent(streamKey(te.observer(), te.sourcePath()), k -> new ArrayList<>())
            .add(te);
      }
      for (List<TracedEvent> l : bySource.values()) {
        // a stream's rotated files are one sequence: kern.log.2.gz, kern.log.1, kern.log
        l.sort(AuditEngine::compareFileOrder);
        Instant max = null;
        TracedEvent maxLine = null;
        for (TracedEvent te : l) {
          if (max != null
              && seconds(te.time(), max) > 2 * uncertainty(te)
              && te.time().isBefore(max)) {
            anomalies.add(
                new Anomaly(
                    Anomaly.Kind.CLOCK_BACKWARDS,
                    te.observer(),
                    null,
                    te.time(),
                    "time goes back "
                        + AuditFormat.seconds(seconds(te.time(), max))
                        + " s from "
                        + maxLine.sourcePath()
                        + ":"
                        + maxLine.lineNumber()
                        + " to "
                        + te.sourcePath()
                        + ":"
                        + te.lineNumber(),
                    List.of(maxLine.sourceLine(), te.sourceLine())));
          }
          if (max == null || te.time().isAfter(max)) {
            max = te.time();
            maxLine = te;
          }
        }
      }
    }

    /** More addresses in the list at once than it holds: the oldest may have been evicted. */
    void listOverflow() {
      Map<String, Set<InetAddress>> present = new HashMap<>();
      Map<String, Boolean> over = new HashMap<>();
      for (TracedEvent te : events) {
        Action a = stepOf(te);
        InetAddress src;
        if (te.event() instanceof NoticeEvent n && changesList(te)) {
          a = n.action() == Action.LIST_ADD ? Action.SET : Action.REMOVE;
          src = n.address();
        } else if (a == Action.SET || a == Action.REMOVE) {
          src = ((NetfilterEvent) te.event()).packet().source();
        } else {
          continue;
        }
        Set<InetAddress> s = present.computeIfAbsent(te.observer(), k -> new HashSet<>());
        if (src == null) {
          s.clear(); // a flush
          continue;
        }
        if (a == Action.REMOVE) {
          s.remove(src);
          continue;
        }
        s.add(src);
        boolean isOver = s.size() > config.ipListTot();
        if (isOver && !over.getOrDefault(te.observer(), false)) {
          anomalies.add(
              new Anomaly(
                  Anomaly.Kind.LIST_OVERFLOW,
                  te.observer(),
                  src,
                  te.time(),
                  s.size()
                      + " addresses in the list at once (expired entries stay until removed),"
                      + " more than ip_list_tot="
                      + config.ipListTot()
                      + ": the oldest entries may have been evicted silently",
                  List.of(te.sourceLine())));
        }
        over.put(te.observer(), isOver);
      }
    }

    /** A stream silent for longer than allowed while its observer's other streams go on. */
    void sourcesStopped() {
      Map<String, TracedEvent> lastByKey = new HashMap<>();
      for (TracedEvent te : events) {
        if (te.event() instanceof NoticeEvent) {
          continue; // auth.log with a manual change now and then is not a stream that stops
        }
        lastByKey.merge(
            streamKey(te.observer(), te.sourcePath()),
            te,
            (a, b) -> b.time().isAfter(a.time()) ? b : a);
      }
      Map<String, TracedEvent> lastOfStream = new TreeMap<>(lastByKey);
      for (TracedEvent last : lastOfStream.values()) {
        Instant end = dataSpan.get(last.observer())[1];
        Duration silent = Duration.between(last.time(), end);
        if (silent.compareTo(config.sourceSilence()) > 0) {
          anomalies.add(
              new Anomaly(
                  Anomaly.Kind.SOURCE_STOPPED,
                  last.observer(),
                  null,
                  last.time(),
                  "log stream "
                      + stream(last.sourcePath())
                      + " has nothing after this line, "
                      + silent.toSeconds()
                      + " s before the observer's other data ends",
                  List.of(last.sourceLine())));
        }
      }
    }

    // ---------------------------------------------------------------- helpers

    Timed timed(TracedEvent te) {
      return new Timed(te.time(), uncertainty(te), te);
    }

    /** The candidate event nearest to the line's time, if within the clocks' reach. */
    Timed nearest(TracedEvent line, List<TracedEvent> candidates) {
      double reach = uncertainty(line) + MATCH_SLACK_S;
      TracedEvent best = null;
      double bestD = Double.MAX_VALUE;
      for (TracedEvent c : candidates) {
        double d = seconds(line.time(), c.time());
        if (d <= reach + uncertainty(c) && d < bestD) {
          best = c;
          bestD = d;
        }
      }
      return best == null ? null : timed(best);
    }
  }

  // ------------------------------------------------------------------ static helpers

  private enum Cap {
    SET,
    REMOVE,
    REJECT,
    LIST_DEL,
    LIST_FLUSH,
    END
  }

  /** The steps whose LOG lines the audit reads, and the action each prefix must map to. */
  private static final Map<RulesetStep.Kind, Action> LOGGED_STEPS =
      new java.util.EnumMap<>(
          Map.of(
              RulesetStep.Kind.SET, Action.SET,
              RulesetStep.Kind.REMOVE, Action.REMOVE,
              RulesetStep.Kind.RCHECK_ACCEPT, Action.ACCEPT,
              RulesetStep.Kind.REJECT, Action.REJECT));

  /** How many of the sorted nanosecond times lie in {@code (from, to]}. */
  static long countIn(long[] sorted, Instant from, Instant to) {
    long lo = from.getEpochSecond() * 1_000_000_000L + from.getNano();
    long hi = to.getEpochSecond() * 1_000_000_000L + to.getNano();
    return upper(sorted, hi) - upper(sorted, lo);
  }

  /** Index of the first element greater than {@code v}. */
  private static int upper(long[] a, long v) {
    int lo = 0;
    int hi = a.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (a[mid] <= v) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /**
   * Rotation generation (oldest first), then path, then line number; lines of one file compare by
   * number alone (the rest is equal for equal paths).
   */
  private static int compareFileOrder(TracedEvent a, TracedEvent b) {
    String pa = a.sourcePath();
    String pb = b.sourcePath();
    if (!pa.equals(pb)) {
      int c = Integer.compare(-generation(pa), -generation(pb));
      return c != 0 ? c : pa.compareTo(pb);
    }
    return Long.compare(a.lineNumber(), b.lineNumber());
  }

  /** Whether the events already stand in {@link #ORDER} (one pass instead of a sort). */
  static boolean sorted(List<TracedEvent> l) {
    for (int i = 1; i < l.size(); i++) {
      if (compareOrder(l.get(i - 1), l.get(i)) > 0) {
        return false;
      }
    }
    return true;
  }

  /** A reject bucket's router, family and source address (null: the router's overall bucket). */
  private record BucketKey(String observer, Family family, InetAddress source) {}

  /** A time, how far it may be off, and the line it came from (null for the data end). */
  private record Timed(Instant at, double u, TracedEvent line) {}

  double uncertainty(TracedEvent te) {
    EventTime t = te.event().time();
    double u = config.uncertainty(t.source());
    return t.precision() == TimePrecision.SECOND ? u + 1 : u;
  }

  static double seconds(Instant a, Instant b) {
    Duration d = Duration.between(a, b).abs();
    return d.getSeconds() + d.getNano() / 1e9;
  }

  static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  static void span(Map<String, Instant[]> spans, String key, Instant t) {
    Instant[] s = spans.computeIfAbsent(key, k -> new Instant[] {t, t});
    if (t.isBefore(s[0])) {
      s[0] = t;
    }
    if (t.isAfter(s[1])) {
      s[1] = t;
    }
  }

  static String clientKey(String observer, InetAddress a) {
    return observer + "|" + AuditFormat.address(a);
  }

  static String tupleKey(
      String observer, InetAddress src, InetAddress dst, Integer sport, Integer dport) {
    return observer
        + "|"
        + AuditFormat.address(src)
        + "|"
        + AuditFormat.address(dst)
        + "|"
        + sport
        + "|"
        + dport;
  }

  /** A file's stream name: rotation suffixes ({@code .1}, {@code .2.gz}, {@code -20261127}) cut. */
  static String stream(String path) {
    return STREAMS.computeIfAbsent(
        path, p -> ROTATION.matcher(p).replaceFirst("").replaceAll("-\\d{8}$", ""));
  }

  /** The rotation number of a file: 0 for the live file, n for {@code .n} / {@code .n.gz}. */
  static int generation(String path) {
    return GENERATIONS.computeIfAbsent(
        path,
        p -> {
          java.util.regex.Matcher m = ROTATION.matcher(p);
          return m.find() && m.group(1) != null ? Integer.parseInt(m.group(1).substring(1)) : 0;
        });
  }

  private static final java.util.regex.Pattern ROTATION =
      java.util.regex.Pattern.compile("(\\.\\d+)?(\\.(gz|xz|bz2|zst))?$");
  private static final Map<String, String> STREAMS = new java.util.concurrent.ConcurrentHashMap<>();
  private static final Map<String, Integer> GENERATIONS =
      new java.util.concurrent.ConcurrentHashMap<>();

  static List<SourceLine> dedupe(List<SourceLine> lines) {
    return List.copyOf(new java.util.LinkedHashSet<>(lines));
  }
}
