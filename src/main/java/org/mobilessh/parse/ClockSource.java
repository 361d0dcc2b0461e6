package org.mobilessh.parse;

/**
 * Whose clock stamped an event and when, so later stages know how far to trust it (rsyslog's stamps
 * for kernel lines can be ~1 s early; the kernel's own and conntrack's are within ms).
 */
public enum ClockSource {
  /** The syslog daemon's receive time (rsyslog, syslog-ng). */
  SYSLOG,
  /** journald's receive time ({@code __REALTIME_TIMESTAMP}, short-iso-precise). */
  JOURNAL,
  /**
   * The kernel's own printk time mapped to wall-clock time (dmesg, journald source monotonic).
   * Exact relative to other kernel stamps, but the mapping is only as good as the boot time: the
   * recorded {@code sample-logs/} show {@code dmesg --time-format iso} a constant 42.4 ms earlier
   * than uptime + CLOCK_REALTIME-CLOCK_BOOTTIME (util-linux uses a whole-second boot time), and
   * rsyslog's imkmsg stamps another 0.1-0.8 s earlier still.
   */
  KERNEL,
  /** conntrack-tools' time when it read the netlink event ({@code -o timestamp}). */
  CONNTRACK,
  /** The kernel's flow start/end (nf_conntrack_timestamp) as ulogd2 reports it. */
  FLOW,
  /** The kernel's packet time as NFLOG reports it (ulogd2 {@code oob.time}). */
  NFLOG,
  /** ulogd2's write time ({@code timestamp}, 1 s resolution). */
  ULOGD_WRITE
}
