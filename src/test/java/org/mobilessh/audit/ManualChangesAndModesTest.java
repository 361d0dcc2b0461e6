package org.mobilessh.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mobilessh.parse.LogFormat;
import org.mobilessh.rules.Cidr;
import org.mobilessh.rules.Family;

/**
 * What the first session's engine did not model: manual list changes from mobilessh's own syslog
 * lines, loss markers arriving as events, the no-remove and strict rulesets, and the rulesets the
 * snapshots recorded (changes, parity, mismatch with the audit's settings, LOG counters).
 */
class ManualChangesAndModesTest {
  private static final String PHONE = "203.0.113.10";
  private static final String OTHER = "203.0.113.99";
  private static final String LAPTOP6 = "2001:db8:20::70";

  private static AuditResult run(AuditConfig config, Lines... observers) {
    List<TracedEvent> all = new ArrayList<>();
    for (Lines l : observers) {
      all.addAll(l.events());
    }
    return new AuditEngine(config).reconstruct(AuditInput.of(all));
  }

  private static AuditResult run(Lines... observers) {
    return run(AuditConfig.defaults(), observers);
  }

  private static List<Anomaly> of(AuditResult r, Anomaly.Kind kind) {
    return r.anomalies().stream().filter(a -> a.kind() == kind).toList();
  }

  private static InetAddress ip(String a) {
    return Cidr.parseAddress(a);
  }

  /** conntrack covers the time from 1 s on: another client's IMAPS session at the start. */
  private static Lines covered(String observer) {
    return new Lines(observer).imaps(1, OTHER, 50000, 2).set(1.0005, OTHER, 50000);
  }

  // ---------------------------------------------------------------- manual list changes

  @Test
  void aManualAddOpensAWindowWithoutImapsAndIsFlagged() {
    Lines l =
        covered("r1")
            .listAdd(10, PHONE)
            .ssh(20, PHONE, 40001, 30)
            .accept(20, PHONE, 40001)
            .remove(29.96, PHONE, 40001);
    AuditResult r = run(l);
    Window w =
        r.windows().stream().filter(x -> x.source().equals(ip(PHONE))).findFirst().orElseThrow();
    assertThat(w.openedBy()).isEqualTo(Window.Opening.LIST_ADD);
    assertThat(w.openedAt()).isEqualTo(Lines.at(10));
    assertThat(w.closeReason()).isEqualTo(CloseReason.FIN_REMOVE);
    assertThat(w.sshSessions()).isEqualTo(1);
    assertThat(w.csvValues().get(Window.CSV_COLUMNS.indexOf("opened_by"))).isEqualTo("list-add");
    assertThat(w.evidence().get(0).line()).contains("mobilessh: list add " + PHONE);
    assertThat(r.sessions())
        .filteredOn(s -> s.source().equals(ip(PHONE)))
        .singleElement()
        .satisfies(s -> assertThat(s.windowOpenedAt()).isEqualTo(Lines.at(10)));
    Anomaly manual = of(r, Anomaly.Kind.MANUAL_LIST_CHANGE).get(0);
    assertThat(of(r, Anomaly.Kind.MANUAL_LIST_CHANGE)).hasSize(1);
    assertThat(manual.address()).isEqualTo(ip(PHONE));
    assertThat(manual.message())
        .contains("by hand (mobilessh list add by alice (uid=0, sudo=yes)), not by IMAPS");
    assertThat(manual.evidence())
        .singleElement()
        .satisfies(e -> assertThat(e.sourcePath()).isEqualTo("auth-r1.log"));
    // a window nobody opened by IMAPS is not "missing its IMAPS flow": it never had one
    assertThat(r.anomalies())
        .extracting(Anomaly::kind)
        .doesNotContain(
            Anomaly.Kind.SESSION_WITHOUT_WINDOW, Anomaly.Kind.WINDOW_WITHOUT_IMAPS_FLOW);
    // the IMAPS-opened window next to it says so
    assertThat(r.windows())
        .filteredOn(x -> x.source().equals(ip(OTHER)))
        .singleElement()
        .satisfies(x -> assertThat(x.openedBy()).isEqualTo(Window.Opening.SET));
  }

  @Test
  void withoutTheManualAddTheSameSessionHasNoWindow() {
    Lines l =
        covered("r1")
            .ssh(20, PHONE, 40001, 30)
            .accept(20, PHONE, 40001)
            .remove(29.96, PHONE, 40001);
    AuditResult r = run(l);
    assertThat(r.windows()).noneMatch(x -> x.source().equals(ip(PHONE)));
    assertThat(of(r, Anomaly.Kind.SESSION_WITHOUT_WINDOW)).hasSize(1);
    assertThat(of(r, Anomaly.Kind.MANUAL_LIST_CHANGE)).isEmpty();
  }

  @Test
  void aManualAddExpiresNSecondsAfterItsLastRefresh() {
    Lines l = covered("r1").listAdd(10, PHONE).imaps(200, OTHER, 50001, 201);
    AuditResult r = run(AuditConfig.defaults().withSeconds(30), l);
    Window w =
        r.windows().stream().filter(x -> x.source().equals(ip(PHONE))).findFirst().orElseThrow();
    assertThat(w.closeReason()).isEqualTo(CloseReason.EXPIRED);
    assertThat(w.closedAtEarliest()).isEqualTo(Lines.at(40));
    assertThat(w.closedAt()).isEqualTo(Lines.at(40));
  }

  @Test
  void aManualDeleteClosesTheWindowExactlyAtItsLine() {
    Lines l =
        covered("r1").imaps(10, PHONE, 40000, 200).set(10.0005, PHONE, 40000).listDel(30, PHONE);
    AuditResult r = run(l);
    Window w =
        r.windows().stream().filter(x -> x.source().equals(ip(PHONE))).findFirst().orElseThrow();
    assertThat(w.closeReason()).isEqualTo(CloseReason.LIST_DEL);
    assertThat(w.closedAt()).isEqualTo(Lines.at(30));
    assertThat(w.closedAtEarliest()).isEqualTo(Lines.at(30));
    // the syslog receive time is the only clock of the line
    assertThat(w.closePrecisionS()).isEqualTo(1.0);
    assertThat(w.evidence()).anyMatch(e -> e.line().contains("list del " + PHONE));
    assertThat(of(r, Anomaly.Kind.MANUAL_LIST_CHANGE))
        .singleElement()
        .satisfies(a -> assertThat(a.message()).contains("taken out of list MOBILE by hand"));
  }

  @Test
  void aFlushClosesEveryWindowOfItsRouterOnly() {
    Lines r1 =
        covered("r1")
            .imaps(10, PHONE, 40000, 200)
            .set(10.0005, PHONE, 40000)
            .imaps(11, LAPTOP6, 40000, 200)
            .set(11.0005, LAPTOP6, 40000)
            .listFlush(30, 3);
    Lines r2 = new Lines("r2").imaps(10, PHONE, 40000, 200).set(10.0005, PHONE, 40000);
    AuditResult r = run(r1, r2);
    assertThat(r.windows())
        .filteredOn(w -> w.observer().equals("r1") && !w.source().equals(ip(OTHER)))
        .hasSize(2)
        .allSatisfy(
            w -> {
              assertThat(w.closeReason()).isEqualTo(CloseReason.LIST_FLUSH);
              assertThat(w.closedAt()).isEqualTo(Lines.at(30));
            });
    assertThat(r.windows())
        .filteredOn(w -> w.observer().equals("r2"))
        .singleElement()
        .satisfies(w -> assertThat(w.closeReason()).isNotEqualTo(CloseReason.LIST_FLUSH));
    assertThat(of(r, Anomaly.Kind.MANUAL_LIST_CHANGE))
        .singleElement()
        .satisfies(a -> assertThat(a.message()).contains("flushed by hand").contains("3 entries"));
  }

  @Test
  void aFailedAddChangesNothingAndSaysSo() {
    Lines l =
        covered("r1")
            .listAdd(10, PHONE)
            .listAddFailed(10.02, PHONE)
            .ssh(20, PHONE, 40001, 30)
            .accept(20, PHONE, 40001);
    AuditResult r = run(l);
    assertThat(r.windows()).noneMatch(x -> x.source().equals(ip(PHONE)));
    assertThat(of(r, Anomaly.Kind.SESSION_WITHOUT_WINDOW)).hasSize(1);
    assertThat(of(r, Anomaly.Kind.MANUAL_LIST_CHANGE))
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.message())
                  .startsWith("attempted: ")
                  .contains("FAILED and changed nothing: the kernel accepted");
              assertThat(a.evidence()).hasSize(2);
            });
  }

  @Test
  void theSameAuditLineThroughTwoLogsIsOneChange() {
    Lines l = covered("r1").listAdd(10, PHONE);
    Lines copy = new Lines("r1").listAdd(10.4, PHONE);
    List<TracedEvent> events = new ArrayList<>(l.events());
    events.addAll(copy.parse(copy.auth, "syslog-r1.log", LogFormat.SYSLOG_RFC3339));
    AuditResult r = new AuditEngine(AuditConfig.defaults()).reconstruct(AuditInput.of(events));
    assertThat(of(r, Anomaly.Kind.MANUAL_LIST_CHANGE)).hasSize(1);
    assertThat(r.windows()).filteredOn(x -> x.source().equals(ip(PHONE))).hasSize(1);
    assertThat(r.duplicatesDropped()).isEqualTo(1);
  }

  @Test
  void manualAddsCountTowardsTheListSize() {
    Lines l = covered("r1").listAdd(10, PHONE);
    AuditResult r = run(AuditConfig.defaults().withIpListTot(1), l);
    assertThat(of(r, Anomaly.Kind.LIST_OVERFLOW))
        .singleElement()
        .satisfies(a -> assertThat(a.address()).isEqualTo(ip(PHONE)));
    Lines deleted = covered("r1").listDel(5, OTHER).listAdd(10, PHONE);
    assertThat(
            of(run(AuditConfig.defaults().withIpListTot(1), deleted), Anomaly.Kind.LIST_OVERFLOW))
        .isEmpty();
  }

  @Test
  void anAuditLogWithOnlyManualChangesIsNotAStoppedSource() {
    Lines l = covered("r1").listAdd(10, PHONE).imaps(9000, OTHER, 50001, 9001);
    AuditResult r = run(l);
    assertThat(of(r, Anomaly.Kind.SOURCE_STOPPED))
        .noneMatch(a -> a.message().contains("auth-r1.log"));
  }

  @Test
  void kernelLossMarkersInTheLogBecomeAnomaliesWithTheirLine() {
    Lines l = covered("r1").callbacksSuppressed(15, 12);
    AuditResult r = run(l);
    assertThat(of(r, Anomaly.Kind.RATE_LIMIT_MARKER))
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.message()).contains("the kernel suppressed 12 messages");
              assertThat(a.at()).isEqualTo(Lines.at(15));
              assertThat(a.evidence())
                  .singleElement()
                  .satisfies(
                      e -> assertThat(e.line()).endsWith("net_ratelimit: 12 callbacks suppressed"));
            });
    Lines journal =
        covered("r1")
            .program(16, "systemd-journald[212]", "Suppressed 77 messages from ulogd2.service");
    assertThat(of(run(journal), Anomaly.Kind.RATE_LIMIT_MARKER))
        .singleElement()
        .satisfies(a -> assertThat(a.message()).contains("journald suppressed 77 messages"));
  }

  // ---------------------------------------------------------------- ruleset variants

  /** An SSH session whose FIN is not logged as a remove (no step 2), data going on afterwards. */
  private static Lines sessionWithoutRemoveLine() {
    return covered("r1")
        .imaps(10, PHONE, 40000, 10.5)
        .set(10.0005, PHONE, 40000)
        .ssh(20, PHONE, 40001, 30)
        .accept(20, PHONE, 40001)
        .imaps(400, OTHER, 50001, 401);
  }

  @Test
  void noRemoveModeLetsTheClosingSshFlowRefreshAndNeverClosesByFin() {
    AuditResult noRemove =
        run(AuditConfig.defaults().withRemove(false), sessionWithoutRemoveLine());
    Window w =
        noRemove.windows().stream()
            .filter(x -> x.source().equals(ip(PHONE)))
            .findFirst()
            .orElseThrow();
    assertThat(w.closeReason()).isEqualTo(CloseReason.EXPIRED);
    // the client's last packet (its FIN, LAST_ACK at 30.0001) kept the entry fresh: + 60 s
    assertThat(w.closedAtEarliest()).isEqualTo(Lines.at(90.0001));
    assertThat(noRemove.windows())
        .extracting(Window::closeReason)
        .doesNotContain(CloseReason.FIN_REMOVE, CloseReason.EXPIRED_OR_REMOVED);
    assertThat(noRemove.anomalies()).isEmpty();
    // the session ended (30 s) a minute before its window could close: it did not outlive it
    assertThat(noRemove.sessions())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.endedAt()).isBefore(w.closedAtEarliest());
              assertThat(s.outlivesWindow()).isFalse();
            });
    // a remove line under a no-remove configuration: the kernel had step 2 after all
    AuditResult contradicted =
        run(
            AuditConfig.defaults().withRemove(false),
            sessionWithoutRemoveLine().remove(29.96, PHONE, 40001));
    assertThat(of(contradicted, Anomaly.Kind.RULESET_MISMATCH))
        .singleElement()
        .satisfies(a -> assertThat(a.message()).contains("--no-remove"));
    // with step 2 the FIN removes: nothing of the closing flow refreshes, the last refresh is the
    // flow's ESTABLISHED
    AuditResult withRemove = run(AuditConfig.defaults(), sessionWithoutRemoveLine());
    assertThat(
            withRemove.windows().stream()
                .filter(x -> x.source().equals(ip(PHONE)))
                .findFirst()
                .orElseThrow()
                .closedAtEarliest())
        .isEqualTo(Lines.at(80.001));
  }

  /**
   * A session still running where the data ends, its window taken out by hand: it may have outlived
   * the window (its flow shows no end to compare with).
   */
  @Test
  void aSessionStillRunningAfterItsWindowClosedMayHaveOutlivedIt() {
    AuditResult r =
        run(
            AuditConfig.defaults(),
            covered("r1")
                .imaps(10, PHONE, 40000, 10.5)
                .set(10.0005, PHONE, 40000)
                .ssh(20, PHONE, 40001, -1)
                .accept(20, PHONE, 40001)
                .listDel(30, PHONE));
    Window w =
        r.windows().stream().filter(x -> x.source().equals(ip(PHONE))).findFirst().orElseThrow();
    assertThat(w.closeReason()).isEqualTo(CloseReason.LIST_DEL);
    assertThat(r.sessions())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.endedAt()).isNull();
              assertThat(s.windowOpenedAt()).isEqualTo(w.openedAt());
              assertThat(s.outlivesWindow()).isTrue();
            });
  }

  /** Two sessions of one address; the second one's FIN removes it at 30, the first ends at 100. */
  private static Lines twoSessionsOneRemoval() {
    return covered("r1")
        .imaps(10, PHONE, 40000, 10.5)
        .set(10.0005, PHONE, 40000)
        .ssh(12, PHONE, 40001, 100)
        .accept(12, PHONE, 40001)
        .ssh(15, PHONE, 40002, 30)
        .accept(15, PHONE, 40002)
        .remove(29.96, PHONE, 40002);
  }

  @Test
  void strictModeFlagsASessionThatClosedNormallyAfterItsAddressWasRemoved() {
    AuditResult strict = run(AuditConfig.defaults().withStrict(true), twoSessionsOneRemoval());
    assertThat(of(strict, Anomaly.Kind.SESSION_OUTLIVED_REMOVAL))
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.message()).contains("from port 40001").contains("would have been reset");
              assertThat(a.at()).isEqualTo(Lines.at(100));
              assertThat(a.evidence().get(0).line()).contains("mobilessh-remove:");
            });
    // default mode: sessions survive removal by design, nothing to report
    AuditResult normal = run(AuditConfig.defaults(), twoSessionsOneRemoval());
    assertThat(of(normal, Anomaly.Kind.SESSION_OUTLIVED_REMOVAL)).isEmpty();
    assertThat(normal.sessions())
        .filteredOn(s -> s.sourcePort() == 40001)
        .singleElement()
        .satisfies(s -> assertThat(s.outlivesWindow()).isTrue());
    // the windows are the same in both modes
    assertThat(strict.windows()).isEqualTo(normal.windows());
  }

  @Test
  void strictModeLetsTheRemovingConnectionFinishAndCountsAManualDeleteAsRemoval() {
    Lines ownFinOnly =
        covered("r1")
            .imaps(10, PHONE, 40000, 10.5)
            .set(10.0005, PHONE, 40000)
            .ssh(15, PHONE, 40002, 30)
            .accept(15, PHONE, 40002)
            .remove(29.96, PHONE, 40002);
    assertThat(
            of(
                run(AuditConfig.defaults().withStrict(true), ownFinOnly),
                Anomaly.Kind.SESSION_OUTLIVED_REMOVAL))
        .isEmpty();
    Lines byHand =
        covered("r1")
            .imaps(10, PHONE, 40000, 10.5)
            .set(10.0005, PHONE, 40000)
            .ssh(12, PHONE, 40001, 100)
            .accept(12, PHONE, 40001)
            .listDel(30, PHONE);
    AuditResult r = run(AuditConfig.defaults().withStrict(true), byHand);
    assertThat(of(r, Anomaly.Kind.SESSION_OUTLIVED_REMOVAL)).hasSize(1);
    // an idle session cut at its next packet keeps its flow ESTABLISHED: no proof either way
    Lines idle =
        covered("r1")
            .imaps(10, PHONE, 40000, 10.5)
            .set(10.0005, PHONE, 40000)
            .ssh(12, PHONE, 40001, -1)
            .accept(12, PHONE, 40001)
            .listDel(30, PHONE)
            .imaps(500, OTHER, 50001, 501);
    assertThat(
            of(
                run(AuditConfig.defaults().withStrict(true), idle),
                Anomaly.Kind.SESSION_OUTLIVED_REMOVAL))
        .isEmpty();
  }

  // ---------------------------------------------------------------- rulesets from snapshots

  private static RulesetInForce snapshot(String text, double t, String observer) {
    return RulesetInForce.of(RulesetHistoryTest.stored(text, Lines.at(t), observer));
  }

  private static String setLogCounter(String text, String counter) {
    return RulesetHistoryTest.inSection(
        text,
        Family.IPV4,
        "[6:312] -A MOBILESSH-IMAPS -m recent ! --rcheck",
        counter + " -A MOBILESSH-IMAPS -m recent ! --rcheck");
  }

  /** Three set lines (IPv4) between snapshots at 12 s and 100 s; one before. */
  private static Lines threeSetLines() {
    return new Lines("vm")
        .set(10, "203.0.113.1", 1)
        .set(20, "203.0.113.2", 1)
        .set(30, "203.0.113.3", 1)
        .set(40, "203.0.113.4", 1);
  }

  @Test
  void snapshotsShowingAChangeAndBrokenParityAreAnomaliesWithBothSnapshots() throws IOException {
    String real = RulesetHistoryTest.real();
    String later =
        RulesetHistoryTest.inSection(
            real, Family.IPV6, "--rsource -j MOBILESSH-REMOVED\n", "--rsource -j ACCEPT\n");
    List<RulesetInForce> snaps =
        List.of(snapshot(real, 12, "vm"), snapshot(later, 100, "vm"), snapshot(later, 200, "vm"));
    AuditResult r =
        new AuditEngine(AuditConfig.defaults().withSeconds(5))
            .reconstruct(new AuditInput(threeSetLines().events(), List.of(), List.of(), snaps));
    assertThat(of(r, Anomaly.Kind.RULESET_CHANGED))
        .isNotEmpty()
        .allSatisfy(
            a -> {
              assertThat(a.at()).isEqualTo(Lines.at(100));
              assertThat(a.observer()).isEqualTo("vm");
              assertThat(a.evidence()).hasSize(2);
              assertThat(a.message()).startsWith("IPv6 ");
            });
    // broken from the second snapshot on: raised once, where it starts
    assertThat(of(r, Anomaly.Kind.PARITY_BROKEN))
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.at()).isEqualTo(Lines.at(100));
              assertThat(a.message()).contains("remove");
            });
    assertThat(of(r, Anomaly.Kind.RULESET_MISMATCH))
        .singleElement()
        .satisfies(
            a ->
                assertThat(a.message())
                    .endsWith("IPv6 remove is not logged: the audit cannot see it"));
  }

  @Test
  void aSnapshotWithAnotherNThanTheAuditAssumedIsAMismatch() throws IOException {
    List<RulesetInForce> snaps = List.of(snapshot(RulesetHistoryTest.real(), 12, "vm"));
    AuditResult assumed60 =
        new AuditEngine(AuditConfig.defaults())
            .reconstruct(new AuditInput(threeSetLines().events(), List.of(), List.of(), snaps));
    assertThat(of(assumed60, Anomaly.Kind.RULESET_MISMATCH))
        .singleElement()
        .satisfies(
            a ->
                assertThat(a.message())
                    .contains("IPv4 N is 5 s, the audit assumed 60 s")
                    .contains("IPv6 N is 5 s"));
    AuditResult right =
        new AuditEngine(AuditConfig.defaults().withSeconds(5))
            .reconstruct(new AuditInput(threeSetLines().events(), List.of(), List.of(), snaps));
    assertThat(right.anomalies()).isEmpty();
  }

  @Test
  void aLogCounterThatMovedFurtherThanTheLinesIsALogGap() throws IOException {
    String real = RulesetHistoryTest.real();
    AuditEngine engine = new AuditEngine(AuditConfig.defaults().withSeconds(5));
    // 3 set lines arrived between the snapshots; the set LOG rule counted 4
    List<RulesetInForce> gap =
        List.of(snapshot(real, 12, "vm"), snapshot(setLogCounter(real, "[10:520]"), 100, "vm"));
    AuditResult r =
        engine.reconstruct(new AuditInput(threeSetLines().events(), List.of(), List.of(), gap));
    assertThat(of(r, Anomaly.Kind.LOG_LINES_MISSING))
        .singleElement()
        .satisfies(
            a ->
                assertThat(a.message())
                    .contains("the set LOG rule (iptables) counted 4 packets")
                    .contains("but 3 lines arrived: 1 lost"));
    // counted 3: nothing missing
    List<RulesetInForce> none =
        List.of(snapshot(real, 12, "vm"), snapshot(setLogCounter(real, "[9:468]"), 100, "vm"));
    assertThat(
            engine
                .reconstruct(new AuditInput(threeSetLines().events(), List.of(), List.of(), none))
                .anomalies())
        .isEmpty();
  }
}
