package org.mobilessh.cli;

import java.util.concurrent.Callable;
import java.util.function.Function;
import org.mobilessh.audit.RecordPrinter;
import org.mobilessh.audit.Window;
import org.mobilessh.rules.Cidr;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code mobilessh windows}: when each address could have opened SSH. */
@Command(
    name = "windows",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "List the windows reconstructed from the index: the intervals in which a NEW SSH connection"
          + " from an address would have been accepted, with how each one closed (fin-remove,"
          + " expired, expired-or-removed, evicted, still-open) and how precisely the close"
          + " time is known (close_precision_s; closed_at is the latest possible close).",
      "Windows cut by the period's ends are clipped to it and marked (clipped: start, end,"
          + " both)."
    })
final class WindowsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin AuditQueryOptions query;

  @Override
  public Integer call() {
    query.validate();
    Cidr ip = query.cidr();
    return query.print(
        spec,
        Window.CSV_COLUMNS,
        "windows",
        rows -> {
          Function<Window, AuditTable.Row> row =
              w ->
                  AuditQueryOptions.matches(ip, w.source())
                      ? new AuditTable.Row(w.csvValues(), w.evidence())
                      : null;
          ThreadLocal<CsvBytes> csv = ThreadLocal.withInitial(CsvBytes::new);
          RecordPrinter<Window> printer =
              rows.printer(
                  row,
                  (w, out) ->
                      !AuditQueryOptions.matches(ip, w.source()) || csv.get().window(w, out));
          return OneKindSink.windows(rows, row, printer);
        });
  }
}
