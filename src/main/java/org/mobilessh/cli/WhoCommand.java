package org.mobilessh.cli;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.mobilessh.audit.AuditFormat;
import org.mobilessh.audit.AuditSink;
import org.mobilessh.audit.Session;
import org.mobilessh.audit.Window;
import org.mobilessh.rules.Cidr;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mobilessh who --at TIME}: who could open SSH at an instant, and who was logged in. */
@Command(
    name = "who",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Which addresses had an open window at an instant (a NEW SSH connection from them would"
          + " have been accepted; a window counts until its latest possible close), and which SSH"
          + " sessions ran then (accepted before, not ended; an unknown end counts as running).",
      "One row per window (record=window: since=opened_at, until=closed_at) and per session"
          + " (record=session: since=accepted_at, until=ended_at)."
    })
final class WhoCommand implements Callable<Integer> {
  /** Columns of the output, in order. */
  static final List<String> COLUMNS =
      List.of(
          "record",
          "source_ip",
          "since",
          "until",
          "close_reason",
          "source_port",
          "destination_ip",
          "destination_port",
          "observer");

  @Spec CommandSpec spec;

  @Mixin AuditQueryOptions query;

  @Option(
      names = "--at",
      required = true,
      paramLabel = "TIME",
      description = "The instant (ISO 8601, e.g. 2026-11-27T01:15:30.5Z; no offset = UTC).")
  String at;

  @Override
  public Integer call() {
    if (query.from != null || query.to != null || query.month != null) {
      throw new IllegalArgumentException("who takes --at TIME, not --from, --to or --month");
    }
    Instant t = AuditQueryOptions.time("--at", at);
    query.validate();
    Cidr ip = query.cidr();
    // everything reconstructed from the events around the instant, not clipped to it: sessions
    // accepted before it are not "in" a one-instant period, yet they run at it. Streamed, so only
    // the rows are held.
    List<AuditTable.Row> windows = new ArrayList<>();
    List<AuditTable.Row> sessions = new ArrayList<>();
    query.streamRead(
        spec,
        new AuditQueryOptions.Period(t, t.plusNanos(1000)),
        new AuditSink() {
          @Override
          public boolean wantsRejections() {
            return false;
          }

          @Override
          public boolean wantsAnomalies() {
            return false;
          }

          @Override
          public void window(Window w) {
            if (w.mayBeOpenAt(t) && AuditQueryOptions.matches(ip, w.source())) {
              windows.add(
                  new AuditTable.Row(
                      List.of(
                          "window",
                          AuditFormat.address(w.source()),
                          AuditFormat.time(w.openedAt()),
                          AuditFormat.time(w.closedAt()),
                          w.closeReason().id(),
                          "",
                          "",
                          "",
                          w.observer()),
                      w.evidence()));
            }
          }

          @Override
          public void session(Session s) {
            boolean running =
                !s.acceptedAt().isAfter(t) && (s.endedAt() == null || s.endedAt().isAfter(t));
            if (running && AuditQueryOptions.matches(ip, s.source())) {
              sessions.add(
                  new AuditTable.Row(
                      List.of(
                          "session",
                          AuditFormat.address(s.source()),
                          AuditFormat.time(s.acceptedAt()),
                          AuditFormat.time(s.endedAt()),
                          "",
                          Integer.toString(s.sourcePort()),
                          AuditFormat.address(s.destination()),
                          Integer.toString(s.destinationPort()),
                          s.observer()),
                      s.evidence()));
            }
          }
        });
    List<AuditTable.Row> rows = new ArrayList<>(windows);
    rows.addAll(sessions);
    return AuditTable.print(
        spec,
        COLUMNS,
        rows,
        true,
        query.outputFormat(),
        "open windows or running sessions at " + at);
  }
}
