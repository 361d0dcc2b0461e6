package org.mobilessh.parse;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.mobilessh.rules.Addresses;
import org.mobilessh.rules.Family;

/** Behaviour of netfilter LOG line parsing beyond the golden files: prefixes, robustness. */
class NetfilterLineTest {
  private static final String MAC = "MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00";
  static final String SET_V4 =
      "Nov 26 23:42:25 router1 kernel: [  75.802738] mobilessh-set: IN=eth0 OUT= "
          + MAC
          + " SRC=203.0.113.7 DST=198.51.100.1 LEN=52 TOS=0x00 PREC=0x00 TTL=63 ID=40123 DF"
          + " PROTO=TCP SPT=51514 DPT=993 WINDOW=501 RES=0x00 ACK URGP=0 ";
  static final String REJECT_V6 =
      "Nov 26 23:43:02 router1 kernel: [ 112.004518] mobilessh-reject: IN=eth0 OUT=eth1 "
          + "MAC=52:54:00:12:34:56:52:54:00:65:43:21:86:dd"
          + " SRC=2001:0db8:0002:0000:0000:0000:0000:0010"
          + " DST=2001:0db8:0001:0000:0000:0000:0000:0001 LEN=80 TC=0 HOPLIMIT=63 FLOWLBL=148497"
          + " PROTO=TCP SPT=59874 DPT=22 WINDOW=64800 RES=0x00 SYN URGP=0 ";

  private static LineParser syslog(PrefixMap prefixes) {
    return LogFormat.SYSLOG.newParser(
        ParseContext.of("test.log", 2026, ZoneOffset.UTC).withPrefixes(prefixes));
  }

  private static NetfilterEvent event(String line) {
    return (NetfilterEvent) syslog(PrefixMap.defaults()).parse(line, 1).orThrow();
  }

  @Test
  void prefixDecidesTheActionAndCustomPrefixesWork() {
    assertThat(event(SET_V4).action()).isEqualTo(Action.SET);
    PrefixMap custom = PrefixMap.of("gate-open", "gate-close:", "gate-ok", "gate-no");
    LineParser p = syslog(custom);
    assertThat(p.parse(SET_V4.replace("mobilessh-set:", "gate-open:"), 1).orThrow().action())
        .isEqualTo(Action.SET);
    assertThat(p.parse(SET_V4, 2).orThrow().action()).isEqualTo(Action.FIREWALL);
    assertThat(p.parse(REJECT_V6.replace("mobilessh-reject:", "gate-no:"), 3).orThrow().action())
        .isEqualTo(Action.REJECT);
  }

  @Test
  void prefixWithoutTrailingSpaceIsSplitAtIn() {
    NetfilterEvent e = event(SET_V4.replace("mobilessh-set: IN=", "DROPIN="));
    assertThat(e.prefix()).isEqualTo("DROP");
    assertThat(e.inInterface()).isEqualTo("eth0");
    assertThat(e.action()).isEqualTo(Action.FIREWALL);
  }

  @Test
  void directionComesFromTheInterfaces() {
    assertThat(event(SET_V4).direction()).isEqualTo(Direction.INPUT);
    NetfilterEvent fwd = event(REJECT_V6);
    assertThat(fwd.direction()).isEqualTo(Direction.FORWARD);
    assertThat(fwd.family()).isEqualTo(Family.IPV6);
    assertThat(Addresses.format(fwd.packet().source())).isEqualTo("2001:db8:2::10");
    assertThat(fwd.packet().isSyn()).isTrue();
    assertThat(event(SET_V4).packet().tcpFlags()).containsExactly(TcpFlag.ACK);
  }

  @Test
  void arpLinesAreFirewallEventsWithoutAPacket() {
    NetfilterEvent e =
        event(
            "Nov 26 23:42:25 router1 kernel: arp-in: IN=eth0 OUT= ARP HTYPE=1 PTYPE=0x0800"
                + " OPCODE=1 MACSRC=52:54:00:65:43:21 IPSRC=192.0.2.1 MACDST=00:00:00:00:00:00"
                + " IPDST=192.0.2.2");
    assertThat(e.packet()).isNull();
    assertThat(e.action()).isEqualTo(Action.FIREWALL);
    assertThat(e.extra()).containsEntry("IPSRC", "192.0.2.1").containsEntry("OPCODE", "1");
  }

  @Test
  void everyCutOfAValidLineIsAResultNeverACrash() {
    for (String line : List.of(SET_V4, REJECT_V6)) {
      LineParser p = syslog(PrefixMap.defaults());
      int truncated = 0;
      for (int cut = 0; cut <= line.length(); cut++) {
        ParseResult r = p.parse(line.substring(0, cut), cut + 1);
        assertThat(r).isNotNull();
        if (r instanceof ParseResult.Rejected rej) {
          assertThat(rej.diagnostic().message()).doesNotContain("parser bug");
          assertThat(rej.diagnostic().line()).isEqualTo(cut + 1);
          if (rej.diagnostic().reason() == Diagnostic.Reason.TRUNCATED) {
            truncated++;
          }
        }
      }
      // every cut after "SRC=" that leaves the TCP fields incomplete must be noticed
      assertThat(truncated).as("truncation diagnostics for " + line).isGreaterThan(100);
      ParseResult full = p.parse(line.stripTrailing(), 999);
      assertThat(full).isInstanceOf(ParseResult.Parsed.class);
    }
  }

  @Test
  void randomFieldSoupNeverCrashes() {
    String[] words = {
      "SRC=192.0.2.1",
      "DST=198.51.100.1",
      "SRC=2001:db8::1",
      "LEN=60",
      "LEN=",
      "PROTO=TCP",
      "PROTO=UDP",
      "PROTO=ICMP",
      "PROTO=47",
      "PROTO=999",
      "SPT=1",
      "DPT=70000",
      "DF",
      "MF",
      "SYN",
      "ACK",
      "ACK=5",
      "SEQ=1",
      "ID=1",
      "TYPE=3",
      "CODE=1",
      "[SRC=192.0.2.9",
      "]",
      "INCOMPLETE",
      "[8",
      "bytes]",
      "FRAG:",
      "FRAG:12",
      "OPT",
      "(0102",
      "03)",
      "URGP=0",
      "WINDOW=x",
      "MARK=0xZZ",
      "=",
      "==",
      "TTL=-1",
      "\u00e9",
      "ID:zz",
      "TRUNCATED",
      "Unknown",
      "MAC=",
      "PHYSIN=br0"
    };
    Random r = new Random(7);
    LineParser p = syslog(PrefixMap.defaults());
    for (int i = 0; i < 20_000; i++) {
      StringBuilder b = new StringBuilder("Nov 26 23:42:25 router1 kernel: x: IN=eth0 OUT= ");
      int n = r.nextInt(25);
      for (int k = 0; k < n; k++) {
        b.append(words[r.nextInt(words.length)]).append(r.nextInt(10) == 0 ? "" : " ");
      }
      ParseResult res = p.parse(b.toString(), i + 1);
      if (res instanceof ParseResult.Rejected rej) {
        assertThat(rej.diagnostic().message()).as(b.toString()).doesNotContain("parser bug");
      }
    }
  }

  @Test
  void diagnosticsSayWhereAndWhat() {
    LineParser p = syslog(PrefixMap.defaults());
    ParseResult r = p.parse(SET_V4.replace("SRC=203.0.113.7", "SRC=203.0.113.777"), 42);
    Diagnostic d = ((ParseResult.Rejected) r).diagnostic();
    assertThat(d.reason()).isEqualTo(Diagnostic.Reason.BAD_FIELD);
    assertThat(d.toString()).startsWith("test.log:42: syslog: invalid SRC '203.0.113.777': Nov 26");
    String huge = "x".repeat(1 << 20);
    Diagnostic big = ((ParseResult.Rejected) p.parse(huge, 1)).diagnostic();
    assertThat(big.text()).hasSizeLessThanOrEqualTo(Diagnostic.MAX_TEXT + 3);
  }

  @Test
  void prefixMapRefusesAmbiguity() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> PrefixMap.of("a:", "a", "b", "c"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("both set and remove");
    assertThat(PrefixMap.defaults().actionFor("mobilessh-remove: ")).isEqualTo(Action.REMOVE);
    assertThat(PrefixMap.defaults().actionFor("mobilessh-remove")).isEqualTo(Action.REMOVE);
    assertThat(PrefixMap.defaults().actionFor("")).isEqualTo(Action.FIREWALL);
  }
}
