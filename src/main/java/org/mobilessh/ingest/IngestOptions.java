package org.mobilessh.ingest;

import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Objects;
import org.mobilessh.parse.LogFormat;
import org.mobilessh.parse.PrefixMap;

/**
 * How to ingest: what the lines do not say themselves, and how often to commit.
 *
 * @param zone zone of zone-less local times (traditional syslog)
 * @param year year of the first line of every traditional syslog input, or {@code null} to infer it
 *     from the file's mtime and rotation order
 * @param format forced format, or {@code null} to detect it per input
 * @param host observer host name for sources that carry none (dmesg, conntrack, ulogd), or {@code
 *     null}
 * @param bootTime boot time for raw dmesg {@code [seconds]} stamps, or {@code null}
 * @param prefixes LOG prefix to mobilessh step
 * @param commitEveryLines commit after this many lines
 * @param commitEvery and at least this often
 * @param maxLineBytes longer lines are cut and quarantined
 * @param clock "now": no event may be later than this (plus {@link #FUTURE_SLACK})
 * @param stdin what {@code -} reads
 */
public record IngestOptions(
    ZoneId zone,
    Integer year,
    LogFormat format,
    String host,
    Instant bootTime,
    PrefixMap prefixes,
    long commitEveryLines,
    Duration commitEvery,
    int maxLineBytes,
    Clock clock,
    InputStream stdin) {

  /** Clock skew between the logging machine and this one that is not yet "the future". */
  public static final Duration FUTURE_SLACK = Duration.ofMinutes(5);

  /** The longest line kept whole (1 MiB). */
  public static final int DEFAULT_MAX_LINE = 1 << 20;

  public IngestOptions {
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(prefixes, "prefixes");
    Objects.requireNonNull(commitEvery, "commitEvery");
    Objects.requireNonNull(clock, "clock");
    if (commitEveryLines < 1) {
      throw new IngestException("commitEveryLines must be positive");
    }
    if (maxLineBytes < LineReader.KEPT_HEAD) {
      throw new IngestException("maxLineBytes must be at least " + LineReader.KEPT_HEAD);
    }
  }

  /** Defaults: the given zone, inferred years, detected formats, commit every 100k lines / 5 s. */
  public static IngestOptions defaults(ZoneId zone) {
    return new IngestOptions(
        zone,
        null,
        null,
        null,
        null,
        PrefixMap.defaults(),
        100_000,
        Duration.ofSeconds(5),
        DEFAULT_MAX_LINE,
        Clock.systemUTC(),
        System.in);
  }

  public IngestOptions withYear(Integer y) {
    return new IngestOptions(
        zone,
        y,
        format,
        host,
        bootTime,
        prefixes,
        commitEveryLines,
        commitEvery,
        maxLineBytes,
        clock,
        stdin);
  }

  public IngestOptions withFormat(LogFormat f) {
    return new IngestOptions(
        zone,
        year,
        f,
        host,
        bootTime,
        prefixes,
        commitEveryLines,
        commitEvery,
        maxLineBytes,
        clock,
        stdin);
  }

  public IngestOptions withHost(String h) {
    return new IngestOptions(
        zone,
        year,
        format,
        h,
        bootTime,
        prefixes,
        commitEveryLines,
        commitEvery,
        maxLineBytes,
        clock,
        stdin);
  }

  public IngestOptions withBootTime(Instant b) {
    return new IngestOptions(
        zone,
        year,
        format,
        host,
        b,
        prefixes,
        commitEveryLines,
        commitEvery,
        maxLineBytes,
        clock,
        stdin);
  }

  public IngestOptions withPrefixes(PrefixMap p) {
    return new IngestOptions(
        zone,
        year,
        format,
        host,
        bootTime,
        p,
        commitEveryLines,
        commitEvery,
        maxLineBytes,
        clock,
        stdin);
  }

  public IngestOptions withCommitEvery(long lines, Duration every) {
    return new IngestOptions(
        zone, year, format, host, bootTime, prefixes, lines, every, maxLineBytes, clock, stdin);
  }

  public IngestOptions withClock(Clock c) {
    return new IngestOptions(
        zone,
        year,
        format,
        host,
        bootTime,
        prefixes,
        commitEveryLines,
        commitEvery,
        maxLineBytes,
        c,
        stdin);
  }

  public IngestOptions withStdin(InputStream in) {
    return new IngestOptions(
        zone,
        year,
        format,
        host,
        bootTime,
        prefixes,
        commitEveryLines,
        commitEvery,
        maxLineBytes,
        clock,
        in);
  }

  public IngestOptions withMaxLineBytes(int max) {
    return new IngestOptions(
        zone,
        year,
        format,
        host,
        bootTime,
        prefixes,
        commitEveryLines,
        commitEvery,
        max,
        clock,
        stdin);
  }
}
