package org.mobilessh.audit;

import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.mobilessh.rules.Family;

/**
 * An interval during which a NEW SSH connection from {@code source} would have been accepted by
 * {@code observer}: from a {@code set} line (the address entered the list, or re-entered it after
 * going stale) to the close. Windows of one address and observer never overlap.
 *
 * <p>The close is known as an interval: the true close lies in {@code [closedAtEarliest,
 * closedAt]}, widened by the clock uncertainty of the times involved; {@code closePrecisionS} is
 * that width. {@code closedAt} is the <em>latest</em> time consistent with the evidence (the
 * conservative answer to "could SSH have been opened then?").
 *
 * @param observer the router ({@code observer.hostname})
 * @param source the client address
 * @param openedAt when the address entered the list
 * @param openPrecisionS seconds {@code openedAt} may be off (the clock of the line used)
 * @param closedAt latest possible close; {@code null} when {@link CloseReason#STILL_OPEN}
 * @param closedAtEarliest earliest possible close
 * @param closeReason how the close was determined
 * @param closePrecisionS width of the close interval plus clock uncertainty; {@code null} when
 *     still open
 * @param sshSessions SSH sessions accepted in this window
 * @param clippedStart the window opened before the period it was clipped to
 * @param clippedEnd the window closed (or may close) after the period it was clipped to
 * @param evidence the lines it was derived from: the set line, accept lines, the line that closed
 *     it and the conntrack events that bound its last refresh
 * @param openedBy what put the address into the list: an IMAPS packet ({@code set} line) or a
 *     manual {@code mobilessh list add} (its syslog line)
 */
public record Window(
    String observer,
    InetAddress source,
    Instant openedAt,
    double openPrecisionS,
    Instant closedAt,
    Instant closedAtEarliest,
    CloseReason closeReason,
    Double closePrecisionS,
    int sshSessions,
    boolean clippedStart,
    boolean clippedEnd,
    List<SourceLine> evidence,
    Opening openedBy) {

  /** What opened a window. {@link #id()} is what tables, CSV and JSON print. */
  public enum Opening {
    /** An ESTABLISHED IMAPS packet from an absent or stale address: the {@code set} LOG line. */
    SET("set"),
    /** {@code mobilessh list add} by hand: its audit line in syslog, no IMAPS involved. */
    LIST_ADD("list-add");

    private final String id;

    Opening(String id) {
      this.id = id;
    }

    public String id() {
      return id;
    }

    @Override
    public String toString() {
      return id;
    }
  }

  /** CSV columns, in order (issue 4); more may follow these. */
  public static final List<String> CSV_COLUMNS =
      List.of(
          "source_ip",
          "opened_at",
          "closed_at",
          "close_reason",
          "close_precision_s",
          "duration_s",
          "ssh_sessions",
          "observer",
          "closed_at_earliest",
          "open_precision_s",
          "clipped",
          "opened_by");

  public Window {
    Objects.requireNonNull(observer, "observer");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(openedAt, "openedAt");
    Objects.requireNonNull(closedAtEarliest, "closedAtEarliest");
    Objects.requireNonNull(closeReason, "closeReason");
    Objects.requireNonNull(openedBy, "openedBy");
    evidence = List.copyOf(evidence);
  }

  public Family family() {
    return Family.of(source);
  }

  /** Seconds from open to the latest possible close; {@code null} while still open. */
  public Double durationS() {
    return AuditFormat.between(openedAt, closedAt);
  }

  /** Whether the window may have been open at {@code t}. */
  public boolean mayBeOpenAt(Instant t) {
    return !t.isBefore(openedAt) && (closedAt == null || t.isBefore(closedAt));
  }

  /** The values of {@link #CSV_COLUMNS}. */
  public List<String> csvValues() {
    return List.of(
        AuditFormat.address(source),
        AuditFormat.time(openedAt),
        AuditFormat.time(closedAt),
        closeReason.id(),
        AuditFormat.seconds(closePrecisionS),
        AuditFormat.seconds(durationS()),
        Integer.toString(sshSessions),
        observer,
        AuditFormat.time(closedAtEarliest),
        AuditFormat.seconds(openPrecisionS),
        clippedStart && clippedEnd ? "both" : clippedStart ? "start" : clippedEnd ? "end" : "",
        openedBy.id());
  }

  /**
   * This window seen through the period {@code [from, to)}: empty if it does not reach into it,
   * else with its times cut to the period and the cut ends marked. A window open across a month
   * boundary belongs to both months.
   */
  public java.util.Optional<Window> clip(Instant from, Instant to) {
    if (!openedAt.isBefore(to) || (closedAt != null && !closedAt.isAfter(from))) {
      return java.util.Optional.empty();
    }
    boolean cutStart = openedAt.isBefore(from);
    boolean cutEnd = closedAt == null || closedAt.isAfter(to);
    if (!cutStart && !cutEnd) {
      return java.util.Optional.of(this);
    }
    Instant open = cutStart ? from : openedAt;
    Instant close = cutEnd ? to : closedAt;
    Instant earliest = closedAtEarliest.isAfter(close) ? close : closedAtEarliest;
    if (earliest.isBefore(open)) {
      earliest = open;
    }
    Double precision = AuditFormat.between(earliest, close);
    return java.util.Optional.of(
        new Window(
            observer,
            source,
            open,
            cutStart ? 0 : openPrecisionS,
            close,
            earliest,
            closeReason,
            cutEnd ? precision : closePrecisionS,
            sshSessions,
            clippedStart || cutStart,
            clippedEnd || cutEnd,
            evidence,
            openedBy));
  }
}
