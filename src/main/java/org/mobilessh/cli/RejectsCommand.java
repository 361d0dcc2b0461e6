package org.mobilessh.cli;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.mobilessh.audit.RecordPrinter;
import org.mobilessh.audit.Rejection;
import org.mobilessh.rules.Cidr;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code mobilessh rejects}: the logged SSH attempts that were reset. */
@Command(
    name = "rejects",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "List the logged rejections (reject lines) in the period. The reject LOG is rate-limited:"
          + " sampled=true marks a line after which the limit had no token left, so it may stand"
          + " for more attempts than itself; only the rule counters give exact totals."
    })
final class RejectsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin AuditQueryOptions query;

  @Override
  public Integer call() {
    query.validate();
    Cidr ip = query.cidr();
    return query.print(
        spec,
        Rejection.CSV_COLUMNS,
        "rejects",
        rows -> {
          Function<Rejection, AuditTable.Row> row =
              r ->
                  AuditQueryOptions.matches(ip, r.source())
                      ? new AuditTable.Row(r.csvValues(), List.of(r.evidence()))
                      : null;
          RecordPrinter<Rejection> printer = rows.printer(row);
          return OneKindSink.rejections(rows, row, printer);
        });
  }
}
