package org.mobilessh.audit;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.mobilessh.parse.LineParser;
import org.mobilessh.parse.LogFormat;
import org.mobilessh.parse.ParseContext;
import org.mobilessh.parse.ParseResult;
import org.mobilessh.rules.Cidr;

/**
 * Writes synthetic lines in the exact shapes the real kernel and conntrack-tools write (copied from
 * sample-logs/) and parses them with the parse stage, so tests feed the engine what production
 * feeds it.
 */
final class Lines {
  static final Instant T0 = Instant.parse("2026-11-27T01:00:00Z");
  static final String MAIL4 = "198.51.100.10";
  static final String MAIL6 = "2001:db8:1::10";
  static final String ROUTER4 = "192.0.2.1";
  static final String ROUTER6 = "2001:db8:ffff::1";

  private static final DateTimeFormatter DMESG =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss,SSSSSS'+00:00'").withZone(ZoneOffset.UTC);

  /** Lines of one kernel-log file and one conntrack file of one observer. */
  final String observer;

  final List<String> kernel = new ArrayList<>();
  final List<String> conntrack = new ArrayList<>();

  /** Syslog (RFC 3339) lines of programs: mobilessh's audit lines, journald's markers. */
  final List<String> auth = new ArrayList<>();

  private long nextId = 1000;
  private int ipId = 100;

  Lines(String observer) {
    this.observer = observer;
  }

  static Instant at(double seconds) {
    return T0.plusNanos(Math.round(seconds * 1e9));
  }

  /** A mobilessh LOG line (dmesg --time-format iso shape). */
  Lines log(String step, double t, String src, int sport, String dst, int dport, String flags) {
    InetAddress s = Cidr.parseAddress(src);
    InetAddress d = Cidr.parseAddress(dst);
    boolean v6 = s instanceof Inet6Address;
    String ip =
        v6
            ? "SRC=" + expand(s) + " DST=" + expand(d) + " LEN=80 TC=0 HOPLIMIT=63 FLOWLBL=1 "
            : "SRC="
                + src
                + " DST="
                + dst
                + " LEN=60 TOS=0x00 PREC=0x00 TTL=63 ID="
                + (ipId++)
                + " DF ";
    kernel.add(
        DMESG.format(at(t))
            + " mobilessh-"
            + step
            + ": IN=wan0 OUT=lan0 MAC=00:00:5e:00:53:a0:00:00:5e:00:53:10:"
            + (v6 ? "86:dd " : "08:00 ")
            + ip
            + "PROTO=TCP SPT="
            + sport
            + " DPT="
            + dport
            + " WINDOW=64240 RES=0x00 "
            + flags
            + " URGP=0 ");
    return this;
  }

  Lines set(double t, String src, int sport) {
    return log("set", t, src, sport, mail(src), 993, "ACK");
  }

  Lines accept(double t, String src, int sport) {
    return log("accept", t, src, sport, router(src), 22, "SYN");
  }

  Lines remove(double t, String src, int sport) {
    return log("remove", t, src, sport, router(src), 22, "ACK FIN");
  }

  Lines reject(double t, String src, int sport) {
    return log("reject", t, src, sport, router(src), 22, "SYN");
  }

  private static final DateTimeFormatter RFC3339 =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'+00:00'").withZone(ZoneOffset.UTC);

  /** A line of {@code program} in the syslog file, as rsyslog's RFC 3339 template writes it. */
  Lines program(double t, String program, String message) {
    auth.add(RFC3339.format(at(t)) + " " + observer + " " + program + ": " + message);
    return this;
  }

  /** {@code mobilessh list add ADDR} as docs/list.md shows its audit line. */
  Lines listAdd(double t, String address) {
    return program(
        t, "mobilessh", "list add " + address + " list=MOBILE netns=- by alice (uid=0, sudo=yes)");
  }

  /** The line mobilessh writes after a change the kernel refused, for the same attempt. */
  Lines listAddFailed(double t, String address) {
    return program(
        t,
        "mobilessh",
        "list add "
            + address
            + " list=MOBILE netns=- by alice (uid=0, sudo=yes) FAILED: the kernel accepted '+"
            + address
            + "' but the list does not show the change");
  }

  Lines listDel(double t, String address) {
    return program(
        t, "mobilessh", "list del " + address + " list=MOBILE netns=- by bob (uid=0, sudo=yes)");
  }

  Lines listFlush(double t, int entries) {
    return program(
        t,
        "mobilessh",
        "list flush (" + entries + " entries) list=MOBILE netns=- by bob (uid=0, sudo=yes)");
  }

  /** The kernel's printk rate-limit marker, in the kernel log. */
  Lines callbacksSuppressed(double t, int n) {
    kernel.add(DMESG.format(at(t)) + " net_ratelimit: " + n + " callbacks suppressed");
    return this;
  }

  /**
   * A whole TCP flow in conntrack -E -o timestamp,extended,id shape: NEW at {@code start},
   * ESTABLISHED 1 ms later, the client's FIN at {@code fin} (FIN_WAIT, LAST_ACK, TIME_WAIT), or no
   * close when {@code fin} is negative; DESTROY {@code reap} seconds after the close.
   */
  Lines flow(double start, String src, int sport, String dst, int dport, double fin, double reap) {
    long id = nextId++;
    boolean v6 = Cidr.parseAddress(src) instanceof Inet6Address;
    String fam = v6 ? "ipv6     10" : "ipv4     2";
    String tuple = "src=" + src + " dst=" + dst + " sport=" + sport + " dport=" + dport;
    String reply = "src=" + dst + " dst=" + src + " sport=" + dport + " dport=" + sport;
    conntrack.add(
        ct(start)
            + "    [NEW] "
            + fam
            + " tcp      6 120 SYN_SENT "
            + tuple
            + " [UNREPLIED] "
            + reply
            + " id="
            + id);
    conntrack.add(
        ct(start + 0.0005)
            + " [UPDATE] "
            + fam
            + " tcp      6 60 SYN_RECV "
            + tuple
            + " "
            + reply
            + " id="
            + id);
    conntrack.add(
        ct(start + 0.001)
            + " [UPDATE] "
            + fam
            + " tcp      6 432000 ESTABLISHED "
            + tuple
            + " "
            + reply
            + " [ASSURED] id="
            + id);
    if (fin >= 0) {
      conntrack.add(
          ct(fin)
              + " [UPDATE] "
              + fam
              + " tcp      6 120 FIN_WAIT "
              + tuple
              + " "
              + reply
              + " [ASSURED] id="
              + id);
      conntrack.add(
          ct(fin + 0.0001)
              + " [UPDATE] "
              + fam
              + " tcp      6 30 LAST_ACK "
              + tuple
              + " "
              + reply
              + " [ASSURED] id="
              + id);
      conntrack.add(
          ct(fin + 0.0002)
              + " [UPDATE] "
              + fam
              + " tcp      6 5 TIME_WAIT "
              + tuple
              + " "
              + reply
              + " [ASSURED] id="
              + id);
      if (reap >= 0) {
        conntrack.add(
            ct(fin + reap)
                + "[DESTROY] "
                + fam
                + " tcp      6 TIME_WAIT "
                + tuple
                + " packets=11 bytes=1271 "
                + reply
                + " packets=9 bytes=2604 [ASSURED] delta-time="
                + (int) (fin + reap - start)
                + " id="
                + id);
      }
    }
    return this;
  }

  Lines imaps(double start, String src, int sport, double fin) {
    return flow(start, src, sport, mail(src), 993, fin, 5);
  }

  Lines ssh(double start, String src, int sport, double fin) {
    return flow(start, src, sport, router(src), 22, fin, 5);
  }

  /** The parsed events of both files, in file order. */
  List<TracedEvent> events() {
    List<TracedEvent> out =
        new ArrayList<>(parse(kernel, "dmesg-" + observer + ".log", LogFormat.DMESG_ISO));
    out.addAll(parse(conntrack, "conntrack-" + observer + ".log", LogFormat.CONNTRACK));
    out.addAll(parse(auth, "auth-" + observer + ".log", LogFormat.SYSLOG_RFC3339));
    return out;
  }

  List<TracedEvent> parse(List<String> lines, String source, LogFormat format) {
    ParseContext ctx = ParseContext.of(source, 2026, ZoneOffset.UTC).withHostname(observer);
    LineParser p = format.newParser(ctx);
    List<TracedEvent> out = new ArrayList<>();
    long n = 0;
    for (String l : lines) {
      n++;
      ParseResult r = p.parse(l, n);
      if (!(r instanceof ParseResult.Parsed parsed)) {
        throw new IllegalStateException("synthetic line does not parse: " + r + ": " + l);
      }
      out.add(new TracedEvent(parsed.event(), source, n, l));
    }
    return out;
  }

  private static String ct(double t) {
    Instant i = at(t);
    return String.format("[%d.%06d]\t", i.getEpochSecond(), i.getNano() / 1000);
  }

  private static String mail(String src) {
    return src.contains(":") ? MAIL6 : MAIL4;
  }

  private static String router(String src) {
    return src.contains(":") ? ROUTER6 : ROUTER4;
  }

  private static String expand(InetAddress a) {
    byte[] b = a.getAddress();
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 16; i += 2) {
      s.append(i == 0 ? "" : ":").append(String.format("%02x%02x", b[i], b[i + 1]));
    }
    return s.toString();
  }
}
