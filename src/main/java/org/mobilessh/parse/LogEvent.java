package org.mobilessh.parse;

/**
 * One parsed event: a netfilter LOG/NFLOG packet, a conntrack flow event, or a notice (a manual
 * list change, a loss marker).
 */
public sealed interface LogEvent permits NetfilterEvent, ConntrackEvent, NoticeEvent {
  /** When it happened; {@code null} only for sources that carry no time (plain conntrack -E). */
  EventTime time();

  /** The router that logged it, or {@code null} when the source does not say. */
  String hostname();

  Action action();
}
