package org.mobilessh.parse;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The netfilter scanner's fixed-order path (one pass for lines in the kernel's field order, with
 * remembered line heads) must give exactly what the general scanner gives, for every line: the same
 * event, or the same diagnostic. Compared on generated LOG messages in the kernel's spellings
 * (IPv4/IPv6, TCP with and without sequence numbers, UDP, ICMP, flags, fragments, options, UID,
 * MARK, bridge fields, quoted packets) and on damaged copies of them, through one long-lived parser
 * each, so the fixed-order path's remembered heads and destinations are exercised too.
 */
class FixedOrderScanTest {
  private static final EventTime TIME =
      EventTime.explicit(
          Instant.parse("2026-10-01T00:00:00Z"), "x", TimePrecision.SECOND, ClockSource.SYSLOG);
  private static final String NOISE = " =:[]()0aZxX9F.\u00e9\u0141\u0131\u00b1\u0000\u4e2d";

  private final Random r = new Random(20261127);

  @Test
  void fixedOrderGivesWhatTheGeneralScannerGives() {
    NetfilterMessages fast = new NetfilterMessages(PrefixMap.defaults(), true);
    NetfilterMessages general = new NetfilterMessages(PrefixMap.defaults(), false);
    // as KernelLineParser drives it: a remembered head first, the IN= search only without one
    NetfilterMessages heads = new NetfilterMessages(PrefixMap.defaults(), true);
    int events = 0;
    int errors = 0;
    int[] known = new int[1];
    for (int i = 0; i < 60_000; i++) {
      String line = line();
      if (r.nextInt(3) == 0) {
        line = damage(line);
      }
      Object expected = result(general, line);
      assertThat(result(fast, line)).as(line).isEqualTo(expected);
      assertThat(resultViaKnownHead(heads, line, known)).as(line).isEqualTo(expected);
      if (expected instanceof NetfilterEvent) {
        events++;
      } else if (expected instanceof String) {
        errors++;
      }
    }
    // both outcomes, many times over
    assertThat(events).isGreaterThan(30_000);
    assertThat(errors).isGreaterThan(6_000);
    // and most events took the fixed-order path
    assertThat(fast.fixedOrderLines).isGreaterThan(events / 2);
    assertThat(general.fixedOrderLines).isZero();
    // the generated heads vary more than a router's (eight are remembered), still many hits
    assertThat(known[0]).isGreaterThan(2_000);
    assertThat(heads.fixedOrderLines).isEqualTo(fast.fixedOrderLines);
  }

  /** {@link #result} the way KernelLineParser asks; counts the lines with a known head. */
  private static Object resultViaKnownHead(NetfilterMessages m, String line, int[] known) {
    try {
      int to = line.length();
      if (m.knownHead(line, 0, to)) {
        known[0]++;
        return m.parseKnown(line, 0, to, TIME, "router1", null, null, 1);
      }
      int in = NetfilterMessages.inTokenStart(line, 0, to);
      return in < 0 ? null : m.parseAt(line, 0, to, in, TIME, "router1", null, null, 1);
    } catch (ParseException e) {
      return "error: " + e.reason() + " " + e.getMessage();
    }
  }

  /** The event, "error: REASON message", or null for text that is not netfilter output. */
  private static Object result(NetfilterMessages m, String line) {
    try {
      return m.parse(line, 0, line.length(), TIME, "router1", null, null, 1);
    } catch (ParseException e) {
      return "error: " + e.reason() + " " + e.getMessage();
    }
  }

  /** A generated LOG message (no syslog stamp or tag); also KnownInstantTest's. */
  String line() {
    StringBuilder b = new StringBuilder();
    b.append(pick("mobilessh-set: ", "mobilessh-reject: ", "mobilessh-remove:", "", "FW IN "));
    b.append("IN=").append(pick("eth0", "eth0", "", "ppp0")).append(" OUT=");
    b.append(pick("", "eth1", "eth1")).append(' ');
    if (r.nextInt(20) == 0) {
      b.append("PHYSIN=veth0 PHYSOUT=veth1 ");
    }
    boolean v6 = r.nextBoolean();
    int mac = r.nextInt(10);
    if (mac < 8) {
      b.append("MAC=00:00:5e:00:53:01:00:00:5e:00:53:f")
          .append(r.nextInt(3))
          .append(v6 ? ":86:dd " : ":08:00 ");
    } else if (mac == 8) {
      b.append("MAC= ");
    }
    b.append("SRC=").append(address(v6)).append(" DST=").append(address(v6));
    b.append(" LEN=").append(number());
    if (v6) {
      b.append(" TC=").append(r.nextInt(256)).append(" HOPLIMIT=").append(r.nextInt(256));
      b.append(" FLOWLBL=").append(r.nextInt(1 << 20));
    } else {
      b.append(String.format(" TOS=0x%02X PREC=0x%02X", r.nextInt(256), r.nextInt(8) << 5));
      b.append(" TTL=").append(r.nextInt(256)).append(" ID=").append(r.nextInt(65536));
      for (String w : new String[] {"CE", "DF", "MF"}) {
        if (r.nextInt(3) == 0) {
          b.append(' ').append(w);
        }
      }
      if (r.nextInt(15) == 0) {
        b.append(" FRAG:").append(r.nextInt(8000));
      }
      if (r.nextInt(20) == 0) {
        b.append(" OPT (0101080A)");
      }
    }
    if (v6 && r.nextInt(20) == 0) {
      b.append(" FRAG: ").append(r.nextInt(8000)).append(" INCOMPLETE ID:0000abcd");
    }
    switch (r.nextInt(8)) {
      case 0 -> {
        b.append(" PROTO=UDP SPT=").append(port()).append(" DPT=").append(port());
        b.append(" LEN=").append(r.nextInt(70000));
      }
      case 1 -> {
        b.append(v6 ? " PROTO=ICMPv6" : " PROTO=ICMP").append(" TYPE=").append(r.nextInt(256));
        b.append(" CODE=").append(r.nextInt(256));
        switch (r.nextInt(4)) {
          case 0 ->
              b.append(" ID=").append(r.nextInt(65536)).append(" SEQ=").append(r.nextInt(65536));
          case 1 -> b.append(" MTU=1280");
          case 2 ->
              b.append(" [SRC=")
                  .append(address(v6))
                  .append(" DST=")
                  .append(address(v6))
                  .append(" LEN=40 PROTO=TCP SPT=1 DPT=2 ]");
          default -> {}
        }
      }
      case 2 -> b.append(" PROTO=").append(pick("47", "UDPLITE SPT=1 DPT=2 LEN=8", "ESP SPI=0x1"));
      default -> {
        b.append(" PROTO=TCP SPT=").append(port()).append(" DPT=").append(port());
        if (r.nextInt(4) == 0) {
          b.append(" SEQ=")
              .append(r.nextLong(1L << 32))
              .append(" ACK=")
              .append(r.nextLong(1L << 32));
        }
        b.append(" WINDOW=").append(r.nextInt(65536));
        b.append(String.format(" RES=0x%02x", r.nextInt(4) == 0 ? r.nextInt(256) : 0));
        for (TcpFlag f : TcpFlag.values()) {
          if (r.nextInt(4) == 0) {
            b.append(' ').append(f.name());
          }
        }
        if (r.nextInt(30) == 0) {
          b.append(" ").append(pick("SYN", "ACK")); // a repeated flag
        }
        b.append(" URGP=").append(r.nextInt(20) == 0 ? r.nextInt(65536) : 0);
        if (r.nextInt(20) == 0) {
          b.append(" OPT (020405B4)");
        }
      }
    }
    if (r.nextInt(20) == 0) {
      b.append(" UID=").append(r.nextInt(2000)).append(" GID=").append(r.nextInt(2000));
    }
    if (r.nextInt(20) == 0) {
      b.append(" MARK=0x").append(Integer.toHexString(r.nextInt()));
    }
    b.append(pick(" ", "", " ", "  "));
    return b.toString();
  }

  private String address(boolean v6) {
    if (!v6) {
      if (r.nextInt(50) == 0) {
        return pick("256.1.2.3", "1.2.3", "01.2.3.4");
      }
      // few destinations and sources, as on a router, so remembered values are hit
      return "192.0.2." + r.nextInt(r.nextBoolean() ? 4 : 256);
    }
    if (r.nextInt(10) == 0) {
      return pick("2001:db8::1", "::ffff:192.0.2.1", "2001:0db8:0000:0000:0000:0000:0000:0001");
    }
    StringBuilder b = new StringBuilder("2001:0db8");
    for (int g = 0; g < 6; g++) {
      b.append(':')
          .append(
              String.format(
                  r.nextInt(20) == 0 ? "%04X" : "%04x", r.nextInt(r.nextBoolean() ? 3 : 65536)));
    }
    return b.toString();
  }

  private String number() {
    return switch (r.nextInt(20)) {
      case 0 -> "0" + r.nextInt(100);
      case 1 -> Long.toString(1_000_000_000L + r.nextInt(Integer.MAX_VALUE)); // 10 digits
      case 2 -> "";
      default -> Integer.toString(r.nextInt(1500));
    };
  }

  private String port() {
    return r.nextInt(50) == 0
        ? Integer.toString(65536 + r.nextInt(10))
        : Integer.toString(r.nextInt(65536));
  }

  /** {@code line} with one random fault; also KnownInstantTest's. */
  String damage(String line) {
    int at = r.nextInt(line.length() + 1);
    List<String> tokens = new ArrayList<>(List.of(line.split(" ", -1)));
    switch (r.nextInt(6)) {
      case 0 -> {
        return line.substring(0, at);
      }
      case 1 -> {
        if (at == line.length()) {
          return line + NOISE.charAt(r.nextInt(NOISE.length()));
        }
        return line.substring(0, at)
            + NOISE.charAt(r.nextInt(NOISE.length()))
            + line.substring(at + 1);
      }
      case 2 -> tokens.remove(r.nextInt(tokens.size()));
      case 3 -> {
        int t = r.nextInt(tokens.size());
        tokens.add(t, tokens.get(t));
      }
      case 4 -> {
        return line.substring(0, at) + " " + line.substring(at);
      }
      default -> {
        return line.replace("0x", r.nextBoolean() ? "0X" : "").replace("=0 ", "=00000000000 ");
      }
    }
    return String.join(" ", tokens);
  }

  private String pick(String... options) {
    return options[r.nextInt(options.length)];
  }
}
