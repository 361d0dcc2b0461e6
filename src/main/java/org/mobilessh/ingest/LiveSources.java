package org.mobilessh.ingest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.mobilessh.parse.LogFormat;

/**
 * Live sources named by pseudo-paths: {@code journal:} runs {@code journalctl -f -o json} (kernel
 * lines and everything else; the parser keeps the netfilter ones), {@code conntrack:} runs {@code
 * conntrack -E -o timestamp,extended,id}, and {@code conntrack:NETNS} runs it inside a network
 * namespace ({@code ip netns exec NETNS ...}). Commands run without a shell.
 */
public final class LiveSources {
  private LiveSources() {}

  /** Whether an operand names a live source rather than a file. */
  public static boolean isLive(String operand) {
    return operand.equals("journal:") || operand.startsWith("conntrack:");
  }

  /** The source for a pseudo-path. */
  public static Source of(String operand) {
    List<String> cmd = new ArrayList<>();
    if (operand.equals("journal:")) {
      cmd.addAll(List.of("journalctl", "-f", "-o", "json"));
    } else if (operand.startsWith("conntrack:")) {
      String netns = operand.substring("conntrack:".length());
      if (!netns.isEmpty()) {
        if (!netns.matches("[A-Za-z0-9_.-]{1,64}")) {
          throw new IngestException("invalid network namespace name in " + operand);
        }
        cmd.addAll(List.of("ip", "netns", "exec", netns));
      }
      cmd.addAll(List.of("conntrack", "-E", "-o", "timestamp,extended,id"));
    } else {
      throw new IngestException(operand + " is not a live source (journal:, conntrack:[NETNS])");
    }
    return Source.command(operand, cmd);
  }

  /** The format a live source writes; {@code null} for stdin (detected from its first line). */
  static LogFormat formatOf(Source s) {
    if (!s.isCommand()) {
      return null;
    }
    return s.name().startsWith("journal:") ? LogFormat.JOURNAL_JSON : LogFormat.CONNTRACK;
  }

  static Process start(Source s) throws IOException {
    return new ProcessBuilder(s.command())
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .redirectInput(ProcessBuilder.Redirect.PIPE)
        .start();
  }
}
