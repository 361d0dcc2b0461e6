package org.mobilessh.cli;

import java.util.concurrent.Callable;
import java.util.function.Function;
import org.mobilessh.audit.Anomaly;
import org.mobilessh.audit.RecordPrinter;
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
    return query.print(
        spec,
        Anomaly.CSV_COLUMNS,
        "anomalies",
        rows -> {
          Function<Anomaly, AuditTable.Row> row =
              a ->
                  AuditQueryOptions.matches(ip, a.address()) // matches(null, ...) is true
                      ? new AuditTable.Row(a.csvValues(), null)
                      : null;
          RecordPrinter<Anomaly> printer = rows.printer(row);
          return OneKindSink.anomalies(rows, row, printer);
        });
  }
}
