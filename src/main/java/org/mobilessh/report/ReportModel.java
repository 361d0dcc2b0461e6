package org.mobilessh.report;

import freemarker.core.HTMLOutputFormat;
import freemarker.template.TemplateModelException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.mobilessh.audit.Anomaly;
import org.mobilessh.audit.AuditConfig;
import org.mobilessh.audit.AuditFormat;
import org.mobilessh.audit.CloseReason;
import org.mobilessh.audit.Session;
import org.mobilessh.audit.SourceLine;
import org.mobilessh.audit.Window;
import org.mobilessh.rules.Family;

/**
 * The report's data: every figure the template prints, computed once here from the audit result of
 * the month and the index's coverage facts, as a tree of strings, numbers, booleans, lists and maps
 * (the only values the sandboxed template can see). Numbers meant for reading are formatted here,
 * so the output does not depend on the machine's locale.
 *
 * <p>The keys are documented in {@code report-templates/README.md}.
 */
public final class ReportModel {
  /** Silences longer than this in one router's events are listed as gaps. */
  static final Duration GAP = Duration.ofHours(4);

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter ISO =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
  private static final int EVIDENCE_LINES = 6;

  private final Map<String, Object> root;
  private final Figures figures;

  private final Instant generatedAt;

  private ReportModel(Map<String, Object> root, Figures figures, Instant generatedAt) {
    this.root = root;
    this.figures = figures;
    this.generatedAt = generatedAt;
  }

  /** The report's date: the request's, else the last event read (so same data, same date). */
  public Instant generatedAt() {
    return generatedAt;
  }

  /**
   * The headline figures, for callers and tests that check the rendered text against them.
   *
   * @param windows windows reaching into the month
   * @param sessions sessions accepted in the month
   * @param rejections reject lines logged in the month
   * @param anomalies anomalies dated in the month (or undated)
   * @param events events read inside the month
   */
  public record Figures(int windows, int sessions, int rejections, int anomalies, long events) {}

  /** The template's data model (unmodifiable). */
  public Map<String, Object> root() {
    return root;
  }

  public Figures figures() {
    return figures;
  }

  /**
   * Builds the model.
   *
   * @param req the request
   * @param events the figures of the events read (the month widened by the lookback)
   * @param month the tally of the audit clipped to the month
   * @param facts coverage facts from the index
   * @param charts the drawn charts, by name
   * @param templateDescription where the template came from
   */
  public static ReportModel build(
      ReportRequest req,
      EventFigures events,
      MonthTally month,
      Facts facts,
      Map<String, Charts.Chart> charts,
      String templateDescription,
      Messages msg) {
    YearMonth ym = req.month();
    Instant from = ym.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    Instant to = ym.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    Instant lastRead = events.lastRead();
    Queries q = Queries.of(req);

    Map<String, Object> m = new LinkedHashMap<>();
    Instant generated =
        req.generatedAt() != null ? req.generatedAt() : lastRead != null ? lastRead : to;
    TreeSet<String> routers = new TreeSet<>();
    events.routers().forEach(r -> routers.add(r.isEmpty() ? msg.get("value.unnamed") : r));
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("month", ym.toString());
    meta.put("monthName", monthName(ym, req.lang()));
    meta.put("index", req.index().toString());
    meta.put("commandOptions", q.options());
    meta.put("from", TIME.format(from));
    meta.put("to", TIME.format(to));
    meta.put("routers", List.copyOf(routers));
    meta.put("hostFilter", req.host() == null ? "" : req.host());
    meta.put("timezone", "UTC");
    meta.put("generatedAt", TIME.format(generated));
    meta.put("generatedAtFromData", req.generatedAt() == null);
    meta.put("toolVersion", req.toolVersion());
    meta.put("inputDigest", events.digest());
    meta.put("inputEvents", fmt(events.read()));
    meta.put("evidenceHash", req.evidenceHash() == null ? "" : req.evidenceHash());
    meta.put("template", templateDescription);
    meta.put("lang", req.lang());
    meta.put("paper", req.paper().css());
    meta.put("topN", req.topN());
    meta.put("format", req.format().name().toLowerCase(Locale.ROOT));
    meta.put("lookback", human(req.lookback().getSeconds(), msg));
    m.put("meta", meta);

    m.put("t", msg.all());
    m.put("coverage", coverage(events, ym, facts, month, req.topN(), msg));
    m.put("ruleset", RulesetSection.build(req, facts, month.observers(), q, msg));
    m.put("summary", summary(month, events.inMonth(), facts, q, msg));
    m.put("windows", windows(month, req.topN(), q, msg));
    m.put("sessions", sessions(month, q, msg));
    m.put("rejections", rejections(month, req.topN(), q, facts));
    m.put("anomalies", anomalies(month, q, msg));
    m.put("precision", precision(month, req.config()));
    Map<String, Object> ch = new LinkedHashMap<>();
    charts.forEach(
        (name, c) -> {
          Map<String, Object> one = new LinkedHashMap<>();
          one.put("svg", markup(c.svg()));
          one.put("title", c.title());
          one.put("query", c.query());
          ch.put(name, one);
        });
    m.put("charts", ch);
    Figures f =
        new Figures(
            Math.toIntExact(month.windows()),
            Math.toIntExact(month.sessions()),
            Math.toIntExact(month.rejections()),
            Math.toIntExact(month.anomalies()),
            events.inMonth());
    return new ReportModel(java.util.Collections.unmodifiableMap(m), f, generated);
  }

  /**
   * The commands that reproduce figures, scoped to the month (and router): {@code mobilessh search}
   * queries, and the audit commands with the ruleset options the report was made with (those that
   * differ from the defaults), so that running one gives the figure printed beside it.
   *
   * @param options the audit options to repeat ({@code --seconds 5 --mail-server ...}), or ""
   */
  public record Queries(Instant from, Instant to, String host, String options) {
    /** The queries of a request. */
    public static Queries of(ReportRequest req) {
      YearMonth ym = req.month();
      return new Queries(
          ym.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC),
          ym.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC),
          req.host(),
          options(req));
    }

    /** The audit options of {@code req} that differ from the defaults, as command-line text. */
    static String options(ReportRequest req) {
      AuditConfig c = req.config();
      AuditConfig d = AuditConfig.defaults();
      List<String> o = new ArrayList<>();
      if (c.seconds() != d.seconds()) {
        o.add("--seconds " + c.seconds());
      }
      for (var cidr : c.mailServers()) {
        o.add("--mail-server " + cidr);
      }
      if (c.imapsPort() != d.imapsPort()) {
        o.add("--imaps-port " + c.imapsPort());
      }
      if (c.sshPort() != d.sshPort()) {
        o.add("--ssh-port " + c.sshPort());
      }
      if (!c.remove()) {
        o.add("--no-remove");
      }
      if (c.strict()) {
        o.add("--strict-sessions");
      }
      if (c.rejectLogPerSecond() != d.rejectLogPerSecond()) {
        o.add("--reject-log-rate " + trim(c.rejectLogPerSecond() * 60) + "/min");
      }
      if (c.rejectLogGlobalPerSecond() != d.rejectLogGlobalPerSecond()) {
        o.add("--reject-log-global-rate " + trim(c.rejectLogGlobalPerSecond()) + "/sec");
      }
      if (c.rejectLogBurst() != d.rejectLogBurst()) {
        o.add("--reject-log-burst " + c.rejectLogBurst());
      }
      if (!req.lookback().equals(java.time.Duration.ofDays(1))) {
        o.add("--lookback " + req.lookback().getSeconds() + "s");
      }
      return String.join(" ", o);
    }

    /**
     * The reject lines of one router and family in {@code (from, to]} (microseconds), as {@link
     * org.mobilessh.audit.RejectTotals} counts them between two snapshots.
     */
    public static String rejectStretch(String host, Family family, Instant from, Instant to) {
      return "action:reject AND family:"
          + (family == Family.IPV4 ? "ipv4" : "ipv6")
          + " AND host:"
          + quoted(host)
          + " AND time:{"
          + (from == null ? "*" : MICROS.format(from))
          + " TO "
          + MICROS.format(to)
          + "]";
    }

    String of(String terms) {
      String scope = "time:[" + ISO.format(from) + " TO " + ISO.format(to) + "}";
      return (terms.isEmpty() ? "" : terms + " AND ")
          + scope
          + (host == null ? "" : " AND host:" + quoted(host));
    }

    /** A host name as a query term: quoted (Lucene syntax) unless it is a plain name. */
    static String quoted(String host) {
      if (host.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
        return host;
      }
      return "\"" + host.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    String command(String terms) {
      return "mobilessh search --count '" + of(terms) + "'";
    }

    String audit(String cmd) {
      return "mobilessh "
          + cmd
          + " --month "
          + YearMonth.from(from.atZone(ZoneOffset.UTC))
          + (host == null ? "" : " --host " + quotedShell(host))
          + (options.isEmpty() ? "" : " " + options);
    }

    /** An audit command's CSV piped through a shell filter: {@code | tail -n +2 | wc -l}. */
    String csv(String cmd, String filter) {
      return audit(cmd) + " --format csv | " + filter;
    }

    private static String quotedShell(String s) {
      return s.matches("[A-Za-z0-9._-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }
  }

  private static final DateTimeFormatter MICROS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  /** The queries whose counts the report prints, so the caller can count them in the index. */
  static List<String> queries(ReportRequest req) {
    Queries q = Queries.of(req);
    return List.of(
        q.of(""),
        q.of("action:set"),
        q.of("action:accept"),
        q.of("action:reject"),
        q.of("action:remove"));
  }

  private static Map<String, Object> coverage(
      EventFigures events, YearMonth ym, Facts facts, MonthTally month, int topN, Messages msg) {
    Map<String, Object> c = new LinkedHashMap<>();
    // sources that contributed events to the month
    Map<String, EventFigures.Source> perSource = events.sources();
    Map<String, Facts.IngestedSource> byPath = new TreeMap<>();
    for (Facts.IngestedSource s : facts.sources()) {
      byPath.put(s.path(), s);
    }
    // every checkpointed source, and any other that contributed events: a source whose lines
    // all duplicated another's (syslog next to kern.log) or fell outside the month shows 0
    TreeSet<String> paths = new TreeSet<>(perSource.keySet());
    paths.addAll(byPath.keySet());
    List<Object> sources = new ArrayList<>();
    for (String path : paths) {
      Map<String, Object> s = new LinkedHashMap<>();
      Facts.IngestedSource ck = byPath.get(path);
      EventFigures.Source span = perSource.get(path);
      s.put("path", clean(path));
      s.put("events", fmt(span == null ? 0 : span.events()));
      s.put("first", span == null ? "" : TIME.format(span.first()));
      s.put("last", span == null ? "" : TIME.format(span.last()));
      s.put("lines", ck == null ? "" : fmt(ck.lines()));
      s.put("headSha256", ck == null ? "" : ck.headSha256());
      s.put("headBytes", ck == null ? "" : fmt(ck.headBytes()));
      s.put("bytes", ck == null ? "" : fmt(ck.bytes()));
      s.put("sha256", ck == null ? "" : ck.sha256());
      s.put(
          "sha256Note",
          ck == null
              ? msg.get("coverage.sha.notCheckpointed")
              : ck.sha256Note().isEmpty() ? "" : msg.get("coverage.sha." + ck.sha256Note()));
      sources.add(s);
    }
    c.put("sources", sources);
    c.put("checkpointedSources", facts.sources().size());
    // per day, per router
    java.util.SortedSet<String> routers = events.routers();
    Map<LocalDate, java.util.SortedMap<String, Long>> perDay = events.perDay();
    Map<LocalDate, long[]> audit = month.perDay();
    List<Object> days = new ArrayList<>();
    int empty = 0;
    for (LocalDate d = ym.atDay(1); !d.isAfter(ym.atEndOfMonth()); d = d.plusDays(1)) {
      Map<String, Object> day = new LinkedHashMap<>();
      Map<String, Long> counts = perDay.getOrDefault(d, java.util.Collections.emptySortedMap());
      long total = counts.values().stream().mapToLong(Long::longValue).sum();
      day.put("date", d.toString());
      day.put("events", fmt(total));
      List<Object> per = new ArrayList<>();
      for (String r : routers) {
        per.add(fmt(counts.getOrDefault(r, 0L)));
      }
      day.put("perRouter", per);
      long[] a = audit.getOrDefault(d, new long[3]);
      day.put("windows", fmt(a[0]));
      day.put("sessions", fmt(a[1]));
      day.put("rejections", fmt(a[2]));
      day.put("noData", total == 0);
      if (total == 0) {
        empty++;
      }
      days.add(day);
    }
    c.put("routers", List.copyOf(routers));
    c.put("days", days);
    c.put("daysWithoutData", empty);
    // silences per router
    List<Map<String, Object>> gaps = new ArrayList<>();
    for (EventFigures.Gap g : events.gaps()) {
      gaps.add(gap(g.router(), g.from(), g.to(), g.seconds(), msg));
    }
    gaps.sort(
        Comparator.comparing((Map<String, Object> g) -> -(long) g.get("seconds"))
            .thenComparing(g -> (String) g.get("from")));
    c.put("gapThreshold", human(GAP.getSeconds(), msg));
    c.put("gapCount", gaps.size());
    c.put("gaps", List.copyOf(gaps.subList(0, Math.min(topN, gaps.size()))));
    List<Object> quarantine = new ArrayList<>();
    long qTotal = 0;
    for (Map.Entry<String, Long> e : new TreeMap<>(facts.quarantinedByReason()).entrySet()) {
      quarantine.add(codeRow("reason", e.getKey(), Messages.Codes.QUARANTINE, e.getValue(), msg));
      qTotal += e.getValue();
    }
    c.put("quarantine", quarantine);
    c.put("quarantineTotal", fmt(qTotal));
    c.put("rateLimitMarkers", fmt(month.rateLimitMarkers()));
    c.put("sampledRejections", fmt(month.sampled()));
    c.put("counterSnapshots", month.totals().size());
    return c;
  }

  private static Map<String, Object> gap(
      String r, Instant a, Instant b, long seconds, Messages msg) {
    Map<String, Object> g = new LinkedHashMap<>();
    g.put("router", r);
    g.put("from", TIME.format(a));
    g.put("to", TIME.format(b));
    g.put("length", human(seconds, msg));
    g.put("seconds", seconds);
    return g;
  }

  /** The settings the reconstruction assumed (command line and configuration file). */
  static List<Object> assumedSettings(AuditConfig c, Messages msg) {
    List<Object> settings = new ArrayList<>();
    settings.add(row(msg.get("setting.seconds"), c.seconds() + " s"));
    settings.add(row(msg.get("setting.sshPort"), Integer.toString(c.sshPort())));
    settings.add(row(msg.get("setting.imapsPort"), Integer.toString(c.imapsPort())));
    settings.add(
        row(
            msg.get("setting.mailServers"),
            c.mailServers().isEmpty()
                ? msg.get("setting.anyMailServer")
                : String.join(", ", c.mailServers().stream().map(Object::toString).toList())));
    settings.add(
        row(msg.get("setting.remove"), c.remove() ? msg.get("value.yes") : msg.get("value.no")));
    settings.add(
        row(msg.get("setting.strict"), c.strict() ? msg.get("value.yes") : msg.get("value.no")));
    settings.add(
        row(
            msg.get("setting.rejectRate"),
            msg.get(
                "setting.rejectRateValue",
                trim(c.rejectLogPerSecond() * 60),
                trim(c.rejectLogGlobalPerSecond()),
                c.rejectLogBurst())));
    settings.add(row(msg.get("setting.ipListTot"), Integer.toString(c.ipListTot())));
    settings.add(row(msg.get("setting.silence"), human(c.sourceSilence().getSeconds(), msg)));
    return settings;
  }

  static Map<String, Object> row(String name, String value) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("value", value);
    return m;
  }

  private static Map<String, Object> summary(
      MonthTally month, long events, Facts facts, Queries q, Messages msg) {
    Map<String, Object> s = new LinkedHashMap<>();
    List<Object> rows = new ArrayList<>();
    long addresses = month.windowAddresses();
    double open = month.openSeconds();
    long noWindow = month.withoutWindow();
    long sampled = month.sampled();
    long rejectSources = month.rejectSources();
    String rows1 = "tail -n +2 | wc -l";
    // its command is the search count already
    rows.add(fig("events", msg, events, q.command(""), null, null));
    rows.add(
        fig("windows", msg, month.windows(), q.csv("windows", rows1), facts, q.of("action:set")));
    rows.add(
        fig(
            "addresses",
            msg,
            addresses,
            q.csv("windows", "tail -n +2 | cut -d, -f1 | sort -u | wc -l"),
            null,
            null));
    long openSeconds = Math.round(open);
    Map<String, Object> openRow =
        fig(
            "openTime",
            msg,
            openSeconds,
            q.csv("windows", "awk -F, 'NR>1 {s+=$6} END {printf \"%.0f\\n\", s}'"),
            null,
            null);
    openRow.put("value", human(openSeconds, msg));
    openRow.put("detail", msg.get("unit.secondsValue", fmt(openSeconds)));
    rows.add(openRow);
    rows.add(
        fig(
            "sessions",
            msg,
            month.sessions(),
            q.csv("sessions", rows1),
            facts,
            q.of("action:accept")));
    rows.add(
        fig(
            "sessionsWithoutWindow",
            msg,
            noWindow,
            q.csv("sessions", "awk -F, 'NR>1 && $10==\"\"' | wc -l"),
            null,
            null));
    rows.add(
        fig(
            "rejections",
            msg,
            month.rejections(),
            q.csv("rejects", rows1),
            facts,
            q.of("action:reject")));
    rows.add(
        fig(
            "sampled",
            msg,
            sampled,
            q.csv("rejects", "awk -F, 'NR>1 && $8==\"true\"' | wc -l"),
            null,
            null));
    rows.add(
        fig(
            "rejectSources",
            msg,
            rejectSources,
            q.csv("rejects", "tail -n +2 | cut -d, -f2 | sort -u | wc -l"),
            null,
            null));
    rows.add(fig("anomalies", msg, month.anomalies(), q.csv("anomalies", rows1), null, null));
    s.put("rows", rows);
    s.put("eventsUsed", fmt(month.eventsUsed()));
    s.put("duplicatesDropped", fmt(month.duplicatesDropped()));
    s.put("untimedEvents", fmt(month.untimedEvents()));
    return s;
  }

  /**
   * One summary row: its label, the figure, the command whose output is exactly that figure ({@code
   * check} holds the plain number it prints), and the count of the row's search query.
   */
  private static Map<String, Object> fig(
      String id, Messages msg, long value, String command, Facts facts, String countQuery) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id);
    m.put("label", msg.get("summary." + id));
    m.put("value", fmt(value));
    m.put("check", Long.toString(value));
    m.put("detail", "");
    m.put("query", command);
    Long n = facts == null || countQuery == null ? null : facts.queryCounts().get(countQuery);
    m.put("indexCount", n == null ? "" : fmt(n));
    m.put("indexQuery", n == null ? "" : "mobilessh search --count '" + countQuery + "'");
    return m;
  }

  private static Map<String, Object> windows(MonthTally month, int topN, Queries q, Messages msg) {
    Map<String, Object> w = new LinkedHashMap<>();
    w.put("count", fmt(month.windows()));
    w.put("query", q.audit("windows"));
    Map<String, double[]> per = month.perAddress();
    Map<String, String> fam = month.addressFamily();
    List<Map.Entry<String, double[]>> sorted = new ArrayList<>(per.entrySet());
    sorted.sort(
        Comparator.comparing((Map.Entry<String, double[]> e) -> -e.getValue()[1])
            .thenComparing(Map.Entry::getKey));
    List<Object> rows = new ArrayList<>();
    for (Map.Entry<String, double[]> e : sorted.subList(0, Math.min(topN, sorted.size()))) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("address", e.getKey());
      r.put("family", fam.get(e.getKey()));
      r.put("count", fmt((long) e.getValue()[0]));
      r.put("total", human(Math.round(e.getValue()[1]), msg));
      r.put("longest", human(Math.round(e.getValue()[2]), msg));
      r.put("query", q.audit("windows") + " --ip " + e.getKey());
      rows.add(r);
    }
    w.put("perAddress", rows);
    w.put("addresses", per.size());
    w.put("addressesShown", rows.size());
    Map<CloseReason, Long> reasons = month.closeReasons();
    List<Object> rr = new ArrayList<>();
    reasons.forEach(
        (k, v) -> rr.add(codeRow("reason", k.id(), Messages.Codes.CLOSE_REASON, v, msg)));
    w.put("closeReasons", rr);
    w.put("clipped", fmt(month.clipped()));
    List<Object> list = new ArrayList<>();
    for (Window x : month.firstWindows()) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("address", AuditFormat.address(x.source()));
      r.put("router", x.observer());
      r.put("opened", TIME.format(x.openedAt()));
      r.put("closed", x.closedAt() == null ? "" : TIME.format(x.closedAt()));
      r.put("reason", x.closeReason().id());
      r.put("label", msg.label(Messages.Codes.CLOSE_REASON, x.closeReason().id()));
      r.put("openedBy", x.openedBy().id());
      r.put("openedByLabel", msg.label(Messages.Codes.OPENING, x.openedBy().id()));
      r.put("manual", x.openedBy() != Window.Opening.SET);
      r.put("precision", x.closePrecisionS() == null ? "" : ms(x.closePrecisionS()) + " s");
      r.put("duration", x.durationS() == null ? "" : human(Math.round(x.durationS()), msg));
      r.put("sessions", Integer.toString(x.sshSessions()));
      r.put(
          "clipped",
          x.clippedStart() && x.clippedEnd()
              ? msg.get("windows.clipped.both")
              : x.clippedStart()
                  ? msg.get("windows.clipped.start")
                  : x.clippedEnd() ? msg.get("windows.clipped.end") : "");
      list.add(r);
    }
    w.put("list", list);
    w.put("listShown", list.size());
    return w;
  }

  private static Map<String, Object> sessions(MonthTally month, Queries q, Messages msg) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("count", fmt(month.sessions()));
    s.put("query", q.audit("sessions"));
    s.put("outliving", fmt(month.outliving()));
    s.put("withFlow", fmt(month.withFlow()));
    List<Object> rows = new ArrayList<>();
    for (Session x : month.firstSessions()) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("source", AuditFormat.address(x.source()) + " :" + x.sourcePort());
      r.put("destination", AuditFormat.address(x.destination()) + " :" + x.destinationPort());
      r.put("accepted", TIME.format(x.acceptedAt()));
      r.put("duration", x.durationS() == null ? "" : human(Math.round(x.durationS()), msg));
      r.put("bytes", x.bytesIn() == null ? "" : fmt(x.bytesIn()) + " / " + fmt(x.bytesOut()));
      r.put(
          "window",
          x.windowOpenedAt() == null ? msg.get("value.none") : TIME.format(x.windowOpenedAt()));
      r.put("outlives", x.outlivesWindow());
      r.put("router", x.observer());
      rows.add(r);
    }
    s.put("list", rows);
    s.put("listShown", rows.size());
    return s;
  }

  private static Map<String, Object> rejections(
      MonthTally month, int topN, Queries q, Facts facts) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("count", fmt(month.rejections()));
    r.put("query", q.command("action:reject"));
    r.put("sampled", fmt(month.sampled()));
    r.put(
        "topSources",
        top(month.rejectsBySource(), topN, k -> q.command("action:reject AND src:" + k)));
    r.put(
        "topPorts",
        top(month.rejectsByPort(), topN, k -> q.command("action:reject AND dport:" + k)));
    r.put(
        "families",
        top(
            month.rejectsByFamily(),
            2,
            k -> q.command("action:reject AND family:" + (k.equals("IPv4") ? "ipv4" : "ipv6"))));
    r.put("sources", month.rejectSources());
    return r;
  }

  private static List<Object> top(Map<String, Long> counts, int n, Function<String, String> query) {
    List<Map.Entry<String, Long>> e = new ArrayList<>(counts.entrySet());
    e.sort(
        Comparator.comparing((Map.Entry<String, Long> x) -> -x.getValue())
            .thenComparing(Map.Entry::getKey));
    List<Object> out = new ArrayList<>();
    for (Map.Entry<String, Long> x : e.subList(0, Math.min(n, e.size()))) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("key", x.getKey());
      m.put("count", fmt(x.getValue()));
      m.put("query", query.apply(x.getKey()));
      out.add(m);
    }
    return out;
  }

  /** A row of a count per machine code: the code under {@code key}, its label, the count. */
  private static Map<String, Object> codeRow(
      String key, String code, Messages.Codes group, long count, Messages msg) {
    return Map.of(key, code, "label", msg.label(group, code), "count", fmt(count));
  }

  private static Map<String, Object> anomalies(MonthTally month, Queries q, Messages msg) {
    Map<String, Object> a = new LinkedHashMap<>();
    a.put("count", fmt(month.anomalies()));
    a.put("total", Math.toIntExact(month.anomalies()));
    a.put("query", q.audit("anomalies"));
    Map<Anomaly.Kind, Long> kinds = month.anomalyKinds();
    List<Object> k = new ArrayList<>();
    kinds.forEach((kind, n) -> k.add(codeRow("kind", kind.id(), Messages.Codes.ANOMALY, n, msg)));
    a.put("kinds", k);
    List<Object> list = new ArrayList<>();
    for (Anomaly x : month.firstAnomalies()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("kind", x.kind().id());
      m.put("label", msg.label(Messages.Codes.ANOMALY, x.kind().id()));
      m.put("at", x.at() == null ? "" : TIME.format(x.at()));
      m.put("router", x.observer());
      m.put("address", AuditFormat.address(x.address()));
      m.put("message", clean(msg.anomaly(x.kind().id(), x.message())));
      List<Object> ev = new ArrayList<>();
      for (SourceLine l : x.evidence().subList(0, Math.min(EVIDENCE_LINES, x.evidence().size()))) {
        ev.add(
            Map.of("where", clean(l.sourcePath()) + ":" + l.lineNumber(), "line", clean(l.line())));
      }
      m.put("evidence", ev);
      m.put("moreEvidence", Math.max(0, x.evidence().size() - EVIDENCE_LINES));
      list.add(m);
    }
    a.put("list", list);
    a.put("listShown", list.size());
    return a;
  }

  /**
   * The evidence files the PDF does not carry, for the template's {@code attachments} section
   * (present only when some file was left out): name, size, SHA-256 and where the file is.
   */
  static Map<String, Object> attachments(Attachments.Plan plan, ReportRequest req) {
    Map<String, Object> a = new LinkedHashMap<>();
    a.put("exportOptions", req.host() == null ? "" : " --host " + req.host());
    a.put("limit", bytes(plan.limit()));
    List<String> attached = new ArrayList<>(plan.attachedBytes().keySet());
    attached.addAll(plan.attachedFiles().keySet());
    java.util.Collections.sort(attached);
    a.put("attached", attached);
    List<Object> out = new ArrayList<>();
    for (Attachments.LeftOut l : plan.leftOut()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", l.name());
      m.put("size", fmt(l.size()));
      m.put("sizeHuman", bytes(l.size()));
      m.put("sha256", l.sha256());
      m.put("bundlePath", l.bundlePath() == null ? "" : l.bundlePath());
      out.add(m);
    }
    a.put("leftOut", out);
    a.put("leftOutCount", out.size());
    return a;
  }

  /** A byte count in binary units for reading: {@code 64 MiB}, {@code 5.2 GiB}, {@code 812 B}. */
  static String bytes(long n) {
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    int u = 0;
    double v = n;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    if (u == 0 || v == Math.rint(v)) {
      return String.format(Locale.ROOT, "%d %s", Math.round(v), units[u]);
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }

  private static Map<String, Object> precision(MonthTally month, AuditConfig c) {
    Map<String, Object> p = new LinkedHashMap<>();
    double worstClose = month.worstClose();
    double worstOpen = month.worstOpen();
    long exact = month.closeWithinOneSecond();
    p.put("worstOpen", ms(worstOpen) + " s");
    p.put("worstClose", ms(worstClose) + " s");
    p.put("closeWithinOneSecond", fmt(exact));
    p.put("seconds", c.seconds());
    return p;
  }

  /** Raw markup for the template (the charts' SVG): not escaped again. */
  private static Object markup(String svg) {
    try {
      return HTMLOutputFormat.INSTANCE.fromMarkup(svg);
    } catch (TemplateModelException e) {
      throw new ReportException("cannot pass chart markup to the template: " + e.getMessage(), e);
    }
  }

  static String monthName(YearMonth ym, String lang) {
    if (lang.equals("ja")) {
      return ym.getYear() + "年" + ym.getMonthValue() + "月";
    }
    return ym.getMonth().getDisplayName(java.time.format.TextStyle.FULL, Locale.ENGLISH)
        + " "
        + ym.getYear();
  }

  /**
   * Text from the data made safe for XML: control characters (other than tab) cannot appear in
   * XHTML at all, so they are shown as {@code \\xNN}. Escaping of markup is the template's.
   */
  static String clean(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean bad = (c < 0x20 && c != '\t') || c == 0x7f || c == 0xfffe || c == 0xffff;
      if (bad && b == null) {
        b = new StringBuilder(s.substring(0, i));
      }
      if (b != null) {
        if (bad) {
          b.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
        } else {
          b.append(c);
        }
      }
    }
    return b == null ? s : b.toString();
  }

  static String fmt(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  /** Seconds to the millisecond, for reading (the CSV export keeps the microseconds). */
  static String ms(double d) {
    return AuditFormat.seconds(Math.round(d * 1000) / 1000.0);
  }

  static String trim(double d) {
    return AuditFormat.seconds(d);
  }

  /**
   * A duration for reading, in the report's language: {@code 3h 04m 05s}, {@code 2d 03h 00m},
   * {@code 45s} ({@code 3時間04分05秒} ...).
   */
  static String human(long seconds, Messages msg) {
    long d = seconds / 86400;
    long h = seconds % 86400 / 3600;
    long mi = seconds % 3600 / 60;
    long s = seconds % 60;
    if (d > 0) {
      return msg.get("duration.dhm", d, two(h), two(mi));
    }
    if (h > 0) {
      return msg.get("duration.hms", h, two(mi), two(s));
    }
    if (mi > 0) {
      return msg.get("duration.ms", mi, two(s));
    }
    return msg.get("duration.s", s);
  }

  private static String two(long n) {
    return String.format(Locale.ROOT, "%02d", n);
  }
}
