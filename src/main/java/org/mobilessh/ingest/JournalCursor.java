package org.mobilessh.ingest;

import java.nio.charset.StandardCharsets;

/**
 * How far a journal has been read: the {@code __CURSOR} of the last consumed entry, committed with
 * the data like a file's {@link Checkpoint}. {@code journalctl --after-cursor} resumes right after
 * it, so a restart (also after kill -9) reads every entry once. A cursor names a position in the
 * journal, not a file: it stays valid across journal file rotation, and when its entry has been
 * vacuumed journalctl continues at the next entry after that position.
 *
 * @param journal which journal: {@code system} or the absolute path of a journal file or directory
 * @param cursor the last consumed entry's {@code __CURSOR}
 * @param entries how many entries have been consumed through this cursor, for people
 */
public record JournalCursor(String journal, String cursor, long entries) {

  /** Prefix of the commit user data keys of journal cursors. */
  public static final String KEY_PREFIX = "ingest.journal.";

  private static final byte[] FIELD = "\"__CURSOR\":\"".getBytes(StandardCharsets.US_ASCII);

  /** The commit user data key. */
  public String key() {
    return key(journal);
  }

  static String key(String journal) {
    return KEY_PREFIX + journal;
  }

  /** The commit user data value. */
  public String value() {
    return "entries=" + entries + ";cursor=" + cursor;
  }

  /** Reads a cursor back from a commit user data entry; {@code null} if it is not one. */
  public static JournalCursor parse(String key, String value) {
    if (key == null || !key.startsWith(KEY_PREFIX) || value == null) {
      return null;
    }
    int at = value.indexOf(";cursor=");
    if (!value.startsWith("entries=") || at < 0) {
      return null;
    }
    String cursor = value.substring(at + ";cursor=".length());
    if (!valid(cursor)) {
      return null;
    }
    try {
      long n = Long.parseLong(value.substring("entries=".length(), at));
      return new JournalCursor(key.substring(KEY_PREFIX.length()), cursor, n);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /**
   * Cursors are {@code s=…;i=…;b=…;m=…;t=…;x=…}: hex and a few separators. Anything else is not one
   * (it would reach journalctl's command line).
   */
  static boolean valid(String cursor) {
    if (cursor.isEmpty() || cursor.length() > 512) {
      return false;
    }
    for (int i = 0; i < cursor.length(); i++) {
      char c = cursor.charAt(i);
      if (!(c >= '0' && c <= '9'
          || c >= 'a' && c <= 'z'
          || c >= 'A' && c <= 'Z'
          || c == '='
          || c == ';'
          || c == '-'
          || c == '_')) {
        return false;
      }
    }
    return true;
  }

  /**
   * The {@code __CURSOR} of one {@code journalctl -o json} line, or {@code null}. A plain byte
   * search is exact here: inside a JSON string every {@code "} is escaped, so {@code "__CURSOR":"}
   * can only be the field itself, and cursor values need no escapes.
   */
  static String extract(byte[] line, int from, int length) {
    int end = from + length;
    outer:
    for (int i = from; i <= end - FIELD.length; i++) {
      for (int j = 0; j < FIELD.length; j++) {
        if (line[i + j] != FIELD[j]) {
          continue outer;
        }
      }
      int start = i + FIELD.length;
      for (int k = start; k < end; k++) {
        if (line[k] == '"') {
          String c = new String(line, start, k - start, StandardCharsets.US_ASCII);
          return valid(c) ? c : null;
        }
      }
      return null;
    }
    return null;
  }
}
