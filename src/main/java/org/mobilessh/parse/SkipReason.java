package org.mobilessh.parse;

/** Why a line was skipped without being an error. Skips are counted, not quarantined. */
public enum SkipReason {
  /** An empty or whitespace-only line. */
  BLANK,
  /** A line of another program (sshd, cron, ...) in a syslog file. */
  OTHER_PROGRAM,
  /** A kernel line that is not netfilter LOG output (driver messages, ...). */
  NOT_NETFILTER,
  /** Tool chatter: journalctl's "-- Boot ... --" lines, conntrack's final "n flow events" line. */
  TOOL_MESSAGE,
  /** A ulogd2/journald record that is neither a flow nor a packet (no addresses). */
  NOT_AN_EVENT
}
