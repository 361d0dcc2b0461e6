package org.mobilessh.parse;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code journalctl -k -o json}. journald's {@code __REALTIME_TIMESTAMP} is when it received the
 * line; the kernel's own time is {@code _SOURCE_MONOTONIC_TIMESTAMP} after boot, and the boot's
 * wall-clock start is {@code __REALTIME_TIMESTAMP - __MONOTONIC_TIMESTAMP} of the same record (both
 * taken by journald at receipt). So the event time is {@code realtime - (monotonic - source
 * monotonic)}, exact to the µs, whenever all three are present.
 */
final class JournalJsonParser extends KernelLineParser {

  JournalJsonParser(ParseContext context) {
    super(context, LogFormat.JOURNAL_JSON);
  }

  @Override
  ParseResult parseLine(String line) {
    JsonNode n = Json.object(line);
    String transport = Json.text(n, "_TRANSPORT");
    String identifier = Json.text(n, "SYSLOG_IDENTIFIER");
    if (!"kernel".equals(transport) && !"kernel".equals(identifier)) {
      return notice(n, identifier);
    }
    String message = Json.message(n, "MESSAGE");
    if (message == null) {
      return skipped(SkipReason.NOT_AN_EVENT);
    }
    String host = Json.text(n, "_HOSTNAME");
    String bootId = Json.text(n, "_BOOT_ID");
    Long sourceMono = Json.number(n, "_SOURCE_MONOTONIC_TIMESTAMP");
    return kernelMessage(
        message,
        0,
        micros -> time(n),
        host == null ? context.hostname() : host,
        sourceMono,
        bootId);
  }

  /** mobilessh's audit line of a manual list change, journald's own loss marker, or a skip. */
  private ParseResult notice(JsonNode n, String identifier) {
    boolean own = Notices.TAG.equals(identifier);
    if (!own && !"systemd-journald".equals(identifier)) {
      return skipped(SkipReason.OTHER_PROGRAM);
    }
    String message = Json.message(n, "MESSAGE");
    if (message == null || !message.startsWith(own ? "list " : "Suppressed ")) {
      return skipped(SkipReason.OTHER_PROGRAM);
    }
    String host = Json.text(n, "_HOSTNAME");
    host = host == null ? context.hostname() : host;
    EventTime t = time(n);
    NoticeEvent e =
        own ? Notices.listChange(message, t, host) : Notices.journalMarker(message, t, host);
    return e == null ? skipped(SkipReason.OTHER_PROGRAM) : parsed(e);
  }

  private static EventTime time(JsonNode n) {
    String realtimeText = Json.text(n, "__REALTIME_TIMESTAMP");
    Long realtime = Json.number(n, "__REALTIME_TIMESTAMP");
    if (realtime == null) {
      throw new ParseException(Diagnostic.Reason.BAD_TIMESTAMP, "no __REALTIME_TIMESTAMP");
    }
    Long mono = Json.number(n, "__MONOTONIC_TIMESTAMP");
    Long sourceMono = Json.number(n, "_SOURCE_MONOTONIC_TIMESTAMP");
    if (mono != null && sourceMono != null && sourceMono <= mono) {
      return EventTime.explicit(
          Timestamps.ofMicros(realtime - (mono - sourceMono)),
          realtimeText,
          TimePrecision.MICROSECOND,
          ClockSource.KERNEL);
    }
    return EventTime.explicit(
        Timestamps.ofMicros(realtime),
        realtimeText,
        TimePrecision.MICROSECOND,
        ClockSource.JOURNAL);
  }
}
