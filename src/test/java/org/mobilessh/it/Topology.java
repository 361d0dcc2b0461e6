package org.mobilessh.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.mobilessh.os.CommandRunner;
import org.mobilessh.rules.Family;

/**
 * A small network in network namespaces (prefix {@value #PREFIX}), every link dual-stack with
 * documentation addresses only:
 *
 * <pre>
 *   client1 (192.0.2.0/26, 2001:db8:c1::/64) ─┐                ┌─ mail  198.51.100.10  2001:db8:10::10 :993
 *   client2 (192.0.2.64/26, 2001:db8:c2::/64) ├─ router :22 :80 :993 ┤
 *   attacker (203.0.113.0/24, 2001:db8:a7::/64)┘                └─ host  198.51.100.70  2001:db8:20::70 :22
 * </pre>
 *
 * The router forwards; the mail server, the protected host and the router run python echo servers
 * ({@code src/test/resources/it/probe.py}). client1 and the attacker carry many addresses so every
 * scenario talks from addresses of its own and scenarios never share an xt_recent entry. Namespaces
 * and servers are removed by {@link #close()}, and by a JVM shutdown hook as a last resort; stale
 * {@code msh-c-*} namespaces of an earlier run are removed before building.
 */
final class Topology implements AutoCloseable {
  static final String PREFIX = "msh-c-";
  static final String ROUTER = PREFIX + "rtr";
  static final String CLIENT1 = PREFIX + "cl1";
  static final String CLIENT2 = PREFIX + "cl2";
  static final String ATTACKER = PREFIX + "atk";
  static final String MAIL = PREFIX + "mail";
  static final String HOST = PREFIX + "host";

  /**
   * The router's interface names start with this: LOG lines name the input interface, so lines of
   * this topology are told apart from those of other namespaces that use the same documentation
   * addresses while nf_log_all_netns is on.
   */
  static final String IFACE_PREFIX = "mshc-";

  /** One IPv4 and one IPv6 address of the same machine. */
  record Pair(String v4, String v6) {
    String of(Family family) {
      return family == Family.IPV4 ? v4 : v6;
    }
  }

  /** Addresses a scenario talks from, and the namespace that owns them. */
  record Source(String netns, Pair address) {
    String of(Family family) {
      return address.of(family);
    }
  }

  static final Pair ROUTER_ADDRESS = new Pair("192.0.2.1", "2001:db8:c1::1");
  static final Pair MAIL_ADDRESS = new Pair("198.51.100.10", "2001:db8:10::10");
  static final Pair HOST_ADDRESS = new Pair("198.51.100.70", "2001:db8:20::70");
  static final Pair CLIENT2_ADDRESS = new Pair("192.0.2.66", "2001:db8:c2::66");
  static final int SSH = 22;
  static final int IMAPS = 993;
  static final int HTTP = 80;

  private static final int CLIENT1_FIRST = 10;
  private static final int CLIENT1_LAST = 59;
  private static final int ATTACKER_FIRST = 66;
  private static final int ATTACKER_LAST = 79;

  private final Path probe;
  private final List<Process> servers = new ArrayList<>();
  private final AtomicInteger nextClient = new AtomicInteger(CLIENT1_FIRST);
  private final AtomicInteger nextAttacker = new AtomicInteger(ATTACKER_FIRST);
  private final Thread shutdownHook = new Thread(this::cleanUp, "msh-c-cleanup");
  private boolean closed;

  private Topology(Path probe) {
    this.probe = probe;
  }

  /** Builds the network and starts the servers; on any failure everything is removed again. */
  static Topology build() {
    Topology topology = new Topology(probeScript());
    Runtime.getRuntime().addShutdownHook(topology.shutdownHook);
    try {
      removeStale();
      topology.create();
      return topology;
    } catch (RuntimeException | Error e) {
      topology.close();
      throw e;
    }
  }

  static Path probeScript() {
    try {
      return Path.of(Topology.class.getResource("/it/probe.py").toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("src/test/resources/it/probe.py is not on the class path", e);
    }
  }

  /** A fresh pair of client1 addresses, used by no other scenario of this run. */
  Source nextClient() {
    int n = nextClient.getAndIncrement();
    if (n > CLIENT1_LAST) {
      throw new IllegalStateException("out of client addresses: raise CLIENT1_LAST");
    }
    return new Source(CLIENT1, new Pair("192.0.2." + n, "2001:db8:c1::" + n));
  }

  /** A fresh pair of attacker addresses. */
  Source nextAttacker() {
    int n = nextAttacker.getAndIncrement();
    if (n > ATTACKER_LAST) {
      throw new IllegalStateException("out of attacker addresses: raise ATTACKER_LAST");
    }
    return new Source(ATTACKER, new Pair("203.0.113." + n, "2001:db8:a7::" + n));
  }

  Source client2() {
    return new Source(CLIENT2, CLIENT2_ADDRESS);
  }

  /** A traffic agent (probe.py agent) inside {@code netns}. */
  Agent agent(String netns) {
    return Agent.start(probe, netns);
  }

  static CommandRunner.Result run(String netns, String... command) {
    return CommandRunner.in(Optional.of(netns)).run(List.of(command));
  }

  static String runOk(String netns, String... command) {
    CommandRunner.Result result = run(netns, command);
    if (!result.ok()) {
      throw new IllegalStateException(result.describe());
    }
    return result.stdout();
  }

  private static void ipBatch(String netns, List<String> commands) {
    CommandRunner.Result result =
        CommandRunner.host()
            .run(List.of("ip", "-n", netns, "-batch", "-"), String.join("\n", commands) + "\n");
    if (!result.ok()) {
      throw new IllegalStateException(result.describe());
    }
  }

  private void create() {
    for (String ns : List.of(ROUTER, CLIENT1, CLIENT2, ATTACKER, MAIL, HOST)) {
      hostRun("ip", "netns", "add", ns);
      ipBatch(ns, List.of("link set lo up"));
    }
    List<String> router = new ArrayList<>();
    link(router, IFACE_PREFIX + "cl1", CLIENT1, "192.0.2.1/26", "2001:db8:c1::1/64");
    link(router, IFACE_PREFIX + "cl2", CLIENT2, "192.0.2.65/26", "2001:db8:c2::1/64");
    link(router, IFACE_PREFIX + "atk", ATTACKER, "203.0.113.1/24", "2001:db8:a7::1/64");
    link(router, IFACE_PREFIX + "mail", MAIL, "198.51.100.1/26", "2001:db8:10::1/64");
    link(router, IFACE_PREFIX + "host", HOST, "198.51.100.65/26", "2001:db8:20::1/64");
    ipBatch(ROUTER, router);
    runOk(ROUTER, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1");

    List<String> client1 = new ArrayList<>();
    for (int n = CLIENT1_FIRST; n <= CLIENT1_LAST; n++) {
      client1.add("address add 192.0.2." + n + "/26 dev eth0");
      client1.add("address add 2001:db8:c1::" + n + "/64 dev eth0 nodad");
    }
    end(CLIENT1, client1, "192.0.2.1", "2001:db8:c1::1");
    end(
        CLIENT2,
        List.of(
            "address add 192.0.2.66/26 dev eth0", "address add 2001:db8:c2::66/64 dev eth0 nodad"),
        "192.0.2.65",
        "2001:db8:c2::1");
    List<String> attacker = new ArrayList<>();
    for (int n = ATTACKER_FIRST; n <= ATTACKER_LAST; n++) {
      attacker.add("address add 203.0.113." + n + "/24 dev eth0");
      attacker.add("address add 2001:db8:a7::" + n + "/64 dev eth0 nodad");
    }
    end(ATTACKER, attacker, "203.0.113.1", "2001:db8:a7::1");
    end(
        MAIL,
        List.of(
            "address add 198.51.100.10/26 dev eth0",
            "address add 2001:db8:10::10/64 dev eth0 nodad"),
        "198.51.100.1",
        "2001:db8:10::1");
    end(
        HOST,
        List.of(
            "address add 198.51.100.70/26 dev eth0",
            "address add 2001:db8:20::70/64 dev eth0 nodad"),
        "198.51.100.65",
        "2001:db8:20::1");

    // IMAPS on the router too: the case where the mail server is the router itself (INPUT).
    startServer(ROUTER, SSH, HTTP, IMAPS);
    startServer(MAIL, IMAPS);
    startServer(HOST, SSH);
  }

  /** A veth pair from the router to {@code peer}, whose end is called eth0 there. */
  private static void link(List<String> router, String name, String peer, String v4, String v6) {
    router.add("link add " + name + " type veth peer name eth0 netns " + peer);
    router.add("address add " + v4 + " dev " + name);
    // No duplicate address detection: addresses are usable at once, no 2 s wait per link.
    router.add("address add " + v6 + " dev " + name + " nodad");
    router.add("link set " + name + " up");
  }

  private static void end(String ns, List<String> addresses, String gw4, String gw6) {
    List<String> commands = new ArrayList<>(addresses);
    commands.add("link set eth0 up");
    commands.add("route add default via " + gw4);
    commands.add("route add ::/0 via " + gw6);
    ipBatch(ns, commands);
  }

  private void startServer(String ns, int... ports) {
    List<String> command =
        new ArrayList<>(
            List.of("ip", "netns", "exec", ns, "python3", "-u", probe.toString(), "serve"));
    for (int port : ports) {
      command.add(Integer.toString(port));
    }
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      synchronized (servers) {
        servers.add(process);
      }
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      String line = out.readLine();
      if (!"ready".equals(line)) {
        throw new IllegalStateException("echo server in " + ns + " did not start: " + line);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void hostRun(String... command) {
    CommandRunner.Result result = CommandRunner.host().run(List.of(command));
    if (!result.ok()) {
      throw new IllegalStateException(result.describe());
    }
  }

  /** Namespaces with our prefix left by a run that could not clean up (killed JVM). */
  private static void removeStale() {
    for (String line :
        CommandRunner.host().run(List.of("ip", "netns", "list")).stdout().split("\n")) {
      String name = line.split(" ")[0];
      if (name.startsWith(PREFIX)) {
        deleteNamespace(name);
      }
    }
  }

  private static void deleteNamespace(String name) {
    // Processes of an earlier run of these tests may still live in it: they are ours.
    CommandRunner.Result pids = CommandRunner.host().run(List.of("ip", "netns", "pids", name));
    for (String pid : pids.stdout().split("\\s+")) {
      if (pid.matches("\\d+")) {
        ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
    CommandRunner.host().run(List.of("ip", "netns", "del", name));
  }

  @Override
  public void close() {
    cleanUp();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // Already shutting down: the hook is running or ran.
    }
  }

  private synchronized void cleanUp() {
    if (closed) {
      return;
    }
    closed = true;
    synchronized (servers) {
      for (Process server : servers) {
        server.descendants().forEach(ProcessHandle::destroy);
        server.destroy();
      }
      for (Process server : servers) {
        try {
          server.waitFor(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        server.descendants().forEach(ProcessHandle::destroyForcibly);
        server.destroyForcibly();
      }
    }
    for (String ns : List.of(CLIENT1, CLIENT2, ATTACKER, MAIL, HOST, ROUTER)) {
      deleteNamespace(ns);
    }
  }
}
