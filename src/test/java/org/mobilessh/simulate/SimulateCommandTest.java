package org.mobilessh.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;
import org.mobilessh.cli.MobilesshCommand;
import picocli.CommandLine;

/** {@code mobilessh simulate} through the real command line. */
class SimulateCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cl = MobilesshCommand.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    return cl.execute(args);
  }

  @Test
  void writesAMonthPerRouterAndSummarisesIt() throws Exception {
    Path dir = Paths.get("target", "simulate-cli");
    SimulatorTest.deleteTree(dir);
    int code =
        run(
            "simulate",
            "--out",
            dir.toString(),
            "--month",
            "2026-02",
            "--seed",
            "5",
            "--routers",
            "2",
            "--clients",
            "1",
            "--scale",
            "0.02",
            "--seconds",
            "30",
            "--tz",
            "Europe/Berlin");
    assertThat(err.toString()).isEmpty();
    assertThat(code).isZero();
    assertThat(out.toString())
        .contains("router1: ", "router2: ", "kernel LOG lines (set ")
        .contains("simulated 2026-02 (Europe/Berlin, seed 5)");
    for (String r : new String[] {"router1", "router2"}) {
      assertThat(dir.resolve(r).resolve("kern.log")).isNotEmptyFile();
      assertThat(dir.resolve(r).resolve("syslog")).isNotEmptyFile();
      assertThat(dir.resolve(r).resolve("conntrack.log")).isNotEmptyFile();
      assertThat(Simulator.groundTruth(dir, r)).isNotEmptyFile();
    }
    String meta = SimulatorTest.readTruth(Simulator.groundTruth(dir, "router2")).get(0).toString();
    assertThat(meta)
        .contains("\"window_seconds\":30", "\"zone\":\"Europe/Berlin\"", "\"seed\":5")
        .contains("\"router_hostname\":\"router2\"");
    assertThat(Files.readString(dir.resolve("router1/kern.log"))).startsWith("Feb ");
  }

  @Test
  void theCommittedSampleMonthIsWhatItsReadmeCommandWrites() throws Exception {
    Path committed = Paths.get("sample-logs", "month", "router1");
    Path dir = Paths.get("target", "simulate-sample-month");
    SimulatorTest.deleteTree(dir);
    int code =
        run(
            "simulate",
            "--out",
            dir.toString(),
            "--month",
            "2026-10",
            "--seed",
            "1",
            "--scale",
            "small");
    assertThat(code).isZero();
    Path fresh = dir.resolve("router1");
    assertThat(SimulatorTest.names(fresh)).isEqualTo(SimulatorTest.names(committed));
    for (String name : SimulatorTest.names(committed)) {
      assertThat(Files.mismatch(fresh.resolve(name), committed.resolve(name)))
          .as("%s differs: regenerate sample-logs/month (see its README)", name)
          .isEqualTo(-1L);
    }
    assertThat(
            Files.mismatch(
                Simulator.groundTruth(dir, "router1"),
                Simulator.groundTruth(committed.getParent(), "router1")))
        .isEqualTo(-1L);
  }

  @Test
  void namedScalesAreAccepted() {
    assertThat(SimulationSpec.scaleOf("small")).isEqualTo(0.05);
    assertThat(SimulationSpec.scaleOf("LARGE")).isEqualTo(SimulationSpec.LARGE);
    assertThat(SimulationSpec.scaleOf("2.5")).isEqualTo(2.5);
  }

  @Test
  void badOptionsAreUsageErrors() {
    assertThat(run("simulate", "--out", "target/x", "--month", "2026-13")).isEqualTo(2);
    assertThat(err.toString()).contains("--month must be YYYY-MM, got '2026-13'");
    assertThat(run("simulate", "--out", "target/x", "--scale", "huge")).isEqualTo(2);
    assertThat(err.toString()).contains("--scale must be small, medium, large or a number");
    assertThat(run("simulate", "--out", "target/x", "--tz", "Mars/Olympus")).isEqualTo(2);
    assertThat(err.toString()).contains("unknown zone 'Mars/Olympus'");
    assertThat(run("simulate", "--out", "target/x", "--routers", "0")).isEqualTo(2);
    assertThat(err.toString()).contains("--routers must be 1..9, got 0");
    assertThat(run("simulate", "--out", "target/x", "--seconds", "0")).isEqualTo(2);
    assertThat(run("simulate")).isEqualTo(2);
    assertThat(err.toString()).contains("Missing required option: '--out=DIR'");
  }
}
