package org.mobilessh.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mobilessh.rules.Cidr;
import org.mobilessh.rules.Family;

/** The engine's rules, one situation at a time, on synthetic lines in the real formats. */
class AuditEngineTest {
  private static final String PHONE = "203.0.113.10";
  private static final String LAPTOP6 = "2001:db8:20::70";

  private final AuditEngine engine = new AuditEngine(AuditConfig.defaults());

  private AuditResult run(Lines... observers) {
    List<TracedEvent> all = new ArrayList<>();
    for (Lines l : observers) {
      all.addAll(l.events());
    }
    return engine.reconstruct(AuditInput.of(all));
  }

  @Test
  void finRemoveWithConntrackIsExactAndUsesTheConntrackStamp() {
    Lines l =
        new Lines("r1")
            .imaps(10, PHONE, 40000, 10.2)
            .set(10.0005, PHONE, 40000)
            .ssh(20, PHONE, 40001, 30)
            .accept(20, PHONE, 40001)
            .remove(29.96, PHONE, 40001);
    AuditResult r = run(l);
    assertThat(r.windows()).hasSize(1);
    Window w = r.windows().get(0);
    assertThat(w.closeReason()).isEqualTo(CloseReason.FIN_REMOVE);
    assertThat(w.openedAt()).isEqualTo(Lines.at(10.001)); // the flow's ESTABLISHED event
    assertThat(w.closedAt()).isEqualTo(Lines.at(30)); // the FIN_WAIT event, not the line
    assertThat(w.closePrecisionS()).isEqualTo(0.01);
    assertThat(r.sessions())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.acceptedAt()).isEqualTo(Lines.at(20));
              assertThat(s.endedAt()).isEqualTo(Lines.at(30.0002));
              assertThat(s.durationS()).isEqualTo(10.0002);
              assertThat(s.bytesIn()).isEqualTo(1271);
              assertThat(s.bytesOut()).isEqualTo(2604);
              assertThat(s.windowOpenedAt()).isEqualTo(w.openedAt());
              assertThat(s.outlivesWindow()).isFalse();
            });
    assertThat(r.anomalies()).isEmpty();
  }

  @Test
  void expiryIsBoundedByTheEndOfTheLastImapsFlow() {
    Lines l =
        new Lines("r1")
            .imaps(10, PHONE, 40000, 25)
            .set(10.001, PHONE, 40000)
            .imaps(150, "203.0.113.99", 40000, 150.5) // conntrack still running: no unseen flow
            .reject(200, PHONE, 40002);
    Window w = run(l).windows().get(0);
    assertThat(w.closeReason()).isEqualTo(CloseReason.EXPIRED);
    // the client's last packet lies between LAST_ACK and TIME_WAIT; + 60 s
    assertThat(w.closedAt()).isEqualTo(Lines.at(85.0002));
    assertThat(w.closedAtEarliest()).isEqualTo(Lines.at(85.0001));
    assertThat(w.closePrecisionS()).isCloseTo(0.0101, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(w.durationS()).isCloseTo(75.0, org.assertj.core.data.Offset.offset(0.01));
  }

  @Test
  void whenConntrackStopsBeforeTheExpiryTheCloseIsOnlyBoundedByLines() {
    Lines l =
        new Lines("r1")
            .imaps(10, PHONE, 40000, 25)
            .set(10.001, PHONE, 40000)
            .reject(200, PHONE, 40002); // conntrack's last event is the DESTROY at 30 s
    Window w = run(l).windows().get(0);
    assertThat(w.closeReason()).isEqualTo(CloseReason.EXPIRED);
    assertThat(w.closedAtEarliest()).isEqualTo(Lines.at(85.0001));
    assertThat(w.closedAt()).isEqualTo(Lines.at(200));
  }

  @Test
  void withoutConntrackTheNextProofOfClosureIsOnlyAnUpperBound() {
    Lines l = new Lines("r1").set(10, PHONE, 40000).reject(200, PHONE, 40002);
    AuditResult r = run(l);
    Window w = r.windows().get(0);
    assertThat(w.closeReason()).isEqualTo(CloseReason.EXPIRED);
    assertThat(w.closedAt()).isEqualTo(Lines.at(200));
    assertThat(w.closedAtEarliest()).isEqualTo(Lines.at(70));
    assertThat(w.closePrecisionS()).isCloseTo(130.1, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(r.anomalies()).isEmpty();
  }

  @Test
  void nothingAfterTheSetLineLeavesTheWindowStillOpen() {
    Lines l = new Lines("r1").reject(1, PHONE, 39999).set(10, PHONE, 40000);
    Window w = run(l).windows().get(0);
    assertThat(w.closeReason()).isEqualTo(CloseReason.STILL_OPEN);
    assertThat(w.closedAt()).isNull();
    assertThat(w.closePrecisionS()).isNull();
    assertThat(w.csvValues().get(2)).isEmpty();
  }

  @Test
  void aRejectedSynWhileProvablyFreshMeansEviction() {
    Lines l = new Lines("r1").set(10, PHONE, 40000).reject(20, PHONE, 40002);
    AuditResult r = run(l);
    Window w = r.windows().get(0);
    assertThat(w.closeReason()).isEqualTo(CloseReason.EVICTED);
    assertThat(w.closedAt()).isEqualTo(Lines.at(20));
    assertThat(r.anomalies())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.kind()).isEqualTo(Anomaly.Kind.EVICTED_WHILE_FRESH);
              assertThat(a.evidence().get(0).line()).contains("mobilessh-reject:");
            });
  }

  /**
   * The line that ends a window is only a proof of eviction when it comes earlier than the expiry
   * by more than the two clocks can be off (dmesg's 0.1 s each, docs/audit-model.md): 50 ms before
   * the expiry is an expiry, 300 ms before it an eviction.
   */
  @Test
  void aRejectWithinTheClocksOfTheExpiryIsAnExpiryNotAnEviction() {
    AuditResult close = run(new Lines("r1").set(10, PHONE, 40000).reject(69.95, PHONE, 40002));
    assertThat(close.windows())
        .singleElement()
        .satisfies(
            w -> {
              assertThat(w.closeReason()).isEqualTo(CloseReason.EXPIRED);
              assertThat(w.closedAt()).isEqualTo(Lines.at(69.95));
            });
    assertThat(close.anomalies()).isEmpty();

    AuditResult early = run(new Lines("r1").set(10, PHONE, 40000).reject(69.7, PHONE, 40002));
    assertThat(early.windows())
        .singleElement()
        .satisfies(w -> assertThat(w.closeReason()).isEqualTo(CloseReason.EVICTED));
    assertThat(early.anomalies())
        .extracting(Anomaly::kind)
        .containsExactly(Anomaly.Kind.EVICTED_WHILE_FRESH);
  }

  /**
   * An accepted SYN proves the window open at its instant: the earliest possible close is not
   * before it, though the last refresh the lines show would have expired earlier.
   */
  @Test
  void anAcceptAfterTheLastKnownRefreshMovesTheEarliestCloseToIt() {
    AuditResult r =
        run(
            new Lines("r1")
                .set(10, PHONE, 40000)
                .accept(75, PHONE, 40001) // N = 60: the set line alone would expire at 70
                .reject(200, PHONE, 40002));
    Window w = r.windows().get(0);
    assertThat(w.closeReason()).isEqualTo(CloseReason.EXPIRED);
    assertThat(w.closedAtEarliest()).isEqualTo(Lines.at(75));
    assertThat(w.closedAt()).isEqualTo(Lines.at(200));
    // without conntrack an unlogged refresh (an IMAPS packet of a running session) is expected
    assertThat(r.anomalies()).isEmpty();
  }

  /**
   * The reject LOG has two limits (per source, and overall per family), each with a burst of 5:
   * five different sources in one instant empty the overall bucket although each of their own
   * buckets is nearly full; IPv6 has its own overall bucket.
   */
  @Test
  void theOverallRejectLogLimitSamplesTooNotOnlyThePerSourceOne() {
    Lines l = new Lines("r1");
    for (int i = 1; i <= 5; i++) {
      l.reject(10 + i / 1000.0, "203.0.113." + i, 40000 + i);
    }
    l.reject(10.006, "2001:db8:20::70", 40006);
    List<Rejection> x = run(l).rejections();
    assertThat(x)
        .extracting(Rejection::sampled)
        .containsExactly(false, false, false, false, true, false);
    assertThat(x.get(5).source()).isEqualTo(Cidr.parseAddress("2001:db8:20::70"));
  }

  @Test
  void aLateFinAfterAnIdleSessionIsExpiredOrRemovedWithHonestBounds() {
    Lines l =
        new Lines("r1")
            .imaps(10, PHONE, 40000, 10.2)
            .set(10.001, PHONE, 40000)
            .ssh(12, PHONE, 40001, 200)
            .accept(12, PHONE, 40001)
            .remove(200, PHONE, 40001);
    AuditResult r = run(l);
    Window w = r.windows().get(0);
    assertThat(w.closeReason()).isEqualTo(CloseReason.EXPIRED_OR_REMOVED);
    assertThat(w.closedAtEarliest()).isEqualTo(Lines.at(72.001)); // ESTABLISHED + 60
    assertThat(w.closedAt()).isEqualTo(Lines.at(200));
    Session s = r.sessions().get(0);
    assertThat(s.outlivesWindow()).isTrue(); // it may have: the window may have expired at 72 s
  }

  @Test
  void aRemoveLongAfterEveryFlowEndedIsALateRemovalOfAnExpiredEntry() {
    Lines l =
        new Lines("r1")
            .imaps(10, PHONE, 40000, 10.2)
            .set(10.001, PHONE, 40000)
            .ssh(12, PHONE, 40001, 14)
            .accept(12, PHONE, 40001)
            .imaps(250, "203.0.113.99", 40000, 250.5) // conntrack still running: no unseen flow
            .remove(300, PHONE, 40003); // a FIN of a flow conntrack never saw established
    AuditResult r = run(l);
    Window w = r.windows().get(0);
    assertThat(w.closeReason()).isEqualTo(CloseReason.EXPIRED);
    assertThat(w.closedAt()).isEqualTo(Lines.at(74.0001)); // SSH FIN bounds its refreshes
    assertThat(w.closedAtEarliest()).isEqualTo(Lines.at(72.001));
  }

  @Test
  void anAcceptWithNoWindowIsAnAnomalyAndTheSessionSaysSo() {
    Lines l = new Lines("r1").accept(5, PHONE, 40001);
    AuditResult r = run(l);
    assertThat(r.windows()).isEmpty();
    assertThat(r.sessions())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.windowOpenedAt()).isNull();
              assertThat(s.endedAt()).isNull();
              assertThat(s.conntrackId()).isNull();
            });
    assertThat(r.anomalies())
        .singleElement()
        .satisfies(a -> assertThat(a.kind()).isEqualTo(Anomaly.Kind.SESSION_WITHOUT_WINDOW));
  }

  @Test
  void aRetransmittedSynIsOneSessionWithBothLines() {
    Lines l = new Lines("r1").set(1, PHONE, 40000).accept(5, PHONE, 40001).accept(6, PHONE, 40001);
    AuditResult r = run(l);
    assertThat(r.sessions()).singleElement().satisfies(s -> assertThat(s.evidence()).hasSize(2));
    assertThat(r.windows().get(0).sshSessions()).isEqualTo(1);
  }

  @Test
  void observersAndFamiliesAreIndependent() {
    Lines a = new Lines("r1").set(10, PHONE, 40000).set(12, LAPTOP6, 40000);
    Lines b = new Lines("r2").set(11, PHONE, 40000).reject(15, PHONE, 40005);
    AuditResult r = run(a, b);
    assertThat(r.windows()).hasSize(3);
    assertThat(r.windows()).extracting(Window::observer).containsExactly("r1", "r2", "r1");
    assertThat(r.windows().get(2).family()).isEqualTo(Family.IPV6);
    assertThat(r.windows().get(2).csvValues().get(0)).isEqualTo("2001:db8:20::70");
    // r2's reject is evidence of eviction at r2 only; r1's windows stay open
    assertThat(r.windows().get(0).closeReason()).isEqualTo(CloseReason.STILL_OPEN);
    assertThat(r.windows().get(1).closeReason()).isEqualTo(CloseReason.EVICTED);
  }

  @Test
  void aWindowAcrossMidnightOfTheFirstBelongsToBothMonthsClippedAndMarked() {
    // 2026-11-30T23:59:50Z .. 2026-12-01T00:00:20Z
    double base = Duration.between(Lines.T0, Instant.parse("2026-11-30T23:59:50Z")).toSeconds();
    Lines l = new Lines("r1").set(base, PHONE, 40000).remove(base + 30, PHONE, 40001);
    AuditResult r = run(l);
    Window whole = r.windows().get(0);
    Window nov = r.month(YearMonth.of(2026, 11)).windows().get(0);
    Window dec = r.month(YearMonth.of(2026, 12)).windows().get(0);
    assertThat(nov.openedAt()).isEqualTo(whole.openedAt());
    assertThat(nov.closedAt()).isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
    assertThat(nov.clippedEnd()).isTrue();
    assertThat(nov.clippedStart()).isFalse();
    assertThat(nov.csvValues().get(10)).isEqualTo("end");
    assertThat(dec.openedAt()).isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
    assertThat(dec.closedAt()).isEqualTo(whole.closedAt());
    assertThat(dec.clippedStart()).isTrue();
    assertThat(dec.closeReason()).isEqualTo(CloseReason.FIN_REMOVE);
    assertThat(r.month(YearMonth.of(2026, 10)).windows()).isEmpty();
    assertThatThrownBy(() -> r.between(Lines.at(5), Lines.at(5)))
        .isInstanceOf(AuditException.class);
  }

  @Test
  void rateLimitMarkersBecomeAnomaliesWithTheirLine() {
    SourceLine kernel =
        new SourceLine(
            "kern.log", 7, "Nov 27 01:00:00 r1 kernel: net_ratelimit: 12 callbacks suppressed");
    SourceLine journal =
        new SourceLine(
            "journal.log",
            9,
            "systemd-journald[212]: Suppressed 1234 messages from systemd-networkd.service");
    LossMarker k = LossMarker.recognize("r1", Lines.at(1), kernel).orElseThrow();
    LossMarker j = LossMarker.recognize("r1", Lines.at(2), journal).orElseThrow();
    assertThat(k.count()).isEqualTo(12);
    assertThat(j.kind()).isEqualTo(LossMarker.Kind.JOURNAL_SUPPRESSED);
    assertThat(
            LossMarker.recognize("r1", Lines.at(3), new SourceLine("x", 1, "mobilessh-set: IN=")))
        .isEmpty();
    AuditResult r =
        engine.reconstruct(
            new AuditInput(new Lines("r1").set(1, PHONE, 1).events(), List.of(k, j), List.of()));
    assertThat(r.anomalies())
        .extracting(Anomaly::kind)
        .containsExactly(Anomaly.Kind.RATE_LIMIT_MARKER, Anomaly.Kind.RATE_LIMIT_MARKER);
    assertThat(r.anomalies().get(0).evidence()).containsExactly(kernel);
    assertThat(r.anomalies().get(1).message()).contains("1234");
  }

  @Test
  void clocksGoingBackwardsAreReportedWithBothLines() {
    Lines l = new Lines("r1").set(50, PHONE, 40000).reject(10, PHONE, 40002);
    AuditResult r = run(l);
    assertThat(r.anomalies())
        .filteredOn(a -> a.kind() == Anomaly.Kind.CLOCK_BACKWARDS)
        .singleElement()
        .satisfies(a -> assertThat(a.evidence()).hasSize(2));
  }

  @Test
  void aStreamThatStopsWhileOthersGoOnIsReported() {
    Lines l = new Lines("r1").set(10, PHONE, 40000).imaps(10, PHONE, 40000, 4000);
    AuditResult r = run(l);
    assertThat(r.anomalies())
        .filteredOn(a -> a.kind() == Anomaly.Kind.SOURCE_STOPPED)
        .singleElement()
        .satisfies(a -> assertThat(a.message()).contains("dmesg-r1.log"));
    AuditResult relaxed =
        new AuditEngine(AuditConfig.defaults().withSourceSilence(Duration.ofHours(2)))
            .reconstruct(AuditInput.of(l.events()));
    assertThat(relaxed.anomalies()).noneMatch(a -> a.kind() == Anomaly.Kind.SOURCE_STOPPED);
  }

  @Test
  void moreAddressesThanTheListHoldsIsReportedOnce() {
    Lines l =
        new Lines("r1")
            .set(1, "203.0.113.1", 1)
            .set(2, "203.0.113.2", 1)
            .set(3, "203.0.113.3", 1)
            .set(4, "203.0.113.4", 1);
    AuditResult r =
        new AuditEngine(AuditConfig.defaults().withIpListTot(2))
            .reconstruct(AuditInput.of(l.events()));
    assertThat(r.anomalies())
        .filteredOn(a -> a.kind() == Anomaly.Kind.LIST_OVERFLOW)
        .singleElement()
        .satisfies(a -> assertThat(a.address()).isEqualTo(Cidr.parseAddress("203.0.113.3")));
  }

  @Test
  void csvColumnsKeepTheIssuesNamesAndOrder() {
    assertThat(Window.CSV_COLUMNS.subList(0, 8))
        .containsExactly(
            "source_ip",
            "opened_at",
            "closed_at",
            "close_reason",
            "close_precision_s",
            "duration_s",
            "ssh_sessions",
            "observer");
    assertThat(Session.CSV_COLUMNS.subList(0, 11))
        .containsExactly(
            "source_ip",
            "source_port",
            "destination_ip",
            "destination_port",
            "accepted_at",
            "ended_at",
            "duration_s",
            "bytes_in",
            "bytes_out",
            "window_opened_at",
            "observer");
    assertThat(Rejection.CSV_COLUMNS)
        .containsExactly(
            "at",
            "source_ip",
            "source_port",
            "destination_ip",
            "destination_port",
            "protocol",
            "tcp_flags",
            "sampled",
            "observer");
    AuditResult r = run(new Lines("r1").reject(1.5, LAPTOP6, 40002));
    assertThat(r.rejections().get(0).csvValues())
        .containsExactly(
            "2026-11-27T01:00:01.500000Z",
            "2001:db8:20::70",
            "40002",
            "2001:db8:ffff::1",
            "22",
            "tcp",
            "SYN",
            "false",
            "r1");
    assertThat(Window.CSV_COLUMNS)
        .hasSize(run(new Lines("r1").set(1, PHONE, 1)).windows().get(0).csvValues().size());
    assertThat(Session.CSV_COLUMNS)
        .hasSize(run(new Lines("r1").accept(1, PHONE, 1)).sessions().get(0).csvValues().size());
  }

  @Test
  void badConfigurationIsRefusedWithAReason() {
    assertThatThrownBy(() -> AuditConfig.defaults().withSeconds(0))
        .isInstanceOf(AuditException.class)
        .hasMessageContaining("at least 1 second");
    assertThatThrownBy(() -> AuditConfig.defaults().withIpListTot(0))
        .isInstanceOf(AuditException.class)
        .hasMessageContaining("ip_list_tot");
  }
}
