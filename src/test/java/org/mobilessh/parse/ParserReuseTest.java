package org.mobilessh.parse;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.mobilessh.rules.Family;

/**
 * The syslog parser keeps state between lines for speed (one scanner and packet builder, recent
 * strings, prefix actions, addresses, the last timestamp). None of it may leak into a result: a
 * line must give the same result whatever came before it.
 */
class ParserReuseTest {
  private static final List<String> SYSLOG_FILES =
      List.of("syslog-traditional.log", "real-kern.log", "notices-syslog.log", "syslog-dst.log");

  private static LineParser parser() {
    return LogFormat.SYSLOG.newParser(ParseContext.of("reuse.log", 2026, ZoneOffset.UTC));
  }

  /**
   * The golden syslog lines, each restamped onto one day (so that no order of them moves the year),
   * plus damaged copies (cut short, one character replaced) that fail in the middle of a line,
   * shuffled: one parser over all of them must give each line what a fresh parser gives it.
   */
  @Test
  void aLineGivesTheSameResultWhateverCameBefore() throws IOException {
    Random r = new Random(7);
    List<String> good = new ArrayList<>();
    for (String name : SYSLOG_FILES) {
      for (String line :
          Files.readAllLines(GoldenFileTest.DIR.resolve(name), StandardCharsets.UTF_8)) {
        if (SyslogParser.isTraditionalStamp(line)) {
          // a few shared stamps, so the last-timestamp shortcut is taken too
          line =
              String.format("Nov 26 23:%02d:%02d", r.nextInt(3), r.nextInt(3)) + line.substring(15);
        }
        good.add(line);
      }
    }
    List<String> lines = new ArrayList<>();
    for (int copy = 0; copy < 20; copy++) {
      lines.addAll(good);
      for (String g : good) {
        int at = r.nextInt(g.length() + 1);
        lines.add(g.substring(0, at));
        if (at < g.length()) {
          lines.add(
              g.substring(0, at)
                  + " =:[]0aZ\u00e9\u0141".charAt(r.nextInt(10))
                  + g.substring(at + 1));
        }
      }
    }
    Collections.shuffle(lines, r);
    LineParser shared = parser();
    int parsed = 0;
    int rejected = 0;
    for (String line : lines) {
      ParseResult alone = parser().parse(line, 1);
      assertThat(shared.parse(line, 1)).as(line).isEqualTo(alone);
      parsed += alone instanceof ParseResult.Parsed ? 1 : 0;
      rejected += alone instanceof ParseResult.Rejected ? 1 : 0;
    }
    // the mix really has both kinds, many times over
    assertThat(parsed).isGreaterThan(1000);
    assertThat(rejected).isGreaterThan(1000);
  }

  /**
   * The remembered line heads (host and tag, the netfilter text up to {@code SRC=}) are tried first
   * on the next line: every golden line, in file order, followed by copies that differ from it in
   * one place (a character replaced, inserted or removed, anywhere, most often in its head) and by
   * itself again. Each must give what a fresh parser gives it.
   */
  @Test
  void aLineThatDiffersFromTheLastOneInOnePlaceIsNotTakenForIt() throws IOException {
    Random r = new Random(11);
    LineParser shared = parser();
    int lines = 0;
    int parsed = 0;
    for (String name : SYSLOG_FILES) {
      for (String g :
          Files.readAllLines(GoldenFileTest.DIR.resolve(name), StandardCharsets.UTF_8)) {
        if (SyslogParser.isTraditionalStamp(g)) {
          g = "Nov 26 23:00:0" + r.nextInt(3) + g.substring(15);
        }
        List<String> variants = new ArrayList<>(List.of(g));
        for (int k = 0; k < 40; k++) {
          int at = r.nextInt(Math.min(g.length(), 160) + 1);
          String c = String.valueOf(" =:[]0aZ\té".charAt(r.nextInt(10)));
          variants.add(
              switch (r.nextInt(3)) {
                case 0 -> at < g.length() ? g.substring(0, at) + c + g.substring(at + 1) : g + c;
                case 1 -> g.substring(0, at) + c + g.substring(at);
                default -> at < g.length() ? g.substring(0, at) + g.substring(at + 1) : g;
              });
          variants.add(g);
        }
        for (String line : variants) {
          ParseResult alone = parser().parse(line, 1);
          assertThat(shared.parse(line, 1)).as(line).isEqualTo(alone);
          lines++;
          parsed += alone instanceof ParseResult.Parsed ? 1 : 0;
        }
      }
    }
    assertThat(lines).isGreaterThan(4000);
    assertThat(parsed).isGreaterThan(lines / 3);
  }

  @Test
  void resetBuilderEqualsANewOne() throws IllegalAccessException {
    IpPacket.Builder b = new IpPacket.Builder();
    for (Field f : IpPacket.Builder.class.getDeclaredFields()) {
      if (Modifier.isStatic(f.getModifiers())) {
        continue;
      }
      f.setAccessible(true);
      f.set(b, sampleValue(f.getType()));
    }
    b.reset();
    assertThat(b.build()).isEqualTo(new IpPacket.Builder().build());
  }

  private static Object sampleValue(Class<?> type) {
    if (type == boolean.class) {
      return true;
    }
    if (type == int.class) {
      return 7;
    }
    if (type == Integer.class) {
      return 7;
    }
    if (type == Long.class) {
      return 7L;
    }
    if (type == String.class) {
      return "x";
    }
    if (type == InetAddress.class) {
      return Inet.parse("192.0.2.7");
    }
    if (type == Family.class) {
      return Family.IPV4;
    }
    if (type == Protocol.class) {
      return Protocol.TCP;
    }
    if (type == IpPacket.class) {
      return new IpPacket.Builder().build();
    }
    throw new AssertionError("a Builder field of a type this test does not know: " + type);
  }

  /** The address cache hands out equal addresses and tells the colon form, like Inet.parse. */
  @Test
  void addressCacheAgreesWithInetParse() {
    Random r = new Random(3);
    Inet.Cache cache = new Inet.Cache();
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      texts.add(
          switch (r.nextInt(5)) {
            case 0 ->
                (r.nextInt(300)) + "." + r.nextInt(256) + "." + r.nextInt(256) + "." + r.nextInt(3);
            case 1 ->
                String.format(
                    "2001:0db8:%04x:%04x:%04x:%04x:%04x:%04x",
                    r.nextInt(3),
                    r.nextInt(65536),
                    0,
                    r.nextInt(2),
                    r.nextInt(65536),
                    r.nextInt(4));
            case 2 -> "2001:db8::" + Integer.toHexString(r.nextInt(70000));
            case 3 -> "::ffff:192.0.2." + r.nextInt(300);
            default ->
                "ffff:ffff:ffff:ffff:ffff:ffff:ffff:"
                    + (r.nextBoolean() ? "ffff" : "fff" + r.nextInt(10));
          });
    }
    for (String t : texts) {
      String padded = "SRC=" + t + " ";
      char[] c = padded.toCharArray();
      InetAddress got = cache.parse(c, padded, 4, 4 + t.length());
      assertThat(got).as(t).isEqualTo(Inet.parse(t));
      if (got != null) {
        assertThat(got.getClass()).as(t).isEqualTo(Inet.parse(t).getClass());
        assertThat(cache.hadColon()).as(t).isEqualTo(t.contains(":"));
      }
    }
  }
}
