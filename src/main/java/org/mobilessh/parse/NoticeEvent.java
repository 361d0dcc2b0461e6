package org.mobilessh.parse;

import java.net.InetAddress;
import java.util.Objects;

/**
 * A line about the gate rather than a packet: a manual change of the xt_recent list that {@code
 * mobilessh list add|del|flush} wrote to syslog before touching the kernel, or a sign that log
 * lines were lost ({@code "net_ratelimit: 12 callbacks suppressed"}, journald's {@code "Suppressed
 * 1234 messages from ..."}).
 *
 * @param time when it was logged
 * @param hostname the router ({@code null} when the source does not name it)
 * @param action {@link Action#LIST_ADD}, {@link Action#LIST_DEL}, {@link Action#LIST_FLUSH} or
 *     {@link Action#LOSS_MARKER}
 * @param address the address added or deleted; {@code null} for a flush or a loss marker
 * @param count entries a flush removed, or messages a loss marker says were dropped; {@code null}
 *     when the line does not say
 * @param list the xt_recent list a change names ({@code ""} for a loss marker)
 * @param failed whether this is the {@code ... FAILED: reason} line mobilessh writes after a change
 *     the kernel refused (the attempt's own line came just before it)
 * @param message the message after the program tag, exactly as written
 */
public record NoticeEvent(
    EventTime time,
    String hostname,
    Action action,
    InetAddress address,
    Long count,
    String list,
    boolean failed,
    String message)
    implements LogEvent {

  private static final String FAILED = " FAILED: ";

  public NoticeEvent {
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(list, "list");
    Objects.requireNonNull(message, "message");
    if (!action.isNotice()) {
      throw new IllegalArgumentException(action + " is not a notice action");
    }
  }

  /** Whether this is a manual change of the list (not a loss marker). */
  public boolean isListChange() {
    return action != Action.LOSS_MARKER;
  }

  /**
   * The attempt a {@link #failed()} line reports on: the message without its {@code FAILED} suffix,
   * equal to the attempt line's message.
   */
  public String attempt() {
    int f = message.indexOf(FAILED);
    return f < 0 ? message : message.substring(0, f);
  }

  /** Who made a list change: the text after {@code " by "} ({@code ""} if absent). */
  public String actor() {
    String a = attempt();
    int by = a.indexOf(" by ");
    return by < 0 ? "" : a.substring(by + 4);
  }
}
