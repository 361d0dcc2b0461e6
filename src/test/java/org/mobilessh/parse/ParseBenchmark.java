package org.mobilessh.parse;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Parse-only throughput, run by hand (not a test: timings on a shared 2-core machine are not
 * assertions; the parser thread's CPU time is printed beside the wall time because other jobs share
 * the cores). {@code java -cp target/classes:target/test-classes:<jackson jars>
 * org.mobilessh.parse.ParseBenchmark [lines] [rounds]}. Lines are traditional syslog netfilter
 * lines of both families with varied addresses and ports, as a router writes them, plus 10% lines
 * of other programs; they are built in memory first so only parsing is measured.
 */
public final class ParseBenchmark {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private ParseBenchmark() {}

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    PrintStream out = System.out;
    for (LogFormat format : new LogFormat[] {LogFormat.SYSLOG, LogFormat.CONNTRACK}) {
      List<String> lines = format == LogFormat.SYSLOG ? syslogLines(n) : conntrackLines(n);
      long bytes = 0;
      for (String l : lines) {
        bytes += l.getBytes(StandardCharsets.UTF_8).length + 1;
      }
      for (int round = 1; round <= rounds; round++) {
        LineParser p = format.newParser(ParseContext.of("bench", 2026, ZoneId.of("Europe/Berlin")));
        long events = 0;
        long c0 = THREADS.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        for (int i = 0; i < lines.size(); i++) {
          if (p.parse(lines.get(i), i + 1) instanceof ParseResult.Parsed) {
            events++;
          }
        }
        double s = (System.nanoTime() - t0) / 1e9;
        double cpu = (THREADS.getCurrentThreadCpuTime() - c0) / 1e9;
        out.printf(
            Locale.ROOT,
            "%-9s round %d: %,d lines (%.1f MB) in %.3f s = %,.0f lines/s, %.0f MB/s;"
                + " parser thread CPU %.3f s = %,.0f lines/CPU-s; %,d events%n",
            format.id(),
            round,
            lines.size(),
            bytes / 1e6,
            s,
            lines.size() / s,
            bytes / 1e6 / s,
            cpu,
            lines.size() / cpu,
            events);
      }
    }
  }

  static List<String> syslogLines(int n) {
    Random r = new Random(1);
    String[] prefixes = {"mobilessh-set: ", "mobilessh-accept: ", "mobilessh-reject: ", ""};
    List<String> lines = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int sec = i / 40;
      String stamp =
          String.format(
              Locale.ROOT,
              "Nov %2d %02d:%02d:%02d",
              1 + (sec / 86400) % 28,
              (sec / 3600) % 24,
              (sec / 60) % 60,
              sec % 60);
      if (i % 10 == 9) {
        lines.add(
            stamp + " router1 sshd[" + (1000 + i % 5000) + "]: Connection closed by 203.0.113.5");
        continue;
      }
      String prefix = prefixes[r.nextInt(prefixes.length)];
      String kernel = String.format(Locale.ROOT, "[%6d.%06d] ", sec, r.nextInt(1_000_000));
      String mac = "MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 ";
      String body;
      if (r.nextBoolean()) {
        body =
            "SRC=203.0.113."
                + r.nextInt(256)
                + " DST=198.51.100.1 LEN=60 TOS=0x00 PREC=0x00 TTL=63 ID="
                + r.nextInt(65536)
                + " DF PROTO=TCP SPT="
                + (1024 + r.nextInt(60000))
                + " DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0 ";
      } else {
        body =
            String.format(
                Locale.ROOT,
                "SRC=2001:0db8:%04x:0000:0000:0000:0000:%04x DST=2001:0db8:0001:0000:0000:0000:0000:0001"
                    + " LEN=80 TC=0 HOPLIMIT=63 FLOWLBL=%d PROTO=TCP SPT=%d DPT=993 WINDOW=501"
                    + " RES=0x00 ACK PSH URGP=0 ",
                r.nextInt(65536),
                r.nextInt(65536),
                r.nextInt(1 << 20),
                1024 + r.nextInt(60000));
        mac = "MAC=52:54:00:12:34:56:52:54:00:65:43:21:86:dd ";
      }
      lines.add(stamp + " router1 kernel: " + kernel + prefix + "IN=eth0 OUT= " + mac + body);
    }
    return lines;
  }

  static List<String> conntrackLines(int n) {
    Random r = new Random(2);
    List<String> lines = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int port = 1024 + r.nextInt(60000);
      String src = r.nextBoolean() ? "192.0.2." + r.nextInt(256) : "2001:db8:2::" + r.nextInt(9999);
      String fam = src.indexOf(':') >= 0 ? "ipv6     10" : "ipv4     2";
      String dst = src.indexOf(':') >= 0 ? "2001:db8:1::1" : "198.51.100.1";
      lines.add(
          String.format(
              Locale.ROOT,
              "[%d.%06d]\t[DESTROY] %s tcp      6 118 TIME_WAIT src=%s dst=%s sport=%d dport=22"
                  + " packets=5 bytes=274 src=%s dst=%s sport=22 dport=%d packets=3 bytes=164"
                  + " [ASSURED] delta-time=2 id=%d",
              1795741150L + i / 100,
              r.nextInt(1_000_000),
              fam,
              src,
              dst,
              port,
              dst,
              src,
              port,
              r.nextInt(Integer.MAX_VALUE)));
    }
    return lines;
  }
}
