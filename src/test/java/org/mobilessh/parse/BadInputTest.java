package org.mobilessh.parse;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneOffset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Malformed lines of every format become diagnostics with a reason, never exceptions. */
class BadInputTest {

  @ParameterizedTest(name = "{0}: {2}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          conntrack | TRUNCATED | [1795741150.717178]\t    [NEW] ipv4     2 tcp      6 120 SYN_SENT src=192.0.2.1 dst=192.0.2.2 sport=50526 dport=22 [UNREPLIED]
          conntrack | BAD_FIELD | [1795741150.717178]\t    [NEW] ipv4     2 tcp      6 120 SYN_SENT src=192.0.2.1 dst=192.0.2.2 sport=70000 dport=22 src=192.0.2.2 dst=192.0.2.1 sport=22 dport=50526
          conntrack | BAD_FIELD | [1795741150.717178]\t    [NEW] ipv4     2 tcp      6 120 SYN_SENT src=192.0.2.300 dst=192.0.2.2 sport=1 dport=22 src=192.0.2.2 dst=192.0.2.1 sport=22 dport=1
          conntrack | BAD_FIELD | [17957x1150.717178]\t    [NEW] ipv4     2 tcp      6 120 SYN_SENT src=192.0.2.1 dst=192.0.2.2
          conntrack | NOT_THIS_FORMAT | progname=conntrack
          conntrack | TRUNCATED |     [NEW] tcp
          ulogd-json | BAD_JSON | {"timestamp": "2026-11-27T01:15:10", "ct.event": 4,
          ulogd-json | BAD_JSON | [1, 2, 3]
          ulogd-json | BAD_FIELD | {"ct.event": 3, "orig.ip.protocol": 6, "src_ip": "192.0.2.1", "dest_ip": "192.0.2.2"}
          ulogd-json | TRUNCATED | {"ct.event": 1, "orig.ip.protocol": 6, "flow.start.sec": 1795742104, "dest_ip": "192.0.2.2"}
          ulogd-json | BAD_TIMESTAMP | {"timestamp": "yesterday", "ct.event": 2, "orig.ip.protocol": 6, "src_ip": "192.0.2.1", "dest_ip": "192.0.2.2"}
          journal-json | BAD_JSON | {"MESSAGE": "IN=eth0 OUT= SRC=192.0.2.1"
          journal-json | BAD_FIELD | {"_TRANSPORT": "kernel", "MESSAGE": [300, 1], "__REALTIME_TIMESTAMP": "1"}
          journal-json | BAD_TIMESTAMP | {"_TRANSPORT": "kernel", "MESSAGE": "x: IN=eth0 OUT= SRC=192.0.2.1 DST=192.0.2.2 LEN=20 TOS=0x00 PREC=0x00 TTL=1 ID=1 PROTO=47"}
          dmesg-iso | BAD_TIMESTAMP | 2026-13-27T01:15:02,341155+00:00 x: IN=eth0 OUT= SRC=192.0.2.1 DST=192.0.2.2 LEN=20 TOS=0x00 PREC=0x00 TTL=1 ID=1 PROTO=47
          dmesg-iso | NOT_THIS_FORMAT | [ 1411.341155] x: IN=eth0 OUT=
          syslog-rfc3339 | BAD_TIMESTAMP | 2026-11-27T01:15:02.341155 router1 kernel: x: IN=eth0 OUT= SRC=192.0.2.1 DST=192.0.2.2 LEN=20 TOS=0x00 PREC=0x00 TTL=1 ID=1 PROTO=47
          syslog | BAD_TIMESTAMP | Nov 31 01:15:02 router1 kernel: x: IN=eth0 OUT= SRC=192.0.2.1 DST=192.0.2.2 LEN=20 TOS=0x00 PREC=0x00 TTL=1 ID=1 PROTO=47
          syslog | TRUNCATED | Nov 27 01:15:02 router1 kernel: x: IN=eth0 OUT= SRC=192.0.2.1 DST=192.0.2.2 LEN=20 TOS=0x00
          syslog | TRUNCATED | Nov 27 01:15:02 router1 kernel: x: IN=eth0 OUT= MAC=00:00:5e:00:53:a0:00:00:5e:00:53:10:08:00
          syslog | TRUNCATED | Nov 27 01:15:02 router1 kernel: x: IN=eth0 OUT= SRC=192.0.2.1 DST=192.0.2.2 LEN=60 TOS=0x00 PREC=0x00 TTL=1 ID=1 PROTO=ICMP TYPE=3 CODE=3 [SRC=192.0.2.2 DST=192.0.2.1 LEN=40
          syslog | BAD_FIELD | Nov 27 01:15:02 router1 kernel: x: IN=eth0 OUT= SRC=192.0.2.1 DST=192.0.2.2 LEN=60 TOS=0xZZ PREC=0x00 TTL=1 ID=1 PROTO=47
          """)
  void isADiagnostic(String format, Diagnostic.Reason reason, String line) {
    LineParser p =
        LogFormat.ofId(format)
            .newParser(ParseContext.of("bad.log", 2026, ZoneOffset.UTC).withHostname("r"));
    ParseResult r = p.parse(line.replace("\\t", "\t"), 7);
    assertThat(r).as(line).isInstanceOf(ParseResult.Rejected.class);
    Diagnostic d = ((ParseResult.Rejected) r).diagnostic();
    assertThat(d.reason()).as(d.toString()).isEqualTo(reason);
    assertThat(d.message()).as(d.toString()).doesNotContain("parser bug").startsWith(format + ": ");
    assertThat(d.toString()).startsWith("bad.log:7: ");
  }
}
