package org.mobilessh.cli;

import java.net.InetAddress;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mobilessh.audit.AuditConfig;
import org.mobilessh.audit.AuditEngine;
import org.mobilessh.audit.AuditSink;
import org.mobilessh.audit.IndexedAuditInput;
import org.mobilessh.audit.TracedEvent;
import org.mobilessh.index.EventSearcher;
import org.mobilessh.rules.Cidr;
import org.mobilessh.rules.InvalidConfigException;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The options every audit command shares: where the index is, which period, address and router to
 * report on, the output format, and the ruleset settings (window length N, LOG prefixes, mail
 * servers, reject LOG rates) the logs were written under.
 */
public final class AuditQueryOptions {
  private static final Pattern DURATION = Pattern.compile("(\\d+)([smhd])");

  @Mixin IndexOption index;

  @Mixin AuditRulesetOptions ruleset;

  @Option(
      names = "--from",
      paramLabel = "TIME",
      description =
          "Start of the period (ISO 8601: 2026-11-27T01:15:00Z, 2026-11-27T01:15, 2026-11-27;"
              + " no offset = UTC). Default: the start of the index.")
  String from;

  @Option(
      names = "--to",
      paramLabel = "TIME",
      description = "End of the period, exclusive (same forms). Default: the end of the index.")
  String to;

  @Option(
      names = "--month",
      paramLabel = "YYYY-MM",
      description =
          "The period is this calendar month (UTC). A window open across the month boundary"
              + " belongs to both months, clipped to the month and marked.")
  String month;

  @Option(
      names = "--ip",
      paramLabel = "ADDR|CIDR",
      description = "Only this client address or network (IPv4 or IPv6).")
  String ip;

  @Option(
      names = "--host",
      paramLabel = "NAME",
      description = "Only this router (observer.hostname).")
  String host;

  @Option(
      names = "--format",
      paramLabel = "table|csv|json",
      defaultValue = "table",
      description =
          "Output format (json: one object per line). csv and json rows are written as they are"
              + " reconstructed; a table waits for all rows to align its columns."
              + " Default: ${DEFAULT-VALUE}.")
  String format;

  @Option(
      names = "--lookback",
      paramLabel = "DURATION",
      defaultValue = "1d",
      description =
          "How far before the period (and after it) events are read, so that a window open at its"
              + " start and a session running at its end are reconstructed whole (N s, m, h or d)."
              + " A window opened earlier than this (IMAPS kept refreshing it) is not seen: its"
              + " set line is not read, and its sessions show as session-without-window."
              + " Default: ${DEFAULT-VALUE}.")
  String lookback;

  @Option(
      names = "--no-cache",
      description =
          "Compute every router's reconstruction from the index, neither using nor keeping the"
              + " results the index's audit cache holds ("
              + org.mobilessh.audit.AuditCache.DIRECTORY
              + " in the index directory; removing it is always safe).")
  boolean noCache;

  /** A period {@code [from, to)}; either end {@code null} when open. */
  record Period(Instant from, Instant to) {
    boolean bounded() {
      return from != null || to != null;
    }

    Instant fromOrMin() {
      return from == null ? Instant.MIN : from;
    }

    Instant toOrMax() {
      return to == null ? Instant.MAX : to;
    }
  }

  /** The period the options ask for; a malformed or empty one is a usage error. */
  Period period() {
    if (month != null) {
      if (from != null || to != null) {
        throw new IllegalArgumentException("--month cannot be combined with --from or --to");
      }
      YearMonth m = month(month);
      return new Period(
          m.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC),
          m.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC));
    }
    Period p = new Period(time("--from", from), time("--to", to));
    if (p.from() != null && p.to() != null && !p.from().isBefore(p.to())) {
      throw new IllegalArgumentException("--from " + from + " is not before --to " + to);
    }
    return p;
  }

  /**
   * The first instant a time option may name: no event is older (ingest refuses earlier years), and
   * the stages below count time in microseconds through nanoseconds, which overflow a long before
   * 1677 and after 2262 ("long overflow" was all {@code --to 9999-12-31} said).
   */
  static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");

  /** The first instant after the last one a time option may name; see {@link #EARLIEST}. */
  static final Instant END = Instant.parse("2262-01-01T00:00:00Z");

  private static final String RANGE = " between 1970-01-01 and 2261-12-31";

  static YearMonth month(String text) {
    YearMonth m;
    try {
      m = YearMonth.parse(text.trim());
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "--month must be a calendar month YYYY-MM (e.g. 2026-10), not '" + text + "'");
    }
    if (m.getYear() < 1970 || m.getYear() > 2261) {
      throw new IllegalArgumentException(
          "--month must lie between 1970-01 and 2261-12, not '" + text + "'");
    }
    return m;
  }

  /**
   * An instant from ISO 8601 text: with an offset or {@code Z}, or without (UTC), or a bare date
   * (its first instant, UTC). {@code null} stays {@code null}.
   */
  static Instant time(String option, String text) {
    if (text == null) {
      return null;
    }
    Instant t = parseTime(option, text.trim());
    if (t.isBefore(EARLIEST) || !t.isBefore(END)) {
      throw new IllegalArgumentException(option + " must lie" + RANGE + ", not '" + text + "'");
    }
    return t;
  }

  private static Instant parseTime(String option, String t) {
    try {
      return OffsetDateTime.parse(t).toInstant();
    } catch (DateTimeParseException e) {
      // not with an offset; try the forms without one
    }
    try {
      return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      // nor a local date-time
    }
    try {
      return LocalDate.parse(t).atStartOfDay().toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          option
              + " must be an ISO 8601 time such as 2026-11-27T01:15:00Z, 2026-11-27T01:15 (UTC) or"
              + " 2026-11-27, not '"
              + t
              + "'");
    }
  }

  /** The address filter, or {@code null} for every address. */
  Cidr cidr() {
    if (ip == null) {
      return null;
    }
    try {
      return Cidr.parse(ip.trim());
    } catch (InvalidConfigException e) {
      throw new IllegalArgumentException("--ip must be an address or CIDR: " + e.getMessage());
    }
  }

  AuditTable.Format outputFormat() {
    return AuditTable.Format.parse(format);
  }

  Duration lookbackDuration() {
    Matcher m = DURATION.matcher(lookback.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "--lookback must be a whole number with s, m, h or d (e.g. 1d, 6h), not '"
              + lookback
              + "'");
    }
    long n = Long.parseLong(m.group(1));
    try {
      return switch (m.group(2)) {
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("--lookback " + lookback + " is too long");
    }
  }

  /**
   * The audit settings: the ruleset's (config file and options), except that mail servers are
   * optional here — without them any IMAPS destination counts as a refresh.
   */
  AuditConfig auditConfig() {
    return AuditRulesetOptions.auditConfig(ruleset.settings());
  }

  /** Checks every option that needs no index, so a bad one is a usage error before any work. */
  void validate() {
    period();
    cidr();
    outputFormat();
    lookbackDuration();
    auditConfig();
  }

  /** What is read for a period: widened by the lookback on both sides, and by N before. */
  Period readRange(Period p) {
    Duration margin = lookbackDuration();
    return new Period(
        p.from() == null ? null : minus(p.from(), margin, auditConfig().seconds()),
        p.to() == null ? null : plus(p.to(), margin));
  }

  /**
   * Streams the period: the records of the period (clipped and marked at its ends) go to {@code
   * sink} as they become final, in their order, and nothing is held but what is still open.
   */
  void stream(CommandSpec spec, Period p, AuditSink sink) {
    streamRead(spec, p, p.bounded() ? AuditSink.between(p.fromOrMin(), p.toOrMax(), sink) : sink);
  }

  /**
   * Streams every record reconstructed from what is read for the period ({@link #readRange}), not
   * clipped to it: for an instant, whose windows and sessions began before it.
   */
  void streamRead(CommandSpec spec, Period p, AuditSink sink) {
    Period read = readRange(p);
    java.io.PrintWriter err = spec.commandLine().getErr();
    IndexedAuditInput.Options options =
        IndexedAuditInput.Options.defaults()
            .withCache(!noCache)
            .withProgress(
                m -> {
                  err.println(m);
                  err.flush();
                });
    try (EventSearcher searcher = EventSearcher.open(index.path())) {
      if (host != null) {
        List<String> routers = searcher.observers();
        if (!routers.contains(host)) {
          // else "no windows found" alone leaves a mistyped --host to be guessed
          err.println(
              "no router "
                  + host
                  + " in the index"
                  + (routers.isEmpty()
                      ? ""
                      : " (its routers: " + String.join(", ", routers) + ")"));
        }
      }
      IndexedAuditInput.stream(
          searcher, read.from(), read.to(), host, new AuditEngine(auditConfig()), sink, options);
    }
  }

  /** The events of an address or network read for the period, in time order. */
  void forEachEventOf(Cidr ip, Period p, Consumer<TracedEvent> out) {
    Period read = readRange(p);
    try (EventSearcher searcher = EventSearcher.open(index.path())) {
      IndexedAuditInput.forEachOf(searcher, ip, read.from(), read.to(), host, out);
    }
  }

  /**
   * Streams the period into the sink made for the printer's rows: CSV and JSON rows are printed as
   * they come, a table once all are in.
   *
   * @return {@link ExitCodes#OK} when a row was printed, else {@link ExitCodes#NOT_FOUND}
   */
  int print(
      CommandSpec spec,
      List<String> columns,
      String noun,
      Function<AuditTable.Writer, AuditSink> sink) {
    Cidr ip = cidr();
    AuditTable.Writer out =
        new AuditTable.Writer(
            spec, columns, outputFormat(), noun, "ip " + (ip == null ? "-" : ip.toString()));
    stream(spec, period(), sink.apply(out));
    return out.finish();
  }

  /** {@code t} less the margin; unbounded ({@code null}) when that is before any event. */
  private static Instant minus(Instant t, Duration margin, int seconds) {
    try {
      Instant r = t.minus(margin).minusSeconds(seconds);
      return r.isBefore(EARLIEST) ? null : r;
    } catch (DateTimeException | ArithmeticException e) {
      return null;
    }
  }

  /** {@code t} plus the margin; unbounded ({@code null}) past what the stages below can count. */
  private static Instant plus(Instant t, Duration margin) {
    try {
      Instant r = t.plus(margin);
      return r.isBefore(END) ? r : null;
    } catch (DateTimeException | ArithmeticException e) {
      return null;
    }
  }

  /** Whether {@code a} lies in the {@code --ip} network ({@code true} without the option). */
  static boolean matches(Cidr cidr, InetAddress a) {
    if (cidr == null) {
      return true;
    }
    if (a == null) {
      return false;
    }
    byte[] net = cidr.address().getAddress();
    byte[] addr = a.getAddress();
    if (net.length != addr.length) {
      return false;
    }
    int bits = cidr.prefixLength();
    for (int i = 0; i < net.length && bits > 0; i++, bits -= 8) {
      int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
      if ((net[i] & mask) != (addr[i] & mask)) {
        return false;
      }
    }
    return true;
  }
}
