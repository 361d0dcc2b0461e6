package org.mobilessh.cli;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.mobilessh.audit.AuditFormat;
import org.mobilessh.audit.CloseReason;
import org.mobilessh.audit.PrintBuffer;
import org.mobilessh.audit.SourceLine;
import org.mobilessh.audit.Window;

/**
 * The CSV line of a window written straight as bytes, for the common case where no value needs
 * quoting: the same bytes as {@link AuditTable#csvLine} with {@link Window#csvValues()} and the
 * evidence pointers (AuditTableTest compares the two), without a string per value. One per thread:
 * it remembers the text of the paths.
 */
final class CsvBytes {
  private final Map<String, byte[]> paths = new IdentityHashMap<>();
  private String lastPath;
  private byte[] lastPathBytes;
  private String observer;
  private byte[] observerBytes;

  /**
   * Appends the window's CSV line (with its evidence pointers) and returns {@code true}, or returns
   * {@code false} with {@code out} as it was when a value would need quotes (or is empty where
   * {@link AuditTable#csvLine} quotes it): then the caller prints the row the general way.
   */
  boolean window(Window w, PrintBuffer out) {
    int mark = out.length();
    byte[] o = observer(w.observer());
    if (o == null || w.evidence().isEmpty()) {
      return false;
    }
    // an address's text is always plain: digits, hex letters, '.' and ':'
    AuditFormat.address(w.source(), out);
    out.ascii(',');
    AuditFormat.time(w.openedAt(), out);
    out.ascii(',');
    AuditFormat.time(w.closedAt(), out);
    out.ascii(',');
    byte[] reason = CLOSE_REASONS[w.closeReason().ordinal()];
    out.append(reason, 0, reason.length).ascii(',');
    if (!seconds(w.closePrecisionS(), out)) {
      out.setLength(mark);
      return false;
    }
    out.ascii(',');
    if (!duration(w, out)) {
      out.setLength(mark);
      return false;
    }
    out.ascii(',').append(w.sshSessions()).ascii(',');
    out.append(o, 0, o.length);
    out.ascii(',');
    AuditFormat.time(w.closedAtEarliest(), out);
    out.ascii(',');
    double open = w.openPrecisionS();
    if (whole(open)) {
      out.append((long) open);
    } else if (!seconds(open, out)) {
      out.setLength(mark);
      return false;
    }
    out.ascii(',');
    if (w.clippedStart() || w.clippedEnd()) {
      out.append(w.clippedStart() && w.clippedEnd() ? "both" : w.clippedStart() ? "start" : "end");
    }
    out.ascii(',');
    byte[] by = OPENINGS[w.openedBy().ordinal()];
    out.append(by, 0, by.length).ascii(',');
    if (!pointers(w.evidence(), out)) {
      out.setLength(mark);
      return false;
    }
    out.ascii('\n');
    return true;
  }

  /**
   * {@link Window#durationS()} as {@link #seconds} prints it, without a {@code Duration} and a
   * {@code Double} for the common whole number of seconds (digits, as {@link
   * AuditFormat#seconds(Double, PrintBuffer)} prints {@code N.0} below 10^7).
   */
  private static boolean duration(Window w, PrintBuffer out) {
    Instant to = w.closedAt();
    if (to != null && to.getNano() == w.openedAt().getNano()) {
      long s = to.getEpochSecond() - w.openedAt().getEpochSecond();
      if (s >= 0 && s < 10_000_000) {
        out.append(s);
        return true;
      }
    }
    return seconds(w.durationS(), out);
  }

  /** Whether {@link AuditFormat#seconds(Double, PrintBuffer)} prints {@code s} as its digits. */
  private static boolean whole(double s) {
    return s >= 0 && s < 1e7 && Double.doubleToRawLongBits(s) >= 0 && s == Math.floor(s);
  }

  /** Seconds as digits; {@code false} if their text would need quotes. */
  private static boolean seconds(Double s, PrintBuffer out) {
    int at = out.length();
    AuditFormat.seconds(s, out);
    int end = out.length();
    // digits alone (the common case) need no look; anything else is checked
    return end == at
        || end - at <= 7 && digits(out.array(), at, end)
        || plain(out.array(), at, end);
  }

  private static boolean digits(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] < '0' || b[i] > '9') {
        return false;
      }
    }
    return true;
  }

  /** The ids of the close reasons and openings by ordinal, as bytes (plain words). */
  private static final byte[][] CLOSE_REASONS =
      java.util.Arrays.stream(CloseReason.values())
          .map(r -> r.id().getBytes(StandardCharsets.US_ASCII))
          .toArray(byte[][]::new);

  private static final byte[][] OPENINGS =
      java.util.Arrays.stream(Window.Opening.values())
          .map(o -> o.id().getBytes(StandardCharsets.US_ASCII))
          .toArray(byte[][]::new);

  private byte[] observer(String s) {
    if (!s.equals(observer)) {
      byte[] b = ascii(s);
      observer = s;
      observerBytes = b != null && (b.length == 0 || plain(b, 0, b.length)) ? b : null;
    }
    return observerBytes;
  }

  /**
   * {@code path:line} pointers, space separated; {@code false} if they would need quotes. They are
   * plain when every path is made of plain characters (printable ASCII but quote and comma) and the
   * first character is above '#': the rest are ':', ' ' and digits, the last a digit.
   */
  private boolean pointers(List<SourceLine> lines, PrintBuffer out) {
    int n = lines.size();
    for (int i = 0; i < n; i++) {
      SourceLine l = lines.get(i);
      String path = l.sourcePath();
      byte[] p;
      if (path == lastPath) {
        p = lastPathBytes; // a window's lines are mostly of one file
      } else {
        p = paths.get(path);
        if (p == null) {
          p = ascii(path);
          if (p == null || !inner(p)) {
            return false;
          }
          paths.put(path, p);
        }
        lastPath = path;
        lastPathBytes = p;
      }
      if (i == 0 && p.length > 0 && p[0] <= '#') {
        return false;
      }
      if (i > 0) {
        out.ascii(' ');
      }
      out.append(p, 0, p.length).ascii(':').append(l.lineNumber());
    }
    return true;
  }

  /** Whether every byte is printable ASCII other than a quote or comma. */
  private static boolean inner(byte[] v) {
    for (byte c : v) {
      if (c < ' ' || c > '~' || c == '"' || c == ',') {
        return false;
      }
    }
    return true;
  }

  /** The bytes of an ASCII text, {@code null} if it is not ASCII. */
  private static byte[] ascii(String s) {
    byte[] b = new byte[s.length()];
    for (int i = 0; i < b.length; i++) {
      char c = s.charAt(i);
      if (c >= 0x80) {
        return null;
      }
      b[i] = (byte) c;
    }
    return b;
  }

  /** What {@code AuditTable.plain} says of the same text as bytes (ASCII). */
  static boolean plain(byte[] v, int from, int to) {
    if (to <= from || v[from] <= '#' || v[to - 1] <= ' ') {
      return false;
    }
    for (int i = from; i < to; i++) {
      byte c = v[i];
      if (c < ' ' || c > '~' || c == '"' || c == ',') {
        return false;
      }
    }
    return true;
  }
}
