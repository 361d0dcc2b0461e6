package org.mobilessh.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.mobilessh.index.StoredSnapshot;
import org.mobilessh.parse.Protocol;
import org.mobilessh.parse.TcpFlag;
import org.mobilessh.rules.Family;

/**
 * The rulesets in force, read from the real snapshot of sample-logs/ and from copies of it with one
 * deliberate change each, which must produce exactly the verdict that change calls for.
 */
class RulesetHistoryTest {
  private static final Instant T0 = Instant.parse("2026-11-27T01:16:24.182553Z");
  private static final String V6_REMOVE =
      "[3:216] -A MOBILESSH-SSH -p tcp -m tcp --tcp-flags FIN FIN -m conntrack --ctstate"
          + " ESTABLISHED -m recent --remove --name MOBILE --mask"
          + " ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff --rsource -j MOBILESSH-REMOVED\n";

  static String real() throws IOException {
    return Files.readString(Path.of("sample-logs/rules-snapshot.txt"));
  }

  static StoredSnapshot stored(String text, Instant at, String observer) {
    // the audit trusts ingest's verification; the identity only has to be distinct per text
    return new StoredSnapshot(
        Integer.toHexString(text.hashCode()) + "-" + at, at, observer, "snap-" + at, text);
  }

  /** The IPv4 or IPv6 section of the text with {@code from} replaced by {@code to}. */
  static String inSection(String text, Family f, String from, String to) {
    String mark = "--- " + f.tool() + "-save -c\n";
    int start = text.indexOf(mark);
    int end = text.indexOf("\n--- ", start + mark.length());
    String section = text.substring(start, end);
    assertThat(section).contains(from);
    return text.substring(0, start) + section.replace(from, to) + text.substring(end);
  }

  @Test
  void theRealSnapshotShowsEveryStepWithItsLogPrefixAndNForBothFamilies() throws IOException {
    RulesetInForce s = RulesetInForce.of(stored(real(), T0, "vm"));
    assertThat(s.ipListTot()).isEqualTo(100);
    assertThat(s.backend()).isEqualTo("auto");
    assertThat(s.listEntries()).containsEntry("MOBILE", 1);
    for (Family f : Family.values()) {
      FamilyRuleset r = s.family(f);
      assertThat(r.state()).isEqualTo(FamilyRuleset.State.INSTALLED);
      assertThat(r.steps())
          .extracting(RulesetStep::kind)
          .containsExactly(
              RulesetStep.Kind.SET,
              RulesetStep.Kind.REMOVE,
              RulesetStep.Kind.UPDATE,
              RulesetStep.Kind.KEEP,
              RulesetStep.Kind.RCHECK_ACCEPT,
              RulesetStep.Kind.REJECT);
      assertThat(r.seconds()).contains(5);
      assertThat(r.removeMode()).isTrue();
      assertThat(r.strictMode()).isFalse();
      RulesetStep set = r.step(RulesetStep.Kind.SET).orElseThrow();
      assertThat(set.list()).isEqualTo("MOBILE");
      assertThat(set.seconds()).isEqualTo(5);
      assertThat(set.logPrefix()).isEqualTo("mobilessh-set: ");
      assertThat(set.hitcount()).isNull();
      assertThat(r.step(RulesetStep.Kind.REMOVE).orElseThrow().logPrefix())
          .isEqualTo("mobilessh-remove: ");
      assertThat(r.step(RulesetStep.Kind.RCHECK_ACCEPT).orElseThrow().logPrefix())
          .isEqualTo("mobilessh-accept: ");
      assertThat(r.step(RulesetStep.Kind.REJECT).orElseThrow().logPrefix())
          .isEqualTo("mobilessh-reject: ");
      assertThat(r.step(RulesetStep.Kind.KEEP).orElseThrow().usesList()).isFalse();
      assertThat(r.jumps()).hasSize(4);
    }
    assertThat(s.ipv4().rejectCounters().rejectPackets()).isEqualTo(45);
    assertThat(s.ipv4().rejectCounters().rejectLogPackets()).isEqualTo(9);
    assertThat(s.ipv6().rejectCounters().rejectPackets()).isEqualTo(24);
    assertThat(s.ipv6().rejectCounters().rejectLogPackets()).isEqualTo(8);
    // masks and the /64 hashlimit srcmask differ by design
    assertThat(s.parity().verdict()).isEqualTo(RulesetParity.Verdict.SAME);
    assertThat(s.parity().differences()).isEmpty();
    assertThat(s.parity().jumpDifferences()).isEmpty();
  }

  @Test
  void anIpv6SideWithoutTheRemoveRuleBreaksParityAndNamesTheStep() throws IOException {
    String text = inSection(real(), Family.IPV6, V6_REMOVE, "");
    RulesetInForce s = RulesetInForce.of(stored(text, T0, "vm"));
    assertThat(s.ipv6().removeMode()).isFalse();
    assertThat(s.ipv4().removeMode()).isTrue();
    assertThat(s.parity().verdict()).isEqualTo(RulesetParity.Verdict.BROKEN);
    assertThat(s.parity().differences())
        .containsExactly(
            new RulesetParity.Difference(
                "remove", "remove list=MOBILE log=\"mobilessh-remove: \"", "(none)"));
    assertThat(s.parity().message()).startsWith("IPv4 and IPv6 differ: remove: IPv4 remove");
  }

  @Test
  void aChangedSecondsOnOneFamilyBreaksParityWithBothValuesNamed() throws IOException {
    String text =
        inSection(
            real(),
            Family.IPV4,
            "--ctstate NEW -m recent --rcheck --seconds 5",
            "--ctstate NEW -m recent --rcheck --seconds 60");
    RulesetInForce s = RulesetInForce.of(stored(text, T0, "vm"));
    assertThat(s.ipv4().seconds()).contains(60);
    assertThat(s.parity().broken()).isTrue();
    assertThat(s.parity().differences())
        .containsExactly(new RulesetParity.Difference("rcheck-accept seconds", "60", "5"));
  }

  @Test
  void aHitcountOrAnotherLogPrefixOnOneSideIsAParityDifference() throws IOException {
    String text =
        inSection(
            real(),
            Family.IPV6,
            "--ctstate NEW -m recent --rcheck --seconds 5",
            "--ctstate NEW -m recent --rcheck --seconds 5 --hitcount 3");
    text = inSection(text, Family.IPV6, "\"mobilessh-set: \"", "\"other-set: \"");
    RulesetParity p = RulesetInForce.of(stored(text, T0, "vm")).parity();
    assertThat(p.differences())
        .contains(
            new RulesetParity.Difference("rcheck-accept hitcount", "(none)", "3"),
            new RulesetParity.Difference("set log prefix", "mobilessh-set: ", "other-set: "));
  }

  @Test
  void aRuleOutsideTheStepsThatOnlyOneFamilyHasIsNamedAsARule() throws IOException {
    String extra =
        "[0:0] -A MOBILESSH-IMAPS -m connbytes ! --connbytes 600 --connbytes-dir original"
            + " --connbytes-mode bytes -j RETURN\n";
    String anchor = "[4:300] -A MOBILESSH-IMAPS -m conntrack ! --ctstate ESTABLISHED -j RETURN\n";
    String text = inSection(real(), Family.IPV6, anchor, anchor + extra);
    RulesetParity p = RulesetInForce.of(stored(text, T0, "vm")).parity();
    assertThat(p.broken()).isTrue();
    assertThat(p.differences()).hasSize(1);
    assertThat(p.differences().get(0).aspect()).isEqualTo("rule");
    assertThat(p.differences().get(0).ipv6()).contains("--connbytes 600");
  }

  @Test
  void oneFamilyNotInstalledBreaksParityAndAnUnreadableOneLeavesItUnknown() throws IOException {
    String text = real();
    int start = text.indexOf("--- ip6tables-save -c\n") + "--- ip6tables-save -c\n".length();
    int end = text.indexOf("--- xt_recent");
    String notInstalled =
        text.substring(0, start)
            + "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n"
            + text.substring(end);
    RulesetInForce s = RulesetInForce.of(stored(notInstalled, T0, "vm"));
    assertThat(s.ipv6().state()).isEqualTo(FamilyRuleset.State.NOT_INSTALLED);
    assertThat(s.parity().verdict()).isEqualTo(RulesetParity.Verdict.BROKEN);
    assertThat(s.parity().differences())
        .containsExactly(new RulesetParity.Difference("installed", "installed", "not installed"));

    String unavailable =
        text.substring(0, start)
            + "# unavailable: ip6tables-save: command not found\n"
            + text.substring(end);
    RulesetInForce u = RulesetInForce.of(stored(unavailable, T0, "vm"));
    assertThat(u.ipv6().state()).isEqualTo(FamilyRuleset.State.UNAVAILABLE);
    assertThat(u.parity().verdict()).isEqualTo(RulesetParity.Verdict.UNKNOWN);
    assertThat(u.rejectCounters()).extracting(CounterSnapshot::family).containsExactly(Family.IPV4);
  }

  @Test
  void theSameSnapshotTwiceInAnyOrderMakesNoChange() throws IOException {
    StoredSnapshot s = stored(real(), T0, "vm");
    RulesetHistory h = RulesetHistory.of(List.of(s, s));
    assertThat(h.snapshots()).hasSize(1);
    assertThat(h.changes()).isEmpty();
    // a second, identical ruleset an hour later (counters grew): no change either
    String later =
        real()
            .replace(
                "[45:2700] -A MOBILESSH-SSH -p tcp -j REJECT",
                "[50:3000] -A MOBILESSH-SSH -p tcp -j REJECT");
    RulesetHistory h2 = RulesetHistory.of(List.of(stored(later, T0.plusSeconds(3600), "vm"), s));
    assertThat(h2.snapshots())
        .extracting(RulesetInForce::takenAt)
        .containsExactly(T0, T0.plusSeconds(3600));
    assertThat(h2.changes()).isEmpty();
  }

  @Test
  void aChangedNBetweenSnapshotsIsNamedPerStepAndFamilyWithItsStretch() throws IOException {
    String later = real().replace("--seconds 5 ", "--seconds 30 ");
    Instant t1 = T0.plusSeconds(86400);
    RulesetHistory h =
        RulesetHistory.of(List.of(stored(real(), T0, "vm"), stored(later, t1, "vm")));
    assertThat(h.snapshots().get(1).parity().verdict()).isEqualTo(RulesetParity.Verdict.SAME);
    assertThat(h.changes())
        .extracting(c -> c.family() + " " + c.aspect() + " " + c.before() + "->" + c.after())
        .containsExactly(
            "IPV4 set seconds 5->30",
            "IPV4 update seconds 5->30",
            "IPV4 rcheck-accept seconds 5->30",
            "IPV6 set seconds 5->30",
            "IPV6 update seconds 5->30",
            "IPV6 rcheck-accept seconds 5->30");
    RulesetChange c = h.changes().get(0);
    assertThat(c.previousAt()).isEqualTo(T0);
    assertThat(c.at()).isEqualTo(t1);
    assertThat(c.observer()).isEqualTo("vm");
    assertThat(c.message())
        .isEqualTo(
            "IPv4 set seconds changed from 5 to 30 between the snapshots of " + T0 + " and " + t1);
    assertThat(h.inForceAt("vm", t1.minusSeconds(1)).orElseThrow().ipv4().seconds()).contains(5);
    assertThat(h.inForceAt("vm", t1).orElseThrow().ipv4().seconds()).contains(30);
    assertThat(h.inForceAt("vm", T0.minusSeconds(1))).isEmpty();
  }

  @Test
  void aRemovedRemoveStepAJumpAndAReloadAreChanges() throws IOException {
    String later = inSection(real(), Family.IPV6, V6_REMOVE, "");
    later =
        inSection(
            later,
            Family.IPV6,
            "[50:4031] -A INPUT ! -i lo -p tcp -m tcp --dport 22 -j MOBILESSH-SSH\n",
            "");
    later =
        inSection(
            later,
            Family.IPV6,
            "[24:1920] -A MOBILESSH-SSH -p tcp -j REJECT",
            "[2:120] -A MOBILESSH-SSH -p tcp -j REJECT");
    later = later.replace("ip_list_tot: 100", "ip_list_tot: 200");
    Instant t1 = T0.plusSeconds(60);
    RulesetHistory h =
        RulesetHistory.of(List.of(stored(real(), T0, "vm"), stored(later, t1, "vm")));
    assertThat(h.changes())
        .extracting(c -> c.family() + " " + c.aspect() + " " + c.before() + " -> " + c.after())
        .containsExactly(
            "null ip_list_tot 100 -> 200",
            "IPV6 remove remove list=MOBILE log=\"mobilessh-remove: \" -> (none)",
            "IPV6 jump -A INPUT ! -i lo -p tcp -m tcp --dport 22 -j MOBILESSH-SSH -> (none)",
            "IPV6 counters reject 24 -> reject 2 (reset: the ruleset was reloaded)");
    assertThat(h.parityBroken()).extracting(RulesetInForce::takenAt).containsExactly(t1);
  }

  @Test
  void routersHaveTheirOwnHistories() throws IOException {
    String other = real().replace("--seconds 5 ", "--seconds 30 ");
    RulesetHistory h =
        RulesetHistory.of(
            List.of(
                stored(real(), T0, "r1"),
                stored(other, T0.plusSeconds(1), "r2"),
                stored(real(), T0.plusSeconds(2), "r1")));
    assertThat(h.observers()).containsExactly("r1", "r2");
    assertThat(h.changes()).isEmpty();
  }

  @Test
  void strictAndNoRemoveModesAreRecognised() throws IOException {
    String text = real();
    for (Family f : Family.values()) {
      String mask =
          f == Family.IPV4 ? "255.255.255.255" : "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
      String keep =
          f == Family.IPV4
              ? "[5:260] -A MOBILESSH-SSH -m conntrack --ctstate ESTABLISHED -j ACCEPT"
              : "[23:1821] -A MOBILESSH-SSH -m conntrack --ctstate ESTABLISHED -j ACCEPT";
      text =
          inSection(
              text,
              f,
              keep,
              "[0:0] -A MOBILESSH-SSH -m conntrack --ctstate ESTABLISHED -m recent --rcheck --name"
                  + " MOBILE --mask "
                  + mask
                  + " --rsource -j ACCEPT");
    }
    RulesetInForce strict = RulesetInForce.of(stored(text, T0, "vm"));
    assertThat(strict.ipv4().strictMode()).isTrue();
    assertThat(strict.ipv6().strictMode()).isTrue();
    assertThat(strict.ipv4().step(RulesetStep.Kind.KEEP).orElseThrow().list()).isEqualTo("MOBILE");
    assertThat(strict.parity().verdict()).isEqualTo(RulesetParity.Verdict.SAME);
    assertThat(RulesetInForce.of(stored(real(), T0, "vm")).ipv4().strictMode()).isFalse();
  }

  @Test
  void rejectTotalsPutCounterDifferencesBesideTheLinesThatArrived() throws Exception {
    String later =
        real()
            .replace(
                "[45:2700] -A MOBILESSH-SSH -p tcp -j REJECT",
                "[145:8700] -A MOBILESSH-SSH -p tcp -j REJECT")
            .replace(
                "[9:540] -A MOBILESSH-SSH -m hashlimit", "[19:1140] -A MOBILESSH-SSH -m hashlimit");
    Instant t1 = T0.plusSeconds(600);
    RulesetHistory h =
        RulesetHistory.of(List.of(stored(real(), T0, "vm"), stored(later, t1, "vm")));
    List<Rejection> logged =
        List.of(
            reject(T0.minusSeconds(5)),
            reject(T0.plusSeconds(10)),
            reject(T0.plusSeconds(20)),
            reject(t1.plusSeconds(1)));
    List<RejectTotals> totals = h.rejectTotals(logged);
    assertThat(totals)
        .filteredOn(t -> t.family() == Family.IPV4)
        .extracting(t -> t.from() + " " + t.rejected() + " " + t.logged() + " " + t.linesSeen())
        .containsExactly("null 45 9 1", T0 + " 100 10 2");
    assertThat(totals.get(1).linesLost()).isEqualTo(8);
    assertThat(totals.get(1).unlogged()).isEqualTo(98);
  }

  @Test
  void aSnapshotThatIsNotOneIsAClearError() {
    assertThatThrownBy(() -> RulesetInForce.of(stored("not a snapshot\n", T0, "vm")))
        .isInstanceOf(AuditException.class)
        .hasMessageContaining("snap-" + T0);
    String broken = "# mobilessh snapshot v1\ntimestamp: x\n--- iptables-save -c\n-A X\n";
    assertThatThrownBy(() -> RulesetInForce.of(stored(broken, T0, "vm")))
        .isInstanceOf(AuditException.class)
        .hasMessageContaining("iptables-save");
  }

  private static Rejection reject(Instant at) throws Exception {
    return new Rejection(
        "vm",
        at,
        0.1,
        InetAddress.getByName("203.0.113.9"),
        40000,
        InetAddress.getByName("198.51.100.22"),
        22,
        Protocol.TCP,
        Set.of(TcpFlag.SYN),
        false,
        new SourceLine("kern.log", 1, "x"));
  }
}
