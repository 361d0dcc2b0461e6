package org.mobilessh.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.mobilessh.audit.Anomaly;
import org.mobilessh.rules.Cidr;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code mobilessh anomalies}: what the model does not explain, with the lines behind it. */
@Command(
    name = "anomalies",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "List what the reconstruction cannot explain, each with the lines behind it (file:line):"
          + " sessions accepted with no open window, windows with no IMAPS flow, entries evicted"
          + " while fresh, unexplained refreshes, rate-limit markers, more addresses than"
          + " ip_list_tot, clocks going backwards, sources that stopped.",
      "With --ip, anomalies about no particular address are left out."
    })
final class AnomaliesCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin AuditQueryOptions query;

  @Override
  public Integer call() {
    query.validate();
    Cidr ip = query.cidr();
    List<AuditTable.Row> rows =
        query.reconstruct(query.period()).period().anomalies().stream()
            .filter(a -> ip == null || AuditQueryOptions.matches(ip, a.address()))
            .map(a -> new AuditTable.Row(a.csvValues(), null))
            .toList();
    return AuditTable.print(spec, Anomaly.CSV_COLUMNS, rows, query.outputFormat(), "anomalies");
  }
}
