package org.mobilessh.parse;

import java.time.Instant;
import java.time.LocalDate;

/** Fast ISO 8601 / RFC 3339 timestamp scanning, as the log formats write them. */
final class Timestamps {
  private Timestamps() {}

  /** A parsed timestamp: epoch µs plus how many fraction digits the text had. */
  record Iso(long epochMicros, int fractionDigits, boolean hadOffset) {
    Instant instant() {
      return Instant.ofEpochSecond(
          Math.floorDiv(epochMicros, 1_000_000L), Math.floorMod(epochMicros, 1_000_000L) * 1000L);
    }
  }

  /**
   * {@code YYYY-MM-DDTHH:MM:SS[(.|,)fraction][Z|±HH:MM|±HHMM|±HH]} in {@code s[from, to)}. The
   * comma is dmesg's; {@code ±HHMM} is ulogd2's and older journalctl's. Without an offset the time
   * is taken as UTC (ulogd2 omits it exactly when the offset is zero).
   */
  static Iso parseIso(String s, int from, int to) {
    if (to - from < 19
        || s.charAt(from + 4) != '-'
        || s.charAt(from + 7) != '-'
        || (s.charAt(from + 10) != 'T' && s.charAt(from + 10) != ' ')
        || s.charAt(from + 13) != ':'
        || s.charAt(from + 16) != ':') {
      throw badTime(s, from, to);
    }
    int year = Text.twoDigits(s, from, "year") * 100 + Text.twoDigits(s, from + 2, "year");
    int month = Text.twoDigits(s, from + 5, "month");
    int day = Text.twoDigits(s, from + 8, "day");
    int hour = Text.twoDigits(s, from + 11, "hour");
    int minute = Text.twoDigits(s, from + 14, "minute");
    int second = Text.twoDigits(s, from + 17, "second");
    int i = from + 19;
    long micros = 0;
    int digits = 0;
    if (i < to && (s.charAt(i) == '.' || s.charAt(i) == ',')) {
      i++;
      while (i < to && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
        if (digits < 6) {
          micros = micros * 10 + (s.charAt(i) - '0');
        }
        digits++;
        i++;
      }
      if (digits == 0) {
        throw badTime(s, from, to);
      }
      for (int d = digits; d < 6; d++) {
        micros *= 10;
      }
    }
    int offsetSeconds = 0;
    boolean hadOffset = false;
    if (i < to) {
      char c = s.charAt(i);
      if (c == 'Z' && i + 1 == to) {
        hadOffset = true;
      } else if ((c == '+' || c == '-') && (to - i == 3 || to - i == 5 || to - i == 6)) {
        int oh = Text.twoDigits(s, i + 1, "offset");
        int om = 0;
        if (to - i == 5) {
          om = Text.twoDigits(s, i + 3, "offset");
        } else if (to - i == 6) {
          if (s.charAt(i + 3) != ':') {
            throw badTime(s, from, to);
          }
          om = Text.twoDigits(s, i + 4, "offset");
        }
        if (oh > 18 || om > 59) {
          throw badTime(s, from, to);
        }
        offsetSeconds = (oh * 3600 + om * 60) * (c == '-' ? -1 : 1);
        hadOffset = true;
      } else {
        throw badTime(s, from, to);
      }
    }
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
      throw badTime(s, from, to);
    }
    long epochDay;
    try {
      epochDay = LocalDate.of(year, month, day).toEpochDay();
    } catch (java.time.DateTimeException e) {
      throw badTime(s, from, to);
    }
    // a leap second (:60) is folded onto the next second, as java.time does
    long epochSecond = epochDay * 86_400L + hour * 3600L + minute * 60L + second - offsetSeconds;
    return new Iso(epochSecond * 1_000_000L + micros, digits, hadOffset);
  }

  /** {@code seconds.fraction} (conntrack's {@code [1764200545.802738]}, dmesg's uptime). */
  static long decimalSecondsToMicros(String s, int from, int to) {
    int dot = -1;
    for (int i = from; i < to; i++) {
      if (s.charAt(i) == '.') {
        dot = i;
        break;
      }
    }
    if (dot < 0) {
      return Text.decimal(s, from, to, "seconds") * 1_000_000L;
    }
    long sec = Text.decimal(s, from, dot, "seconds");
    long micros = 0;
    int digits = 0;
    for (int i = dot + 1; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        throw Text.bad("seconds", s, from, to);
      }
      if (digits < 6) {
        micros = micros * 10 + (c - '0');
      }
      digits++;
    }
    if (digits == 0) {
      throw Text.bad("seconds", s, from, to);
    }
    for (int d = digits; d < 6; d++) {
      micros *= 10;
    }
    return sec * 1_000_000L + micros;
  }

  static Instant ofMicros(long micros) {
    return Instant.ofEpochSecond(
        Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
  }

  static ParseException badTime(String s, int from, int to) {
    return new ParseException(
        Diagnostic.Reason.BAD_TIMESTAMP, "invalid timestamp '" + s.substring(from, to) + "'");
  }
}
