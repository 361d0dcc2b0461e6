package org.mobilessh.audit;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import org.mobilessh.parse.Action;
import org.mobilessh.parse.ClockSource;
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
 * Reconstructs windows, sessions, rejections and anomalies from parsed events, as a stream: events
 * go in in time order ({@link #open}, {@link Stream#accept}), records come out through an {@link
 * AuditSink} as soon as they are final, and only what is still open is held (open windows, the
 * addresses and flows of the last {@link #HORIZON}, sessions whose flow still runs). Deterministic:
 * the result depends only on the set of distinct events, not on their order or on duplicates.
 * {@link #reconstruct} is the same run over a list, collected. See {@code docs/audit-model.md} for
 * the rules it applies and the horizons of the stream.
 */
public final class AuditEngine {
  /** Kernel lines of one packet arriving through several sources lie this close together. */
  private static final double SAME_PACKET_S = 2.5;

  /** A session ending this close after its window's earliest close ended with it. */
  private static final double OUTLIVE_SLACK_S = 0.1;

  /** How far a line's time and its flow's conntrack event may lie apart beyond the clocks. */
  private static final double MATCH_SLACK_S = 0.05;

  /**
   * How far the stream looks ahead of a line: a line is applied to its address once the events of
   * the following hour are in, so the conntrack flows it is matched with and the flows that bound a
   * window's last refresh are seen as they stand an hour later; and a stream's stamps are checked
   * for going backwards by up to this much. See docs/audit-model.md, "Streaming".
   */
  static final Duration HORIZON = Duration.ofHours(1);

  /**
   * How long a session waits for its conntrack flow to end (the DESTROY with its byte counts) and
   * how long a flow without any end stays matchable: conntrack's own default established timeout.
   */
  static final Duration FLOW_HORIZON = Duration.ofDays(5);

  /** Records held in memory per output kind before they are spilled to a run file. */
  static final int REORDER_LIMIT = 50_000;

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
  private final Duration horizon;
  private final int reorderLimit;

  public AuditEngine(AuditConfig config) {
    this(config, HORIZON, REORDER_LIMIT);
  }

  /** With another look-ahead and spill threshold (tests). */
  AuditEngine(AuditConfig config, Duration horizon, int reorderLimit) {
    this.config = Objects.requireNonNull(config, "config");
    this.horizon = horizon;
    this.reorderLimit = reorderLimit;
    ClockSource[] clocks = ClockSource.values();
    this.uncertainties = new double[clocks.length];
    for (ClockSource c : clocks) {
      uncertainties[c.ordinal()] = config.uncertainty(c);
    }
  }

  public AuditConfig config() {
    return config;
  }

  /** Runs the reconstruction over a list and collects it. Never modifies the input. */
  public AuditResult reconstruct(AuditInput input) {
    AuditResult.Collector c = new AuditResult.Collector();
    run(input, c);
    return c.result();
  }

  /** Runs the reconstruction over a list (sorted first when it is not in time order). */
  public void run(AuditInput input, AuditSink sink) {
    List<TracedEvent> events = input.events();
    long untimed = 0;
    List<TracedEvent> timed = new ArrayList<>(events.size());
    for (TracedEvent te : events) {
      if (te.time() == null) {
        untimed++;
      } else {
        timed.add(te);
      }
    }
    if (!sorted(timed)) {
      timed.sort(ORDER); // the index delivers time order; other inputs may come in any order
    }
    try (Stream s = open(input.lossMarkers(), input.snapshots(), input.rulesets(), sink)) {
      s.untimed = untimed;
      for (TracedEvent te : timed) {
        s.accept(te);
      }
      s.finish();
    }
  }

  /**
   * Starts a streaming reconstruction: give it every event in time order ({@link Stream#accept}),
   * then {@link Stream#finish}. The optional inputs are those of {@link AuditInput}.
   */
  public Stream open(
      List<LossMarker> lossMarkers,
      List<CounterSnapshot> snapshots,
      List<RulesetInForce> rulesets,
      AuditSink sink) {
    return new Stream(lossMarkers, snapshots, rulesets, sink);
  }

  /**
   * How much a running stream holds (for tests of its memory bound and for benchmarks); {@code
   * mostRunsOpen}: the output buffers' temporary run files open at once, at most so far (the sum of
   * each buffer's most, bounded by {@link Reorder#RUNS} each).
   */
  public record LiveState(
      int delayed,
      int crossSource,
      int addresses,
      int openWindows,
      int flows,
      int waitingSessions,
      int clockLines,
      int rejectBuckets,
      int listEntries,
      int reorderInMemory,
      long spilled,
      int mostRunsOpen) {
    /** Objects of the stream's own that grow with the data held. */
    public long total() {
      return (long) delayed
          + crossSource
          + addresses
          + flows
          + waitingSessions
          + clockLines
          + rejectBuckets
          + reorderInMemory;
    }
  }

  /** One streaming reconstruction: events in (time order), records out (through the sink). */
  public final class Stream implements AutoCloseable {
    private final AuditSink sink;
    private final List<CounterSnapshot> snapshots;
    private final List<RulesetInForce> rulesetsIn;

    /** The largest clock uncertainty of any stamp (whole-second stamps included). */
    private final double maxU;

    /** How far a time refined from conntrack may lie before its line. */
    private final Duration slack;

    /** How long a line waits before it is applied: the look-ahead. */
    private final Duration delay;

    /** How long a quiet track stays after its last line (a line can still refer back to it). */
    private final Duration retireWait;

    /** How far a FAILED line and its attempt may lie apart (docs: manual list changes). */
    private final double pairReach;

    /** A second DESTROY (ulogd next to conntrack -E) lies this close to the first. */
    private final double settleS;

    /** The earliest snapshot: anomalies from snapshots are made at the end, dated there. */
    private final Instant pin;

    private final List<Instant> checkpoints;
    private int nextCheckpoint;

    long untimed;
    private long duplicates;
    private long used;

    private TracedEvent previous;
    private final List<TracedEvent> instant = new ArrayList<>();
    private final Set<LogEvent> seen = new HashSet<>();

    private final ArrayDeque<Pending> crossSource = new ArrayDeque<>();
    private final Map<List<Object>, List<Cluster>> clusters = new HashMap<>();

    private final Map<String, Obs> observers = new HashMap<>();
    private final Map<String, StreamState> streams = new HashMap<>();
    private final LineQueue<Obs> delayed = new LineQueue<>();

    /** The time stage C has reached: read through {@link #cHead()}. */
    private Instant cHead;

    /**
     * When not null, {@link #cHead} is this plus the look-ahead, made when it is read: a line
     * applied in stage C moves it, and most lines move it again before anything reads it.
     */
    private Instant cHeadLine;

    private Instant dHead;
    private long cSteps;
    private long dSteps;
    private Instant nextSweep;

    /**
     * Open windows in the order of their opening line's time (first: the earliest, which holds back
     * the output of windows), linked through the windows themselves: a window opens at the line
     * being applied, which is never earlier than the last one, so it joins at the end, and it
     * leaves from anywhere when it closes, both without a look-up.
     */
    private Track.Open firstOpen;

    private Track.Open lastOpen;

    /** The line {@link #marked} was made for: the lines of one step share one mark. */
    private TracedEvent markedLine;

    private Mark marked;

    private int openWindows;
    private final List<Track.SessionDraft> waiting = new ArrayList<>();
    private final List<Track.Deferred> deferredWindows = new ArrayList<>();

    /**
     * The earliest {@link #FLOW_HORIZON} deadline of a waiting session or deferred window, checked
     * at every event rather than at {@link #tick}: what goes out at the horizon must be the state
     * of the data at that instant, not of whichever event the housekeeping ran at, or a router's
     * records would depend on the other routers in the same stream.
     */
    private Instant horizonDue;

    private final ArrayDeque<Retire> retire = new ArrayDeque<>();

    private final ArrayDeque<TracedEvent> attempts = new ArrayDeque<>();
    private final ArrayDeque<TracedEvent> failures = new ArrayDeque<>();
    private final Map<TracedEvent, TracedEvent> failureOf = new IdentityHashMap<>();
    private final Set<TracedEvent> failedAttempts =
        java.util.Collections.newSetFromMap(new IdentityHashMap<>());

    private final Map<String, Map<Instant, long[]>> prefixes = new HashMap<>();

    private final Reorder<Window> windowsOut;
    private final Reorder<Session> sessionsOut;
    private final Reorder<Anomaly> anomaliesOut;
    private final List<Reorder<?>> outs;
    private boolean finished;

    /** Whether the sink takes rejections (else they are not made, nor their buckets kept). */
    private final boolean rejections;

    /**
     * Whether the sink keeps evidence lines of indexed events as pointers only ({@link
     * AuditSink#wantsIndexedTexts}): the records are then made without those lines' texts.
     */
    private final boolean pointers;

    /**
     * Whether the sink takes anomalies. If not, the checks that only raise anomalies (a stream's
     * clock going back, the list overflowing) are not run; windows, sessions and rejections do not
     * depend on them.
     */
    private final boolean anomalies;

    Stream(
        List<LossMarker> lossMarkers,
        List<CounterSnapshot> snapshots,
        List<RulesetInForce> rulesets,
        AuditSink sink) {
      this.sink = Objects.requireNonNull(sink, "sink");
      this.rejections = sink.wantsRejections();
      this.anomalies = sink.wantsAnomalies();
      this.pointers = !sink.wantsIndexedTexts();
      this.snapshots = List.copyOf(snapshots);
      this.rulesetsIn = List.copyOf(rulesets);
      double u = 0;
      for (ClockSource c : ClockSource.values()) {
        u = Math.max(u, config.uncertainty(c));
      }
      this.maxU = u + 1;
      this.slack = Duration.ofNanos((long) ((2 * maxU + MATCH_SLACK_S + 1) * 1e9));
      this.pairReach = 2 * maxU + SAME_PACKET_S;
      this.settleS = 2 * maxU + SAME_PACKET_S;
      Duration least = Duration.ofNanos((long) ((pairReach + 2 + 2 * maxU) * 1e9)).plus(slack);
      this.delay = horizon.compareTo(least) < 0 ? least : horizon;
      this.retireWait = slack.plusSeconds(11);
      Instant p = null;
      TreeMap<Instant, Boolean> cps = new TreeMap<>();
      for (CounterSnapshot s : this.snapshots) {
        cps.put(s.takenAt(), true);
      }
      for (RulesetInForce r : this.rulesetsIn) {
        cps.put(r.takenAt(), true);
      }
      this.checkpoints = new ArrayList<>(cps.keySet());
      this.pin = checkpoints.isEmpty() ? null : checkpoints.get(0);
      this.windowsOut =
          new Reorder<>(
              Window::openedAt,
              AuditEngine::windowTie,
              // second-precision set lines of different addresses share their opening time often
              new WindowTieOrder(),
              AuditRecordCodec.WINDOWS,
              reorderLimit,
              sink::window);
      AuditSink.WindowSequences sequences = sink.windowSequences();
      if (sequences != null) {
        windowsOut.split(Reorder.placed(sequences));
      }
      this.sessionsOut =
          new Reorder<>(
              Session::acceptedAt,
              s ->
                  s.observer()
                      + "\0"
                      + AuditFormat.address(s.source())
                      + "\0"
                      + (char) s.sourcePort(),
              AuditRecordCodec.SESSIONS,
              reorderLimit,
              sink::session);
      this.anomaliesOut =
          new Reorder<>(
              a -> a.at() == null ? Instant.MIN : a.at(),
              a ->
                  (char) (a.kind().ordinal() + 1)
                      + a.observer()
                      + "\0"
                      + AuditFormat.address(a.address())
                      + "\0"
                      + a.message(),
              AuditRecordCodec.ANOMALIES,
              reorderLimit,
              sink::anomaly);
      this.outs = List.of(windowsOut, sessionsOut, anomaliesOut);
      for (LossMarker m : lossMarkers) {
        marker(m);
      }
    }

    /**
     * The next event. Events must come in time order ({@code EventSearcher.forEach} delivers it);
     * events of one instant may come in any order.
     *
     * @throws AuditException for an event earlier than the one before
     */
    public void accept(TracedEvent te) {
      if (finished) {
        throw new IllegalStateException("the stream has finished");
      }
      if (te.time() == null) {
        untimed++;
        return;
      }
      if (previous != null && te.time().isBefore(previous.time())) {
        throw new AuditException(
            "events must come in time order: "
                + te.sourcePath()
                + ":"
                + te.lineNumber()
                + " came after "
                + previous.sourcePath()
                + ":"
                + previous.lineNumber());
      }
      previous = te;
      if (!instant.isEmpty() && !instant.get(0).time().equals(te.time())) {
        flushInstant();
      }
      instant.add(te);
    }

    /** Ends the stream: closes what is still open at the end of the data and delivers the rest. */
    public void finish() {
      if (finished) {
        return;
      }
      flushInstant();
      while (!crossSource.isEmpty()) {
        release(crossSource.pollFirst());
      }
      pairing(null);
      while (!delayed.isEmpty()) {
        stageD();
      }
      for (Obs o : observers.values()) {
        for (Track t : o.tracks.values()) { // (closes of different addresses: any order)
          t.finish();
        }
      }
      deferred(null);
      checkpoints(null);
      for (Track.SessionDraft d : waiting) {
        sessionsOut.add(d.build(), d.place);
      }
      waiting.clear();
      for (StreamState s : streams.values()) {
        s.clockOut(Long.MAX_VALUE, 0);
      }
      snapshots();
      rulesets();
      sourcesStopped();
      for (Reorder<?> r : outs) {
        r.release(null);
      }
      finished = true;
      sink.end(totals, used, duplicates, untimed);
    }

    @Override
    public void close() {
      for (Reorder<?> r : outs) {
        r.close();
      }
    }

    /** What the stream holds now. */
    public LiveState liveState() {
      int addresses = 0;
      int flows = 0;
      int entries = 0;
      for (Obs o : observers.values()) {
        for (Track t : o.tracks.values()) {
          addresses += t.retired ? 0 : 1;
        }
        flows += o.flows.size();
        entries += o.listed;
      }
      int clock = 0;
      for (StreamState s : streams.values()) {
        clock += s.queue == null ? s.inOrder.size() : s.queue.size();
      }
      int mem = 0;
      long spilled = 0;
      int runs = 0;
      for (Reorder<?> r : outs) {
        mem += r.inMemory();
        spilled += r.spilled();
        runs += r.mostRunsOpen();
      }
      return new LiveState(
          delayed.size(),
          crossSource.size() + instant.size(),
          addresses,
          openWindows,
          flows,
          waiting.size(),
          clock,
          buckets(),
          entries,
          mem,
          spilled,
          runs);
    }

    // ------------------------------------------------------------ duplicates and copies

    /**
     * The events of one instant, put in the engine's order (a time-ordered reader of several files
     * or routers may interleave equal stamps differently). Equal events have equal times: a
     * duplicate can only be among the events of one instant.
     */
    private void flushInstant() {
      if (instant.size() > 1 && !sorted(instant)) {
        instant.sort(ORDER);
      }
      int n = instant.size();
      if (n == 1) {
        crossSource(instant.get(0)); // alone at its instant: nothing to hash
      } else if (n <= 8) {
        // a few events (second-precision stamps of several routers): comparing them pairwise is
        // cheaper than hashing each whole event, and drops the same ones (equal to an earlier one)
        for (int i = 0; i < n; i++) {
          TracedEvent te = instant.get(i);
          boolean dup = false;
          for (int j = 0; j < i && !dup; j++) {
            dup = instant.get(j).event().equals(te.event());
          }
          if (dup) {
            duplicates++;
          } else {
            crossSource(te);
          }
        }
      } else {
        seen.clear();
        for (TracedEvent te : instant) {
          if (seen.add(te.event())) {
            crossSource(te);
          } else {
            duplicates++;
          }
        }
      }
      instant.clear();
    }

    /**
     * The same kernel LOG line may arrive through dmesg, journald and rsyslog with different
     * stamps. Lines of different streams with the same packet fields within {@value #SAME_PACKET_S}
     * s are one packet; the copy with the most precise clock stays. Every event waits here {@value
     * #SAME_PACKET_S} s for copies; the clustering itself starts for a router once it has a second
     * stream.
     */
    private void crossSource(TracedEvent te) {
      Instant t = te.time();
      while (!crossSource.isEmpty()
          && seconds(crossSource.peekFirst().te.time(), t) > SAME_PACKET_S) {
        release(crossSource.pollFirst());
      }
      Pending p = new Pending(te);
      if (pairable(te)) {
        Obs o = obs(te.observer());
        // (a reader shares one string per path: a line of the path seen last is of its stream)
        if (!o.multi && te.sourcePath() != o.firstStreamPath) {
          String s = stream(te.sourcePath());
          if (o.firstStream == null) {
            o.firstStream = s;
            o.firstStreamPath = te.sourcePath();
          } else if (o.firstStream.equals(s)) {
            o.firstStreamPath = te.sourcePath();
          } else {
            // so far every line of this router came through one stream: each was a cluster of
            // its own; those still within reach become clusters now, in their order
            o.multi = true;
            for (Pending q : crossSource) {
              if (q.te.observer().equals(o.name) && pairable(q.te)) {
                cluster(q);
              }
            }
          }
        }
        if (o.multi) {
          cluster(p);
        }
      }
      crossSource.addLast(p);
    }

    /** Notices and LOG lines with a packet: what can arrive through several streams. */
    private boolean pairable(TracedEvent te) {
      LogEvent e = te.event();
      return e instanceof NoticeEvent || (e instanceof NetfilterEvent ne && ne.packet() != null);
    }

    private void cluster(Pending p) {
      TracedEvent te = p.te;
      List<Object> key =
          te.event() instanceof NoticeEvent n
              // the same logger or marker line through syslog and journald
              ? List.of(te.observer(), n.action(), n.message())
              : packetKey(te, (NetfilterEvent) te.event());
      List<Cluster> cs = clusters.computeIfAbsent(key, k -> new ArrayList<>());
      // one stream (kern.log and its rotations) never holds the same line twice
      String stream = stream(te.sourcePath());
      Cluster home = null;
      for (Cluster c : cs) {
        boolean sameSource = false;
        for (Pending x : c.members) {
          if (stream(x.te.sourcePath()).equals(stream)) {
            sameSource = true;
            break;
          }
        }
        if (!sameSource && seconds(c.members.get(0).te.time(), te.time()) <= SAME_PACKET_S) {
          home = c;
          break;
        }
      }
      if (home == null) {
        home = new Cluster(key);
        cs.add(home);
      }
      home.members.add(p);
      p.cluster = home;
    }

    /** An event leaves the copy buffer: its cluster is complete when its first member leaves. */
    private void release(Pending p) {
      Cluster c = p.cluster;
      if (c != null && c.members.get(0) == p) {
        List<Cluster> cs = clusters.get(c.key);
        cs.remove(c);
        if (cs.isEmpty()) {
          clusters.remove(c.key);
        }
        if (c.members.size() > 1) {
          Pending best =
              c.members.stream()
                  .min(
                      Comparator.comparingDouble((Pending x) -> uncertainty(x.te))
                          .thenComparing(x -> x.te.sourcePath())
                          .thenComparingLong(x -> x.te.lineNumber()))
                  .orElseThrow();
          for (Pending x : c.members) {
            if (x != best) {
              x.drop = true;
              duplicates++;
            }
          }
        }
      }
      if (!p.drop) {
        stageC(p.te);
      }
    }

    /** What makes two LOG lines of different streams the same packet. */
    private List<Object> packetKey(TracedEvent te, NetfilterEvent ne) {
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

    // ------------------------------------------------------------ the distinct events

    /** A distinct event, in order: what it says at once, and what waits for the look-ahead. */
    private void stageC(TracedEvent te) {
      used++;
      Instant t = te.time();
      if (horizonDue != null && t.isAfter(horizonDue)) {
        pastHorizon(t);
      }
      checkpoints(t);
      // x + delay < t, as x < t - delay, in numbers (Instant.minus's arithmetic): no Instant per
      // event
      long cutS = t.getEpochSecond() - delay.getSeconds();
      int cutN = t.getNano() - delay.getNano();
      if (cutN < 0) {
        cutN += 1_000_000_000;
        cutS--;
      }
      // The lines whose look-ahead ends before this event are applied first, each with the data
      // seen up to exactly its look-ahead's end (its time + delay): then what a line finds does
      // not depend on which event, of which router, happened to come next.
      pairing(t);
      while (delayed.headBefore(cutS, cutN)) {
        cHeadLine = delayed.headTime();
        stageD();
      }
      cHead = t;
      cHeadLine = null;
      Obs o = obs(te.observer());
      if (o.first == null) {
        o.first = t;
      }
      o.last = t;
      LogEvent e = te.event();
      double u = uncertainty(te);
      StreamState ss = o.stream(te.sourcePath());
      if (anomalies) {
        ss.clockIn(te, u, cutS, cutN);
      }
      if (!(e instanceof NoticeEvent) && (ss.lastLine == null || t.isAfter(ss.lastLine.time()))) {
        ss.lastLine = te;
      }
      if (e instanceof ConntrackEvent ce) {
        if (o.ctFirst == null) {
          o.ctFirst = t;
        }
        o.ctLast = t;
        flow(o, te, ce);
      } else if (e instanceof NoticeEvent n) {
        if (n.action() == Action.LOSS_MARKER) {
          LossMarker.recognize(te.observer(), t, te.sourceLine()).ifPresent(this::marker);
        }
        if (n.isListChange()) {
          (n.failed() ? failures : attempts).addLast(te);
          delayed.add(te, u, o, null, null);
        }
      } else {
        Action a = stepOf(te);
        if (a != null) {
          NetfilterEvent ne = (NetfilterEvent) e;
          o.counts[countIndex(ne.family(), a)]++;
          if (a == Action.REJECT && rejections) {
            rejection(te, ne, o, u);
          }
          // a rejected packet matters to an address only as a SYN that proves its window shut
          if (a != Action.REJECT || ne.packet().isSyn()) {
            delayed.add(te, u, o, a, ne.packet().source());
          }
        }
      }
      if ((++cSteps & 1023) == 0) {
        tick();
      }
    }

    /**
     * The oldest line waiting for the look-ahead, applied to its address. A rejected SYN of an
     * address without an open window (most lines of a month) is applied without reading the line
     * itself.
     */
    private void stageD() {
      TracedEvent te = delayed.headLine();
      Obs o = delayed.headRouter();
      InetAddress src = delayed.headSource();
      dHead = delayed.headTime();
      appliedLine = te;
      appliedU = delayed.headUncertainty();
      Action action = delayed.removeHead();
      dSteps++;
      if (action == null) {
        NoticeEvent n = (NoticeEvent) te.event();
        // a change followed by its FAILED line changed nothing
        boolean changes = !n.failed() && !failedAttempts.remove(te);
        if (!changes) {
          return;
        }
        if (n.action() == Action.LIST_FLUSH) {
          if (anomalies) {
            unlistAll(o);
          }
          // a flush empties the list for every address of its router
          for (Track t : o.tracks.values()) { // (a list of its own; any order, as above)
            if (t.open != null) {
              t.line(te, null);
            }
          }
        } else {
          Track t = track(o, n.address());
          if (anomalies) {
            overflow(o, te, n.action() == Action.LIST_ADD ? Action.SET : Action.REMOVE, t);
          }
          t.line(te, null);
        }
      } else {
        if (action != Action.REJECT) {
          Track t = track(o, src);
          if (anomalies && (action == Action.SET || action == Action.REMOVE)) {
            overflow(o, te, action, t);
          }
          t.line(te, action);
        } else {
          // it can only close an open window: an address without one is not tracked for it
          Track t = o.tracks.get(src);
          if (t != null && !t.retired) {
            t.line(te, action);
          }
        }
      }
      retireDue();
    }

    /** {@link #cHead}, made from {@link #cHeadLine} if that moved it. */
    private Instant cHead() {
      Instant line = cHeadLine;
      if (line != null) {
        cHead = line.plus(delay);
        cHeadLine = null;
      }
      return cHead;
    }

    private Track track(Obs o, InetAddress a) {
      Track t = o.tracks.get(a);
      if (t == null) {
        t = new Track(o, a);
        o.tracks.put(a, t);
      } else {
        t.retired = false; // (a retired track is as a new one: see retireDue)
      }
      return t;
    }

    private Obs obs(String name) {
      // a stream is usually one router's: its name comes with every event (a string of each
      // event's own), and comparing it with the last one's spares hashing it
      Obs o = lastObs;
      if (o != null && (o.name == name || o.name.equals(name))) {
        return o;
      }
      o = observers.get(name);
      if (o == null) {
        o = new Obs(name);
        observers.put(name, o);
      }
      lastObs = o;
      return o;
    }

    /** The router {@link #obs} found last. */
    private Obs lastObs;

    /** Every second of data or so: what became final goes out, what can no longer matter goes. */
    private void tick() {
      Instant now = cHead();
      deferred(now);
      for (Iterator<Track.SessionDraft> it = waiting.iterator(); it.hasNext(); ) {
        Track.SessionDraft d = it.next();
        if (ready(d)) {
          sessionsOut.add(d.build(), d.place);
          it.remove();
        }
      }
      if (nextSweep == null || now.isAfter(nextSweep)) {
        nextSweep = now.plusSeconds(60);
        sweepFlows();
        sweepBuckets(now);
        // (a stream's lines are clock-checked at its own next line, not here: checked at another
        // stream's pace, a line could be compared before or after a later-arriving line of its
        // file, and a router's anomalies would depend on the other routers' traffic)
      }
      releaseAll();
    }

    /** A session or window that waits for a flow goes out at the latest at {@code due}. */
    private void horizon(Instant due) {
      if (horizonDue == null || due.isBefore(horizonDue)) {
        horizonDue = due;
      }
    }

    /**
     * Sends out what waited for a flow longer than {@link #FLOW_HORIZON} before {@code t}: before
     * the first event after the deadline, so with the flows exactly as they were at it.
     */
    private void pastHorizon(Instant t) {
      Instant next = null;
      for (Iterator<Track.Deferred> it = deferredWindows.iterator(); it.hasNext(); ) {
        Track.Deferred d = it.next();
        Instant due = d.c.at.plus(FLOW_HORIZON);
        if (t.isAfter(due)) {
          d.emit();
          it.remove();
        } else if (next == null || due.isBefore(next)) {
          next = due;
        }
      }
      for (Iterator<Track.SessionDraft> it = waiting.iterator(); it.hasNext(); ) {
        Track.SessionDraft d = it.next();
        Instant due = d.accepted.at.plus(FLOW_HORIZON);
        // (no retransmitted SYN can join it any more: the horizon is days after its first line)
        if (t.isAfter(due)
            && dHead != null
            && !dHead.isBefore(d.firstLine.time().plusSeconds(10))) {
          sessionsOut.add(d.build(), d.place);
          it.remove();
        } else if (next == null || due.isBefore(next)) {
          next = due;
        }
      }
      horizonDue = next;
    }

    /** Windows waiting for the end of a flow; {@code null}: the end of the data. */
    private void deferred(Instant now) {
      for (Iterator<Track.Deferred> it = deferredWindows.iterator(); it.hasNext(); ) {
        Track.Deferred d = it.next();
        if (d.ready(now)) {
          d.emit();
          it.remove();
        }
      }
    }

    /** Emits what no record still to come can precede. */
    private void releaseAll() {
      Instant pending = delayed.isEmpty() ? cHead() : delayed.headTime();
      if (!crossSource.isEmpty() && crossSource.peekFirst().te.time().isBefore(pending)) {
        pending = crossSource.peekFirst().te.time();
      }
      if (!instant.isEmpty() && instant.get(0).time().isBefore(pending)) {
        pending = instant.get(0).time();
      }
      if (pending == null) {
        return;
      }
      // a window still open is late when it closes (if this has passed its opening): what comes
      // while its opening lies ahead is settled by the lines still to apply alone
      Instant settled = pending.minus(slack);
      if (firstOpen != null && firstOpen.setAt.isBefore(pending)) {
        pending = firstOpen.setAt;
      }
      Instant w = pending.minus(slack);
      windowsOut.release(settled, w);
      for (Track.SessionDraft d : waiting) {
        Instant a = d.accepted.at.minus(slack);
        if (a.isBefore(w)) {
          w = a;
        }
      }
      sessionsOut.release(w);
      for (StreamState s : streams.values()) {
        Instant c = s.oldestUnchecked();
        if (c != null && c.isBefore(w)) {
          w = c;
        }
        if (s.lastLine != null && s.lastLine.time().isBefore(w)) {
          w = s.lastLine.time(); // a stream that stops is reported at its last line, at the end
        }
      }
      for (ArrayDeque<TracedEvent> q : List.of(attempts, failures)) {
        if (!q.isEmpty() && q.peekFirst().time().isBefore(w)) {
          w = q.peekFirst().time();
        }
      }
      if (pin != null && pin.isBefore(w)) {
        w = pin;
      }
      anomaliesOut.release(w);
    }

    // ------------------------------------------------------------ conntrack flows

    private void flow(Obs o, TracedEvent te, ConntrackEvent ce) {
      if (ce.protocol() != Protocol.TCP || ce.original().destinationPort() == null) {
        return;
      }
      int dport = ce.original().destinationPort();
      Flow.Kind kind;
      if (dport == config.sshPort()) {
        kind = Flow.Kind.SSH;
      } else if (dport == config.imapsPort() && config.isMailServer(ce.original().destination())) {
        kind = Flow.Kind.IMAPS;
      } else {
        return;
      }
      List<Object> key =
          java.util.Arrays.asList(
              ce.id(),
              ce.original().source(),
              ce.original().destination(),
              ce.original().sourcePort(),
              dport);
      Flow f = o.live.get(key);
      // conntrack ids are reused only after the entry is gone: a NEW after a NEW or DESTROY
      // starts another flow; a second DESTROY (ulogd next to conntrack -E) is the same flow
      boolean restart =
          f != null
              && ((ce.type() == org.mobilessh.parse.ConntrackType.NEW
                      && (f.newAt != null || f.destroy != null))
                  || lapsed(f, te.time()));
      if (f == null || restart) {
        f = new Flow(te.observer(), kind, ce.id(), ce);
        o.live.put(key, f);
        o.flows.add(f);
        o.clientFlows.computeIfAbsent(f.source, k -> new ArrayList<>()).add(f);
        o.tupleFlows
            .computeIfAbsent(
                new Tuple(f.source, f.destination, f.sourcePort, dport), k -> new ArrayList<>())
            .add(f);
      }
      f.add(te);
    }

    /** Whether a flow will not change any more: its DESTROY (and any copy of it) is in. */
    private boolean settled(Flow f) {
      return f.destroy != null && seconds(f.destroy.time(), cHead()) > settleS;
    }

    /** Whether a line from now on can still be matched to the flow. */
    private boolean matchable(Flow f) {
      Instant last = f.lastPossibleActivity();
      return !settled(f)
          || last == null
          || !last.plusNanos((long) ((maxU + MATCH_SLACK_S) * 1e9)).plus(slack).isBefore(dHead);
    }

    /**
     * Whether a flow has been silent for longer than {@link #FLOW_HORIZON} at {@code t}: from then
     * on no line joins it, no window counts it, and a conntrack event with its id and tuple starts
     * another flow. Decided by data time, so whether {@link #sweepFlows} has forgotten it yet makes
     * no difference.
     */
    private static boolean lapsed(Flow f, Instant t) {
      return f.events.get(f.events.size() - 1).time().plus(FLOW_HORIZON).isBefore(t);
    }

    /** Forgets flows that no line and no window can reach any more. */
    private void sweepFlows() {
      if (dHead == null) {
        return;
      }
      // lapsed for every line still to come: those wait at most the look-ahead (delay), and a
      // window's opening can be refined to a flow event a few seconds before its set line
      Instant stale = cHead().minus(FLOW_HORIZON).minus(delay).minus(slack).minusSeconds(60);
      for (Obs o : observers.values()) {
        if (o.flows.isEmpty()) {
          continue;
        }
        List<Flow> keep = new ArrayList<>();
        for (Flow f : o.flows) {
          TracedEvent lastEvent = f.events.get(f.events.size() - 1);
          // an end that never came: matchable no longer after the horizon
          boolean gone = !matchable(f) || lastEvent.time().isBefore(stale);
          if (gone) {
            Track t = o.tracks.get(f.source);
            Instant last = f.lastPossibleActivity();
            // an open window of its client still counts its refreshes (and bounds)
            gone = t == null || t.open == null || (last != null && !last.isAfter(t.open.openedAt));
          }
          if (!gone) {
            keep.add(f);
            continue;
          }
          forget(o.clientFlows, f.source, f);
          forget(
              o.tupleFlows, new Tuple(f.source, f.destination, f.sourcePort, f.destinationPort), f);
          o.live.values().remove(f);
        }
        o.flows = keep;
      }
    }

    private <K> void forget(Map<K, List<Flow>> m, K key, Flow f) {
      List<Flow> l = m.get(key);
      if (l != null) {
        l.remove(f);
        if (l.isEmpty()) {
          m.remove(key);
        }
      }
    }

    // ------------------------------------------------------------ sessions

    /**
     * A session goes out when its window is known, no retransmitted SYN can join, and its flow
     * ended.
     */
    private boolean ready(Track.SessionDraft d) {
      if (dHead == null || dHead.isBefore(d.firstLine.time().plusSeconds(10))) {
        return false;
      }
      Flow f = d.flow;
      if (f == null || cHead().isAfter(d.accepted.at.plus(FLOW_HORIZON))) {
        return true;
      }
      return !matchable(f);
    }

    /** Tracks with nothing open are forgotten once no line can refer back to them. */
    private void retireDue() {
      if (retire.isEmpty()) {
        return;
      }
      Instant cut = dHead.minus(retireWait);
      while (!retire.isEmpty() && retire.peekFirst().at.isBefore(cut)) {
        Retire r = retire.pollFirst();
        Track t = r.track;
        if (t.touched != r.touched
            || t.open != null
            || t.retired
            || t.obs.tracks.get(t.address) != t) {
          continue; // touched again since: it was queued again when it became quiet
        }
        if (!t.sessionByTuple.isEmpty()) {
          t.sessionByTuple
              .values()
              .removeIf(
                  d ->
                      !dHead.isBefore(d.firstLine.time().plusSeconds(10))
                          && (d.flow == null || !matchable(d.flow)));
        }
        boolean lastGone = t.lastClosedAt == null || t.lastClosedAt.plus(slack).isBefore(dHead);
        if (t.sessionByTuple.isEmpty() && lastGone) {
          if (t.listed) {
            // it stays for the list's count (one look-up per set line instead of two); it holds
            // nothing a line could still refer back to, so it is a new track when a line comes
            t.retired = true;
            t.lastClosedAt = null;
          } else {
            t.obs.tracks.remove(t.address);
          }
        } else {
          retire.addLast(new Retire(t, t.touched, dHead));
        }
      }
    }

    // ------------------------------------------------------------ manual list changes

    /**
     * Pairs each {@code FAILED} line with the attempt line written just before it (once the lines
     * of the next second are in), and raises one {@code manual-list-change} anomaly per change (or
     * failed attempt) once no FAILED line can follow it. {@code now == null}: the end.
     */
    private void pairing(Instant now) {
      while (!failures.isEmpty()
          && (now == null || failures.peekFirst().time().plusSeconds(1).isBefore(now))) {
        pair(failures.pollFirst());
      }
      while (!attempts.isEmpty()) {
        TracedEvent a = attempts.peekFirst();
        Instant reach = a.time().plusNanos((long) (pairReach * 1e9));
        if (now != null
            && (!reach.plusSeconds(1).isBefore(now)
                || (!failures.isEmpty() && !failures.peekFirst().time().isAfter(reach)))) {
          break;
        }
        attempts.pollFirst();
        manualChange(a);
      }
    }

    private void pair(TracedEvent te) {
      NoticeEvent n = (NoticeEvent) te.event();
      TracedEvent attempt = null;
      for (TracedEvent c : attempts) {
        NoticeEvent cn = (NoticeEvent) c.event();
        boolean candidate =
            c.observer().equals(te.observer())
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
        emit(
            new Anomaly(
                Anomaly.Kind.MANUAL_LIST_CHANGE,
                te.observer(),
                n.address(),
                te.time(),
                "a manual list change FAILED (nothing changed), but the line of its attempt is"
                    + " missing: "
                    + n.message(),
                List.of(lineOf(te))));
      }
    }

    private void manualChange(TracedEvent te) {
      NoticeEvent n = (NoticeEvent) te.event();
      TracedEvent failure = failureOf.remove(te);
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
      List<SourceLine> ev = new ArrayList<>(List.of(lineOf(te)));
      if (failure != null) {
        ev.add(lineOf(failure));
        what =
            "attempted: "
                + what
                + "; it FAILED and changed nothing: "
                + ((NoticeEvent) failure.event())
                    .message()
                    .substring(n.message().length() + " FAILED: ".length());
      }
      emit(
          new Anomaly(
              Anomaly.Kind.MANUAL_LIST_CHANGE, te.observer(), n.address(), te.time(), what, ev));
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
      Action a = actionFor(ne.prefix());
      return a == Action.FIREWALL ? null : a;
    }

    /**
     * The configured step of a LOG prefix. A reader hands out one string per prefix text for long
     * stretches (the parser reuses its recent ones), so the last few are answered by identity,
     * before the map compares the text with every configured prefix.
     */
    private Action actionFor(String prefix) {
      for (int i = 0; i < prefixesSeen.length; i++) {
        if (prefixesSeen[i] == prefix) {
          return prefixSteps[i];
        }
      }
      Action a = config.prefixes().actionFor(prefix);
      prefixesSeen[nextPrefix] = prefix;
      prefixSteps[nextPrefix] = a;
      nextPrefix = (nextPrefix + 1) % prefixesSeen.length;
      return a;
    }

    private final String[] prefixesSeen = new String[4];
    private final Action[] prefixSteps = new Action[4];
    private int nextPrefix;

    private void emit(Anomaly a) {
      if (!anomalies) {
        return;
      }
      anomaliesOut.add(a);
    }

    // ------------------------------------------------------------ the list, at once

    /**
     * More addresses in the list at once than it holds: the oldest may have been evicted. {@code
     * t}: the track of the address set ({@code a} SET) or removed (REMOVE).
     */
    private void overflow(Obs o, TracedEvent te, Action a, Track t) {
      if (a == Action.REMOVE) {
        if (t.listed) {
          t.listed = false;
          o.listed--;
        }
        return;
      }
      if (!t.listed) {
        t.listed = true;
        o.listed++;
      }
      boolean isOver = o.listed > config.ipListTot();
      if (isOver && !o.over) {
        emit(
            new Anomaly(
                Anomaly.Kind.LIST_OVERFLOW,
                te.observer(),
                t.address,
                te.time(),
                o.listed
                    + " addresses in the list at once (expired entries stay until removed),"
                    + " more than ip_list_tot="
                    + config.ipListTot()
                    + ": the oldest entries may have been evicted silently",
                List.of(lineOf(te))));
      }
      o.over = isOver;
    }

    /** A flush: no address of the router is in the list any more. */
    private void unlistAll(Obs o) {
      for (Track t : o.tracks.values()) { // (a list of its own: removing is safe)
        t.listed = false;
        if (t.retired) {
          o.tracks.remove(t.address); // kept for the count only
        }
      }
      o.listed = 0;
    }

    // ------------------------------------------------------------ rejections

    /**
     * A rejection, with {@code sampled} from a replay of the reject LOG's token buckets: hashlimit
     * per source (/32, /64) and limit overall, per observer and family. {@code o} is the event's
     * observer and {@code u} its {@link #uncertainty}, as stage C has them already.
     */
    private void rejection(TracedEvent te, NetfilterEvent ne, Obs o, double u) {
      IpPacket p = ne.packet();
      Family fam = p.family();
      Instant t = te.time();
      double now = t.getEpochSecond() + t.getNano() / 1e9;
      AddressMap<double[]> perSource = o.buckets[fam.ordinal()];
      // the hashlimit group: the address (IPv4), or its /64 (IPv6: the key with the low half 0)
      InetAddress src = p.source();
      Inet6Address v6 = src instanceof Inet6Address x ? x : null;
      long net = v6 == null ? 0 : AddressMap.high64(v6);
      double[] a = v6 == null ? perSource.get(src) : perSource.get6(net, 0);
      if (a == null) {
        a = newBucket(now, config.rejectLogPerSecond());
        if (v6 == null) {
          perSource.put(src, a);
        } else {
          perSource.put6(net, 0, a);
        }
      }
      double[] b = o.overall[fam.ordinal()];
      if (b == null) {
        b = newBucket(now, config.rejectLogGlobalPerSecond());
        o.overall[fam.ordinal()] = b;
      }
      boolean emptyA = take(a, now);
      boolean emptyB = take(b, now);
      Set<TcpFlag> flags = flagSet(p.tcpFlagBits() & (FLAG_SETS.length - 1));
      sink.rejection(
          new Rejection(
              o.name, // the observer's one instance (each event has a string of its own)
              t,
              u,
              src,
              p.sourcePort(),
              p.destination(),
              p.destinationPort(),
              p.protocol(),
              flags,
              emptyA || emptyB,
              lineOf(te)));
    }

    /** A full bucket: tokens, when last taken from, rate. */
    private double[] newBucket(double now, double rate) {
      return new double[] {config.rejectLogBurst(), now, rate};
    }

    /** Takes one token; true if the bucket is left with less than one. */
    private boolean take(double[] b, double now) {
      int burst = config.rejectLogBurst();
      double tokens = Math.min(burst, b[0] + (now - b[1]) * b[2]);
      tokens = Math.max(0, tokens - 1);
      b[0] = tokens;
      b[1] = now;
      return tokens < 1 - 1e-9;
    }

    /** A bucket that has filled up again is the same as a new one: forget it. */
    private void sweepBuckets(Instant t) {
      int burst = config.rejectLogBurst();
      double now = t.getEpochSecond() + t.getNano() / 1e9;
      for (Obs o : observers.values()) {
        for (int f = 0; f < 2; f++) {
          o.buckets[f].removeValues(b -> b[0] + (now - b[1]) * b[2] >= burst);
          double[] b = o.overall[f];
          if (b != null && b[0] + (now - b[1]) * b[2] >= burst) {
            o.overall[f] = null;
          }
        }
      }
    }

    /** How many reject buckets are held. */
    private int buckets() {
      int n = 0;
      for (Obs o : observers.values()) {
        for (int f = 0; f < 2; f++) {
          n += o.buckets[f].size() + (o.overall[f] == null ? 0 : 1);
        }
      }
      return n;
    }

    // ------------------------------------------------------------ counters and snapshots

    /** Per router, the counts of LOG lines up to each snapshot time (for the stretches between). */
    private void checkpoints(Instant t) {
      while (nextCheckpoint < checkpoints.size()
          && (t == null || checkpoints.get(nextCheckpoint).isBefore(t))) {
        Instant at = checkpoints.get(nextCheckpoint++);
        for (Obs o : observers.values()) {
          prefixes.computeIfAbsent(o.name, k -> new HashMap<>()).put(at, o.counts.clone());
        }
      }
    }

    /** LOG lines of a router, family and step in {@code (from, to]} (both snapshot times). */
    private long linesIn(String observer, Family f, Action a, Instant from, Instant to) {
      int i = countIndex(f, a);
      return prefix(observer, to, i) - (from == null ? 0 : prefix(observer, from, i));
    }

    private long prefix(String observer, Instant at, int i) {
      Map<Instant, long[]> m = prefixes.get(observer);
      long[] c = m == null ? null : m.get(at);
      return c == null ? 0 : c[i];
    }

    private List<RejectTotals> totals = List.of();

    private void snapshots() {
      totals =
          RejectTotals.between(
              snapshots,
              (observer, family, from, to) -> linesIn(observer, family, Action.REJECT, from, to));
      for (RejectTotals t : totals) {
        if (t.linesLost() > 0) {
          emit(
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

    // ------------------------------------------------------------ rulesets from snapshots

    /**
     * What the {@code rules snapshot}s say: changes between a router's consecutive snapshots,
     * broken IPv4/IPv6 parity and rulesets other than the configured one (each raised when it first
     * appears, not again for every later snapshot that still shows it), and LOG counters that moved
     * further than the lines that arrived.
     */
    private void rulesets() {
      if (rulesetsIn.isEmpty()) {
        return;
      }
      RulesetHistory h = RulesetHistory.ofInForce(rulesetsIn);
      for (RulesetChange c : h.changes()) {
        emit(
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
          emit(
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
          emit(
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
    private String mismatch(RulesetInForce snap) {
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

    /**
     * LOG counters of set, remove and accept between two snapshots against the lines that arrived
     * for the same stretch (reject: {@link #snapshots}). Only stretches the data covers count.
     */
    private void logGaps(RulesetInForce prev, RulesetInForce cur) {
      Obs o = observers.get(cur.observer());
      if (prev == null || o == null || o.first == null || prev.takenAt().isBefore(o.first)) {
        return;
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
          long seen = linesIn(cur.observer(), f, e.getValue(), prev.takenAt(), cur.takenAt());
          if (counted > seen) {
            emit(
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

    // ------------------------------------------------------------ data-quality anomalies

    private void marker(LossMarker m) {
      emit(
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

    /** A stream silent for longer than allowed while its observer's other streams go on. */
    private void sourcesStopped() {
      for (StreamState s : new TreeMap<>(streams).values()) {
        TracedEvent last = s.lastLine;
        if (last == null) {
          continue; // only notices (auth.log with a manual change now and then) do not stop
        }
        Instant end = observers.get(last.observer()).last;
        Duration silent = Duration.between(last.time(), end);
        if (silent.compareTo(config.sourceSilence()) > 0) {
          emit(
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
                  List.of(lineOf(last))));
        }
      }
    }

    // ------------------------------------------------------------ state

    /** One router. */
    private final class Obs {
      final String name;
      Instant first;
      Instant last;
      Instant ctFirst;
      Instant ctLast;
      String firstStream;

      /** A path of {@link #firstStream}, the one seen last. */
      String firstStreamPath;

      boolean multi;

      /**
       * The tracks by address. While the sink takes anomalies, an address in the list keeps its
       * track when it is retired ({@link Track#retired}): the list's occupancy is counted on the
       * tracks, and a set line finds its address with one look-up.
       */
      final AddressMap<Track> tracks = new AddressMap<>();

      List<Flow> flows = new ArrayList<>();
      final Map<List<Object>, Flow> live = new HashMap<>();
      final Map<InetAddress, List<Flow>> clientFlows = new HashMap<>();
      final Map<Tuple, List<Flow>> tupleFlows = new HashMap<>();

      /**
       * Addresses set and not removed (expired entries stay in the kernel's list): the tracks with
       * {@link Track#listed}.
       */
      int listed;

      /**
       * The reject LOG's token buckets of this router: per family ({@link Family#ordinal}) the
       * hashlimit buckets by source group (the address, or an IPv6 address's /64) and the overall
       * limit's bucket.
       */
      @SuppressWarnings("unchecked")
      final AddressMap<double[]>[] buckets =
          new AddressMap[] {new AddressMap<>(), new AddressMap<>()};

      final double[][] overall = new double[2][];

      boolean over;
      boolean removeSeen;

      /** LOG lines so far per family and step ({@link #countIndex}). */
      final long[] counts = new long[8];

      final Map<String, StreamState> streamOfPath = new HashMap<>();

      Obs(String name) {
        this.name = name;
      }

      StreamState stream(String path) {
        // the lines of a router come from one file for long stretches (the reader shares one
        // string per path): the last answer first
        if (path == lastPath) {
          return lastStream;
        }
        StreamState s = streamOfPath.get(path);
        if (s == null) {
          String key = name + "|" + AuditEngine.stream(path);
          s = streams.computeIfAbsent(key, StreamState::new);
          streamOfPath.put(path, s);
        }
        lastPath = path;
        lastStream = s;
        return s;
      }

      private String lastPath;
      private StreamState lastStream;
    }

    /**
     * One stream of a router (a file and its rotations): its last line, and its stamps checked for
     * going backwards in file order. Lines wait here {@link #HORIZON} for lines earlier in the file
     * that carry later stamps (a clock stepped back), then are checked in file order.
     */
    private final class StreamState {
      final String key;

      /**
       * Lines waiting for the check while every line came after the one before in file order (the
       * usual case: one file read in time order): they are checked from the front, in the order
       * they came, without a heap.
       */
      final LineQueue<Void> inOrder = new LineQueue<>();

      /**
       * Once a line comes before the last waiting one in file order (a clock stepped back, or two
       * files of one stream interleaved): the waiting lines in a heap by file order, and in the
       * order they came (for {@link #oldestUnchecked}), until the heap has emptied.
       */
      PriorityQueue<ClockLine> queue;

      final ArrayDeque<ClockLine> arrival = new ArrayDeque<>();

      /** The latest stamp checked so far (as numbers) and its line; {@code maxLine} null: none. */
      long maxSeconds;

      int maxNanos;
      TracedEvent maxLine;
      TracedEvent lastLine;

      StreamState(String key) {
        this.key = key;
      }

      /** A line in; checks the lines that came before the cut (now minus the look-ahead). */
      void clockIn(TracedEvent te, double u, long cutS, int cutN) {
        if (queue == null) {
          TracedEvent tail = inOrder.lastLine();
          if (tail == null || compareFileOrder(tail, te) < 0) {
            inOrder.add(te, u, null, null, null);
            clockOut(cutS, cutN);
            return;
          }
          queue = new PriorityQueue<>((a, b) -> compareFileOrder(a.te, b.te));
          for (TracedEvent w : inOrder.lines()) {
            ClockLine c = new ClockLine(w);
            queue.add(c);
            arrival.addLast(c);
          }
          inOrder.clear();
        }
        ClockLine c = new ClockLine(te);
        queue.add(c);
        arrival.addLast(c);
        clockOut(cutS, cutN);
      }

      /**
       * Checks the lines no earlier line can still join: those that came before the cut (now minus
       * the look-ahead, as epoch seconds and nanos); {@code Long.MAX_VALUE}: all (the end).
       */
      void clockOut(long cutS, int cutN) {
        if (queue == null) {
          while (inOrder.headBefore(cutS, cutN)) {
            check(
                inOrder.headLine(),
                inOrder.headSeconds(),
                inOrder.headNanos(),
                inOrder.headUncertainty());
            inOrder.removeHead();
          }
          return;
        }
        while (!queue.isEmpty()
            && before(
                queue.peek().te.time().getEpochSecond(),
                queue.peek().te.time().getNano(),
                cutS,
                cutN)) {
          ClockLine c = queue.poll();
          c.done = true;
          Instant t = c.te.time();
          check(c.te, t.getEpochSecond(), t.getNano(), uncertainty(c.te));
        }
        while (!arrival.isEmpty() && arrival.peekFirst().done) {
          arrival.pollFirst();
        }
        if (queue.isEmpty()) {
          queue = null; // every line checked: back to the plain queue
        }
      }

      Instant oldestUnchecked() {
        if (queue == null) {
          return inOrder.isEmpty() ? null : inOrder.headTime();
        }
        ClockLine c = arrival.peekFirst();
        return c == null ? null : c.te.time();
      }

      /** Timestamps going backwards within one source, beyond twice its clock's uncertainty. */
      void check(TracedEvent te, long ts, int tn, double u) {
        if (maxLine != null
            && before(ts, tn, maxSeconds, maxNanos) // (the usual line is not: no arithmetic)
            && seconds(ts, tn, maxSeconds, maxNanos) > 2 * u) {
          emit(
              new Anomaly(
                  Anomaly.Kind.CLOCK_BACKWARDS,
                  te.observer(),
                  null,
                  te.time(),
                  "time goes back "
                      + AuditFormat.seconds(seconds(ts, tn, maxSeconds, maxNanos))
                      + " s from "
                      + maxLine.sourcePath()
                      + ":"
                      + maxLine.lineNumber()
                      + " to "
                      + te.sourcePath()
                      + ":"
                      + te.lineNumber(),
                  List.of(lineOf(maxLine), lineOf(te))));
        }
        if (maxLine == null || before(maxSeconds, maxNanos, ts, tn)) {
          maxSeconds = ts;
          maxNanos = tn;
          maxLine = te;
        }
      }
    }

    // ------------------------------------------------------------ one address

    /** The windows of one address at one observer, in time order, while anything is open. */
    private final class Track {
      final Obs obs;
      final String observer;
      final InetAddress address;
      Open open;
      long touched;

      /**
       * Its sessions by tuple while they can still take a retransmitted SYN or be waited for; a map
       * of its own from the first accept on (most addresses of a month have none).
       */
      Map<Tuple, SessionDraft> sessionByTuple = Map.of();

      /** The close of the window closed last: the next one cannot start before it. */
      Instant lastClosedAt;

      /** Whether its address is in the list (set and not removed; kept while anomalies are). */
      boolean listed;

      /**
       * Retired, but kept because its address is in the list ({@link Obs#tracks}): it holds nothing
       * (no window, no session, no recent close), is skipped as if absent, and is taken up again as
       * a new track by the next line of its address.
       */
      boolean retired;

      Track(Obs obs, InetAddress address) {
        this.obs = obs;
        this.observer = obs.name;
        this.address = address;
      }

      /** A line applied, with its step (read once, when it came: {@link #stepOf}). */
      void line(TracedEvent te, Action action) {
        touched = dSteps;
        step(te, action);
        if (open == null) {
          retire.addLast(new Retire(this, touched, dHead));
        }
      }

      /** {@code action} null: a notice (a manual list change). */
      private void step(TracedEvent te, Action action) {
        if (action == null) {
          manual(te, (NoticeEvent) te.event());
          return;
        }
        switch (action) {
          case SET -> {
            Timed t = refineSet(te);
            if (open != null) {
              close(Cap.SET, t, te);
            }
            open = new Open(mark(te), near(notBeforeLast(t)), flowOf(te), Window.Opening.SET);
          }
          case REMOVE -> {
            if (!config.remove() && !obs.removeSeen) {
              obs.removeSeen = true;
              emit(
                  new Anomaly(
                      Anomaly.Kind.RULESET_MISMATCH,
                      observer,
                      address,
                      te.time(),
                      "a remove line, although the audit was told the ruleset has no step 2"
                          + " (--no-remove): the kernel removed addresses on SSH FINs",
                      List.of(lineOf(te))));
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
            NetfilterEvent ne = (NetfilterEvent) te.event();
            Tuple tuple =
                new Tuple(
                    address,
                    ne.packet().destination(),
                    ne.packet().sourcePort(),
                    ne.packet().destinationPort());
            SessionDraft d = sessionByTuple.get(tuple);
            Flow f = flowOf(te);
            if (d != null
                && ((f != null && d.flow == f) || seconds(d.firstLine.time(), te.time()) < 10)) {
              d.lines.add(te); // a retransmitted SYN
              return;
            }
            d = new SessionDraft(te, f, refineAccept(te, f));
            if (sessionByTuple.isEmpty()) {
              sessionByTuple = new HashMap<>();
            }
            sessionByTuple.put(tuple, d);
            if (open == null) {
              anomaly(
                  Anomaly.Kind.SESSION_WITHOUT_WINDOW,
                  te,
                  "SSH accepted with no window open for "
                      + AuditFormat.address(address)
                      + " (lost set line, drift, or a window opened before the data starts)");
              waiting.add(d);
              horizon(d.accepted.at.plus(FLOW_HORIZON));
            } else {
              open.session(d);
            }
          }
          case REJECT -> {
            if (open != null && ((NetfilterEvent) te.event()).packet().isSyn()) {
              // a rejected SYN proves the entry was not fresh at this instant
              close(Cap.REJECT, timed(te), te);
            }
          }
          default -> {}
        }
      }

      /** The end of the data: a window still open closes there. */
      void finish() {
        if (open != null) {
          close(Cap.END, new Timed(obs.last, 0, null), null);
        }
      }

      /**
       * A manual change: {@code list add} opens a window (or refreshes the open one: the kernel
       * sets the entry's stamp either way), {@code list del} and {@code list flush} close it.
       */
      void manual(TracedEvent te, NoticeEvent n) {
        switch (n.action()) {
          case LIST_ADD -> {
            if (open != null) {
              open.manualRefresh(te);
            } else {
              open = new Open(mark(te), notBeforeLast(timed(te)), null, Window.Opening.LIST_ADD);
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

      /**
       * The same time in an {@link Instant} of its own, made now: a window keeps its opening until
       * it closes, often days later, and reads it there; the line's own Instant was made an hour of
       * data earlier, far from the window's other objects in memory, and was a cache miss of its
       * own at nearly every close.
       */
      Timed near(Timed t) {
        return new Timed(Instant.ofEpochSecond(t.at.getEpochSecond(), t.at.getNano()), t.u, t.line);
      }

      /** Two clocks disagree by less than their uncertainty: windows must not overlap. */
      Timed notBeforeLast(Timed t) {
        if (lastClosedAt != null && lastClosedAt.isAfter(t.at)) {
          return new Timed(lastClosedAt, t.u + seconds(t.at, lastClosedAt), t.line);
        }
        return t;
      }

      /** The flow whose original tuple is this line's packet, nearest in time. */
      Flow flowOf(TracedEvent te) {
        if (te == null || obs.tupleFlows.isEmpty()) {
          return null; // no conntrack: spare the key
        }
        IpPacket p = ((NetfilterEvent) te.event()).packet();
        List<Flow> fs =
            obs.tupleFlows.get(
                new Tuple(p.source(), p.destination(), p.sourcePort(), p.destinationPort()));
        if (fs == null) {
          return null;
        }
        double u = uncertainty(te) + MATCH_SLACK_S;
        Flow best = null;
        for (Flow f : fs) {
          if (lapsed(f, te.time())) {
            continue;
          }
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
        if (w.openedAt.isAfter(c.at)) {
          // the cap came after the set line; only the clocks put it earlier
          c = new Timed(w.openedAt, c.u + seconds(c.at, w.openedAt), c.line);
        }
        for (SessionDraft d : w.sessions) {
          if (d.accepted.at.isAfter(c.at)) {
            // the cap came after the accept line; only the clocks put it earlier
            c = new Timed(d.accepted.at, c.u + seconds(c.at, d.accepted.at), c.line);
          }
        }
        int n = config.seconds();
        List<SourceLine> evidence = new ArrayList<>();
        evidence.add(w.setSource);
        for (SessionDraft d : w.sessions) {
          for (TracedEvent l : d.lines) {
            evidence.add(lineOf(l));
          }
        }
        // last refresh, known (lower bound) and possible (upper bound)
        Mark setLine = new Mark(w.setAt, w.setSource);
        Timed lastLo =
            new Timed(w.openedAt, w.openedU, w.openedLine == null ? setLine : w.openedLine);
        List<TracedEvent> points = none();
        List<Flow> candidates = none();
        // a set line that is its flow's first established packet: that flow began just before
        // the cap and never refreshed this window (a set in the middle of a flow did: keep it)
        Flow capFlow = cap == Cap.SET ? flowOf(capLine) : null;
        if (capFlow != null
            && (capFlow.establishedEvent == null
                || !capFlow.establishedEvent.time().equals(c.at))) {
          capFlow = null;
        }
        // the flows that can matter: begun before the cap, not ended before the opening
        Instant openedAt = w.openedAt;
        List<Flow> flows =
            obs.clientFlows.isEmpty() ? none() : obs.clientFlows.getOrDefault(address, none());
        // without flows of the client (no conntrack) the lists below stay empty: none made
        List<Flow> active = flows.isEmpty() ? none() : new ArrayList<>();
        if (!flows.isEmpty()) {
          points = new ArrayList<>();
          candidates = new ArrayList<>();
        }
        for (Flow f : flows) {
          Instant last = f.lastPossibleActivity();
          if (f.begin().isBefore(c.at)
              && (last == null || last.isAfter(openedAt))
              && !lapsed(f, openedAt)) {
            active.add(f);
          }
        }
        if (active.size() > 1) {
          active.sort(FLOW_ORDER); // (an immutable empty list refuses even an empty sort)
        }
        java.util.Map<TracedEvent, Flow> owner =
            active.isEmpty() ? Map.of() : new java.util.IdentityHashMap<>();
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
            if (a.time().isAfter(openedAt) && a.time().isBefore(c.at)) {
              points.add(a);
              owner.put(a, f);
            }
          }
        }
        if (points.size() > 1) {
          points.sort(ORDER);
        }
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
          evidence.add(lineOf(m));
          if (m.time().isAfter(lastLo.at) && m.time().isBefore(c.at)) {
            lastLo = timed(m);
          }
        }
        if (lastLo.line != null && lastLo.line != setLine) {
          evidence.add(lastLo.line.sourceLine());
        }
        // the upper bound, only when conntrack can be trusted to show every refresh
        Timed lastHi = null;
        Instant[] ct = obs.ctFirst == null ? null : new Instant[] {obs.ctFirst, obs.ctLast};
        boolean covered = ct != null && !ct[0].isAfter(openedAt);
        boolean manual = w.opening == Window.Opening.LIST_ADD;
        if (covered && w.setFlow == null && !manual) {
          anomaly(
              Anomaly.Kind.WINDOW_WITHOUT_IMAPS_FLOW,
              setLine,
              "conntrack covers this window's opening but shows no IMAPS flow for its set line"
                  + " (lost conntrack events?): the close is bounded by later lines only");
        }
        Deferred deferred = null;
        if (covered && (w.setFlow != null || manual)) {
          lastHi = lastHi(candidates, lastLo, c, ct);
          if (candidates.stream().anyMatch(this::running)) {
            // a flow still running bounds the last refresh at the cap either way, but which of
            // its lines says so is known when it ends: the window waits for it (see below)
            deferred = new Deferred(candidates, lastLo, c, capLine, new ArrayList<>(evidence));
          } else if (lastHi != null && lastHi.line != null && lastHi.line != lastLo.line) {
            evidence.add(lastHi.line.sourceLine());
          }
        }
        // (the line that closes a window is never the one that opened it)
        if (capLine != null) {
          evidence.add(lineOf(capLine));
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
                w.openedAt,
                w.openedU,
                latest == null ? null : latest.at,
                earliest.at,
                reason,
                precision,
                w.sessions.size(),
                false,
                false,
                dedupe(evidence, pointers),
                w.opening);
        if (deferred == null) {
          w.closed();
          windowsOut.add(win);
        } else {
          deferred.open = w;
          deferred.window = win;
          deferred.place = windowsOut.reserve();
          deferredWindows.add(deferred);
          horizon(deferred.c.at.plus(FLOW_HORIZON));
        }
        lastClosedAt = win.closedAt();
        for (SessionDraft d : w.sessions) {
          d.window = win;
          d.closedBy = capLine;
          waiting.add(d);
          horizon(d.accepted.at.plus(FLOW_HORIZON));
        }
      }

      /**
       * The latest possible refresh by conntrack, capped at the cap, or null when conntrack cannot
       * bound it (a flow still running, or conntrack stopping before the window could expire).
       */
      Timed lastHi(List<Flow> candidates, Timed lastLo, Timed c, Instant[] ct) {
        int n = config.seconds();
        Timed lastHi = lastLo;
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
            return null;
          }
          if (last.isAfter(c.at)) {
            last = c.at;
          }
          if (last.isAfter(lastHi.at)) {
            lastHi = new Timed(last, uncertainty(bound), mark(bound));
          }
        }
        if (ct[1].isBefore(min(c.at, lastHi.at.plusSeconds(n)))) {
          return null; // conntrack stops before the window could have expired
        }
        return lastHi;
      }

      /** Whether {@link #lastHi} finds the flow unbounded now (it may end later). */
      boolean running(Flow f) {
        boolean byFin = f.kind == Flow.Kind.SSH && config.remove() && !f.finUpdates.isEmpty();
        return !byFin && f.lastPossibleActivity() == null;
      }

      /**
       * A window whose record is known except one evidence line: the end of a flow that was still
       * running when the window closed (it bounds the last refresh at the cap whether it ends later
       * or never; the line that shows it is its end). It goes out when those flows have ended,
       * {@link #FLOW_HORIZON} after its cap, or at the end of the data — as if the data ended
       * there.
       */
      final class Deferred {
        final List<Flow> candidates;
        final Timed lastLo;
        final Timed c;
        final TracedEvent capLine;
        final List<SourceLine> evidence;
        Open open;
        Window window;

        /** Its place among windows equal in order: where it closed. */
        long place;

        Deferred(
            List<Flow> candidates,
            Timed lastLo,
            Timed c,
            TracedEvent capLine,
            List<SourceLine> evidence) {
          this.candidates = candidates;
          this.lastLo = lastLo;
          this.c = c;
          this.capLine = capLine;
          this.evidence = evidence;
        }

        /**
         * Whether the flows it waits for have ended (or it waited long enough); {@code null}: the
         * end.
         */
        boolean ready(Instant now) {
          if (now == null || now.isAfter(c.at.plus(FLOW_HORIZON))) {
            return true;
          }
          if (obs.ctLast.isBefore(c.at)) {
            // whether conntrack stopped before the window could expire (lastHi) must not depend
            // on when this check runs: wait for conntrack to pass the cap, the horizon or the end
            return false;
          }
          for (Flow f : candidates) {
            // ended is not enough: a FIN_WAIT may still be followed by its LAST_ACK, and which
            // of them bounds the window must not depend on when this check runs — only a
            // settled DESTROY makes a flow final (else the horizon or the end of the data)
            if (f.destroy == null || !settled(f)) {
              return false;
            }
          }
          return true;
        }

        void emit() {
          Instant[] ct = new Instant[] {obs.ctFirst, obs.ctLast};
          Timed lastHi = lastHi(candidates, lastLo, c, ct);
          if (lastHi != null && lastHi.line != null && lastHi.line != lastLo.line) {
            evidence.add(lastHi.line.sourceLine());
          }
          if (capLine != null) {
            evidence.add(lineOf(capLine));
          }
          Window w = window;
          open.closed();
          windowsOut.add(
              new Window(
                  w.observer(),
                  w.source(),
                  w.openedAt(),
                  w.openPrecisionS(),
                  w.closedAt(),
                  w.closedAtEarliest(),
                  w.closeReason(),
                  w.closePrecisionS(),
                  w.sshSessions(),
                  w.clippedStart(),
                  w.clippedEnd(),
                  dedupe(evidence, pointers),
                  w.openedBy()),
              place);
        }
      }

      void anomaly(Anomaly.Kind kind, Mark m, String message) {
        emit(new Anomaly(kind, observer, address, m.time(), message, List.of(m.sourceLine())));
      }

      void anomaly(Anomaly.Kind kind, TracedEvent te, String message) {
        emit(new Anomaly(kind, observer, address, te.time(), message, List.of(lineOf(te))));
      }

      /** The open window and what belongs to it so far. */
      private final class Open {
        /**
         * The set line, or the {@code list add} line of a manual opening: its time and place only,
         * not the parsed event (a window may stay open for the rest of the data, and ten routers'
         * month holds ~240,000 of them at once).
         */
        final Instant setAt;

        final SourceLine setSource;

        /**
         * When it opened, how far that may be off, and the line that dated it ({@code null}: the
         * set line): the {@link Timed} of the opening held as fields, so that a close, often days
         * later and far from these objects in memory, reads one object less.
         */
        final Instant openedAt;

        final double openedU;
        final Mark openedLine;
        final Flow setFlow;
        final Window.Opening opening;

        /**
         * The sessions accepted while open; a list of its own from the first one on (most windows
         * of a month have none, nor manual refreshes: none is made for them, see {@link #none}).
         */
        List<SessionDraft> sessions = none();

        /** {@code list add} lines while open: each sets the entry's stamp. */
        List<TracedEvent> manualRefreshes = none();

        /** Neighbours in the list of open windows ({@link #firstOpen}). */
        Open before;

        Open after;

        Open(Mark setLine, Timed opened, Flow setFlow, Window.Opening opening) {
          this.setAt = setLine.time();
          this.setSource = setLine.sourceLine();
          this.openedAt = opened.at;
          this.openedU = opened.u;
          this.openedLine = opened.line == setLine ? null : opened.line;
          this.setFlow = setFlow;
          this.opening = opening;
          // lines are applied in time order, so this walk ends at once; it keeps the list sorted
          // whatever comes
          Open b = lastOpen;
          while (b != null && b.setAt.isAfter(setAt)) {
            b = b.before;
          }
          before = b;
          after = b == null ? firstOpen : b.after;
          if (b == null) {
            firstOpen = this;
          } else {
            b.after = this;
          }
          if (after == null) {
            lastOpen = this;
          } else {
            after.before = this;
          }
          openWindows++;
        }

        void session(SessionDraft d) {
          if (sessions.isEmpty()) {
            sessions = new ArrayList<>(2);
          }
          sessions.add(d);
        }

        void manualRefresh(TracedEvent te) {
          if (manualRefreshes.isEmpty()) {
            manualRefreshes = new ArrayList<>(2);
          }
          manualRefreshes.add(te);
        }

        void closed() {
          if (before == null) {
            firstOpen = after;
          } else {
            before.after = after;
          }
          if (after == null) {
            lastOpen = before;
          } else {
            after.before = before;
          }
          before = null;
          after = null;
          openWindows--;
        }
      }

      /** An accepted connection until its window is known. */
      private final class SessionDraft {
        final TracedEvent firstLine;
        final List<TracedEvent> lines = new ArrayList<>();
        final Flow flow;
        final Timed accepted;

        /** Its place among sessions equal in order: where it was accepted. */
        final long place;

        Window window;

        /** The line that closed its window ({@code null}: the data ended). */
        TracedEvent closedBy;

        SessionDraft(TracedEvent line, Flow flow, Timed accepted) {
          this.firstLine = line;
          this.lines.add(line);
          this.flow = flow;
          this.accepted = accepted;
          this.place = sessionsOut.reserve();
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
            List<SourceLine> lines = new ArrayList<>(List.of(lineOf(closedBy)));
            lines.addAll(ev);
            emit(
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
                    dedupe(lines, pointers)));
          }
        }

        Session build() {
          IpPacket p = ((NetfilterEvent) firstLine.event()).packet();
          List<SourceLine> ev = new ArrayList<>();
          for (TracedEvent l : lines) {
            ev.add(lineOf(l));
          }
          Instant ended = null;
          Double endU = null;
          if (flow != null) {
            for (TracedEvent e : flow.events) {
              ev.add(lineOf(e));
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
              dedupe(ev, pointers));
        }
      }
    }

    // ------------------------------------------------------------ helpers

    Timed timed(TracedEvent te) {
      return new Timed(te.time(), te == appliedLine ? appliedU : uncertainty(te), mark(te));
    }

    /** The line {@link #stageD} applies now, and its clock uncertainty (taken when it came). */
    private TracedEvent appliedLine;

    private double appliedU;

    /**
     * A line's place and time, as a window keeps it. The marks of one line made while it is applied
     * are one object; marks of a line made at different steps may be two, which changes nothing:
     * evidence is de-duplicated by value ({@link #dedupe}), the identity tests only spare adding a
     * line twice.
     */
    Mark mark(TracedEvent te) {
      if (te != markedLine) {
        markedLine = te;
        marked = new Mark(te.time(), lineOf(te));
      }
      return marked;
    }

    /** A line as evidence: without its text when the sink keeps it as a pointer. */
    SourceLine lineOf(TracedEvent te) {
      return pointers ? te.pointer() : te.sourceLine();
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

  /** An event in the copy buffer. */
  private static final class Pending {
    final TracedEvent te;
    Cluster cluster;
    boolean drop;

    Pending(TracedEvent te) {
      this.te = te;
    }
  }

  /** Copies of one line through several streams, first member first. */
  private static final class Cluster {
    final List<Object> key;
    final List<Pending> members = new ArrayList<>(2);

    Cluster(List<Object> key) {
      this.key = key;
    }
  }

  /**
   * Lines waiting an hour of data (the look-ahead, the clock check), oldest first, with what is
   * read of them when they come out, taken while they are fresh: the time (also as numbers), the
   * clock uncertainty and, for the look-ahead, the router, the step ({@code null} for a notice) and
   * the packet's source. Every event compares its time with the oldest line's, and reading an hour
   * old line, its packet and its {@link Instant} missed the processor's caches at nearly every
   * event: the costliest loads of the engine (docs/performance-log.md, "Session 11: engine"). A
   * ring of arrays, so waiting takes no object per line.
   */
  private static final class LineQueue<R> {
    private TracedEvent[] lines = new TracedEvent[256];
    private Instant[] times = new Instant[256];
    private long[] seconds = new long[256];
    private int[] nanos = new int[256];
    private double[] uncertainties = new double[256];
    private Object[] routers = new Object[256];
    private Action[] actions = new Action[256];
    private InetAddress[] sources = new InetAddress[256];
    private int head;
    private int size;

    boolean isEmpty() {
      return size == 0;
    }

    int size() {
      return size;
    }

    void add(TracedEvent te, double u, R router, Action action, InetAddress source) {
      if (size == lines.length) {
        grow();
      }
      int i = (head + size) & (lines.length - 1);
      Instant t = te.time();
      lines[i] = te;
      times[i] = t;
      seconds[i] = t.getEpochSecond();
      nanos[i] = t.getNano();
      uncertainties[i] = u;
      routers[i] = router;
      actions[i] = action;
      sources[i] = source;
      size++;
    }

    /**
     * Whether there is a line and it lies before the instant of these epoch seconds and nanos (as
     * {@link Instant#isBefore}).
     */
    boolean headBefore(long s, int n) {
      return size != 0 && before(seconds[head], nanos[head], s, n);
    }

    TracedEvent headLine() {
      return lines[head];
    }

    /** The newest line, or {@code null}. */
    TracedEvent lastLine() {
      return size == 0 ? null : lines[(head + size - 1) & (lines.length - 1)];
    }

    void clear() {
      while (size > 0) {
        removeHead();
      }
    }

    Instant headTime() {
      return times[head];
    }

    long headSeconds() {
      return seconds[head];
    }

    int headNanos() {
      return nanos[head];
    }

    double headUncertainty() {
      return uncertainties[head];
    }

    @SuppressWarnings("unchecked")
    R headRouter() {
      return (R) routers[head];
    }

    InetAddress headSource() {
      return sources[head];
    }

    /** Takes the oldest line out; its step. */
    Action removeHead() {
      Action a = actions[head];
      lines[head] = null;
      times[head] = null;
      routers[head] = null;
      actions[head] = null;
      sources[head] = null;
      head = (head + 1) & (lines.length - 1);
      size--;
      return a;
    }

    /** The lines, oldest first. */
    List<TracedEvent> lines() {
      List<TracedEvent> out = new ArrayList<>(size);
      for (int k = 0; k < size; k++) {
        out.add(lines[(head + k) & (lines.length - 1)]);
      }
      return out;
    }

    private void grow() {
      lines = (TracedEvent[]) unwrapped(lines);
      times = (Instant[]) unwrapped(times);
      seconds = (long[]) unwrapped(seconds);
      nanos = (int[]) unwrapped(nanos);
      uncertainties = (double[]) unwrapped(uncertainties);
      routers = (Object[]) unwrapped(routers);
      actions = (Action[]) unwrapped(actions);
      sources = (InetAddress[]) unwrapped(sources);
      head = 0;
    }

    /** A ring's array twice as long, its lines from the start, oldest first. */
    private Object unwrapped(Object ring) {
      int n = java.lang.reflect.Array.getLength(ring);
      Object out = java.lang.reflect.Array.newInstance(ring.getClass().getComponentType(), 2 * n);
      int first = Math.min(size, n - head);
      System.arraycopy(ring, head, out, 0, first);
      System.arraycopy(ring, 0, out, first, size - first);
      return out;
    }
  }

  /** A line waiting for the clock check. */
  private static final class ClockLine {
    final TracedEvent te;
    boolean done;

    ClockLine(TracedEvent te) {
      this.te = te;
    }
  }

  /** A flow's or a line's original tuple. */
  private record Tuple(InetAddress source, InetAddress destination, Integer sport, Integer dport) {}

  /** A quiet track to forget later, unless touched again. */
  private record Retire(Stream.Track track, long touched, Instant at) {}

  private static final Comparator<Flow> FLOW_ORDER =
      Comparator.comparing(Flow::begin).thenComparing(f -> f.events.get(0), ORDER);

  /**
   * An empty list whose iterator is a shared one ({@link java.util.Collections#emptyList}): a loop
   * over {@code List.of()} makes an iterator each time, and a month's windows loop over no session,
   * manual refresh or flow at every close (half a GB of iterators on 10 M events).
   */
  private static <T> List<T> none() {
    return java.util.Collections.emptyList();
  }

  /** Index into the per-router line counts. */
  private static int countIndex(Family f, Action a) {
    int i =
        switch (a) {
          case SET -> 0;
          case REMOVE -> 1;
          case ACCEPT -> 2;
          default -> 3;
        };
    return (f == Family.IPV6 ? 4 : 0) + i;
  }

  /** Per {@link IpPacket#tcpFlagBits}: the flags as one immutable set, made once. */
  @SuppressWarnings("unchecked")
  private static final Set<TcpFlag>[] FLAG_SETS = new Set[1 << TcpFlag.values().length];

  /**
   * The flags of these bits as the immutable set {@link Rejection} keeps ({@code Set.copyOf} of
   * them), shared: a record takes an immutable set as it is instead of copying it.
   */
  static Set<TcpFlag> flagSet(int bits) {
    Set<TcpFlag> s = FLAG_SETS[bits];
    if (s == null) {
      java.util.EnumSet<TcpFlag> e = java.util.EnumSet.noneOf(TcpFlag.class);
      for (TcpFlag f : TcpFlag.values()) {
        if ((bits & f.bit()) != 0) {
          e.add(f);
        }
      }
      s = Set.copyOf(e);
      FLAG_SETS[bits] = s; // (a race makes an equal set twice: harmless)
    }
    return s;
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

  /** The order of windows with equal opening times, as one string. */
  static String windowTie(Window w) {
    return w.observer() + "\0" + AuditFormat.address(w.source());
  }

  /**
   * Compares windows as their {@link #windowTie} strings would compare, without making them: the
   * observers, then the addresses' text (IPv4: the dotted text as one number, {@link #dotted}).
   */
  static final class WindowTieOrder implements Reorder.RankedTie<Window> {
    /** The observer: windows of one router are compared by their address's text. */
    @Override
    public Object group(Window w) {
      return w.observer();
    }

    /** The source's text ({@link AuditFormat#address}) as ASCII bytes. */
    @Override
    public int rest(Window w, byte[] b) {
      InetAddress p = w.source();
      return p == null ? 0 : org.mobilessh.rules.Addresses.format(p.getAddress(), b, 0);
    }

    @Override
    public int compare(Window x, Window y) {
      String ox = x.observer();
      String oy = y.observer();
      if (!ox.equals(oy)) {
        if (ox.startsWith(oy) || oy.startsWith(ox)) {
          // one observer is a prefix of the other: the separator takes part in the order
          return windowTie(x).compareTo(windowTie(y));
        }
        return ox.compareTo(oy); // the first differing character decides, before the address
      }
      InetAddress p = x.source();
      InetAddress q = y.source();
      if (p instanceof java.net.Inet4Address && q instanceof java.net.Inet4Address) {
        return Long.compareUnsigned(dotted(AddressMap.ipv4(p)), dotted(AddressMap.ipv4(q)));
      }
      return AuditFormat.address(p).compareTo(AuditFormat.address(q));
    }

    /**
     * {@link java.net.Inet4Address#getHostAddress}'s text as a number that compares (unsigned) as
     * the text does: each character a 4-bit code in its order ({@code .} 1, {@code 0}..{@code 9}
     * 2..11), from the top bits down, 0 after the end (a text that is the start of another sorts
     * first, as with {@link String#compareTo}); at most 15 characters, 60 bits.
     */
    static long dotted(int address) {
      long k = 0;
      int free = 64;
      for (int shift = 24; shift >= 0; shift -= 8) {
        int v = (address >>> shift) & 0xff;
        if (shift != 24) {
          free -= 4;
          k |= 1L << free; // the dot
        }
        int len = v >= 100 ? 3 : v >= 10 ? 2 : 1;
        free -= 4 * len;
        k |= (long) DOTTED[v] << free;
      }
      return k;
    }

    /** Per byte value, its decimal digits as 4-bit codes, the last digit in the lowest bits. */
    private static final int[] DOTTED = new int[256];

    static {
      for (int v = 0; v < 256; v++) {
        String d = Integer.toString(v);
        int c = 0;
        for (int i = 0; i < d.length(); i++) {
          c = c << 4 | (d.charAt(i) - '0' + 2);
        }
        DOTTED[v] = c;
      }
    }
  }

  /** A time, how far it may be off, and the line it came from (null for the data end). */
  private record Timed(Instant at, double u, Mark line) {}

  /** Where a line is and when it happened: what a window keeps of a line it refers to. */
  private record Mark(Instant time, SourceLine sourceLine) {}

  double uncertainty(TracedEvent te) {
    EventTime t = te.event().time();
    double u = uncertainties[t.source().ordinal()];
    return t.precision() == TimePrecision.SECOND ? u + 1 : u;
  }

  /**
   * {@link AuditConfig#uncertainty} per {@link ClockSource#ordinal}: asked several times per event,
   * and the config's map is probed by the enum's identity hash each time.
   */
  private final double[] uncertainties;

  static double seconds(Instant a, Instant b) {
    return seconds(a.getEpochSecond(), a.getNano(), b.getEpochSecond(), b.getNano());
  }

  /** {@link #seconds(Instant, Instant)} of two instants given as epoch seconds and nanos. */
  static double seconds(long as, int an, long bs, int bn) {
    // Duration.between(a, b).abs() written out (it runs several times per event): the same
    // normalised seconds and nanos, so the same double, without the two Durations
    long s = bs - as;
    int n = bn - an;
    if (n < 0) {
      s--;
      n += 1_000_000_000;
    }
    if (s < 0) {
      if (n == 0) {
        s = -s;
      } else {
        s = -s - 1;
        n = 1_000_000_000 - n;
      }
    }
    return s + n / 1e9;
  }

  /** Whether the first instant lies before the second, as {@link Instant#isBefore}. */
  static boolean before(long as, int an, long bs, int bn) {
    return as < bs || (as == bs && an < bn);
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

  /**
   * The lines without repeats, first occurrences in order; {@code pointers}: lines of indexed
   * events carry no text ({@link TracedEvent#pointer}), and two are the same when their pointers
   * are (path, line number and time).
   */
  static List<SourceLine> dedupe(List<SourceLine> lines, boolean pointers) {
    int n = lines.size();
    if (n > 16) {
      java.util.Map<Object, SourceLine> kept = new java.util.LinkedHashMap<>();
      for (SourceLine l : lines) {
        kept.putIfAbsent(pointers ? List.of(l, l.micros()) : l, l);
      }
      return List.copyOf(kept.values());
    }
    // the usual record has two or three lines: comparing them (paths are shared, line numbers
    // differ) is cheaper than hashing every whole line; same result, first occurrences in order
    SourceLine[] kept = new SourceLine[n];
    int k = 0;
    next:
    for (SourceLine l : lines) {
      for (int i = 0; i < k; i++) {
        if (kept[i].equals(l) && (!pointers || kept[i].micros() == l.micros())) {
          continue next;
        }
      }
      kept[k++] = l;
    }
    return List.of(k == n ? kept : java.util.Arrays.copyOf(kept, k));
  }
}
