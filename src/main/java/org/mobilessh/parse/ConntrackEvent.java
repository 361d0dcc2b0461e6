package org.mobilessh.parse;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.mobilessh.rules.Family;

/**
 * One conntrack flow event, from {@code conntrack -E} or ulogd2's NFCT input.
 *
 * @param time when the event was seen ({@code null}: plain {@code conntrack -E} carries none)
 * @param hostname the router, when the source names it
 * @param type NEW, UPDATE or DESTROY
 * @param family the layer-3 family
 * @param protocol the layer-4 protocol
 * @param protocolNumber its IANA number
 * @param timeout seconds left before the entry expires, as printed
 * @param state protocol state ({@code SYN_SENT}, {@code ESTABLISHED}, ...) or {@code null}
 * @param original the original-direction tuple
 * @param reply the reply-direction tuple
 * @param flags bracketed flags as printed: {@code ASSURED}, {@code UNREPLIED}, {@code OFFLOAD}, ...
 *     ({@code UNREPLIED} means the reply direction has seen no packet)
 * @param id conntrack id ({@code id=}, {@code -o id}), unique among live entries only
 * @param mark {@code mark=}
 * @param zone {@code zone=} (both directions)
 * @param start flow start (nf_conntrack_timestamp=1; {@code [start=...]} or ulogd2 flow.start)
 * @param stop flow end (ulogd2 flow.end)
 * @param deltaSeconds {@code delta-time=}: whole seconds the flow lived (DESTROY)
 * @param use {@code use=} reference count ({@code conntrack -L} output)
 * @param extra {@code key=value} fields this parser does not model, in line order
 */
public record ConntrackEvent(
    EventTime time,
    String hostname,
    ConntrackType type,
    Family family,
    Protocol protocol,
    int protocolNumber,
    Long timeout,
    String state,
    ConntrackTuple original,
    ConntrackTuple reply,
    Set<String> flags,
    Long id,
    Long mark,
    Integer zone,
    Instant start,
    Instant stop,
    Long deltaSeconds,
    Long use,
    Map<String, String> extra)
    implements LogEvent {

  public ConntrackEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(original, "original");
    flags = Set.copyOf(flags);
    extra = extra.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(extra));
  }

  @Override
  public Action action() {
    return type.action();
  }

  /** {@code [ASSURED]}: traffic was seen in both directions. */
  public boolean assured() {
    return flags.contains("ASSURED");
  }

  /** {@code [UNREPLIED]}: no packet was seen in the reply direction. */
  public boolean unreplied() {
    return flags.contains("UNREPLIED");
  }
}
