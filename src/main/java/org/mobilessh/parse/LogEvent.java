package org.mobilessh.parse;

/** One parsed event: a netfilter LOG/NFLOG packet or a conntrack flow event. */
public sealed interface LogEvent permits NetfilterEvent, ConntrackEvent {
  /** When it happened; {@code null} only for sources that carry no time (plain conntrack -E). */
  EventTime time();

  /** The router that logged it, or {@code null} when the source does not say. */
  String hostname();

  Action action();
}
