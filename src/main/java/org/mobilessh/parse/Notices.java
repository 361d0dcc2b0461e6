package org.mobilessh.parse;

import java.net.InetAddress;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises the lines that become {@link NoticeEvent}s: the audit lines {@code mobilessh list
 * add|del|flush} writes through {@code logger -t mobilessh} (see docs/list.md), and loss markers of
 * the kernel's printk rate limit and of journald. The parsers call it only on their skip paths
 * (lines of other programs, kernel lines that are not netfilter output), so packet lines never pay
 * for it.
 */
final class Notices {
  /** {@code logger -t mobilessh} writes this tag; journald may show it with a PID. */
  static final String TAG = "mobilessh";

  private static final String JOURNALD = "systemd-journald";
  private static final String CALLBACKS = " callbacks suppressed";
  private static final Pattern CHANGE =
      Pattern.compile("list (add|del) (\\S+) list=(\\S+) netns=\\S+ by .*?(?<failed> FAILED: .*)?");
  private static final Pattern FLUSH =
      Pattern.compile(
          "list flush \\((\\d{1,18}) entr(?:y|ies)\\) list=(\\S+) netns=\\S+ by"
              + " .*?(?<failed> FAILED: .*)?");
  private static final Pattern KERNEL_MARKER =
      Pattern.compile("\\S+: (\\d{1,18}) callbacks suppressed");
  private static final Pattern JOURNAL_MARKER =
      Pattern.compile("Suppressed (\\d{1,18}) messages( .*)?");

  private Notices() {}

  /** Whether a syslog tag ({@code mobilessh:}, {@code mobilessh[42]:}) is mobilessh's own. */
  static boolean isOwnTag(String s, int from, int to) {
    return isTag(s, from, to, TAG);
  }

  /** Whether a syslog tag is journald's ({@code systemd-journald[212]:}). */
  static boolean isJournaldTag(String s, int from, int to) {
    return isTag(s, from, to, JOURNALD);
  }

  private static boolean isTag(String s, int from, int to, String name) {
    int n = name.length();
    if (to - from <= n || !s.startsWith(name, from)) {
      return false;
    }
    char c = s.charAt(from + n);
    return (c == ':' && to == from + n + 1) || (c == '[' && s.charAt(to - 1) == ':');
  }

  /**
   * A mobilessh audit line's message as a list change.
   *
   * @return {@code null} when the message is not a list change (mobilessh logs nothing else today,
   *     but a future message must not be mistaken for one)
   * @throws ParseException when it says it is a list change but cannot be read: such a line is
   *     evidence and belongs in the quarantine, not in the skip count
   */
  static NoticeEvent listChange(String message, EventTime time, String host) {
    if (!message.startsWith("list ")) {
      return null;
    }
    Matcher m = CHANGE.matcher(message);
    if (m.matches()) {
      InetAddress a = Inet.parse(m.group(2));
      if (a == null) {
        throw new ParseException(
            Diagnostic.Reason.BAD_FIELD, "mobilessh list change with a bad address: " + message);
      }
      return new NoticeEvent(
          time,
          host,
          m.group(1).equals("add") ? Action.LIST_ADD : Action.LIST_DEL,
          a,
          null,
          m.group(3),
          m.group("failed") != null,
          message);
    }
    m = FLUSH.matcher(message);
    if (m.matches()) {
      return new NoticeEvent(
          time,
          host,
          Action.LIST_FLUSH,
          null,
          Long.parseLong(m.group(1)),
          m.group(2),
          m.group("failed") != null,
          message);
    }
    throw new ParseException(
        Diagnostic.Reason.BAD_FIELD,
        "not a mobilessh list change as docs/list.md shows: " + message);
  }

  /** Whether a kernel message may be a printk rate-limit marker (a cheap test first). */
  static boolean mayBeKernelMarker(String s, int from, int to) {
    return to - from > CALLBACKS.length() && s.startsWith(CALLBACKS, to - CALLBACKS.length());
  }

  /** The kernel's {@code "net_ratelimit: 12 callbacks suppressed"}, or {@code null}. */
  static NoticeEvent kernelMarker(String message, EventTime time, String host) {
    Matcher m = KERNEL_MARKER.matcher(message);
    return m.matches() ? marker(message, m.group(1), time, host) : null;
  }

  /** journald's {@code "Suppressed 1234 messages from ..."}, or {@code null}. */
  static NoticeEvent journalMarker(String message, EventTime time, String host) {
    Matcher m = JOURNAL_MARKER.matcher(message);
    return m.matches() ? marker(message, m.group(1), time, host) : null;
  }

  private static NoticeEvent marker(String message, String count, EventTime time, String host) {
    return new NoticeEvent(
        time, host, Action.LOSS_MARKER, null, Long.parseLong(count), "", false, message);
  }
}
