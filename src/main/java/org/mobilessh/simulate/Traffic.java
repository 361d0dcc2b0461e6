package org.mobilessh.simulate;

import java.time.DayOfWeek;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Who talks to one router and when: phones checking mail every few minutes from changing addresses,
 * laptops holding IMAPS open for hours, an admin opening SSH windows with a mail check, and the
 * internet's background of SSH scanners, SYN floods and probes of the mail port. Produces the
 * client-to-server packets of each connection for one day; the firewall model decides the rest.
 */
final class Traffic {
  private static final long SEC = 1_000_000L;
  private static final long MIN = 60 * SEC;
  private static final long HOUR = 60 * MIN;

  private static final int[] FETCH_MINUTES = {60, 15, 5, 30, 10, 15};

  private final Router router;
  private int floodCounter;
  private final Random rnd;
  private final double scale;
  private final long windowMicros;
  private final List<Device> phones = new ArrayList<>();
  private final List<Device> laptops = new ArrayList<>();
  private final Device adminPhone;
  private final Device adminLaptop;
  private long flowCounter;

  /** A client device and its current addresses (they change as it moves between networks). */
  private static final class Device {
    final String name;
    final String role;
    final int index;
    final Flow.Os os;
    final int homeHops;
    Addr home4;
    int[] home6Prefix;
    Addr cell4;
    Addr cell6;
    Addr home6;
    long cellUntil = Long.MIN_VALUE;
    long home6Day = Long.MIN_VALUE;

    Device(String name, String role, int index, Flow.Os os, int homeHops) {
      this.name = name;
      this.role = role;
      this.index = index;
      this.os = os;
      this.homeHops = homeHops;
    }
  }

  Traffic(Router router, Random rnd, int clients, double scale, int seconds) {
    this.router = router;
    this.rnd = rnd;
    this.scale = scale;
    this.windowMicros = seconds * SEC;
    int nPhones = (clients * 2 + 1) / 3;
    for (int k = 0; k < nPhones; k++) {
      Device d =
          new Device(
              String.format("phone%02d", k + 1),
              "phone",
              k,
              rnd.nextInt(3) == 0 ? Flow.Os.LINUX : Flow.Os.IOS,
              6 + rnd.nextInt(10));
      d.home4 = Addr.v4(203, 0, 113, 10 + k % 90);
      d.home6Prefix = new int[] {0x2001, 0xdb8, 0x100 + router.number, k};
      phones.add(d);
    }
    for (int k = 0; k < clients - nPhones; k++) {
      Device d =
          new Device(
              String.format("laptop%02d", k + 1),
              "laptop",
              k,
              rnd.nextInt(2) == 0 ? Flow.Os.WINDOWS : Flow.Os.LINUX,
              5 + rnd.nextInt(10));
      d.home4 = Addr.v4(203, 0, 113, 200 + k % 40);
      d.home6Prefix = new int[] {0x2001, 0xdb8, 0x300 + router.number, k};
      laptops.add(d);
    }
    adminPhone = new Device("admin-phone", "admin", 0, Flow.Os.LINUX, 9);
    adminPhone.home4 = Addr.v4(203, 0, 113, 250);
    adminPhone.home6Prefix = new int[] {0x2001, 0xdb8, 0x400 + router.number, 0};
    adminLaptop = new Device("admin-laptop", "admin", 1, Flow.Os.LINUX, 9);
    adminLaptop.home4 = adminPhone.home4;
    adminLaptop.home6Prefix = adminPhone.home6Prefix;
  }

  /** Every connection that starts on the local day {@code [dayStart, dayEnd)}. */
  List<Flow> day(long dayStart, long dayEnd, DayOfWeek weekday) {
    List<Flow> flows = new ArrayList<>();
    // nothing may still be running (or waiting for its conntrack DESTROY) at the end of the day
    long last = dayEnd - 10 * MIN;
    boolean workday = weekday != DayOfWeek.SATURDAY && weekday != DayOfWeek.SUNDAY;
    for (Device p : phones) {
      phoneDay(p, dayStart, last, flows);
    }
    for (Device l : laptops) {
      laptopDay(l, dayStart, last, workday, flows);
    }
    adminDay(dayStart, last, workday, flows);
    scannerDay(dayStart, last, flows);
    flows.removeIf(f -> f.end() >= last);
    return flows;
  }

  // ---- phones: a mail check every few minutes, less at night, on Wi-Fi at home or on mobile data

  private void phoneDay(Device p, long dayStart, long last, List<Flow> out) {
    // the fetch interval users pick on their phones; push-capable apps check more often
    long meanDay = FETCH_MINUTES[p.index % FETCH_MINUTES.length] * MIN;
    long t = dayStart + (long) (rnd.nextDouble() * 20 * MIN);
    while (t < last) {
      int hour = (int) ((t - dayStart) / HOUR);
      boolean night = hour < 7 || hour >= 23;
      boolean atHome = hour < 8 || hour >= 19 || rnd.nextInt(10) == 0;
      Addr src = address(p, t, dayStart, atHome);
      out.add(imapsCheck(p, src, t, atHome ? p.homeHops : p.homeHops + 4));
      long mean = night ? 40 * MIN : meanDay;
      t += (long) (mean * (0.5 + rnd.nextDouble()));
    }
  }

  /** The device's address now: home (stable IPv4, daily IPv6 privacy address) or mobile data. */
  private Addr address(Device d, long t, long dayStart, boolean atHome) {
    boolean v6 = rnd.nextInt(10) < 6;
    if (atHome) {
      if (!v6) {
        return d.home4;
      }
      if (d.home6Day != dayStart) {
        d.home6Day = dayStart;
        d.home6 = Addr.v6(iid(d.home6Prefix));
      }
      return d.home6;
    }
    if (t >= d.cellUntil) { // the carrier moved us: new CGNAT address and new /64
      d.cellUntil = t + HOUR + (long) (rnd.nextDouble() * 3 * HOUR);
      d.cell4 = Addr.v4(203, 0, 113, 100 + rnd.nextInt(100));
      d.cell6 =
          Addr.v6(iid(new int[] {0x2001, 0xdb8, 0x200 + router.number, rnd.nextInt(0x10000)}));
    }
    return v6 ? d.cell6 : d.cell4;
  }

  private int[] iid(int[] prefix) {
    return new int[] {
      prefix[0],
      prefix[1],
      prefix[2],
      prefix[3],
      rnd.nextInt(0x10000),
      rnd.nextInt(0x10000),
      rnd.nextInt(0x10000),
      1 + rnd.nextInt(0xffff)
    };
  }

  /** A short mail check: handshake, TLS, a few IMAP commands, LOGOUT; the server closes first. */
  private Flow imapsCheck(Device d, Addr src, long t0, int hops) {
    long rtt = (15 + rnd.nextInt(60)) * 1000L;
    int n = 4 + rnd.nextInt(5);
    long[] times = new long[n + 2];
    byte[] flags = new byte[n + 2];
    short[] payload = new short[n + 2];
    times[0] = t0;
    flags[0] = Flow.SYN;
    long t = t0 + rtt;
    times[1] = t;
    flags[1] = Flow.ACK;
    for (int i = 2; i < n + 1; i++) {
      t += rtt + rnd.nextInt(30_000);
      times[i] = t;
      flags[i] = (byte) (i % 3 == 1 ? Flow.ACK : Flow.ACK | Flow.PSH);
      payload[i] = (short) (flags[i] == Flow.ACK ? 0 : i == 2 ? 517 : 30 + rnd.nextInt(120));
    }
    t += rtt + rnd.nextInt(20_000);
    times[n + 1] = t;
    flags[n + 1] = Flow.ACK | Flow.FIN;
    return flow(
        Flow.Kind.IMAPS,
        Flow.Target.MAIL,
        d.name,
        d.role,
        src,
        d.os,
        hops,
        times,
        flags,
        payload,
        "server-fin");
  }

  // ---- laptops: one IMAPS connection held open through the working day (IDLE), bursts when
  // mail arrives and when the client re-issues IDLE

  private void laptopDay(Device l, long dayStart, long last, boolean workday, List<Flow> out) {
    if (!workday && rnd.nextInt(4) != 0) {
      return;
    }
    long start = dayStart + 8 * HOUR + (long) (rnd.nextGaussian() * 30 * MIN);
    long end =
        workday
            ? dayStart + 17 * HOUR + 30 * MIN + (long) (rnd.nextGaussian() * 60 * MIN)
            : start + HOUR + (long) (rnd.nextDouble() * 2 * HOUR);
    // lunch break: the lid closes, the connection ends, a new one starts after
    long lunch = dayStart + 12 * HOUR + (long) (rnd.nextDouble() * HOUR);
    if (workday && lunch > start && lunch + HOUR < end) {
      out.add(longSession(l, address(l, start, dayStart, true), start, lunch));
      out.add(longSession(l, address(l, lunch + 45 * MIN, dayStart, true), lunch + 45 * MIN, end));
    } else {
      out.add(longSession(l, address(l, start, dayStart, true), start, end));
    }
  }

  private Flow longSession(Device d, Addr src, long t0, long end) {
    List<long[]> pk = new ArrayList<>(); // {time, flags, payload}
    long rtt = (8 + rnd.nextInt(30)) * 1000L;
    pk.add(new long[] {t0, Flow.SYN, 0});
    long t = t0 + rtt;
    pk.add(new long[] {t, Flow.ACK, 0});
    pk.add(new long[] {t + 500, Flow.ACK | Flow.PSH, 517});
    t += 3 * rtt;
    pk.add(new long[] {t, Flow.ACK | Flow.PSH, 80});
    while (true) {
      // a new message (random) or the client's IDLE re-issue after 29 min, whichever first
      long gap = Math.min((long) (-Math.log(1 - rnd.nextDouble()) * 25 * MIN), 29 * MIN);
      t += Math.max(2 * SEC, gap);
      if (t >= end) {
        break;
      }
      int burst = 1 + rnd.nextInt(4);
      for (int i = 0; i < burst; i++) {
        t += rtt + rnd.nextInt(200_000);
        pk.add(new long[] {t, i % 2 == 0 ? Flow.ACK | Flow.PSH : Flow.ACK, 20 + rnd.nextInt(60)});
      }
    }
    t = Math.max(t, end);
    pk.add(new long[] {t, Flow.ACK | Flow.PSH, 40});
    pk.add(new long[] {t + 2 * rtt, Flow.ACK | Flow.FIN, 0});
    return fromPackets(Flow.Kind.IMAPS, Flow.Target.MAIL, d, src, d.homeHops, pk, "server-fin");
  }

  // ---- the admin: a mail check opens the window, SSH follows within N seconds

  private void adminDay(long dayStart, long last, boolean workday, List<Flow> out) {
    int sessions = workday ? 1 + rnd.nextInt(4) : rnd.nextInt(3) == 0 ? 1 : 0;
    if (rnd.nextInt(12) == 0) {
      sessions++; // on call: a night session
    }
    for (int s = 0; s < sessions; s++) {
      long t =
          s == sessions - 1 && rnd.nextInt(6) == 0
              ? dayStart + (long) (rnd.nextDouble() * 5 * HOUR)
              : dayStart + 8 * HOUR + (long) (rnd.nextDouble() * 11 * HOUR);
      Device dev = rnd.nextInt(10) < 7 ? adminLaptop : adminPhone;
      boolean atHome = rnd.nextInt(3) != 0;
      Addr src = address(dev, t, dayStart, atHome);
      int hops = dev.homeHops + (atHome ? 0 : 4);
      Flow mail = imapsCheck(dev, src, t, hops);
      out.add(mail);
      long after = mail.end();
      if (rnd.nextInt(14) == 0) { // too slow: the window has expired, the SYN gets a reset
        long late = after + windowMicros + (long) ((5 + rnd.nextDouble() * 240) * SEC);
        out.add(sshSession(dev, src, hops, late, Flow.Target.ROUTER, 20 * SEC));
        mail = imapsCheck(dev, src, late + (long) ((10 + rnd.nextDouble() * 50) * SEC), hops);
        out.add(mail);
        after = mail.end();
      }
      long syn = after + (long) ((1 + rnd.nextDouble() * 0.6 * windowMicros / SEC) * SEC);
      Flow.Target target = rnd.nextInt(5) < 3 ? Flow.Target.ROUTER : Flow.Target.HOST;
      long duration = (long) (Math.exp(Math.log(2 * MIN) + rnd.nextDouble() * Math.log(50)));
      Flow first = sshSession(dev, src, hops, syn, target, duration);
      out.add(first);
      if (rnd.nextInt(5) == 0) { // a second session to the other target while the first runs
        long syn2 = syn + (long) ((2 + rnd.nextDouble() * 0.4 * windowMicros / SEC) * SEC);
        Flow.Target other = target == Flow.Target.ROUTER ? Flow.Target.HOST : Flow.Target.ROUTER;
        out.add(sshSession(dev, src, hops, syn2, other, duration / 2));
      }
    }
  }

  /**
   * An interactive SSH session: keystroke bursts, sometimes an idle stretch longer than the window
   * (the entry goes stale under the running session), and the client's FIN. If the SYN is rejected,
   * the simulation drops the rest.
   */
  private Flow sshSession(Device d, Addr src, int hops, long t0, Flow.Target target, long dur) {
    List<long[]> pk = new ArrayList<>();
    pk.add(new long[] {t0, Flow.SYN, 0});
    long rtt = (10 + rnd.nextInt(40)) * 1000L;
    long t = t0 + rtt;
    pk.add(new long[] {t, Flow.ACK, 0});
    pk.add(new long[] {t + 300, Flow.ACK | Flow.PSH, 41});
    long end = t0 + dur;
    while (t < end) {
      long gap =
          rnd.nextInt(25) == 0
              ? windowMicros + (long) (rnd.nextDouble() * 10 * MIN)
              : (long) (-Math.log(1 - rnd.nextDouble()) * 12 * SEC);
      t += Math.max(50_000, gap);
      int burst = 1 + rnd.nextInt(6);
      for (int i = 0; i < burst; i++) {
        t += 80_000 + rnd.nextInt(300_000);
        pk.add(new long[] {t, i % 3 == 2 ? Flow.ACK : Flow.ACK | Flow.PSH, 36 + rnd.nextInt(64)});
      }
    }
    pk.add(new long[] {t + rtt, Flow.ACK | Flow.FIN, 0});
    return fromPackets(Flow.Kind.SSH, target, d, src, hops, pk, "fin");
  }

  // ---- the internet: SSH scanners, SYN floods, probes of 993

  private void scannerDay(long dayStart, long last, List<Flow> out) {
    long span = last - dayStart;
    int background = count(150 * scale);
    for (int s = 0; s < background; s++) {
      Addr src = scannerAddress();
      Flow.Os os = rnd.nextBoolean() ? Flow.Os.ZMAP : Flow.Os.MASSCAN;
      int hops = 8 + rnd.nextInt(20);
      long t = dayStart + (long) (rnd.nextDouble() * span);
      int tries = 1 + rnd.nextInt(6);
      Flow.Target target = rnd.nextInt(5) == 0 ? Flow.Target.HOST : Flow.Target.ROUTER;
      for (int i = 0; i < tries; i++) {
        out.add(syn(Flow.Kind.SCAN_22, target, "scanner", src, os, hops, t));
        t += (long) ((1 + rnd.nextDouble() * 120) * SEC);
      }
    }
    int floods = count(1.5 * scale);
    for (int s = 0; s < floods; s++) {
      Addr src = scannerAddress();
      int hops = 8 + rnd.nextInt(20);
      long t = dayStart + (long) (rnd.nextDouble() * span);
      int n = 100 + rnd.nextInt(2900);
      double rate = 10 + rnd.nextDouble() * 190;
      Flow.Target target = rnd.nextInt(4) == 0 ? Flow.Target.HOST : Flow.Target.ROUTER;
      String name = "r" + router.number + "-flood" + String.format("%04d", ++floodCounter);
      for (int i = 0; i < n; i++) {
        out.add(syn(Flow.Kind.FLOOD_22, target, name, src, Flow.Os.MASSCAN, hops, t));
        t += (long) (-Math.log(1 - rnd.nextDouble()) * SEC / rate) + 1;
      }
    }
    int probes = count(20 * scale);
    for (int s = 0; s < probes; s++) {
      Addr src = scannerAddress();
      long t = dayStart + (long) (rnd.nextDouble() * span);
      long rtt = (20 + rnd.nextInt(200)) * 1000L;
      List<long[]> pk = List.of(new long[] {t, Flow.SYN, 0}, new long[] {t + rtt, Flow.RST, 0});
      out.add(
          fromPackets(
              Flow.Kind.SCAN_993,
              Flow.Target.MAIL,
              "scanner",
              "scanner",
              src,
              Flow.Os.ZMAP,
              8 + rnd.nextInt(20),
              pk,
              "rst"));
    }
    // banner grabs: a full TLS connect to 993 opens the window for the scanner (the post's
    // accepted policy); a few then try SSH while it is open, are accepted and drop the line
    int grabs = count(4 * scale);
    for (int s = 0; s < grabs; s++) {
      Addr src = scannerAddress();
      long t = dayStart + (long) (rnd.nextDouble() * span);
      long rtt = (20 + rnd.nextInt(200)) * 1000L;
      int hops = 8 + rnd.nextInt(20);
      List<long[]> pk =
          List.of(
              new long[] {t, Flow.SYN, 0},
              new long[] {t + rtt, Flow.ACK, 0},
              new long[] {t + rtt + 200, Flow.ACK | Flow.PSH, 517},
              new long[] {t + 3 * rtt, Flow.ACK | Flow.FIN, 0});
      Flow grab =
          fromPackets(
              Flow.Kind.IMAPS,
              Flow.Target.MAIL,
              "scanner",
              "scanner",
              src,
              Flow.Os.LINUX,
              hops,
              pk,
              "fin");
      out.add(grab);
      if (rnd.nextInt(4) == 0) {
        long syn = grab.end() + (long) ((0.5 + rnd.nextDouble() * 5) * SEC);
        List<long[]> ssh =
            List.of(
                new long[] {syn, Flow.SYN, 0},
                new long[] {syn + rtt, Flow.ACK, 0},
                new long[] {syn + rtt + 300, Flow.ACK | Flow.PSH, 22},
                new long[] {syn + 3 * rtt, Flow.ACK | Flow.FIN, 0});
        out.add(
            fromPackets(
                Flow.Kind.SSH,
                Flow.Target.ROUTER,
                "scanner",
                "scanner",
                src,
                Flow.Os.LINUX,
                hops,
                ssh,
                "fin"));
      }
    }
  }

  private Addr scannerAddress() {
    if (rnd.nextInt(10) == 0) {
      return Addr.v6(
          iid(new int[] {0x2001, 0xdb8, 0xbad0 + rnd.nextInt(16), rnd.nextInt(0x10000)}));
    }
    return rnd.nextBoolean()
        ? Addr.v4(192, 0, 2, 16 + rnd.nextInt(239))
        : Addr.v4(198, 51, 100, 160 + rnd.nextInt(40));
  }

  /** A whole number with mean {@code mean}, varying ±25% from day to day. */
  private int count(double mean) {
    double m = mean * (0.75 + rnd.nextDouble() * 0.5);
    int n = (int) m;
    return rnd.nextDouble() < m - n ? n + 1 : n;
  }

  private Flow syn(
      Flow.Kind kind, Flow.Target target, String client, Addr src, Flow.Os os, int hops, long t) {
    return fromPackets(
        kind,
        target,
        client,
        "scanner",
        src,
        os,
        hops,
        // a raw-socket scanner answers a SYN/ACK with RST; after a reset nothing more is sent
        List.<long[]>of(
            new long[] {t, Flow.SYN, 0},
            new long[] {t + (20 + rnd.nextInt(200)) * 1000L, Flow.RST, 0}),
        "rst");
  }

  private Flow fromPackets(
      Flow.Kind kind,
      Flow.Target target,
      Device d,
      Addr src,
      int hops,
      List<long[]> pk,
      String closedBy) {
    return fromPackets(kind, target, d.name, d.role, src, d.os, hops, pk, closedBy);
  }

  private Flow fromPackets(
      Flow.Kind kind,
      Flow.Target target,
      String client,
      String role,
      Addr src,
      Flow.Os os,
      int hops,
      List<long[]> pk,
      String closedBy) {
    long[] times = new long[pk.size()];
    byte[] flags = new byte[pk.size()];
    short[] payload = new short[pk.size()];
    for (int i = 0; i < pk.size(); i++) {
      times[i] = pk.get(i)[0];
      flags[i] = (byte) pk.get(i)[1];
      payload[i] = (short) pk.get(i)[2];
    }
    return flow(kind, target, client, role, src, os, hops, times, flags, payload, closedBy);
  }

  private Flow flow(
      Flow.Kind kind,
      Flow.Target target,
      String client,
      String role,
      Addr src,
      Flow.Os os,
      int hops,
      long[] times,
      byte[] flags,
      short[] payload,
      String closedBy) {
    int dport = kind == Flow.Kind.IMAPS || kind == Flow.Kind.SCAN_993 ? 993 : 22;
    Addr dst = router.sshTarget(target, src.family());
    int sport = 32768 + rnd.nextInt(28232);
    int ipId = os.ipId() >= 0 ? os.ipId() : rnd.nextInt(65536);
    String id = "r" + router.number + "-c" + String.format("%07d", ++flowCounter);
    return new Flow(
        id,
        kind,
        target,
        client,
        role,
        src,
        sport,
        dst,
        dport,
        os,
        hops,
        rnd.nextInt(1 << 20),
        ipId,
        times,
        flags,
        payload,
        closedBy);
  }
}
