package org.mobilessh.cli;

import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.Callable;
import org.mobilessh.simulate.SimulationSpec;
import org.mobilessh.simulate.Simulator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mobilessh simulate}: writes a deterministic month of router logs and its ground truth. */
@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Write a simulated month of router logs: phones, laptops, an admin's SSH sessions and the"
          + " internet's scanners, replayed through a model of the ruleset in the kernel.",
      "Per router DIR/routerN/ gets kern.log and syslog (rsyslog traditional format), conntrack.log"
          + " (conntrack -E -o timestamp,extended,id), each rotated weekly like logrotate"
          + " (NAME, NAME.1, NAME.2.gz ...), and three rules snapshot files (after boot the evening"
          + " before the month, on the 16th, on the 1st of the next month: YYYY-MM-DD.snap, counters"
          + " and lists of the model); beside it DIR/routerN.ground-truth.jsonl.gz (windows,"
          + " connections, rejects, snapshots, line counts). The same options and seed give"
          + " byte-identical files."
    })
final class SimulateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "DIR",
      description = "Output directory (created; files in it are replaced).")
  Path out;

  @Option(
      names = "--month",
      paramLabel = "YYYY-MM",
      description = "Month to simulate, in --tz. Default: the last complete month.")
  String month;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "Random seed. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(
      names = "--routers",
      defaultValue = "1",
      paramLabel = "N",
      description = "Routers, 1..9, each with its own site and clients. Default: ${DEFAULT-VALUE}.")
  int routers;

  @Option(
      names = "--clients",
      paramLabel = "N",
      description = "Phones and laptops per router (plus one admin). Default: from --scale.")
  Integer clients;

  @Option(
      names = "--scale",
      defaultValue = "medium",
      paramLabel = "small|medium|large|F",
      description =
          "Traffic volume: small (the committed sample month), medium, large (~1,000,000 kernel"
              + " LOG lines per router, for benchmarks) or a factor. Default: ${DEFAULT-VALUE}.")
  String scale;

  @Option(
      names = "--seconds",
      defaultValue = "60",
      paramLabel = "N",
      description = "The ruleset's window length N. Default: ${DEFAULT-VALUE}.")
  int seconds;

  @Option(
      names = "--tz",
      defaultValue = "UTC",
      paramLabel = "ZONE",
      description =
          "The routers' local zone (syslog stamps, logrotate). Default: ${DEFAULT-VALUE}.")
  String tz;

  @Override
  public Integer call() {
    ZoneId zone;
    try {
      zone = ZoneId.of(tz);
    } catch (DateTimeException e) {
      throw new IllegalArgumentException("--tz: unknown zone '" + tz + "'");
    }
    YearMonth ym;
    try {
      ym = month == null ? YearMonth.now(zone).minusMonths(1) : YearMonth.parse(month);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("--month must be YYYY-MM, got '" + month + "'");
    }
    if (ym.getYear() < 1970 || ym.getYear() > 2261) {
      // what ingest and the audit take; 9999-01 said only "long overflow"
      throw new IllegalArgumentException(
          "--month must lie between 1970-01 and 2261-12, got '" + month + "'");
    }
    double factor = SimulationSpec.scaleOf(scale);
    int n = clients == null ? SimulationSpec.defaultClients(factor) : clients;
    SimulationSpec s = new SimulationSpec(ym, seed, routers, n, factor, seconds, zone);
    long started = System.nanoTime();
    List<Simulator.RouterResult> results = Simulator.run(s, out);
    var w = spec.commandLine().getOut();
    for (Simulator.RouterResult r : results) {
      w.printf(
          "%s: %d kernel LOG lines (set %d, remove %d, accept %d, reject %d), %d conntrack"
              + " events, %d windows, %d connections -> %s%n",
          r.hostname(),
          r.logLinesTotal(),
          r.logLines().get("set"),
          r.logLines().get("remove"),
          r.logLines().get("accept"),
          r.logLines().get("reject"),
          r.conntrackLines().values().stream().mapToLong(Long::longValue).sum(),
          r.windows(),
          r.connections(),
          r.directory());
    }
    w.printf(
        "simulated %s (%s, seed %d) in %.1f s%n",
        ym, zone.getId(), seed, (System.nanoTime() - started) / 1e9);
    w.flush();
    return ExitCodes.OK;
  }
}
