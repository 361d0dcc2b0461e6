package org.mobilessh.cli;

import java.util.List;
import java.util.concurrent.Callable;
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
    List<AuditTable.Row> rows =
        query.reconstruct(query.period()).period().windows().stream()
            .filter(w -> AuditQueryOptions.matches(ip, w.source()))
            .map(w -> new AuditTable.Row(w.csvValues(), w.evidence()))
            .toList();
    return AuditTable.print(spec, Window.CSV_COLUMNS, rows, query.outputFormat(), "windows");
  }
}
