package org.mobilessh.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The streaming engine holds what is open, not what it has read: over a long generated stream its
 * live state stays under a bound set by the look-ahead and the number of clients, far below the
 * stream's length; and what it delivers equals the collected reconstruction, also when its output
 * buffers spill to run files.
 */
class StreamingAuditTest {
  private static final int CLIENTS = 300;
  private static List<TracedEvent> events;

  /**
   * Three days of a busy router: clients refreshing over IMAPS every few minutes (a set line and
   * its conntrack flow), some opening SSH (accept, flow, remove), and a scanner whose SYNs from
   * ever new addresses are rejected.
   */
  @BeforeAll
  static void generate() {
    events = busyRouter();
  }

  /** The events of {@link #generate}, in time order. */
  static List<TracedEvent> busyRouter() {
    Lines l = new Lines("r1");
    Random rnd = new Random(42);
    double t = 0;
    int port = 20000;
    while (t < 3 * 86400) {
      t += 1 + rnd.nextInt(8);
      int c = rnd.nextInt(CLIENTS);
      String client =
          c % 3 == 0 ? "2001:db8:2::" + Integer.toHexString(c + 1) : "203.0.113." + (c % 250);
      port = port >= 60000 ? 20000 : port + 1;
      int kind = rnd.nextInt(100);
      if (kind < 55) {
        l.imaps(t, client, port, t + 0.5).set(t + 0.0015, client, port);
      } else if (kind < 60) {
        l.ssh(t, client, port, t + 3).accept(t, client, port).remove(t + 2.999, client, port);
      } else {
        l.reject(t, "198.51.100." + rnd.nextInt(250), 30000 + rnd.nextInt(30000));
      }
    }
    List<TracedEvent> all = new ArrayList<>(l.events());
    all.sort(Comparator.comparing(TracedEvent::time));
    return all;
  }

  @Test
  void theLiveStateStaysBoundedOverALongStream() {
    AuditConfig config = AuditConfig.defaults();
    int limit = 500;
    AuditEngine engine = new AuditEngine(config, Duration.ofMinutes(2), limit);
    AuditResult.Collector out = new AuditResult.Collector();
    long maxHeld = 0;
    int maxAddresses = 0;
    int maxInMemory = 0;
    AuditEngine.LiveState last;
    try (AuditEngine.Stream s = engine.open(List.of(), List.of(), List.of(), out)) {
      int i = 0;
      for (TracedEvent te : events) {
        s.accept(te);
        if (++i % 200 == 0) {
          AuditEngine.LiveState live = s.liveState();
          maxHeld =
              Math.max(
                  maxHeld,
                  (long) live.delayed()
                      + live.crossSource()
                      + live.flows()
                      + live.waitingSessions()
                      + live.clockLines()
                      + live.rejectBuckets());
          maxAddresses = Math.max(maxAddresses, live.addresses());
          maxInMemory = Math.max(maxInMemory, live.reorderInMemory());
        }
      }
      last = s.liveState();
      s.finish();
    }
    // about 40 events a minute: two minutes of look-ahead plus a minute between sweeps
    assertThat(events).hasSizeGreaterThan(100_000);
    assertThat(maxHeld).isLessThan(2_000);
    // every client keeps its last window open (nothing closes it until its next line), the
    // scanner's addresses are forgotten once quiet
    assertThat(maxAddresses).isLessThan(CLIENTS + 200);
    // three output buffers, each spilled past the limit
    assertThat(maxInMemory).isLessThanOrEqualTo(3 * (limit + 1));
    assertThat(last.spilled()).isGreaterThan(0);
    AuditResult collected = new AuditEngine(config).reconstruct(AuditInput.of(events));
    AuditResult streamed = out.result();
    assertThat(streamed.windows()).hasSizeGreaterThan(10_000).isEqualTo(collected.windows());
    assertThat(streamed.sessions()).isEqualTo(collected.sessions());
    assertThat(streamed.rejections()).isEqualTo(collected.rejections());
    assertThat(streamed.anomalies()).isEqualTo(collected.anomalies());
  }

  @Test
  void aSinkWithoutAnomaliesOrRejectionsGetsTheSameOtherRecords() {
    AuditConfig config = AuditConfig.defaults();
    AuditResult full = new AuditEngine(config).reconstruct(AuditInput.of(events));
    List<Window> windows = new ArrayList<>();
    List<Session> sessions = new ArrayList<>();
    List<Anomaly> anomalies = new ArrayList<>();
    AuditSink lean =
        new AuditSink() {
          @Override
          public void window(Window w) {
            windows.add(w);
          }

          @Override
          public void session(Session s) {
            sessions.add(s);
          }

          @Override
          public void anomaly(Anomaly a) {
            anomalies.add(a);
          }

          @Override
          public boolean wantsRejections() {
            return false;
          }

          @Override
          public boolean wantsAnomalies() {
            return false;
          }
        };
    new AuditEngine(config).run(AuditInput.of(events), lean);
    assertThat(full.anomalies()).isNotEmpty();
    assertThat(anomalies).isEmpty();
    assertThat(windows).hasSizeGreaterThan(10_000).isEqualTo(full.windows());
    assertThat(sessions).isNotEmpty().isEqualTo(full.sessions());
  }

  @Test
  void anEventEarlierThanTheOneBeforeIsRefused() {
    AuditEngine engine = new AuditEngine(AuditConfig.defaults());
    try (AuditEngine.Stream s =
        engine.open(List.of(), List.of(), List.of(), new AuditResult.Collector())) {
      s.accept(events.get(10));
      assertThatThrownBy(() -> s.accept(events.get(0)))
          .isInstanceOf(AuditException.class)
          .hasMessageContaining("time order");
    }
  }
}
