package org.mobilessh.parse;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Objects;

/**
 * Everything a parser needs to know that the lines themselves do not say.
 *
 * @param source name of the input for diagnostics (a path, {@code -} for stdin)
 * @param prefixes which LOG prefix means which mobilessh step
 * @param clock year and zone for traditional syslog timestamps
 * @param bootTime when the kernel booted, for raw dmesg {@code [ seconds]} stamps; {@code null} if
 *     unknown (such lines then get a diagnostic saying so)
 * @param hostname the router's name for formats that do not carry one (dmesg, conntrack); may be
 *     {@code null}
 * @param localZone zone for local times printed without an offset ({@code conntrack -L}'s {@code
 *     [start=...]}); usually the same as {@code clock.zone()}
 */
public record ParseContext(
    String source,
    PrefixMap prefixes,
    SyslogClock clock,
    Instant bootTime,
    String hostname,
    ZoneId localZone) {

  public ParseContext {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(prefixes, "prefixes");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(localZone, "localZone");
  }

  /** Defaults for {@code source}: default prefixes, the given year and zone, no boot time. */
  public static ParseContext of(String source, int year, ZoneId zone) {
    return new ParseContext(
        source, PrefixMap.defaults(), new SyslogClock(year, zone), null, null, zone);
  }

  public ParseContext withBootTime(Instant boot) {
    return new ParseContext(source, prefixes, clock, boot, hostname, localZone);
  }

  public ParseContext withHostname(String host) {
    return new ParseContext(source, prefixes, clock, bootTime, host, localZone);
  }

  public ParseContext withPrefixes(PrefixMap map) {
    return new ParseContext(source, map, clock, bootTime, hostname, localZone);
  }
}
