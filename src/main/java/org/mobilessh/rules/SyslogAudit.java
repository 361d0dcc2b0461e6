package org.mobilessh.rules;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.mobilessh.os.CommandRunner;

/**
 * Writes audit lines to syslog with {@code logger -t mobilessh -p authpriv.notice}, so manual
 * changes to the xt_recent list appear in the same trail as logins.
 *
 * <p>{@code --socket-errors=on} is always passed: without it, util-linux {@code logger} on a system
 * without systemd exits 0 and logs nothing when {@code /dev/log} is missing, and a change that was
 * meant to be audited would go unrecorded without anyone noticing. logger always runs in the
 * caller's namespace: {@code /dev/log} is a filesystem socket, not a network one.
 */
public final class SyslogAudit {
  public static final String TAG = "mobilessh";
  public static final String PRIORITY = "authpriv.notice";

  private final Optional<Path> socket;
  private final CommandRunner runner;

  private SyslogAudit(Optional<Path> socket) {
    this.socket = socket;
    this.runner = CommandRunner.host();
  }

  /** The system log ({@code /dev/log}). */
  public static SyslogAudit system() {
    return new SyslogAudit(Optional.empty());
  }

  /** A syslog socket elsewhere (a container's, or a test listener's). */
  public static SyslogAudit toSocket(Path socket) {
    return new SyslogAudit(Optional.of(socket));
  }

  /** The full logger command for one message. */
  public List<String> command(String message) {
    List<String> command = new ArrayList<>(List.of("logger", "--socket-errors=on"));
    socket.ifPresent(s -> command.addAll(List.of("-u", s.toString())));
    command.addAll(List.of("-t", TAG, "-p", PRIORITY, "--", message));
    return command;
  }

  /**
   * Logs one line.
   *
   * @throws RulesException when logger cannot deliver it
   */
  public void record(String message) {
    CommandRunner.Result result = runner.run(command(message));
    if (!result.ok()) {
      throw new RulesException("cannot write the audit line to syslog: " + result.describe());
    }
  }

  /** Where lines go, for messages. */
  public String destination() {
    return socket.map(Path::toString).orElse("/dev/log");
  }
}
