package org.mobilessh.audit;

import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.mobilessh.parse.Protocol;
import org.mobilessh.parse.TcpFlag;
import org.mobilessh.rules.Family;

/**
 * One logged {@code reject} line: an SSH packet reset by step 5. Rejected connections leave no
 * conntrack event, so the line is all there is; its LOG is rate-limited, so lines are a sample and
 * only counters ({@link RejectTotals}) give exact totals.
 *
 * @param observer the router
 * @param at when the packet was logged
 * @param precisionS seconds {@code at} may be off (its clock)
 * @param source client address
 * @param sourcePort client port, {@code null} for non-TCP/UDP packets
 * @param destination the SSH target
 * @param destinationPort the SSH port
 * @param protocol transport protocol
 * @param tcpFlags the packet's TCP flags (a SYN is a connection attempt)
 * @param sampled after this line the reject LOG's rate limit (per source or overall, replayed as
 *     token buckets with the configured rates) had no token left: further attempts right after it
 *     were not logged, so this line may stand for more attempts than itself
 * @param evidence the line
 */
public record Rejection(
    String observer,
    Instant at,
    double precisionS,
    InetAddress source,
    Integer sourcePort,
    InetAddress destination,
    Integer destinationPort,
    Protocol protocol,
    Set<TcpFlag> tcpFlags,
    boolean sampled,
    SourceLine evidence) {

  /** CSV columns, in order (issue 4); more may follow these. */
  public static final List<String> CSV_COLUMNS =
      List.of(
          "at",
          "source_ip",
          "source_port",
          "destination_ip",
          "destination_port",
          "protocol",
          "tcp_flags",
          "sampled",
          "observer");

  public Rejection {
    Objects.requireNonNull(observer, "observer");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(destination, "destination");
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(evidence, "evidence");
    tcpFlags = Set.copyOf(tcpFlags);
  }

  public Family family() {
    return Family.of(source);
  }

  /** The flags in the kernel's print order, space separated ({@code SYN}, {@code ACK FIN}). */
  public String tcpFlagText() {
    return java.util.Arrays.stream(TcpFlag.values())
        .filter(tcpFlags::contains)
        .map(Enum::name)
        .collect(Collectors.joining(" "));
  }

  /** The values of {@link #CSV_COLUMNS}. */
  public List<String> csvValues() {
    return List.of(
        AuditFormat.time(at),
        AuditFormat.address(source),
        AuditFormat.number(sourcePort),
        AuditFormat.address(destination),
        AuditFormat.number(destinationPort),
        protocol.ecsName(),
        tcpFlagText(),
        Boolean.toString(sampled),
        observer);
  }
}
