package org.mobilessh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.commons.csv.CSVFormat;
import org.mobilessh.audit.CloseReason;
import org.mobilessh.audit.PrintBuffer;
import org.mobilessh.audit.SourceLine;
import org.mobilessh.audit.Window;

/** A window's CSV line written as bytes is the line AuditTable writes from its values. */
class CsvBytesTest {
  private static final CSVFormat FORMAT = AuditTable.csvFormat(Window.CSV_COLUMNS, true);

  @Property(tries = 3000)
  void theBytesAreTheGeneralLineOrNothing(@ForAll("windows") List<Window> ws) throws IOException {
    CsvBytes csv = new CsvBytes(); // one per thread, used for many windows: its caches too
    int fast = 0;
    for (Window w : ws) {
      StringBuilder expected = new StringBuilder();
      AuditTable.csvLine(FORMAT, new AuditTable.Row(w.csvValues(), w.evidence()), true, expected);
      PrintBuffer out = new PrintBuffer(16);
      out.append("x"); // what is there stays
      if (csv.window(w, out)) {
        fast++;
        assertThat(out.toString()).isEqualTo("x" + expected);
      } else {
        assertThat(out.toString()).isEqualTo("x");
      }
    }
    assertThat(fast).isLessThanOrEqualTo(ws.size());
  }

  @Property(tries = 200)
  void plainWindowsTakeTheFastWay(@ForAll("plainWindows") Window w) {
    assertThat(new CsvBytes().window(w, new PrintBuffer(16))).isTrue();
  }

  @Provide
  Arbitrary<List<Window>> windows() {
    return window(
            Arbitraries.of("router1", "", "r,1", "rout\u00e9r", " r", "#r", "r "),
            Arbitraries.of(
                "/var/log/kern.log",
                "kern.log.2.gz",
                "/a,b.log",
                "/w\u00e9.log",
                "#x",
                "\"q\".log",
                "/a b.log",
                ""),
            Arbitraries.oneOf(
                Arbitraries.of(0.0, -0.0, 1.0, 2.5, 1e7, 9_999_999.0, 1e-7, 0.1234565, 123.0),
                Arbitraries.doubles().between(0, 1e8),
                Arbitraries.longs().between(0, 20_000_000L).map(x -> (double) x),
                Arbitraries.longs().between(0, 20_000_000_000L).map(x -> x / 1e6)),
            0)
        .list()
        .ofMinSize(1)
        .ofMaxSize(8);
  }

  @Provide
  Arbitrary<Window> plainWindows() {
    return window(
        Arbitraries.of("router1", "router1-10"),
        Arbitraries.of("/var/log/kern.log", "kern.log.1"),
        Arbitraries.longs().between(0, 9_999_999L).map(x -> (double) x),
        1);
  }

  private static Arbitrary<Window> window(
      Arbitrary<String> observers,
      Arbitrary<String> paths,
      Arbitrary<Double> seconds,
      int minEvidence) {
    Arbitrary<Instant> times =
        Arbitraries.oneOf(
            Arbitraries.longs()
                .between(-40_000_000_000L, 300_000_000_000L)
                .map(s -> Instant.ofEpochSecond(s, s % 1_000_000_007L & 0x3fffffff % 999_999_999)),
            Arbitraries.longs()
                .between(1_790_000_000L, 1_800_000_000L)
                .map(s -> Instant.ofEpochSecond(s, (s * 7919) % 1_000_000_000L)),
            // whole seconds, as most log lines have: durations of whole seconds, up to 2 * 10^7
            Arbitraries.longs().between(1_790_000_000L, 1_810_000_000L).map(Instant::ofEpochSecond),
            Arbitraries.longs()
                .between(1_790_000_000L, 1_790_000_100L)
                .map(s -> Instant.ofEpochSecond(s, 500_000)));
    Arbitrary<InetAddress> addresses =
        Arbitraries.oneOf(
            Arbitraries.bytes().array(byte[].class).ofSize(4).map(CsvBytesTest::address),
            Arbitraries.bytes().array(byte[].class).ofSize(16).map(CsvBytesTest::address),
            Arbitraries.of("2001:db8::1", "::1", "::", "198.51.100.7", "2001:db8:0:0:1::")
                .map(CsvBytesTest::address));
    Arbitrary<List<SourceLine>> evidence =
        Combinators.combine(paths, Arbitraries.longs().between(0, 1L << 40))
            .as((p, n) -> new SourceLine(p, n, ""))
            .list()
            .ofMinSize(minEvidence)
            .ofMaxSize(3);
    return Combinators.combine(
            Combinators.combine(observers, addresses, times, seconds, times)
                .as((o, a, t, p, c) -> new Object[] {o, a, t, p, c}),
            Combinators.combine(
                    Arbitraries.of(CloseReason.class),
                    seconds.injectNull(0.2),
                    Arbitraries.integers().between(0, 100_000),
                    Arbitraries.of(Window.Opening.class),
                    Arbitraries.integers().between(0, 3),
                    Arbitraries.integers().between(0, 3))
                .as(
                    (r, cp, n, by, clip, nullClose) ->
                        new Object[] {r, cp, n, by, clip, nullClose}),
            evidence)
        .as(
            (x, y, ev) -> {
              Instant open = (Instant) x[2];
              Instant close = (Instant) x[4];
              if (close.isBefore(open)) {
                Instant t = open;
                open = close;
                close = t;
              }
              int clip = (Integer) y[4];
              boolean noClose = (Integer) y[5] == 0;
              return new Window(
                  (String) x[0],
                  (InetAddress) x[1],
                  open,
                  (Double) x[3],
                  noClose ? null : close,
                  open,
                  (CloseReason) y[0],
                  noClose ? null : (Double) y[1],
                  (Integer) y[2],
                  (clip & 1) != 0,
                  (clip & 2) != 0,
                  ev,
                  (Window.Opening) y[3]);
            });
  }

  private static InetAddress address(byte[] b) {
    try {
      return InetAddress.getByAddress(b);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  private static InetAddress address(String s) {
    try {
      return InetAddress.getByName(s);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
