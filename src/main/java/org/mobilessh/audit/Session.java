package org.mobilessh.audit;

import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.mobilessh.rules.Family;

/**
 * An SSH connection accepted through an open window (an {@code accept} line), joined with its
 * conntrack flow when one is found (same original tuple, created within the clocks' uncertainty of
 * the line) for its end, duration and bytes. Sessions may outlive their window: the window governs
 * only NEW connections.
 *
 * @param observer the router
 * @param source client address
 * @param sourcePort client port ({@code SPT})
 * @param destination SSH target (the router or a protected host)
 * @param destinationPort SSH port
 * @param acceptedAt when the SYN was accepted (the flow's NEW event when matched, else the line)
 * @param acceptPrecisionS seconds {@code acceptedAt} may be off
 * @param endedAt the flow's last state change (both FINs or an RST seen); if the flow only shows
 *     its DESTROY, that time (an upper bound, see {@code endPrecisionS}); {@code null} without a
 *     flow or while it still runs at the end of the data
 * @param endPrecisionS seconds {@code endedAt} may be early or late; {@code null} with it
 * @param bytesIn bytes client to server (original direction, headers included), from the DESTROY
 *     event's accounting; {@code null} if unknown
 * @param bytesOut bytes server to client (reply direction)
 * @param packetsIn packets client to server
 * @param packetsOut packets server to client
 * @param conntrackId the flow's conntrack id, {@code null} without a flow
 * @param windowOpenedAt {@link Window#openedAt()} of the window it was accepted in; {@code null}
 *     when no window was open (that raises an {@link Anomaly})
 * @param outlivesWindow the session may have run on after its window closed: it ended (or still
 *     runs) later than the window's earliest possible close (more than the clocks' uncertainty)
 * @param evidence the accept line(s) (a retransmitted SYN writes another) and the flow's events
 */
public record Session(
    String observer,
    InetAddress source,
    int sourcePort,
    InetAddress destination,
    int destinationPort,
    Instant acceptedAt,
    double acceptPrecisionS,
    Instant endedAt,
    Double endPrecisionS,
    Long bytesIn,
    Long bytesOut,
    Long packetsIn,
    Long packetsOut,
    Long conntrackId,
    Instant windowOpenedAt,
    boolean outlivesWindow,
    List<SourceLine> evidence) {

  /** CSV columns, in order (issue 4); more may follow these. */
  public static final List<String> CSV_COLUMNS =
      List.of(
          "source_ip",
          "source_port",
          "destination_ip",
          "destination_port",
          "accepted_at",
          "ended_at",
          "duration_s",
          "bytes_in",
          "bytes_out",
          "window_opened_at",
          "observer",
          "conntrack_id",
          "outlives_window");

  public Session {
    Objects.requireNonNull(observer, "observer");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(destination, "destination");
    Objects.requireNonNull(acceptedAt, "acceptedAt");
    evidence = List.copyOf(evidence);
  }

  public Family family() {
    return Family.of(source);
  }

  /** Seconds from accept to end; {@code null} when the end is unknown. */
  public Double durationS() {
    return AuditFormat.between(acceptedAt, endedAt);
  }

  /** The values of {@link #CSV_COLUMNS}. */
  public List<String> csvValues() {
    return List.of(
        AuditFormat.address(source),
        Integer.toString(sourcePort),
        AuditFormat.address(destination),
        Integer.toString(destinationPort),
        AuditFormat.time(acceptedAt),
        AuditFormat.time(endedAt),
        AuditFormat.seconds(durationS()),
        AuditFormat.number(bytesIn),
        AuditFormat.number(bytesOut),
        AuditFormat.time(windowOpenedAt),
        observer,
        AuditFormat.number(conntrackId),
        Boolean.toString(outlivesWindow));
  }
}
