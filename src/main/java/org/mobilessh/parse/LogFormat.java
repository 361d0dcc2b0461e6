package org.mobilessh.parse;

import java.util.Locale;

/** The log formats mobilessh reads, each with its parser. */
public enum LogFormat {
  /**
   * rsyslog's traditional file format and syslog-ng's default: {@code Nov 26 23:42:25 host tag:
   * msg}.
   */
  SYSLOG("syslog"),
  /**
   * rsyslog's high-precision RFC 3339 format: {@code 2026-11-26T23:42:25.123456+00:00 host tag:
   * msg}.
   */
  SYSLOG_RFC3339("syslog-rfc3339"),
  /** {@code journalctl -o short-iso-precise}: same shape as RFC 3339, stamped by journald. */
  JOURNAL_SHORT_ISO("journal-short-iso-precise"),
  /** {@code journalctl -o json}: one JSON object per line. */
  JOURNAL_JSON("journal-json"),
  /** {@code dmesg --time-format iso}: {@code 2026-11-26T23:42:25,123456+00:00 msg}. */
  DMESG_ISO("dmesg-iso"),
  /** Raw dmesg: {@code [ 75.802738] msg}, seconds since boot. */
  DMESG_RAW("dmesg-raw"),
  /** {@code conntrack -E}, plain or with {@code -o timestamp,extended,id}. */
  CONNTRACK("conntrack"),
  /** ulogd2's JSON output plugin: conntrack flows (NFCT) and packets (NFLOG). */
  ULOGD_JSON("ulogd-json");

  private final String id;

  LogFormat(String id) {
    this.id = id;
  }

  /** The name users pass to {@code --format}. */
  public String id() {
    return id;
  }

  /** Looks a format up by {@link #id()} (case-insensitive). */
  public static LogFormat ofId(String id) {
    String wanted = id.toLowerCase(Locale.ROOT);
    for (LogFormat f : values()) {
      if (f.id.equals(wanted)) {
        return f;
      }
    }
    StringBuilder known = new StringBuilder();
    for (LogFormat f : values()) {
      known.append(known.length() == 0 ? "" : ", ").append(f.id);
    }
    throw new ParseException("unknown log format '" + id + "' (known: " + known + ")");
  }

  /** A fresh parser for one input of this format. */
  public LineParser newParser(ParseContext context) {
    return switch (this) {
      case SYSLOG, SYSLOG_RFC3339, JOURNAL_SHORT_ISO -> new SyslogParser(context, this);
      case DMESG_ISO, DMESG_RAW -> new DmesgParser(context, this);
      case JOURNAL_JSON -> new JournalJsonParser(context);
      case CONNTRACK -> new ConntrackParser(context);
      case ULOGD_JSON -> new UlogdJsonParser(context);
    };
  }

  @Override
  public String toString() {
    return id;
  }
}
