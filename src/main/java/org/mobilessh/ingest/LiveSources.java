package org.mobilessh.ingest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.mobilessh.parse.LogFormat;

/**
 * Live sources named by pseudo-paths. Commands run without a shell.
 *
 * <ul>
 *   <li>{@code journal:} reads the system journal, {@code journal:PATH} a journal file ({@code
 *       journalctl --file}) or directory ({@code --directory}), with {@code journalctl -o json
 *       --no-tail}; with {@code --follow} also {@code -f}. Only kernel entries and mobilessh's own
 *       syslog lines and journald's loss markers are asked for ({@code _TRANSPORT=kernel +
 *       SYSLOG_IDENTIFIER=mobilessh + SYSLOG_IDENTIFIER=systemd-journald}): not {@code -k}, which
 *       implies {@code -b} and so would drop the rest of an earlier boot after a reboot. The
 *       position is the last entry's {@code __CURSOR} ({@link JournalCursor}), resumed with {@code
 *       --after-cursor}.
 *   <li>{@code conntrack:} runs {@code conntrack -E -o timestamp,extended,id}, and {@code
 *       conntrack:NETNS} runs it inside a network namespace ({@code ip netns exec NETNS ...}); only
 *       with {@code --follow}. It has no position to resume from: the index's event identity drops
 *       what is seen twice.
 * </ul>
 */
public final class LiveSources {
  private LiveSources() {}

  static final String JOURNAL = "journal:";
  static final String CONNTRACK = "conntrack:";

  /** The journal identity of the system journal (its cursor key). */
  static final String SYSTEM_JOURNAL = "system";

  /**
   * Which entries are read from a journal: the kernel's, mobilessh's own audit lines, and
   * journald's own ("Suppressed N messages": the audit needs those loss markers).
   */
  static final List<String> JOURNAL_MATCHES =
      List.of(
          "_TRANSPORT=kernel",
          "+",
          "SYSLOG_IDENTIFIER=mobilessh",
          "+",
          "SYSLOG_IDENTIFIER=systemd-journald");

  /** Whether an operand names a live source rather than a file. */
  public static boolean isLive(String operand) {
    return operand.startsWith(JOURNAL) || operand.startsWith(CONNTRACK);
  }

  /** The source for a pseudo-path. */
  public static Source of(String operand) {
    List<String> cmd = new ArrayList<>();
    if (operand.startsWith(JOURNAL)) {
      // --no-tail: with -f, journalctl would otherwise show only the last 10 entries after the
      // cursor, and lose the rest
      cmd.addAll(List.of("journalctl", "-o", "json", "--no-tail"));
      String where = operand.substring(JOURNAL.length());
      if (!where.isEmpty()) {
        // absolute: journalctl -f cannot watch a relative --file ("Destination address required")
        Path p = Path.of(where).toAbsolutePath().normalize();
        if (Files.isDirectory(p)) {
          cmd.addAll(List.of("--directory", p.toString()));
        } else if (Files.isRegularFile(p)) {
          cmd.addAll(List.of("--file", p.toString()));
        } else {
          throw new IngestException(
              operand + ": no such journal file or directory (journal:PATH needs one)");
        }
      }
      cmd.addAll(JOURNAL_MATCHES);
    } else if (operand.startsWith(CONNTRACK)) {
      String netns = operand.substring(CONNTRACK.length());
      if (!netns.isEmpty()) {
        if (!netns.matches("[A-Za-z0-9_.-]{1,64}")) {
          throw new IngestException("invalid network namespace name in " + operand);
        }
        cmd.addAll(List.of("ip", "netns", "exec", netns));
      }
      cmd.addAll(List.of("conntrack", "-E", "-o", "timestamp,extended,id"));
    } else {
      throw new IngestException(
          operand + " is not a live source (journal:, journal:PATH, conntrack:[NETNS])");
    }
    return Source.command(operand, cmd);
  }

  /** Whether a source is a journal (batch or follow; it has a cursor). */
  public static boolean isJournal(Source s) {
    return s.isCommand() && s.name().startsWith(JOURNAL);
  }

  /** The journal's identity for its cursor: {@code system} or the absolute path. */
  static String journalId(Source s) {
    List<String> c = s.command();
    for (int i = 0; i + 1 < c.size(); i++) {
      if (c.get(i).equals("--file") || c.get(i).equals("--directory")) {
        return c.get(i + 1);
      }
    }
    return SYSTEM_JOURNAL;
  }

  /** The format a live source writes; {@code null} for stdin (detected from its first line). */
  static LogFormat formatOf(Source s) {
    if (!s.isCommand()) {
      return null;
    }
    return isJournal(s) ? LogFormat.JOURNAL_JSON : LogFormat.CONNTRACK;
  }

  /**
   * The command to run: a journal gets {@code -f} when followed and {@code --after-cursor} when it
   * has been read before (matches stay last, where journalctl wants them).
   */
  static List<String> command(Source s, boolean follow, String cursor) {
    if (!isJournal(s)) {
      return s.command();
    }
    List<String> cmd = new ArrayList<>(s.command());
    int at = cmd.indexOf(JOURNAL_MATCHES.get(0));
    List<String> extra = new ArrayList<>();
    if (follow) {
      extra.add("-f");
    }
    if (cursor != null) {
      extra.add("--after-cursor=" + cursor);
    }
    cmd.addAll(at, extra);
    return cmd;
  }

  static Process start(List<String> command) throws IOException {
    return new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.PIPE).start();
  }
}
