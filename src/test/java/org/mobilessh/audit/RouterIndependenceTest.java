package org.mobilessh.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * A router's records must not depend on the other routers in the same stream: `windows` runs one
 * engine per router, `who` and `timeline` one engine over all of them. The cases here are the ones
 * where the engine's periodic housekeeping (every 1,024 events) could make a difference: flows that
 * run past the {@link AuditEngine#FLOW_HORIZON} without an end.
 */
class RouterIndependenceTest {
  private static final double DAY = 86_400;
  private static final double HORIZON = AuditEngine.FLOW_HORIZON.toSeconds();

  /** A busy second router: a rejected scan every 50 s for the whole period, so ticks are many. */
  private static Lines busy(double until) {
    return busy(until, 50);
  }

  private static Lines busy(double until, double every) {
    Lines b = new Lines("r2");
    int port = 30000;
    for (double t = 1; t < until; t += every) {
      port = port >= 60000 ? 30000 : port + 1;
      b.reject(t, "198.51.100." + ((int) t % 250), port);
    }
    return b;
  }

  private static void assertSameForR1(Lines r1, Lines r2) {
    AuditConfig config = AuditConfig.defaults();
    List<TracedEvent> own = new ArrayList<>(r1.events());
    own.sort(Comparator.comparing(TracedEvent::time));
    List<TracedEvent> all = new ArrayList<>(own);
    all.addAll(r2.events());
    all.sort(Comparator.comparing(TracedEvent::time));
    AuditResult alone = new AuditEngine(config).reconstruct(AuditInput.of(own));
    AuditResult together = new AuditEngine(config).reconstruct(AuditInput.of(all));
    assertThat(alone.windows()).isNotEmpty();
    assertThat(onR1(together.windows(), Window::observer)).isEqualTo(alone.windows());
    assertThat(onR1(together.sessions(), Session::observer)).isEqualTo(alone.sessions());
    assertThat(onR1(together.rejections(), Rejection::observer)).isEqualTo(alone.rejections());
    assertThat(together.anomalies().stream().filter(a -> "r1".equals(a.observer())).toList())
        .isEqualTo(alone.anomalies());
  }

  private static <T> List<T> onR1(List<T> records, java.util.function.Function<T, String> obs) {
    return records.stream().filter(r -> obs.apply(r).equals("r1")).toList();
  }

  @Test
  void aWindowWaitingForAFlowThatEndsAfterTheHorizon() {
    Lines r1 = new Lines("r1");
    // an IMAPS flow that stays established for six days; its window closes after five minutes
    r1.imaps(0, "203.0.113.7", 40000, HORIZON + DAY).set(0.0015, "203.0.113.7", 40000);
    r1.reject(300, "203.0.113.7", 40001);
    r1.imaps(HORIZON + DAY + 60, "203.0.113.8", 40002, HORIZON + DAY + 70)
        .set(HORIZON + DAY + 60.0015, "203.0.113.8", 40002);
    assertSameForR1(r1, busy(HORIZON + DAY + 600));
  }

  @Test
  void aFlowSilentForLongerThanTheHorizonIsNotJoinedByALaterLine() {
    Lines r1 = new Lines("r1");
    // an SSH flow without an end; the same tuple accepted again six days later (conntrack lost)
    r1.ssh(0, "203.0.113.9", 41000, -1).accept(0, "203.0.113.9", 41000);
    r1.imaps(-30, "203.0.113.9", 41001, 5).set(-29.9985, "203.0.113.9", 41001);
    r1.reject(300, "203.0.113.9", 41003);
    r1.imaps(6 * DAY, "203.0.113.9", 41002, 6 * DAY + 5)
        .set(6 * DAY + 0.0015, "203.0.113.9", 41002);
    r1.accept(6 * DAY + 1, "203.0.113.9", 41000).remove(6 * DAY + 4, "203.0.113.9", 41000);
    assertSameForR1(r1, busy(6 * DAY + 600));
  }

  /**
   * Twelve days of three clients whose IMAPS and SSH flows last from seconds to a week, some never
   * ending, with SSH accepted and rejected on reused ports; beside a second router of random
   * density.
   */
  @Property(tries = 25)
  void aRoutersRecordsDoNotDependOnTheOtherRouters(
      @ForAll long seed, @ForAll @IntRange(min = 7, max = 400) int otherEverySeconds) {
    Random rnd = new Random(seed);
    Lines r1 = new Lines("r1");
    String[] clients = {"203.0.113.20", "203.0.113.21", "2001:db8:2::21"};
    double[] spans = {2, 600, 3 * DAY, HORIZON - 30, HORIZON + 30, 7 * DAY, -1};
    double t = 0;
    while (t < 12 * DAY) {
      t += 60 + rnd.nextInt(20_000);
      String c = clients[rnd.nextInt(clients.length)];
      int port = 40000 + rnd.nextInt(8); // reused: old flows and new lines share tuples
      double span = spans[rnd.nextInt(spans.length)];
      switch (rnd.nextInt(4)) {
        case 0, 1 -> r1.imaps(t, c, port, span < 0 ? -1 : t + span).set(t + 0.0015, c, port);
        case 2 -> {
          r1.ssh(t, c, port, span < 0 ? -1 : t + span).accept(t, c, port);
          if (span >= 0 && rnd.nextBoolean()) {
            r1.remove(t + span - 0.001, c, port);
          }
        }
        default -> r1.reject(t, c, port);
      }
    }
    assertSameForR1(r1, busy(13 * DAY, otherEverySeconds));
  }
}
