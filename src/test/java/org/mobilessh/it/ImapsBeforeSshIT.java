package org.mobilessh.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mobilessh.it.Agent.CONNECTED;
import static org.mobilessh.it.Agent.OK;
import static org.mobilessh.it.Agent.RESET;
import static org.mobilessh.it.Topology.HOST;
import static org.mobilessh.it.Topology.HOST_ADDRESS;
import static org.mobilessh.it.Topology.HTTP;
import static org.mobilessh.it.Topology.IMAPS;
import static org.mobilessh.it.Topology.MAIL_ADDRESS;
import static org.mobilessh.it.Topology.ROUTER;
import static org.mobilessh.it.Topology.ROUTER_ADDRESS;
import static org.mobilessh.it.Topology.SSH;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.mobilessh.it.Topology.Pair;
import org.mobilessh.it.Topology.Source;
import org.mobilessh.rules.Family;

/**
 * The ruleset proven on the real kernel: a router namespace with mobilessh installed through the
 * CLI, real TCP connections from client namespaces, the kernel log read by a real rsyslogd. Every
 * behaviour is checked for IPv4 and IPv6 at the same time (one thread per family), and every
 * scenario talks from addresses of its own, so scenarios never share an xt_recent entry. Tests that
 * change the installed options or need exact counters run in order, one at a time.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ImapsBeforeSshIT {
  static final int N = 3;
  static final String SET = "mobilessh-set:";
  static final String REMOVE = "mobilessh-remove:";
  static final String ACCEPT = "mobilessh-accept:";
  static final String REJECT = "mobilessh-reject:";
  static final List<String> OPTIONS =
      List.of(
          "--mail-server", MAIL_ADDRESS.v4(),
          "--mail-server", MAIL_ADDRESS.v6(),
          "--protect", "local",
          "--protect", HOST_ADDRESS.v4(),
          "--protect", HOST_ADDRESS.v6(),
          "--seconds", Integer.toString(N));

  private static KernelLog log;
  private static Topology net;
  private static RouterFirewall firewall;

  @BeforeAll
  static void setUp() {
    KernelRequirements.require();
    try {
      // The log first: it takes the machine-wide netfilter lock before anything logs.
      Path scratch = Path.of("target", "it-kernel").toAbsolutePath();
      long start = System.nanoTime();
      log = KernelLog.start(scratch);
      long locked = System.nanoTime();
      net = Topology.build();
      firewall = new RouterFirewall(ROUTER, scratch.resolve("backups"));
      firewall.setUpSiteRules();
      firewall.install(OPTIONS);
      // The lock wait depends on other suites; say it, so run times can be read honestly.
      System.err.printf(
          "ImapsBeforeSshIT: %d ms waiting for the netfilter lock and starting rsyslogd,"
              + " %d ms for topology and install (via %s)%n",
          (locked - start) / 1_000_000,
          (System.nanoTime() - locked) / 1_000_000,
          RouterFirewall.installPath());
    } catch (RuntimeException | Error e) {
      tearDown();
      throw e;
    }
  }

  @AfterAll
  static void tearDown() {
    try {
      if (net != null) {
        net.close();
      }
    } finally {
      if (log != null) {
        log.close();
      }
    }
  }

  @Test
  @Order(1)
  void sshWithoutImapsLooksClosedNotFiltered() {
    Source s = net.nextClient();
    bothFamilies(
        f -> {
          try (Agent a = net.agent(s.netns())) {
            JsonNode router = a.connectDetailed("r", s.of(f), ROUTER_ADDRESS.of(f), SSH);
            JsonNode host = a.connectDetailed("h", s.of(f), HOST_ADDRESS.of(f), SSH);
            assertThat(router.path("result").asText()).as(f + " SSH to router").isEqualTo(RESET);
            assertThat(host.path("result").asText()).as(f + " SSH to host").isEqualTo(RESET);
            // A RST comes back at once; a filtered port would have made us wait.
            assertThat(router.path("ms").asDouble()).as(f + " router answer ms").isLessThan(500);
            assertThat(host.path("ms").asDouble()).as(f + " host answer ms").isLessThan(500);
            // Contrast: the router's own DROP policy (nothing forwards to .99) looks filtered.
            Pair nowhere = new Pair("198.51.100.99", "2001:db8:20::99");
            assertThat(a.connect("n", s.of(f), nowhere.of(f), SSH))
                .as(f + " SSH to a host the site firewall drops")
                .isEqualTo("timeout");
          }
        });
    List<String> lines = log.sync();
    for (Family f : Family.values()) {
      assertThat(select(lines, REJECT, s.of(f)))
          .as(f + " reject LOG lines")
          .hasSize(2)
          .anyMatch(l -> l.contains(" DST=" + KernelLog.logForm(ROUTER_ADDRESS.of(f)) + " "))
          .anyMatch(l -> l.contains(" DST=" + KernelLog.logForm(HOST_ADDRESS.of(f)) + " "));
      assertThat(select(lines, ACCEPT, s.of(f))).as(f + " accept LOG lines").isEmpty();
    }
  }

  @Test
  @Order(2)
  void imapsThenSshWithinWindowConnectsToRouterAndHost() {
    Source s = net.nextClient();
    Source other = net.client2();
    bothFamilies(
        f -> {
          try (Agent a = net.agent(s.netns());
              Agent b = net.agent(other.netns())) {
            assertThat(a.connect("mail", s.of(f), MAIL_ADDRESS.of(f), IMAPS)).isEqualTo(CONNECTED);
            assertThat(a.echo("mail")).isEqualTo(OK);
            assertThat(a.connect("r", s.of(f), ROUTER_ADDRESS.of(f), SSH))
                .as(f + " SSH to router after IMAPS")
                .isEqualTo(CONNECTED);
            assertThat(a.echo("r")).isEqualTo(OK);
            assertThat(a.connect("h", s.of(f), HOST_ADDRESS.of(f), SSH))
                .as(f + " SSH to host after IMAPS")
                .isEqualTo(CONNECTED);
            assertThat(a.echo("h")).isEqualTo(OK);
            // The window belongs to the address that checked mail, not to everybody.
            assertThat(b.connect("r", other.of(f), ROUTER_ADDRESS.of(f), SSH))
                .as(f + " SSH from the second client, which did not check mail")
                .isEqualTo(RESET);
            assertThat(a.close("mail")).isEqualTo("closed");
            a.abort("r");
            a.abort("h");
          }
        });
    List<String> lines = log.sync();
    for (Family f : Family.values()) {
      assertThat(select(lines, SET, s.of(f))).as(f + " set LOG lines").hasSize(1);
      assertThat(select(lines, ACCEPT, s.of(f))).as(f + " accept LOG lines").hasSize(2);
      assertThat(select(lines, REJECT, s.of(f))).as(f + " reject LOG lines").isEmpty();
      assertThat(select(lines, REJECT, other.of(f))).as(f + " client2 reject lines").isNotEmpty();
    }
  }

  @Test
  @Order(3)
  void closingTheMailSessionLeavesSshOpenForNSecondsAfterItsLastPacket() {
    // One address per probe time: any SSH packet would refresh the window it measures.
    Source early = net.nextClient();
    Source late = net.nextClient();
    Source expired = net.nextClient();
    List<Runnable> probes = new ArrayList<>();
    for (Family f : Family.values()) {
      probes.add(() -> sshAfterMailClose(f, early, 500, CONNECTED));
      probes.add(() -> sshAfterMailClose(f, late, N * 1000 - 1000, CONNECTED));
      probes.add(() -> sshAfterMailClose(f, expired, N * 1000 + 800, RESET));
    }
    inParallel(probes);
  }

  private static void sshAfterMailClose(Family f, Source s, long afterMillis, String expected) {
    try (Agent a = net.agent(s.netns())) {
      mailCheck(a, f, s);
      long closedAt = System.nanoTime();
      sleepUntil(closedAt + afterMillis * 1_000_000);
      assertThat(a.connect("r", s.of(f), ROUTER_ADDRESS.of(f), SSH))
          .as(f + " SSH " + afterMillis + " ms after the mail session closed")
          .isEqualTo(expected);
      if (expected.equals(CONNECTED)) {
        a.close("r");
      }
    }
  }

  @Test
  @Order(4)
  void sshAfterExpiryIsResetAndANewMailCheckReopensItLoggedAgain() {
    Source s = net.nextClient();
    bothFamilies(
        f -> {
          try (Agent a = net.agent(s.netns())) {
            mailCheck(a, f, s);
            sleepMillis(N * 1000 + 800);
            assertThat(a.connect("r1", s.of(f), ROUTER_ADDRESS.of(f), SSH))
                .as(f + " SSH after the window expired")
                .isEqualTo(RESET);
            mailCheck(a, f, s);
            assertThat(a.connect("r2", s.of(f), ROUTER_ADDRESS.of(f), SSH))
                .as(f + " SSH after a new mail check")
                .isEqualTo(CONNECTED);
            a.close("r2");
          }
        });
    List<String> lines = log.sync();
    for (Family f : Family.values()) {
      assertThat(select(lines, SET, s.of(f))).as(f + " one set line per window opening").hasSize(2);
      assertThat(select(lines, REJECT, s.of(f))).as(f + " reject lines").hasSize(1);
      assertThat(select(lines, ACCEPT, s.of(f))).as(f + " accept lines").hasSize(1);
      assertThat(select(lines, REMOVE, s.of(f))).as(f + " remove lines").hasSize(1);
    }
  }

  @Test
  @Order(5)
  void sshFinRemovesTheAddress() {
    Source s = net.nextClient();
    bothFamilies(
        f -> {
          try (Agent a = net.agent(s.netns())) {
            mailCheck(a, f, s);
            assertThat(a.connect("r1", s.of(f), ROUTER_ADDRESS.of(f), SSH)).isEqualTo(CONNECTED);
            assertThat(a.echo("r1")).isEqualTo(OK);
            assertThat(a.close("r1")).isEqualTo("closed");
            assertThat(a.connect("r2", s.of(f), ROUTER_ADDRESS.of(f), SSH))
                .as(f + " new SSH right after the previous session's FIN")
                .isEqualTo(RESET);
          }
        });
    List<String> lines = log.sync();
    for (Family f : Family.values()) {
      assertThat(select(lines, REMOVE, s.of(f)))
          .as(f + " remove LOG lines")
          .hasSize(1)
          .allMatch(l -> l.contains(" DPT=22 ") && l.contains(" FIN "));
      assertThat(select(lines, REJECT, s.of(f))).as(f + " reject LOG lines").hasSize(1);
    }
  }

  @Test
  @Order(6)
  void aLongSessionStaysUpWhileItHasTrafficButSshNeverRevivesAnExpiredWindow() {
    Source busy = net.nextClient();
    Source idle = net.nextClient();
    List<Runnable> scenarios = new ArrayList<>();
    for (Family f : Family.values()) {
      scenarios.add(
          () -> {
            try (Agent a = net.agent(busy.netns())) {
              mailCheck(a, f, busy);
              assertThat(a.connect("s", busy.of(f), ROUTER_ADDRESS.of(f), SSH))
                  .isEqualTo(CONNECTED);
              for (int second = 1; second <= 3 * N - 1; second++) {
                sleepMillis(1000);
                assertThat(a.echo("s"))
                    .as(f + " long session after " + second + " s")
                    .isEqualTo(OK);
              }
              // Its traffic kept the window fresh, far past N seconds after the mail check.
              assertThat(a.connect("t", busy.of(f), ROUTER_ADDRESS.of(f), SSH))
                  .as(f + " new SSH beside a busy session, " + (3 * N) + " s after mail")
                  .isEqualTo(CONNECTED);
              a.close("t");
            }
          });
      scenarios.add(
          () -> {
            try (Agent a = net.agent(idle.netns())) {
              mailCheck(a, f, idle);
              assertThat(a.connect("s", idle.of(f), ROUTER_ADDRESS.of(f), SSH))
                  .isEqualTo(CONNECTED);
              sleepMillis(N * 1000 + 800);
              assertThat(a.echo("s"))
                  .as(f + " idle session after the window expired")
                  .isEqualTo(OK);
              assertThat(a.connect("t", idle.of(f), ROUTER_ADDRESS.of(f), SSH))
                  .as(f + " new SSH after an idle session's packet (must not revive the window)")
                  .isEqualTo(RESET);
              a.close("s");
            }
          });
    }
    inParallel(scenarios);
    List<String> lines = log.sync();
    for (Family f : Family.values()) {
      assertThat(select(lines, SET, idle.of(f))).as(f + " idle set lines").hasSize(1);
      assertThat(select(lines, SET, busy.of(f))).as(f + " busy set lines").hasSize(1);
    }
  }

  @Test
  @Order(7)
  void closingOneOfTwoSessionsLeavesTheOtherWorkingByDefault() {
    Source toRouter = net.nextClient();
    Source toHost = net.nextClient();
    List<Runnable> scenarios = new ArrayList<>();
    for (Family f : Family.values()) {
      scenarios.add(() -> twoSessions(f, toRouter, ROUTER_ADDRESS, OK));
      scenarios.add(() -> twoSessions(f, toHost, HOST_ADDRESS, OK));
    }
    inParallel(scenarios);
  }

  /** Two sessions from one address; closing the first; then the second's fate. */
  private static JsonNode twoSessions(Family f, Source s, Pair target, String second) {
    try (Agent a = net.agent(s.netns())) {
      mailCheck(a, f, s);
      JsonNode first = a.connectDetailed("one", s.of(f), target.of(f), SSH);
      assertThat(first.path("result").asText()).isEqualTo(CONNECTED);
      assertThat(a.connect("two", s.of(f), target.of(f), SSH)).isEqualTo(CONNECTED);
      assertThat(a.echo("one")).isEqualTo(OK);
      assertThat(a.echo("two")).isEqualTo(OK);
      assertThat(a.close("one")).as(f + " closing the first session").isEqualTo("closed");
      assertThat(a.echo("two"))
          .as(f + " the second session to " + target.of(f) + " after the first closed")
          .isEqualTo(second);
      if (second.equals(OK)) {
        a.close("two");
      }
      return first;
    }
  }

  @Test
  @Order(8)
  void aHalfOpenSynScanOfImapsDoesNotOpenSsh() {
    Source scanner = net.nextAttacker();
    bothFamilies(
        f -> {
          try (Agent a = net.agent(scanner.netns())) {
            JsonNode scan = a.synScan(scanner.of(f), MAIL_ADDRESS.of(f), IMAPS);
            assertThat(scan.path("result").asText()).as(f + " scan answer").isEqualTo("synack");
            // The scanner's kernel answers the SYN/ACK with a RST (no socket owns the port);
            // once the router's conntrack shows the flow CLOSE, that RST went through FORWARD.
            String flow = "";
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (!flow.contains(" CLOSE ") && System.nanoTime() < deadline) {
              sleepMillis(20);
              flow = scannedFlow(f, scanner.of(f), scan.path("sport").asInt());
            }
            assertThat(flow).as(f + " the scan's flow on the router").contains(" CLOSE ");
            assertThat(a.connect("r", scanner.of(f), ROUTER_ADDRESS.of(f), SSH))
                .as(f + " SSH from the scanner")
                .isEqualTo(RESET);
          }
          assertThat(firewall.recentAddresses("MOBILE"))
              .as(f + " list after the scan")
              .doesNotContain(RouterFirewall.address(scanner.of(f)));
        });
    List<String> lines = log.sync();
    for (Family f : Family.values()) {
      assertThat(select(lines, SET, scanner.of(f))).as(f + " set lines of the scanner").isEmpty();
    }
  }

  /**
   * conntrack calls a packet ESTABLISHED once the server has answered the flow — even when that
   * answer went to a forged source that never saw it. A blind spoofer's repeated SYN is such a
   * packet; only the ASSURED rule (the client acknowledged the SYN/ACK) keeps it from setting.
   */
  @Test
  @Order(14)
  void aBlindSpooferCannotListAnAddressItDoesNotOwn() {
    // On the attacker's link, owned by nobody: the mail server's SYN/ACK to it goes nowhere.
    Pair forged = new Pair("203.0.113.200", "2001:db8:a7::200");
    Source spoofer = net.nextAttacker();
    bothFamilies(
        f -> {
          long before = firewall.packets(f, "MOBILESSH-IMAPS", "! --ctstatus ASSURED");
          try (Agent a = net.agent(spoofer.netns())) {
            assertThat(a.spoofSyn(forged.of(f), MAIL_ADDRESS.of(f), IMAPS).path("result").asText())
                .isEqualTo("sent");
          }
          assertThat(firewall.recentAddresses("MOBILE"))
              .as(f + " list after the forged SYNs")
              .doesNotContain(RouterFirewall.address(forged.of(f)));
          // The repeated SYN reached this rule as ESTABLISHED: without the rule it would have set.
          assertThat(firewall.packets(f, "MOBILESSH-IMAPS", "! --ctstatus ASSURED"))
              .as(f + " forged packets stopped by the ASSURED rule")
              .isGreaterThan(before);
        });
    List<String> lines = log.sync();
    for (Family f : Family.values()) {
      assertThat(select(lines, SET, forged.of(f)))
          .as(f + " set lines of the forged source")
          .isEmpty();
    }
  }

  /**
   * The same conntrack fact on the SSH side: a FIN/ACK whose acknowledgement number conntrack
   * ignores as too old passes as ESTABLISHED. Without ASSURED on the remove rule, anyone who knows
   * a listed address could close its window (and write a remove line for it) blind.
   */
  @Test
  @Order(15)
  void aBlindSpooferCannotCloseAWindowItDoesNotOwn() {
    Source s = net.nextClient();
    bothFamilies(
        f -> {
          try (Agent a = net.agent(s.netns())) {
            mailCheck(a, f, s);
          }
          // The spoofer sends from the listed address but never reads an answer.
          try (Agent spoofer = net.agent(s.netns())) {
            assertThat(
                    spoofer.spoofClose(s.of(f), ROUTER_ADDRESS.of(f), SSH).path("result").asText())
                .isEqualTo("sent");
          }
          assertThat(firewall.recentAddresses("MOBILE"))
              .as(f + " list after forged FINs from a listed address")
              .contains(RouterFirewall.address(s.of(f)));
        });
    List<String> lines = log.sync();
    for (Family f : Family.values()) {
      assertThat(select(lines, REMOVE, s.of(f))).as(f + " forged remove lines").isEmpty();
    }
  }

  private static String scannedFlow(Family f, String scanner, int sport) {
    return Topology.run(
            ROUTER,
            "conntrack",
            "-L",
            "-f",
            f == Family.IPV4 ? "ipv4" : "ipv6",
            "-p",
            "tcp",
            "-s",
            scanner,
            "--sport",
            Integer.toString(sport),
            "--dport",
            Integer.toString(IMAPS))
        .stdout();
  }

  @Test
  @Order(9)
  void aPlainConnectToImapsOpensSshByDefault() {
    Source s = net.nextClient();
    bothFamilies(
        f -> {
          try (Agent a = net.agent(s.netns())) {
            assertThat(a.connect("mail", s.of(f), MAIL_ADDRESS.of(f), IMAPS)).isEqualTo(CONNECTED);
            assertThat(a.close("mail")).isEqualTo("closed");
            assertThat(a.connect("r", s.of(f), ROUTER_ADDRESS.of(f), SSH))
                .as(f + " SSH after a bare TCP connect to 993 (the post's accepted policy)")
                .isEqualTo(CONNECTED);
            a.close("r");
          }
        });
  }

  @Test
  @Order(10)
  void otherTrafficAndTheRoutersOwnRulesAreUntouched() {
    Source stranger = net.nextAttacker();
    bothFamilies(
        f -> {
          try (Agent a = net.agent(stranger.netns())) {
            assertThat(a.connect("web", stranger.of(f), ROUTER_ADDRESS.of(f), HTTP))
                .as(f + " tcp/80 on the router")
                .isEqualTo(CONNECTED);
            assertThat(a.echo("web")).isEqualTo(OK);
            a.close("web");
          }
          String live = firewall.save(f);
          StringBuilder withoutMobilessh = new StringBuilder();
          for (String line : live.split("\n")) {
            if (!line.contains("MOBILESSH")) {
              withoutMobilessh.append(line).append('\n');
            }
          }
          assertThat(withoutMobilessh.toString())
              .as(f + " the router's rules and policies beside mobilessh's")
              .isEqualTo(firewall.beforeInstall(f));
          assertThat(live).contains(":INPUT DROP", ":FORWARD DROP", "-A SITE-IN -p tcp");
        });
  }

  @Test
  @Order(11)
  void ipv4AndIpv6ShareOneList() {
    Source s = net.nextClient();
    bothFamilies(
        f -> {
          try (Agent a = net.agent(s.netns())) {
            mailCheck(a, f, s);
          }
        });
    assertThat(firewall.recentLists())
        .as("lists under /proc/net/xt_recent")
        .containsExactly("MOBILE");
    assertThat(firewall.recentAddresses("MOBILE"))
        .as("/proc/net/xt_recent/MOBILE after mail checks over IPv4 and IPv6")
        .contains(
            RouterFirewall.address(s.address().v4()), RouterFirewall.address(s.address().v6()));
    // Entries written to that one file open SSH for whichever family's rules read it.
    Source granted = net.nextClient();
    bothFamilies(
        f -> {
          try (Agent a = net.agent(granted.netns())) {
            assertThat(a.connect("r0", granted.of(f), ROUTER_ADDRESS.of(f), SSH)).isEqualTo(RESET);
            firewall.recentWrite("MOBILE", "+" + granted.of(f));
            assertThat(a.connect("r1", granted.of(f), ROUTER_ADDRESS.of(f), SSH))
                .as(f + " SSH after writing the address into /proc/net/xt_recent/MOBILE")
                .isEqualTo(CONNECTED);
            a.abort("r1");
          }
        });
  }

  @Test
  @Order(12)
  void aMailSessionOfThousandsOfPacketsLogsOneSetLine() {
    Source s = net.nextClient();
    bothFamilies(
        f -> {
          long before = firewall.packets(f, "MOBILESSH-IMAPS", "--set");
          try (Agent a = net.agent(s.netns())) {
            assertThat(a.connect("mail", s.of(f), MAIL_ADDRESS.of(f), IMAPS)).isEqualTo(CONNECTED);
            JsonNode chatter = a.chatter("mail", 3000);
            assertThat(chatter.path("result").asText()).isEqualTo(OK);
            assertThat(a.close("mail")).isEqualTo("closed");
          }
          assertThat(firewall.packets(f, "MOBILESSH-IMAPS", "--set") - before)
              .as(f + " packets that refreshed the list")
              .isGreaterThanOrEqualTo(3000);
        });
    List<String> lines = log.sync();
    for (Family f : Family.values()) {
      assertThat(select(lines, SET, s.of(f))).as(f + " set lines").hasSize(1);
    }
  }

  @Test
  @Order(13)
  void aSynFloodIsLoggedRateLimitedAndCountedExactly() {
    Source flooder = net.nextAttacker();
    int syns = 2000;
    bothFamilies(
        f -> {
          long before = rejectCounter(f);
          try (Agent a = net.agent(flooder.netns())) {
            assertThat(
                    a.synFlood(flooder.of(f), ROUTER_ADDRESS.of(f), SSH, syns)
                        .path("result")
                        .asText())
                .isEqualTo("sent");
          }
          long deadline = System.nanoTime() + 5_000_000_000L;
          while (rejectCounter(f) - before < syns && System.nanoTime() < deadline) {
            sleepMillis(50);
          }
          sleepMillis(200);
          assertThat(rejectCounter(f) - before).as(f + " REJECT counter").isEqualTo(syns);
        });
    List<String> lines = log.sync();
    for (Family f : Family.values()) {
      // Burst 5 per source, then 6/min: the flood took well under 10 s.
      assertThat(select(lines, REJECT, flooder.of(f)))
          .as(f + " reject LOG lines for " + syns + " SYNs")
          .hasSizeBetween(1, 6);
    }
  }

  private static long rejectCounter(Family f) {
    return firewall.packets(f, "MOBILESSH-SSH", "-j REJECT");
  }

  @Test
  @Order(20)
  void withNoRemoveTheAddressSurvivesTheSshFin() {
    reinstall("--no-remove");
    Source s = net.nextClient();
    bothFamilies(
        f -> {
          try (Agent a = net.agent(s.netns())) {
            mailCheck(a, f, s);
            assertThat(a.connect("r1", s.of(f), ROUTER_ADDRESS.of(f), SSH)).isEqualTo(CONNECTED);
            assertThat(a.close("r1")).isEqualTo("closed");
            assertThat(a.connect("r2", s.of(f), ROUTER_ADDRESS.of(f), SSH))
                .as(f + " new SSH right after a session closed, with --no-remove")
                .isEqualTo(CONNECTED);
            a.close("r2");
          }
        });
    List<String> lines = log.sync();
    for (Family f : Family.values()) {
      assertThat(select(lines, REMOVE, s.of(f))).as(f + " remove lines").isEmpty();
      assertThat(select(lines, ACCEPT, s.of(f))).as(f + " accept lines").hasSize(2);
    }
  }

  @Test
  @Order(21)
  void withStrictSessionsClosingOneCutsTheOtherButFinishesItsOwnClose() {
    reinstall("--strict-sessions");
    Source toRouter = net.nextClient();
    Source toHost = net.nextClient();
    List<Runnable> scenarios = new ArrayList<>();
    List<String> closedPorts = new ArrayList<>();
    for (Family f : Family.values()) {
      scenarios.add(() -> strict(f, toRouter, ROUTER_ADDRESS, ROUTER, closedPorts));
      scenarios.add(() -> strict(f, toHost, HOST_ADDRESS, HOST, closedPorts));
    }
    inParallel(scenarios);
    List<String> lines = log.sync();
    for (Family f : Family.values()) {
      for (Source s : List.of(toRouter, toHost)) {
        assertThat(select(lines, REMOVE, s.of(f))).as(f + " remove lines").hasSize(1);
        // The cut session's next packet was rejected (and logged); the closing one's were not.
        List<String> rejects = select(lines, REJECT, s.of(f));
        assertThat(rejects).as(f + " reject lines of " + s.of(f)).isNotEmpty();
        synchronized (closedPorts) {
          for (String port : closedPorts) {
            assertThat(rejects).noneMatch(l -> l.contains(" SPT=" + port + " "));
          }
        }
      }
    }
  }

  private static void strict(
      Family f, Source s, Pair target, String serverNetns, List<String> closedPorts) {
    JsonNode first = twoSessions(f, s, target, RESET);
    synchronized (closedPorts) {
      closedPorts.add(first.path("port").asText());
    }
    // Had its last ACK been rejected, the server would sit in LAST-ACK resending its FIN.
    sleepMillis(500);
    String dst = f == Family.IPV4 ? s.of(f) : "[" + s.of(f) + "]";
    String lingering = Topology.runOk(serverNetns, "ss", "-Htan", "state", "last-ack", "dst", dst);
    assertThat(lingering).as(f + " server sockets in LAST-ACK after a clean close").isBlank();
  }

  @Test
  @Order(22)
  void withImapsMinBytesABareConnectDoesNotOpenSshButEnoughClientBytesDo() {
    reinstall("--imaps-min-bytes", "600");
    Source s = net.nextClient();
    bothFamilies(
        f -> {
          try (Agent a = net.agent(s.netns())) {
            assertThat(a.connect("mail", s.of(f), MAIL_ADDRESS.of(f), IMAPS)).isEqualTo(CONNECTED);
            assertThat(a.echo("mail", 16)).isEqualTo(OK);
            assertThat(a.connect("r1", s.of(f), ROUTER_ADDRESS.of(f), SSH))
                .as(f + " SSH after a connect that sent few bytes")
                .isEqualTo(RESET);
            assertThat(a.echo("mail", 700)).isEqualTo(OK);
            assertThat(a.connect("r2", s.of(f), ROUTER_ADDRESS.of(f), SSH))
                .as(f + " SSH after the client sent 700 bytes")
                .isEqualTo(CONNECTED);
            a.close("r2");
            a.close("mail");
          }
        });
    reinstall();
  }

  /**
   * xt_recent lists are shared by every rule of every table and both families. A site rule that
   * writes MOBILE — here for a web port, placed after the jumps (no bypass) and outside the
   * MOBILESSH-* chains (no drift) — opens SSH without IMAPS and without a set LOG line, so {@code
   * rules check} must fail on it.
   */
  @Test
  @Order(23)
  void aSiteRuleThatSetsTheListOpensSshWithoutImapsAndCheckFailsOnIt() {
    assertThat(firewall.checkRules(OPTIONS).code()).as("check before").isZero();
    String[] web = {"-p", "tcp", "--dport", "80", "-m", "recent", "--name", "MOBILE", "--set"};
    Source s = net.nextAttacker();
    try {
      for (Family f : Family.values()) {
        // Rule 3: right after the two jumps, before the site's own accepts.
        List<String> insert = new ArrayList<>(List.of("-I", "INPUT", "3"));
        insert.addAll(List.of(web));
        firewall.iptables(f, insert.toArray(String[]::new));
      }
      bothFamilies(
          f -> {
            try (Agent a = net.agent(s.netns())) {
              assertThat(a.connect("r0", s.of(f), ROUTER_ADDRESS.of(f), SSH))
                  .as(f + " SSH before the web request")
                  .isEqualTo(RESET);
              assertThat(a.connect("web", s.of(f), ROUTER_ADDRESS.of(f), HTTP))
                  .isEqualTo(CONNECTED);
              a.close("web");
              assertThat(a.connect("r", s.of(f), ROUTER_ADDRESS.of(f), SSH))
                  .as(f + " SSH after a web request, no IMAPS at all")
                  .isEqualTo(CONNECTED);
              a.close("r");
            }
          });
      RouterFirewall.CheckResult check = firewall.checkRules(OPTIONS);
      assertThat(check.code()).as("check exit code (DRIFT)").isEqualTo(3);
      assertThat(check.out())
          .contains("FAIL IPv4 list-use: filter INPUT rule 3 '-A INPUT -p tcp")
          .contains("FAIL IPv6 list-use: filter INPUT rule 3 '-A INPUT -p tcp")
          .contains("adds addresses to MOBILE outside the MOBILESSH-* chains")
          .doesNotContain("FAIL IPv4 drift", "FAIL IPv4 jumps");
    } finally {
      for (Family f : Family.values()) {
        List<String> delete = new ArrayList<>(List.of("-D", "INPUT"));
        delete.addAll(List.of(web));
        firewall.iptables(f, delete.toArray(String[]::new));
      }
    }
    assertThat(firewall.checkRules(OPTIONS).code()).as("check after").isZero();
  }

  /**
   * Strict mode accepts every packet of a connection that carries the closing mark. Other rules set
   * connmark bits too (policy routing, container networks): a NEW connection that arrives with the
   * bit already set must still need a window.
   */
  @Test
  @Order(24)
  void withStrictSessionsAConnmarkSetElsewhereDoesNotOpenSsh() {
    String[] mark = {
      "-p", "tcp", "--dport", "22", "-j", "CONNMARK", "--set-xmark", "0x40000000/0x40000000"
    };
    reinstall("--strict-sessions");
    Source s = net.nextAttacker();
    try {
      for (Family f : Family.values()) {
        List<String> insert = new ArrayList<>(List.of("-t", "mangle", "-I", "PREROUTING", "1"));
        insert.addAll(List.of(mark));
        firewall.iptables(f, insert.toArray(String[]::new));
      }
      bothFamilies(
          f -> {
            try (Agent a = net.agent(s.netns())) {
              assertThat(a.connect("r", s.of(f), ROUTER_ADDRESS.of(f), SSH))
                  .as(f + " SSH without IMAPS, connmark bit set by a mangle rule")
                  .isEqualTo(RESET);
            }
          });
    } finally {
      for (Family f : Family.values()) {
        List<String> delete = new ArrayList<>(List.of("-t", "mangle", "-D", "PREROUTING"));
        delete.addAll(List.of(mark));
        firewall.iptables(f, delete.toArray(String[]::new));
      }
      reinstall();
    }
  }

  /** The mail server may be the router itself: IMAPS then arrives through INPUT, not FORWARD. */
  @Test
  @Order(25)
  void whenTheRouterIsTheMailServerItsOwnImapsOpensSsh() {
    reinstall("--mail-server", ROUTER_ADDRESS.v4(), "--mail-server", ROUTER_ADDRESS.v6());
    Source s = net.nextClient();
    try {
      bothFamilies(
          f -> {
            try (Agent a = net.agent(s.netns())) {
              assertThat(a.connect("r0", s.of(f), ROUTER_ADDRESS.of(f), SSH))
                  .as(f + " SSH before the mail check")
                  .isEqualTo(RESET);
              assertThat(a.connect("mail", s.of(f), ROUTER_ADDRESS.of(f), IMAPS))
                  .isEqualTo(CONNECTED);
              assertThat(a.echo("mail")).isEqualTo(OK);
              assertThat(a.close("mail")).isEqualTo("closed");
              assertThat(a.connect("r", s.of(f), ROUTER_ADDRESS.of(f), SSH))
                  .as(f + " SSH after IMAPS to the router itself")
                  .isEqualTo(CONNECTED);
              a.close("r");
            }
          });
      List<String> lines = log.sync();
      for (Family f : Family.values()) {
        assertThat(select(lines, SET, s.of(f)))
            .as(f + " set line: the router is the destination, OUT= empty (INPUT)")
            .singleElement()
            .satisfies(
                l ->
                    assertThat(l)
                        .contains(" OUT= ")
                        .contains(" DST=" + KernelLog.logForm(ROUTER_ADDRESS.of(f)) + " "));
      }
    } finally {
      reinstall();
    }
  }

  @Test
  @Order(29)
  void installingTwiceLeavesOneCopy() {
    KernelRequirements.requireCli("install");
    Map<Family, String> once = new EnumMap<>(Family.class);
    for (Family f : Family.values()) {
      once.put(f, firewall.save(f));
    }
    firewall.installAgain(OPTIONS);
    for (Family f : Family.values()) {
      assertThat(firewall.save(f))
          .as(f.tool() + "-save after a second install")
          .isEqualTo(once.get(f));
    }
  }

  @Test
  @Order(30)
  void uninstallRestoresThePriorRulesetExactly() {
    KernelRequirements.requireCli("uninstall");
    firewall.uninstall();
    for (Family f : Family.values()) {
      assertThat(firewall.save(f))
          .as(f.tool() + "-save after uninstall (via " + RouterFirewall.installPath() + ")")
          .isEqualTo(firewall.beforeInstall(f));
    }
    Source s = net.nextClient();
    bothFamilies(
        f -> {
          try (Agent a = net.agent(s.netns())) {
            assertThat(a.connect("r", s.of(f), ROUTER_ADDRESS.of(f), SSH))
                .as(f + " SSH without mail once mobilessh is gone (the site rules allow it)")
                .isEqualTo(CONNECTED);
            a.close("r");
          }
        });
  }

  // ------------------------------------------------------------------ helpers

  private static void reinstall(String... extra) {
    firewall.uninstall();
    List<String> options = new ArrayList<>(OPTIONS);
    options.addAll(List.of(extra));
    firewall.install(options);
  }

  /** A mail check: connect to IMAPS, one round trip, orderly close. */
  private static void mailCheck(Agent a, Family f, Source s) {
    assertThat(a.connect("mail", s.of(f), MAIL_ADDRESS.of(f), IMAPS))
        .as(f + " IMAPS connect")
        .isEqualTo(CONNECTED);
    assertThat(a.echo("mail")).isEqualTo(OK);
    assertThat(a.close("mail")).isEqualTo("closed");
  }

  private static List<String> select(List<String> lines, String prefix, String source) {
    String src = " SRC=" + KernelLog.logForm(source) + " ";
    String in = prefix + " IN=" + Topology.IFACE_PREFIX;
    return lines.stream().filter(l -> l.contains(in) && l.contains(src)).toList();
  }

  private static void bothFamilies(Consumer<Family> check) {
    inParallel(List.of(() -> check.accept(Family.IPV4), () -> check.accept(Family.IPV6)));
  }

  /** Runs each on a thread of its own and rethrows the first failure (others suppressed). */
  private static void inParallel(List<Runnable> tasks) {
    List<Throwable> failures = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (Runnable task : tasks) {
      Thread thread =
          new Thread(
              () -> {
                try {
                  task.run();
                } catch (Throwable t) {
                  synchronized (failures) {
                    failures.add(t);
                  }
                }
              },
              "msh-c-scenario");
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
    if (!failures.isEmpty()) {
      Throwable first = failures.get(0);
      failures.subList(1, failures.size()).forEach(first::addSuppressed);
      if (first instanceof RuntimeException r) {
        throw r;
      }
      if (first instanceof Error e) {
        throw e;
      }
      throw new IllegalStateException(first);
    }
  }

  private static void sleepMillis(long millis) {
    sleepUntil(System.nanoTime() + millis * 1_000_000);
  }

  private static void sleepUntil(long nanoTime) {
    long left;
    while ((left = nanoTime - System.nanoTime()) > 0) {
      try {
        Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
  }
}
