package org.mobilessh.simulate;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.mobilessh.rules.RulesException;
import org.mobilessh.rules.SectionedFile;
import org.mobilessh.simulate.GateCounters.Rule;

/**
 * Writes a simulated month per router: {@code routerN/kern.log*}, {@code syslog*}, {@code
 * conntrack.log*} and {@code routerN.ground-truth.jsonl.gz}. Generated traffic is replayed packet
 * by packet, in time order, through a model of the ruleset in the kernel; every log line follows
 * from that model, and the ground truth records what the model did (windows, sessions, rejects).
 */
public final class Simulator {
  /**
   * The ground truth of router {@code routerN} is {@code OUT/routerN.ground-truth.jsonl.gz}, beside
   * its log directory rather than in it, so that ingesting the directory reads logs only. JSON
   * lines, gzip-compressed (a large month's truth is hundreds of megabytes of repetitive text).
   */
  public static Path groundTruth(Path out, String hostname) {
    return out.resolve(hostname + ".ground-truth.jsonl.gz");
  }

  static final String SET = "mobilessh-set: ";
  static final String REMOVE = "mobilessh-remove: ";
  static final String ACCEPT = "mobilessh-accept: ";
  static final String REJECT = "mobilessh-reject: ";
  static final int LIST_CAPACITY = 100;
  static final int REJECT_PER_MINUTE = 6;
  static final int REJECT_BURST = 5;
  static final int REJECT_GLOBAL_PER_SECOND = 20;
  private static final long SEC = 1_000_000L;

  /**
   * What was written for one router.
   *
   * @param logLines kernel LOG lines per mobilessh step ({@code set}, {@code remove}, {@code
   *     accept}, {@code reject})
   * @param conntrackLines conntrack events per type ({@code NEW}, {@code UPDATE}, {@code DESTROY})
   */
  public record RouterResult(
      String hostname,
      Path directory,
      Path groundTruth,
      Map<String, Long> logLines,
      long kernelOtherLines,
      long syslogOtherLines,
      Map<String, Long> conntrackLines,
      long connections,
      long windows) {

    /** Kernel LOG lines of all four steps. */
    public long logLinesTotal() {
      return logLines.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private Simulator() {}

  /** Simulates {@code spec} into {@code out} (created if needed; existing files are replaced). */
  public static List<RouterResult> run(SimulationSpec spec, Path out) {
    List<RouterResult> results = new ArrayList<>();
    for (int n = 1; n <= spec.routers(); n++) {
      Path dir = out.resolve("router" + n);
      try {
        Files.createDirectories(dir);
      } catch (IOException e) {
        throw new SimulateException("cannot create " + dir + ": " + e.getMessage(), e);
      }
      results.add(new RouterSim(spec, new Router(n), dir, groundTruth(out, "router" + n)).run());
    }
    return Collections.unmodifiableList(results);
  }

  /** One window: from the set LOG that opened it to the FIN removal, expiry or eviction. */
  private static final class Window {
    final String id;
    final Flow openedBy;
    final long openedAt;
    long lastRefresh;
    long refreshes;
    final List<String> sshAccepted = new ArrayList<>();

    Window(String id, Flow openedBy, long openedAt) {
      this.id = id;
      this.openedBy = openedBy;
      this.openedAt = openedAt;
      this.lastRefresh = openedAt;
    }
  }

  private record Pending(Flow flow, int index, long time, long seq) {}

  private record Out(long time, long seq, int dest, String text) {}

  private static final int KERN = 1;
  private static final int SYSLOG = 2;
  private static final int CONNTRACK = 3;

  private static final class RouterSim {
    private final SimulationSpec spec;
    private final Router router;
    private final Path dir;
    private final Path truthPath;
    private final Random rnd;
    private final long window;
    private final LineFormat fmt;
    private final RecentList list;
    private final RejectLimiter limiter =
        new RejectLimiter(REJECT_PER_MINUTE, REJECT_GLOBAL_PER_SECOND, REJECT_BURST);
    private final PriorityQueue<Pending> packets =
        new PriorityQueue<>(
            (a, b) -> a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
    private final PriorityQueue<Out> outputs =
        new PriorityQueue<>(
            (a, b) -> a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
    private final Map<String, Window> open = new HashMap<>();
    private final Map<String, Long> logCounts = new LinkedHashMap<>();
    private final Map<String, Long> ctCounts = new LinkedHashMap<>();
    private long seq;
    private long windowCounter;
    private long connections;
    private long kernelOther;
    private long syslogOther;
    private long rejects;
    private long rejectsLogged;
    private int sshdPid = 20000;
    private final GateCounters gate = new GateCounters();
    private long boot;
    private long[] snapshotTimes = {};
    private String[] snapshotNames = {};
    private int nextSnapshot;
    private BufferedWriter truth;
    private RotatingLog kern;
    private RotatingLog syslog;
    private RotatingLog conntrack;

    RouterSim(SimulationSpec spec, Router router, Path dir, Path truthPath) {
      this.spec = spec;
      this.router = router;
      this.dir = dir;
      this.truthPath = truthPath;
      this.rnd = new Random(spec.seed() * 1_000_003L + router.number);
      this.window = spec.seconds() * SEC;
      this.fmt = new LineFormat(spec.zone());
      this.list = new RecentList(LIST_CAPACITY, window);
      for (String a : List.of("set", "remove", "accept", "reject")) {
        logCounts.put(a, 0L);
      }
      for (String a : List.of("NEW", "UPDATE", "DESTROY")) {
        ctCounts.put(a, 0L);
      }
    }

    RouterResult run() {
      ZonedDateTime start = spec.month().atDay(1).atStartOfDay(spec.zone());
      ZonedDateTime end = spec.month().plusMonths(1).atDay(1).atStartOfDay(spec.zone());
      long[] rotations = rotations(start, end);
      Traffic traffic = new Traffic(router, rnd, spec.clients(), spec.scale(), spec.seconds());
      try (RotatingLog k = new RotatingLog(dir, "kern.log", rotations);
          RotatingLog s = new RotatingLog(dir, "syslog", rotations);
          RotatingLog c = new RotatingLog(dir, "conntrack.log", rotations);
          BufferedWriter gt =
              new BufferedWriter(
                  new OutputStreamWriter(
                      new GZIPOutputStream(Files.newOutputStream(truthPath), 1 << 16),
                      StandardCharsets.UTF_8),
                  1 << 16)) {
        kern = k;
        syslog = s;
        conntrack = c;
        truth = gt;
        meta(start, end);
        planSnapshots(start, end);
        for (long r : rotations) { // rsyslogd's HUP from logrotate's postrotate
          emit(
              r + 60_000 + rnd.nextInt(400_000),
              SYSLOG,
              "rsyslogd: [origin software=\"rsyslogd\" swVersion=\"8.2302.0\" x-pid=\"612\""
                  + " x-info=\"https://www.rsyslog.com\"] rsyslogd was HUPed");
        }
        boolean first = true;
        for (ZonedDateTime day = start; day.isBefore(end); day = day.plusDays(1)) {
          long dayStart = micros(day);
          long dayEnd = micros(day.plusDays(1));
          if (first) {
            bootLines(dayStart);
            first = false;
          }
          background(day, dayStart, dayEnd);
          for (Flow f : traffic.day(dayStart, dayEnd, day.getDayOfWeek())) {
            schedule(f, 0);
          }
          while (!packets.isEmpty() && packets.peek().time < dayEnd) {
            Pending p = packets.poll();
            packet(p.flow, p.index, p.time);
          }
          flush(dayEnd);
          flushFloods();
          limiter.gc(dayEnd);
        }
        while (nextSnapshot < snapshotTimes.length) {
          snapshot();
        }
        long endMicros = micros(end);
        flush(Long.MAX_VALUE);
        closeRemaining(endMicros);
        summary();
      } catch (IOException e) {
        throw new SimulateException("cannot write " + dir + ": " + e.getMessage(), e);
      }
      return new RouterResult(
          router.hostname,
          dir,
          truthPath,
          Collections.unmodifiableMap(logCounts),
          kernelOther,
          syslogOther,
          Collections.unmodifiableMap(ctCounts),
          connections,
          windowCounter);
    }

    /**
     * The router booted the evening before the month, loaded the ruleset and took a {@code rules
     * snapshot} (counters zero, list empty); a cron job takes one at 00:00 on the 16th and on the
     * 1st of the next month. Files are named as the README's cron line names them ({@code date -u
     * +%F}.snap) and lie beside the logs, so that ingesting the directory stores them.
     */
    private void planSnapshots(ZonedDateTime start, ZonedDateTime end) {
      boot = micros(start) - 10_338_696_000L; // 2h52m18.696s before the month
      snapshotTimes =
          new long[] {
            boot + 31_652_187L,
            micros(spec.month().atDay(16).atStartOfDay(spec.zone())) + 1_274_913L,
            micros(end) + 1_318_224L
          };
      snapshotNames = new String[snapshotTimes.length];
      for (int i = 0; i < snapshotTimes.length; i++) {
        snapshotNames[i] =
            RouterSnapshot.instant(snapshotTimes[i]).atZone(java.time.ZoneOffset.UTC).toLocalDate()
                + ".snap";
      }
    }

    private void snapshot() {
      long t = snapshotTimes[nextSnapshot];
      String name = snapshotNames[nextSnapshot];
      nextSnapshot++;
      Instant at = RouterSnapshot.instant(t);
      Path file = dir.resolve(name);
      String text;
      try {
        SectionedFile snap =
            RouterSnapshot.snapshot(
                router,
                spec.seconds(),
                spec.zone(),
                at,
                gate,
                list,
                RouterSnapshot.instant(boot),
                spec.seed() * 31 + router.number);
        snap.write(file);
        text = snap.text();
        Files.setLastModifiedTime(file, FileTime.from(at.plusMillis(412)));
      } catch (RulesException | IOException e) {
        throw new SimulateException("cannot write " + file + ": " + e.getMessage(), e);
      }
      String hash = text.substring(text.lastIndexOf(SectionedFile.HASH_KEY) + 8).strip();
      writeTruth(
          "{\"record\":\"snapshot\",\"file\":\""
              + name
              + "\",\"taken_at\":\""
              + iso(t)
              + "\",\"sha256\":\""
              + hash
              + "\",\"rejected\":{\"4\":"
              + gate.packets(4, Rule.REJECT)
              + ",\"6\":"
              + gate.packets(6, Rule.REJECT)
              + "},\"reject_logged\":{\"4\":"
              + gate.packets(4, Rule.REJECT_LOG)
              + ",\"6\":"
              + gate.packets(6, Rule.REJECT_LOG)
              + "},\"list_entries\":"
              + list.kernelOrder(0).size()
              + "}\n");
    }

    /** logrotate weekly: the first daily run (00:00 local) on or after each Sunday. */
    private long[] rotations(ZonedDateTime start, ZonedDateTime end) {
      List<Long> r = new ArrayList<>();
      for (LocalDate d = start.toLocalDate().plusDays(1);
          d.isBefore(end.toLocalDate());
          d = d.plusDays(1)) {
        if (d.getDayOfWeek() == java.time.DayOfWeek.SUNDAY) {
          r.add(micros(d.atStartOfDay(spec.zone())) + 1_500_000L);
        }
      }
      return r.stream().mapToLong(Long::longValue).toArray();
    }

    private static long micros(ZonedDateTime t) {
      return ChronoUnit.MICROS.between(Instant.EPOCH, t.toInstant());
    }

    private void schedule(Flow f, int index) {
      packets.add(new Pending(f, index, f.times[index], seq++));
    }

    private void emit(long time, int dest, String text) {
      outputs.add(new Out(time, seq++, dest, text));
    }

    private void flush(long before) {
      while (!outputs.isEmpty() && outputs.peek().time < before) {
        Out o = outputs.poll();
        switch (o.dest) {
          case KERN -> {
            String line = fmt.syslogStamp(o.time) + " " + router.hostname + " kernel: " + o.text;
            kern.write(o.time, line);
            syslog.write(o.time, line);
          }
          case SYSLOG -> {
            syslog.write(o.time, fmt.syslogStamp(o.time) + " " + router.hostname + " " + o.text);
            syslogOther++;
          }
          default -> conntrack.write(o.time, o.text);
        }
      }
    }

    // ---- other programs and the kernel's own chatter

    private void bootLines(long dayStart) {
      // the router booted the evening before (see planSnapshots); one link renegotiation
      long t = dayStart + 3 * 3600 * SEC + rnd.nextInt(3600) * SEC;
      emit(t, KERN, "e1000e 0000:00:19.0 eth0: NIC Link is Down");
      emit(
          t + 2_400_000,
          KERN,
          "e1000e 0000:00:19.0 eth0: NIC Link is Up 1000 Mbps Full Duplex, Flow Control: Rx/Tx");
      kernelOther += 2;
    }

    private void background(ZonedDateTime day, long dayStart, long dayEnd) {
      int pid = 30000 + rnd.nextInt(20000);
      for (long h = dayStart + 17 * 60 * SEC + SEC; h < dayEnd; h += 3600 * SEC) {
        emit(
            h + rnd.nextInt(40_000),
            SYSLOG,
            "CRON["
                + (pid += 1 + rnd.nextInt(400))
                + "]: (root) CMD (cd / && run-parts --report"
                + " /etc/cron.hourly)");
      }
      int leases = 2 + rnd.nextInt(6);
      for (int i = 0; i < leases; i++) {
        long t = dayStart + (long) (rnd.nextDouble() * (dayEnd - dayStart - 3600 * SEC));
        int host = 200 + rnd.nextInt(50);
        String mac = String.format("00:00:5e:00:53:%02x", 0x30 + host % 64);
        String ip = "198.51.100." + host;
        emit(t, SYSLOG, "dhcpd[812]: DHCPREQUEST for " + ip + " from " + mac + " via eth1");
        emit(t + 900, SYSLOG, "dhcpd[812]: DHCPACK on " + ip + " to " + mac + " via eth1");
      }
    }

    // ---- the ruleset, packet by packet

    private void packet(Flow f, int i, long t) {
      while (nextSnapshot < snapshotTimes.length && snapshotTimes[nextSnapshot] <= t) {
        snapshot();
      }
      String addr = f.src.text();
      expire(addr, t);
      int flags = f.flags[i];
      boolean syn = (flags & Flow.SYN) != 0;
      switch (f.kind) {
        case IMAPS -> imaps(f, i, t, addr, syn);
        case SCAN_993 -> {
          count(f, i, Rule.FORWARD_IMAPS, syn ? Rule.IMAPS_NOT_ESTABLISHED : Rule.IMAPS_RST);
          if (syn) {
            conntrackHalfOpen(f, t);
          }
        }
        default -> ssh(f, i, t, addr, syn, (flags & Flow.FIN) != 0);
      }
      if (f.outcome != null && f.outcome.equals("reset")) {
        finish(f);
      } else if (i + 1 < f.times.length) {
        schedule(f, i + 1);
      } else {
        finish(f);
      }
    }

    /** A window whose entry went stale is closed at last refresh + N. */
    private void expire(String addr, long t) {
      Window w = open.get(addr);
      if (w != null && t - w.lastRefresh > window) {
        open.remove(addr);
        closeWindow(w, w.lastRefresh + window, "expiry", null);
      }
    }

    private void imaps(Flow f, int i, long t, String addr, boolean syn) {
      if ((f.flags[i] & Flow.RST) != 0) {
        count(f, i, Rule.FORWARD_IMAPS, Rule.IMAPS_RST);
        return; // RST packets never set
      }
      if (syn) { // NEW: the chain returns; the router's own rules accept mail traffic
        count(f, i, Rule.FORWARD_IMAPS, Rule.IMAPS_NOT_ESTABLISHED);
        f.outcome = "connected";
        conntrackConnection(f, t);
        return;
      }
      Window w = open.get(addr);
      if (!list.fresh(addr, t)) { // "! --rcheck --seconds N" -> LOG
        count(f, i, Rule.SET_LOG);
        log(t, SET, f, i, "set");
        w = new Window(String.format("r%d-w%06d", router.number, ++windowCounter), f, t);
        open.put(addr, w);
      }
      count(f, i, Rule.FORWARD_IMAPS, Rule.SET);
      String evicted = list.set(f.src, t, ttl(f));
      if (evicted != null) {
        Window gone = open.remove(evicted);
        if (gone != null) {
          closeWindow(gone, t, "evicted", null);
        }
      }
      w.lastRefresh = t;
      w.refreshes++;
      if (f.window == null) {
        f.window = w.id;
      }
    }

    private void ssh(Flow f, int i, long t, String addr, boolean syn, boolean fin) {
      count(f, i, f.target == Flow.Target.ROUTER ? Rule.INPUT_SSH : Rule.FORWARD_SSH);
      if (syn) {
        if (list.fresh(addr, t)) { // rcheck --seconds N -> MOBILESSH-ACCEPT
          count(f, i, Rule.RCHECK, Rule.ACCEPT_LOG, Rule.ACCEPT_ACCEPT);
          log(t, ACCEPT, f, i, "accept");
          f.outcome = "connected";
          Window w = open.get(addr);
          f.window = w.id;
          w.sshAccepted.add(f.id);
          if ((f.flags[1] & Flow.RST) != 0) {
            conntrackHalfOpen(f, t); // a scanner's SYN that found a window open: SYN/ACK, RST
          } else {
            conntrackConnection(f, t);
            if (f.target == Flow.Target.ROUTER) {
              sshd(f, t);
            }
          }
        } else {
          f.outcome = "reset";
          rejects++;
          String key = f.src.family() == 6 ? f.src.logText().substring(0, 19) : f.src.logText();
          if (limiter.allow(key, t)) {
            count(f, i, Rule.REJECT_LOG);
            log(t, REJECT, f, i, "reject");
            f.rejectLogged = true;
            rejectsLogged++;
          }
          count(f, i, Rule.REJECT);
        }
        return;
      }
      if (fin && list.remove(addr)) { // step 2, any entry, stale or not
        count(f, i, Rule.REMOVE, Rule.REMOVED_LOG, Rule.REMOVED_ACCEPT);
        log(t, REMOVE, f, i, "remove");
        Window w = open.remove(addr);
        if (w != null) {
          closeWindow(w, t, "fin-remove", f.id);
        } else {
          f.removedStale = true;
        }
        return;
      }
      if (list.update(f.src, t, ttl(f))) { // step 3: only a fresh entry is refreshed
        count(f, i, Rule.UPDATE);
        Window w = open.get(addr);
        w.lastRefresh = t;
        w.refreshes++;
      } else {
        count(f, i, Rule.KEEP);
      }
    }

    private void count(Flow f, int i, Rule... rules) {
      gate.count(f.src.family(), LineFormat.ipLength(f, i), rules);
    }

    /**
     * The TTL xt_recent records: the packet's as it reached the router (in FORWARD the kernel adds
     * back the hop it just took off).
     */
    private static int ttl(Flow f) {
      return f.os.ttl() - f.hops;
    }

    private void log(long t, String prefix, Flow f, int i, String action) {
      emit(t, KERN, LineFormat.logBody(prefix, f, i, router));
      logCounts.merge(action, 1L, Long::sum);
      f.logged.add(action);
    }

    private void sshd(Flow f, long t) {
      int pid = ++sshdPid;
      String who = f.role.equals("admin") ? "admin" : null;
      String from = f.src.text() + " port " + f.sport;
      long auth = t + 250_000 + rnd.nextInt(300_000);
      if (who != null) {
        emit(
            auth,
            SYSLOG,
            "sshd["
                + pid
                + "]: Accepted publickey for admin from "
                + from
                + " ssh2: ED25519 SHA256:Qm9iaWxlc3NoIGRvY3VtZW50YXRpb24ga2V5AAAAAA");
        emit(
            auth + 4000,
            SYSLOG,
            "sshd["
                + pid
                + "]: pam_unix(sshd:session): session opened for user admin(uid=1000)"
                + " by (uid=0)");
        long fin = f.end();
        emit(
            fin + 300,
            SYSLOG,
            "sshd[" + pid + "]: Received disconnect from " + from + ":11: disconnected by user");
        emit(fin + 500, SYSLOG, "sshd[" + pid + "]: Disconnected from user admin " + from);
        emit(
            fin + 900,
            SYSLOG,
            "sshd[" + pid + "]: pam_unix(sshd:session): session closed for user admin");
      } else {
        emit(
            f.end() + 200,
            SYSLOG,
            "sshd[" + pid + "]: Connection closed by " + from + " [preauth]");
      }
    }

    // ---- conntrack -E -o timestamp,extended,id

    private void conntrackConnection(Flow f, long t) {
      f.conntrackId = Integer.toUnsignedLong(rnd.nextInt());
      long halfRtt = Math.max(200, (f.times[1] - f.times[0]) / 2);
      long end = f.end();
      ct(t + 20, "[NEW]", f, 120, "SYN_SENT", true, false, null, -1);
      ct(t + halfRtt, "[UPDATE]", f, 60, "SYN_RECV", false, false, null, -1);
      ct(f.times[1] + 15, "[UPDATE]", f, 432000, "ESTABLISHED", false, true, null, -1);
      long timeWait;
      if (f.closedBy.equals("server-fin")) {
        long serverFin = end - halfRtt - 3000 - rnd.nextInt(20_000);
        ct(serverFin, "[UPDATE]", f, 120, "FIN_WAIT", false, true, null, -1);
        ct(serverFin + 150, "[UPDATE]", f, 60, "CLOSE_WAIT", false, true, null, -1);
        ct(end + 20, "[UPDATE]", f, 30, "LAST_ACK", false, true, null, -1);
        timeWait = end + halfRtt;
      } else {
        ct(end + 20, "[UPDATE]", f, 120, "FIN_WAIT", false, true, null, -1);
        ct(end + halfRtt, "[UPDATE]", f, 30, "LAST_ACK", false, true, null, -1);
        timeWait = end + 2 * halfRtt;
      }
      ct(timeWait, "[UPDATE]", f, 120, "TIME_WAIT", false, true, null, -1);
      long destroy = timeWait + 120 * SEC + rnd.nextInt(2_500_000);
      long[] counters = counters(f);
      ct(destroy, "[DESTROY]", f, -1, "TIME_WAIT", false, true, counters, (destroy - t) / SEC);
    }

    private void conntrackHalfOpen(Flow f, long t) {
      f.outcome = "half-open";
      f.conntrackId = Integer.toUnsignedLong(rnd.nextInt());
      long rst = f.end();
      ct(t + 20, "[NEW]", f, 120, "SYN_SENT", true, false, null, -1);
      ct(t + (rst - t) / 2, "[UPDATE]", f, 60, "SYN_RECV", false, false, null, -1);
      ct(rst + 15, "[UPDATE]", f, 10, "CLOSE", false, false, null, -1);
      long destroy = rst + 10 * SEC + rnd.nextInt(2_500_000);
      int syn = f.src.family() == 6 ? 60 : 40;
      long[] counters = {2, syn + (f.src.family() == 6 ? 60 : 40), 1, syn + 4};
      ct(destroy, "[DESTROY]", f, -1, "CLOSE", false, false, counters, (destroy - t) / SEC);
    }

    /** packets/bytes both ways: the client's packets as logged, the server's a little more. */
    private long[] counters(Flow f) {
      boolean v6 = f.src.family() == 6;
      long bytes = 0;
      for (int i = 0; i < f.times.length; i++) {
        bytes +=
            ((f.flags[i] & Flow.SYN) != 0 ? (v6 ? f.os.synLen6() : f.os.synLen4()) : v6 ? 72 : 52)
                + f.payload[i];
      }
      long packets = f.times.length + 1L;
      bytes += v6 ? 72 : 52;
      long replyPackets = f.times.length - 1L + (f.kind == Flow.Kind.IMAPS ? 1 : 0);
      long replyBytes =
          replyPackets * (v6 ? 72 : 52)
              + 2 * (bytes - packets * (v6 ? 72 : 52))
              + (f.kind == Flow.Kind.IMAPS ? 1400 : 300);
      return new long[] {packets, bytes, replyPackets, Math.max(replyBytes, replyPackets * 52)};
    }

    private void ct(
        long t,
        String type,
        Flow f,
        int timeout,
        String state,
        boolean unreplied,
        boolean assured,
        long[] counters,
        long delta) {
      emit(
          t,
          CONNTRACK,
          LineFormat.conntrack(t, type, f, timeout, state, unreplied, assured, counters, delta));
      ctCounts.merge(type.substring(1, type.length() - 1), 1L, Long::sum);
    }

    // ---- ground truth

    private void meta(ZonedDateTime start, ZonedDateTime end) throws IOException {
      truth.write(
          "{\"record\":\"meta\",\"generator\":\"mobilessh simulate\",\"router_hostname\":\""
              + router.hostname
              + "\",\"month\":\""
              + spec.month()
              + "\",\"zone\":\""
              + spec.zone().getId()
              + "\",\"seed\":"
              + spec.seed()
              + ",\"scale\":"
              + spec.scale()
              + ",\"clients\":"
              + spec.clients()
              + ",\"window_seconds\":"
              + spec.seconds()
              + ",\"list\":\"MOBILE\",\"list_capacity\":"
              + LIST_CAPACITY
              + ",\"start\":\""
              + iso(micros(start))
              + "\",\"end\":\""
              + iso(micros(end))
              + "\",\"prefixes\":{\"set\":\"mobilessh-set:\",\"remove\":\"mobilessh-remove:\","
              + "\"accept\":\"mobilessh-accept:\",\"reject\":\"mobilessh-reject:\"},"
              + "\"reject_log\":{\"per_source_per_minute\":"
              + REJECT_PER_MINUTE
              + ",\"burst\":"
              + REJECT_BURST
              + ",\"global_per_second\":"
              + REJECT_GLOBAL_PER_SECOND
              + ",\"ipv6_srcmask\":64},\"router\":{\"public\":[\""
              + router.public4.text()
              + "\",\""
              + router.public6.text()
              + "\"],\"mail\":[\""
              + router.mail4.text()
              + "\",\""
              + router.mail6.text()
              + "\"],\"host\":[\""
              + router.host4.text()
              + "\",\""
              + router.host6.text()
              + "\"]}}\n");
    }

    /**
     * SYN floods are summarised: one record per flood, with the attempts whose reject was logged.
     */
    private final Map<String, Flood> floods = new LinkedHashMap<>();

    private static final class Flood {
      final Flow first;
      long last;
      long attempts;
      final List<Integer> loggedSports = new ArrayList<>();

      Flood(Flow first) {
        this.first = first;
      }
    }

    private void finish(Flow f) {
      if (f.kind == Flow.Kind.FLOOD_22) {
        Flood fl = floods.computeIfAbsent(f.client, k -> new Flood(f));
        fl.attempts++;
        fl.last = f.start();
        if (f.rejectLogged) {
          fl.loggedSports.add(f.sport);
        }
        return;
      }
      connections++;
      StringBuilder sb = new StringBuilder(400);
      sb.append("{\"record\":\"connection\",\"id\":\"")
          .append(f.id)
          .append("\",\"client\":\"")
          .append(f.client)
          .append("\",\"role\":\"")
          .append(f.role)
          .append("\",\"kind\":\"")
          .append(f.kind.json)
          .append("\",\"target\":\"")
          .append(f.target.json)
          .append("\",\"family\":")
          .append(f.src.family())
          .append(",\"src\":\"")
          .append(f.src.text())
          .append("\",\"sport\":")
          .append(f.sport)
          .append(",\"dst\":\"")
          .append(f.dst.text())
          .append("\",\"dport\":")
          .append(f.dport)
          .append(",\"t_start\":\"")
          .append(iso(f.start()));
      boolean reset = "reset".equals(f.outcome);
      sb.append("\",\"t_end\":\"")
          .append(iso(reset ? f.start() : f.end()))
          .append("\",\"outcome\":\"")
          .append(f.outcome)
          .append("\",\"closed_by\":\"")
          .append(reset ? "rst" : f.closedBy)
          .append("\",\"packets\":")
          .append(reset ? 1 : f.times.length)
          .append(",\"window\":")
          .append(f.window == null ? "null" : "\"" + f.window + "\"")
          .append(",\"logged\":[");
      for (int i = 0; i < f.logged.size(); i++) {
        sb.append(i > 0 ? "," : "").append('"').append(f.logged.get(i)).append('"');
      }
      sb.append("],\"reject_logged\":")
          .append(f.rejectLogged)
          .append(",\"removed_stale_entry\":")
          .append(f.removedStale)
          .append("}\n");
      writeTruth(sb.toString());
    }

    private void flushFloods() {
      for (Flood fl : floods.values()) {
        Flow f = fl.first;
        StringBuilder sb = new StringBuilder(200 + 6 * fl.loggedSports.size());
        sb.append("{\"record\":\"flood\",\"id\":\"")
            .append(f.client)
            .append("\",\"kind\":\"flood\",\"target\":\"")
            .append(f.target.json)
            .append("\",\"family\":")
            .append(f.src.family())
            .append(",\"src\":\"")
            .append(f.src.text())
            .append("\",\"dst\":\"")
            .append(f.dst.text())
            .append("\",\"dport\":")
            .append(f.dport)
            .append(",\"t_start\":\"")
            .append(iso(f.start()))
            .append("\",\"t_end\":\"")
            .append(iso(fl.last))
            .append("\",\"attempts\":")
            .append(fl.attempts)
            .append(",\"outcome\":\"reset\",\"reject_logged\":")
            .append(fl.loggedSports.size())
            .append(",\"logged_sports\":")
            .append(fl.loggedSports.toString().replace(" ", ""))
            .append("}\n");
        writeTruth(sb.toString());
        connections += fl.attempts;
      }
      floods.clear();
    }

    private void closeWindow(Window w, long closedAt, String reason, String closedBy) {
      Flow o = w.openedBy;
      StringBuilder sb = new StringBuilder(300);
      sb.append("{\"record\":\"window\",\"id\":\"")
          .append(w.id)
          .append("\",\"client\":\"")
          .append(o.client)
          .append("\",\"family\":")
          .append(o.src.family())
          .append(",\"src\":\"")
          .append(o.src.text())
          .append("\",\"opened_at\":\"")
          .append(iso(w.openedAt))
          .append("\",\"opened_by\":\"")
          .append(o.id)
          .append("\",\"last_refresh\":\"")
          .append(iso(w.lastRefresh))
          .append("\",\"closed_at\":\"")
          .append(iso(closedAt))
          .append("\",\"close_reason\":\"")
          .append(reason)
          .append("\",\"closed_by\":")
          .append(closedBy == null ? "null" : "\"" + closedBy + "\"")
          .append(",\"refreshes\":")
          .append(w.refreshes)
          .append(",\"ssh_accepted\":[");
      for (int i = 0; i < w.sshAccepted.size(); i++) {
        sb.append(i > 0 ? "," : "").append('"').append(w.sshAccepted.get(i)).append('"');
      }
      sb.append("]}\n");
      writeTruth(sb.toString());
    }

    private void closeRemaining(long end) {
      List<Window> rest = new ArrayList<>(open.values());
      rest.sort((a, b) -> a.id.compareTo(b.id));
      for (Window w : rest) {
        if (w.lastRefresh + window <= end) {
          closeWindow(w, w.lastRefresh + window, "expiry", null);
        } else {
          closeWindow(w, end, "open-at-end", null);
        }
      }
      open.clear();
    }

    private void summary() throws IOException {
      StringBuilder sb = new StringBuilder("{\"record\":\"summary\",\"log_lines\":{");
      int i = 0;
      for (Map.Entry<String, Long> e : logCounts.entrySet()) {
        sb.append(i++ > 0 ? "," : "")
            .append('"')
            .append(e.getKey())
            .append("\":")
            .append(e.getValue());
      }
      sb.append("},\"conntrack_lines\":{");
      i = 0;
      for (Map.Entry<String, Long> e : ctCounts.entrySet()) {
        sb.append(i++ > 0 ? "," : "")
            .append('"')
            .append(e.getKey())
            .append("\":")
            .append(e.getValue());
      }
      sb.append("},\"kernel_other_lines\":")
          .append(kernelOther)
          .append(",\"syslog_other_lines\":")
          .append(syslogOther)
          .append(",\"connections\":")
          .append(connections)
          .append(",\"windows\":")
          .append(windowCounter)
          .append(",\"rejects\":")
          .append(rejects)
          .append(",\"rejects_logged\":")
          .append(rejectsLogged)
          .append(",\"list_evictions\":")
          .append(list.evictions())
          .append("}\n");
      truth.write(sb.toString());
    }

    private void writeTruth(String s) {
      try {
        truth.write(s);
      } catch (IOException e) {
        throw new SimulateException("cannot write " + truthPath, e);
      }
    }
  }

  /** {@code 2026-10-01T00:00:00.000000Z}: UTC, always six fraction digits. */
  static String iso(long micros) {
    Instant i =
        Instant.ofEpochSecond(Math.floorDiv(micros, SEC), Math.floorMod(micros, SEC) * 1000);
    String s = i.truncatedTo(ChronoUnit.SECONDS).toString(); // ...:ssZ
    String us = Long.toString(Math.floorMod(micros, SEC));
    return s.substring(0, s.length() - 1) + "." + "000000".substring(us.length()) + us + "Z";
  }
}
