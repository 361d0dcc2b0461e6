package org.mobilessh.cli;

import java.util.concurrent.Callable;
import java.util.function.Function;
import org.mobilessh.audit.RecordPrinter;
import org.mobilessh.audit.Session;
import org.mobilessh.rules.Cidr;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code mobilessh sessions}: the SSH connections that were let in. */
@Command(
    name = "sessions",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "List the accepted SSH sessions (accept lines) accepted in the period, joined with their"
          + " conntrack flow for end, duration and bytes when the index has it, and the window"
          + " each was accepted in (window_opened_at; empty: no window was open, see"
          + " 'mobilessh anomalies')."
    })
final class SessionsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin AuditQueryOptions query;

  @Override
  public Integer call() {
    query.validate();
    Cidr ip = query.cidr();
    return query.print(
        spec,
        Session.CSV_COLUMNS,
        "sessions",
        rows -> {
          Function<Session, AuditTable.Row> row =
              s ->
                  AuditQueryOptions.matches(ip, s.source())
                      ? new AuditTable.Row(s.csvValues(), s.evidence())
                      : null;
          RecordPrinter<Session> printer = rows.printer(row);
          return OneKindSink.sessions(rows, row, printer);
        });
  }
}
