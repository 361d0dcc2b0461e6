package org.mobilessh.index;

import java.net.InetAddress;
import java.util.Map;
import org.mobilessh.parse.ConntrackEvent;
import org.mobilessh.parse.ConntrackTuple;
import org.mobilessh.parse.ConntrackType;
import org.mobilessh.parse.IpPacket;
import org.mobilessh.parse.LogEvent;
import org.mobilessh.parse.NetfilterEvent;
import org.mobilessh.parse.NoticeEvent;

/**
 * The time-free part of an event's identity: a 64-bit hash of the observer and the event's content.
 *
 * <p>The same kernel record reaches us through several sources (kern.log, syslog, the RFC 3339
 * file, dmesg, journald) with different timestamps but the same LOG fields, so the hash is taken
 * over the parsed fields rather than the line: the timestamp, the kernel's uptime stamp, the boot
 * id and the line's layout are left out. Two byte-identical LOG lines (an IPv6 SYN retransmission)
 * get the same hash; {@link Deduplicator} tells them apart by time and by their order in a source.
 *
 * <p>conntrack events hash type, tuple, conntrack id and (except on DESTROY, which ulogd2 reports
 * without one) the protocol state; counters are left out because they are absent from some sources.
 */
final class EventIdentity {
  private static final long SEED = 0x6d6f62696c657373L;
  private static final long M = 0x9E3779B97F4A7C15L;

  private EventIdentity() {}

  /** The observer-qualified content hash stored as {@code event.hash}. */
  static long of(LogEvent event, String observer) {
    return of(event, observer, null);
  }

  /** {@link #of(LogEvent, String)}, addresses read through {@code w} if not null. */
  private static long of(LogEvent event, String observer, AddressWords w) {
    long h = str(SEED, observer);
    if (event instanceof NetfilterEvent n) {
      h = netfilterRest(netfilterHead(h, n), n, w);
    } else if (event instanceof NoticeEvent n) {
      // the same logger line reaches syslog and journald: its message is its identity
      h = str(mix(h, 3), n.message());
    } else {
      h = conntrack(h, (ConntrackEvent) event, w);
    }
    return fmix(h);
  }

  /** The hash over a netfilter event's line head: the same for every line of one router's step. */
  private static long netfilterHead(long h, NetfilterEvent n) {
    h = mix(h, 1);
    h = str(h, n.prefix());
    h = str(h, n.inInterface());
    h = str(h, n.outInterface());
    h = str(h, n.physIn());
    h = str(h, n.physOut());
    return str(h, n.mac());
  }

  private static long netfilterRest(long h, NetfilterEvent n, AddressWords w) {
    h = num(h, n.uid());
    h = num(h, n.gid());
    h = num(h, n.mark());
    h = packet(h, n.packet(), w);
    for (Map.Entry<String, String> e : n.extra().entrySet()) {
      h = str(h, e.getKey());
      h = str(h, e.getValue());
    }
    return h;
  }

  /**
   * {@link EventIdentity#of} with the hash over the netfilter head (observer, prefix, interfaces,
   * MAC header: ~70 characters, one multiplication each) remembered for a few recent heads, which
   * repeat from line to line (the parser even hands out the same String objects). Same values as
   * {@code of}. One per writer thread.
   */
  static final class Memo {
    // a power of two; a router's month has six heads in the thousands (set/reject, OUT= or not,
    // IPv4/IPv6), and four made the memo miss on every other line
    private static final int SIZE = 8;
    private int last;
    private final String[][] keys = new String[SIZE][];
    private final long[] heads = new long[SIZE];
    private int next;
    private final AddressWords words = new AddressWords();

    long of(LogEvent event, String observer) {
      if (!(event instanceof NetfilterEvent n)) {
        return EventIdentity.of(event, observer, words);
      }
      return fmix(netfilterRest(head(observer, n), n, words));
    }

    private long head(String observer, NetfilterEvent n) {
      // The parser hands out the same String objects for a head it remembers, so first look for
      // the very same objects (no character compared), from the last hit on; then for equal ones.
      for (int j = 0; j < SIZE; j++) {
        int i = (last + j) & (SIZE - 1);
        String[] k = keys[i];
        if (k != null
            && k[0] == observer
            && k[1] == n.prefix()
            && k[2] == n.inInterface()
            && k[3] == n.outInterface()
            && k[4] == n.physIn()
            && k[5] == n.physOut()
            && k[6] == n.mac()) {
          last = i;
          return heads[i];
        }
      }
      for (int j = 0; j < SIZE; j++) {
        int i = (last + j) & (SIZE - 1);
        String[] k = keys[i];
        if (k != null
            && same(k[0], observer)
            && same(k[1], n.prefix())
            && same(k[2], n.inInterface())
            && same(k[3], n.outInterface())
            && same(k[4], n.physIn())
            && same(k[5], n.physOut())
            && same(k[6], n.mac())) {
          last = i;
          return heads[i];
        }
      }
      long h = netfilterHead(str(SEED, observer), n);
      int i = next;
      next = (i + 1) % SIZE;
      last = i;
      keys[i] =
          new String[] {
            observer,
            n.prefix(),
            n.inInterface(),
            n.outInterface(),
            n.physIn(),
            n.physOut(),
            n.mac()
          };
      heads[i] = h;
      return h;
    }

    private static boolean same(String a, String b) {
      return a == b || (a != null && a.equals(b));
    }
  }

  private static long packet(long h, IpPacket p, AddressWords w) {
    if (p == null) {
      return mix(h, 0);
    }
    h = mix(h, p.family().number());
    h = addr(h, p.source(), w);
    h = addr(h, p.destination(), w);
    h = num(h, p.length());
    h = num(h, p.tos());
    h = num(h, p.precedence());
    h = num(h, p.ttl());
    h = num(h, p.ipId());
    h = num(h, p.trafficClass());
    h = num(h, p.flowLabel());
    h = mix(h, (p.congestion() ? 1 : 0) | (p.dontFragment() ? 2 : 0) | (p.moreFragments() ? 4 : 0));
    h = num(h, p.fragmentOffset());
    h = num(h, p.fragmentId());
    h = str(h, p.ipOptions());
    h = num(h, p.protocolNumber());
    h = num(h, p.sourcePort());
    h = num(h, p.destinationPort());
    h = num(h, p.tcpSequence());
    h = num(h, p.tcpAcknowledgement());
    h = num(h, p.tcpWindow());
    h = num(h, p.tcpReserved());
    h = mix(h, p.tcpFlagBits());
    h = num(h, p.urgentPointer());
    h = str(h, p.tcpOptions());
    h = num(h, p.udpLength());
    h = num(h, p.icmpType());
    h = num(h, p.icmpCode());
    h = num(h, p.icmpId());
    h = num(h, p.icmpSequence());
    h = num(h, p.icmpParameter());
    h = addr(h, p.icmpGateway(), w);
    h = num(h, p.mtu());
    h = num(h, p.spi());
    h = num(h, p.incompleteBytes());
    h = mix(h, p.truncated() ? 1 : 0);
    return packet(h, p.embedded(), w);
  }

  private static long conntrack(long h, ConntrackEvent c, AddressWords w) {
    h = mix(h, 2);
    h = mix(h, c.type().bit());
    h = mix(h, c.protocolNumber());
    h = num(h, c.id());
    if (c.type() != ConntrackType.DESTROY) {
      h = str(h, c.state());
    }
    h = tuple(h, c.original(), w);
    return tuple(h, c.reply(), w);
  }

  private static long tuple(long h, ConntrackTuple t, AddressWords w) {
    if (t == null) {
      return mix(h, 0);
    }
    h = addr(h, t.source(), w);
    h = addr(h, t.destination(), w);
    h = num(h, t.sourcePort());
    h = num(h, t.destinationPort());
    h = num(h, t.icmpType());
    h = num(h, t.icmpCode());
    return num(h, t.icmpId());
  }

  private static long addr(long h, InetAddress a, AddressWords w) {
    if (a == null) {
      return mix(h, 0);
    }
    if (w != null) {
      // what the loop below computes: the length, then the bytes eight at a time, big-endian (a
      // 16-byte address's length is shifted out by its first eight bytes), then the rest (0 for
      // IPv6)
      w.of(a);
      if (w.ipv6) {
        return mix(mix(mix(h, w.high), w.low), 0);
      }
      return mix(h, 4L << 32 | w.high);
    }
    byte[] b = a.getAddress();
    long acc = b.length;
    for (int i = 0; i < b.length; i++) {
      acc = (acc << 8) | (b[i] & 0xff);
      if ((i & 7) == 7) {
        h = mix(h, acc);
        acc = 0;
      }
    }
    return mix(h, acc);
  }

  private static long num(long h, Number n) {
    return n == null ? mix(h, 0x5bd1e995L) : mix(h, n.longValue() + 1);
  }

  private static long str(long h, String s) {
    if (s == null) {
      return mix(h, 0x27d4eb2fL);
    }
    int len = s.length();
    for (int i = 0; i < len; i++) {
      h = (h ^ s.charAt(i)) * M;
    }
    return mix(h, len);
  }

  private static long mix(long h, long v) {
    h ^= v * 0xC2B2AE3D27D4EB4FL;
    h = Long.rotateLeft(h, 31) * M;
    return h;
  }

  /** MurmurHash3's 64-bit finaliser: every input bit affects every output bit. */
  private static long fmix(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return k;
  }
}
