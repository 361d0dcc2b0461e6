package org.mobilessh.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mobilessh.cli.MobilesshCommand;
import org.mobilessh.rules.Family;
import org.mobilessh.rules.SectionedFile;
import org.mobilessh.rules.Snapshots;
import picocli.CommandLine;

/**
 * The simulator's {@code iptables-save -c} text is what a real kernel prints: the ruleset installed
 * with a router's options by {@code rules install} in a fresh network namespace, read back with
 * {@code iptables-save -c} / {@code ip6tables-save -c}, equals {@link RouterSnapshot#save} with
 * zero counters, line for line (the date comments aside) — for the router the capture was taken for
 * and for others, whose addresses and N the simulator substitutes. A live {@code rules snapshot} of
 * the namespace carries the same sections and the kernel clock headers.
 */
class SimulatedSnapshotIT {
  private static final Path SCRATCH = Path.of("target", "it-scratch", "simulated-snapshot");

  @BeforeAll
  static void root() throws IOException {
    boolean root = ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    if (!root && "true".equals(System.getenv("CI"))) {
      fail("CI=true but this test needs root (ip netns, iptables-restore)");
    }
    assumeTrue(root, "needs root (ip netns, iptables-restore)");
    Files.createDirectories(SCRATCH);
  }

  @ParameterizedTest
  @CsvSource({"1, 60", "2, 45", "7, 300"})
  void theSimulatedSaveIsTheKernelsForThatRouterAndN(int n, int seconds) throws Exception {
    String ns = "mrg-sim-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(3));
    run("ip", "netns", "add", ns);
    try {
      Router router = new Router(n);
      List<String> install =
          new ArrayList<>(
              List.of(
                  "rules",
                  "install",
                  "--netns",
                  ns,
                  "--backup-dir",
                  SCRATCH.resolve("backups").toString()));
      install.addAll(RouterSnapshot.installOptions(router, seconds));
      cli(install);
      Path file = SCRATCH.resolve(ns + ".snap");
      cli(List.of("rules", "snapshot", "--netns", ns, "--out", file.toString()));
      SectionedFile live = SectionedFile.parse(Files.readString(file));
      assertThat(live.headers()).containsKeys("jiffies", "jiffies_read_at", "hz");
      assertThat(Snapshots.kernelClock(live)).isPresent();
      for (Family f : Family.values()) {
        String kernel = run("ip", "netns", "exec", ns, f.tool() + "-save", "-c");
        String simulated = RouterSnapshot.save(router, seconds, f, null, "(date)");
        assertThat(withoutComments(simulated))
            .as(f + " router" + n)
            .isEqualTo(withoutComments(kernel));
        assertThat(withoutComments(live.sections().get(f.tool() + "-save -c")))
            .isEqualTo(withoutComments(kernel));
        assertThat(simulated).contains("--seconds " + seconds + " ");
      }
    } finally {
      run("ip", "netns", "del", ns);
    }
  }

  private static List<String> withoutComments(String save) {
    return save.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).toList();
  }

  private static void cli(List<String> args) {
    StringWriter out = new StringWriter();
    CommandLine cl = MobilesshCommand.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(out, true));
    int code = cl.execute(args.toArray(String[]::new));
    assertThat(code).as(args + ": " + out).isZero();
  }

  private static String run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(String.join(" ", command) + ": " + out).isZero();
    return out;
  }
}
