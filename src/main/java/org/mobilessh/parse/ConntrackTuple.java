package org.mobilessh.parse;

import java.net.InetAddress;

/**
 * One direction of a conntrack entry. The original tuple is the connection as its initiator sent
 * it; the reply tuple is what the answer looks like (it differs from the swapped original under
 * NAT).
 *
 * @param source {@code src=}
 * @param destination {@code dst=}
 * @param sourcePort {@code sport=} (TCP/UDP/SCTP/DCCP/UDPLITE), else {@code null}
 * @param destinationPort {@code dport=}, else {@code null}
 * @param icmpType {@code type=} (ICMP), else {@code null}
 * @param icmpCode {@code code=} (ICMP), else {@code null}
 * @param icmpId {@code id=} inside an ICMP tuple, else {@code null}
 * @param packets {@code packets=} with nf_conntrack_acct=1, else {@code null}
 * @param bytes {@code bytes=} with nf_conntrack_acct=1, else {@code null}
 * @param zone {@code zone-orig=} / {@code zone-reply=}, else {@code null}
 */
public record ConntrackTuple(
    InetAddress source,
    InetAddress destination,
    Integer sourcePort,
    Integer destinationPort,
    Integer icmpType,
    Integer icmpCode,
    Integer icmpId,
    Long packets,
    Long bytes,
    Integer zone) {}
