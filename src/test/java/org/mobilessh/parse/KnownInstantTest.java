package org.mobilessh.parse;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link LineParser#parseKnownInstant}, the index's re-parse, must give what {@link
 * LineParser#parse} gives with only the instant replaced: the syslog parser skips resolving a
 * traditional stamp under a fixed offset, and nothing else may change. Compared line by line
 * through long-lived parsers (their remembered heads, hosts and stamps exercised) on generated
 * syslog lines: netfilter messages (FixedOrderScanTest's, intact and damaged: IPv6, missing fields,
 * odd flags, no MAC, other prefixes), kernel stamps, repeated-message wrappers, notices, other
 * programs, invalid stamps; under UTC, another fixed offset, and a zone with DST (where the stamp
 * is resolved as always).
 */
class KnownInstantTest {
  private final Random r = new Random(20261128);
  private final FixedOrderScanTest messages = new FixedOrderScanTest();

  @Test
  void underUtc() {
    compare(ZoneOffset.UTC, true);
  }

  @Test
  void underAnotherFixedOffset() {
    compare(ZoneOffset.ofHoursMinutes(5, 30), true);
  }

  @Test
  void underAZoneWithDst() {
    // the stamp's zone resolution may be AMBIGUOUS or GAP: resolved, the instant not taken
    compare(ZoneId.of("Europe/Berlin"), false);
  }

  /**
   * @param takesInstant whether the parser takes the instant given (else it resolves the stamp)
   */
  private void compare(ZoneId zone, boolean takesInstant) {
    ParseContext context = ParseContext.of("test", 2026, zone).withHostname("router1");
    LineParser plain = LogFormat.SYSLOG.newParser(context);
    LineParser known = LogFormat.SYSLOG.newParser(context);
    LineParser moved = LogFormat.SYSLOG.newParser(context);
    int events = 0;
    int notices = 0;
    int others = 0;
    int badStamps = 0;
    for (int i = 0; i < 40_000; i++) {
      String line = line();
      ParseResult expected = plain.parse(line, 7);
      Instant instant =
          expected instanceof ParseResult.Parsed p
              ? p.event().time().instant()
              : Instant.parse("2026-10-01T00:00:00Z");
      ParseResult got = known.parseKnownInstant(line, 7, instant);
      Instant elsewhen = instant.plusSeconds(r.nextInt(200_000) - 100_000);
      ParseResult gotMoved = moved.parseKnownInstant(line, 7, elsewhen);
      if (expected instanceof ParseResult.Rejected rejected
          && rejected.diagnostic().reason() == Diagnostic.Reason.BAD_TIMESTAMP) {
        badStamps++; // such a line is quarantined at ingest and never re-parsed
        continue;
      }
      assertThat(got).as(line).isEqualTo(expected);
      if (expected instanceof ParseResult.Parsed p) {
        EventTime t = p.event().time();
        LogEvent e = ((ParseResult.Parsed) gotMoved).event();
        if (i % 8 == 0) { // field by field is slow: every eighth line
          assertThat(e)
              .as(line)
              .usingRecursiveComparison()
              .ignoringFields("time")
              .isEqualTo(p.event());
        }
        assertThat(e.time())
            .as(line)
            .isEqualTo(
                new EventTime(
                    takesInstant ? elsewhen : t.instant(),
                    t.original(),
                    t.precision(),
                    t.source(),
                    t.zoneResolution()));
        if (p.event() instanceof NetfilterEvent) {
          events++;
        } else {
          notices++;
        }
      } else {
        assertThat(gotMoved).as(line).isEqualTo(expected);
        others++;
      }
    }
    assertThat(events).isGreaterThan(15_000);
    assertThat(notices).isGreaterThan(1_000);
    assertThat(others).isGreaterThan(5_000);
    assertThat(badStamps).isGreaterThan(300);
  }

  private String line() {
    int kind = r.nextInt(100);
    if (kind == 0) {
      return r.nextBoolean() ? "" : "no stamp here router1 kernel: " + messages.line();
    }
    return stamp() + " " + (r.nextInt(10) == 0 ? "router2" : "router1") + " " + tagAndMessage();
  }

  private String stamp() {
    String months = "JanFebMarAprMayJunJulAugSepOctNovDec";
    int m = r.nextInt(12);
    int day = 1 + r.nextInt(r.nextInt(20) == 0 ? 31 : 28);
    if (r.nextInt(100) == 0) {
      m = 1;
      day = 29; // not in 2026
    }
    int h = r.nextInt(r.nextInt(100) == 0 ? 26 : 24);
    int min = r.nextInt(r.nextInt(100) == 0 ? 61 : 60);
    String time = String.format("%02d:%02d:%02d", h, min, r.nextInt(60));
    if (r.nextInt(200) == 0) {
      time = "1x" + time.substring(2);
    }
    return months.substring(m * 3, m * 3 + 3) + String.format(" %2d ", day) + time;
  }

  private String tagAndMessage() {
    int kind = r.nextInt(20);
    if (kind == 0) {
      return "sshd[42]: Accepted publickey for alice";
    }
    if (kind == 1) {
      return "mobilessh: "
          + switch (r.nextInt(4)) {
            case 0 -> "list add 192.0.2.7 list=MOBILE netns=- by alice (uid=0, sudo=yes)";
            case 1 -> "list flush (3 entries) list=MOBILE6 netns=- by bob FAILED: busy";
            case 2 -> "list add 1.2.3 list=MOBILE netns=- by alice";
            default -> "started";
          };
    }
    if (kind == 2) {
      return "systemd-journald[212]: Suppressed " + r.nextInt(1000) + " messages from x";
    }
    String message = messages.line();
    if (r.nextInt(4) == 0) {
      message = messages.damage(message);
    }
    if (r.nextInt(4) == 0) {
      message = String.format("[%6d.%06d] ", r.nextInt(100_000), r.nextInt(1_000_000)) + message;
    }
    if (r.nextInt(20) == 0) {
      message = "message repeated " + (2 + r.nextInt(5)) + " times: [ " + message + "]";
    }
    if (r.nextInt(30) == 0) {
      message = r.nextBoolean() ? "net_ratelimit: 12 callbacks suppressed" : "eth0: link up";
    }
    return "kernel: " + message;
  }
}
