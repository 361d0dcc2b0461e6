package org.mobilessh.report;

import freemarker.core.HTMLOutputFormat;
import freemarker.template.TemplateModelException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
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
import org.mobilessh.audit.AuditInput;
import org.mobilessh.audit.AuditResult;
import org.mobilessh.audit.CloseReason;
import org.mobilessh.audit.Rejection;
import org.mobilessh.audit.Session;
import org.mobilessh.audit.SourceLine;
import org.mobilessh.audit.TracedEvent;
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
   * @param input the events read (the month widened by the lookback)
   * @param month the audit result clipped to the month
   * @param facts coverage facts from the index
   * @param charts the drawn charts, by name
   * @param templateDescription where the template came from
   */
  public static ReportModel build(
      ReportRequest req,
      AuditInput input,
      AuditResult month,
      Facts facts,
      Map<String, Charts.Chart> charts,
      String templateDescription,
      Messages msg) {
    YearMonth ym = req.month();
    Instant from = ym.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    Instant to = ym.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    List<TracedEvent> inMonth = new ArrayList<>();
    Instant lastRead = null;
    for (TracedEvent e : input.events()) {
      Instant t = e.time();
      if (t == null) {
        continue;
      }
      if (lastRead == null || t.isAfter(lastRead)) {
        lastRead = t;
      }
      if (!t.isBefore(from) && t.isBefore(to)) {
        inMonth.add(e);
      }
    }
    inMonth.sort(Comparator.comparing(TracedEvent::time));
    Queries q = Queries.of(req);

    Map<String, Object> m = new LinkedHashMap<>();
    Instant generated =
        req.generatedAt() != null ? req.generatedAt() : lastRead != null ? lastRead : to;
    TreeSet<String> routers = new TreeSet<>();
    inMonth.forEach(
        e -> routers.add(e.observer().isEmpty() ? msg.get("value.unnamed") : e.observer()));
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
    meta.put("inputDigest", digest(input));
    meta.put("inputEvents", fmt(input.events().size()));
    meta.put("evidenceHash", req.evidenceHash() == null ? "" : req.evidenceHash());
    meta.put("template", templateDescription);
    meta.put("lang", req.lang());
    meta.put("paper", req.paper().css());
    meta.put("topN", req.topN());
    meta.put("format", req.format().name().toLowerCase(Locale.ROOT));
    meta.put("lookback", human(req.lookback().getSeconds(), msg));
    m.put("meta", meta);

    m.put("t", msg.all());
    m.put("coverage", coverage(inMonth, ym, from, to, facts, month, req.topN(), msg));
    m.put("ruleset", RulesetSection.build(req, facts, month, q, msg));
    m.put("summary", summary(month, inMonth.size(), facts, q, msg));
    m.put("windows", windows(month.windows(), req.topN(), q, msg));
    m.put("sessions", sessions(month.sessions(), req.topN(), q, msg));
    m.put("rejections", rejections(month.rejections(), req.topN(), q, facts));
    m.put("anomalies", anomalies(month.anomalies(), req.topN(), q, msg));
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
            month.windows().size(),
            month.sessions().size(),
            month.rejections().size(),
            month.anomalies().size(),
            inMonth.size());
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
      List<TracedEvent> events,
      YearMonth ym,
      Instant from,
      Instant to,
      Facts facts,
      AuditResult month,
      int topN,
      Messages msg) {
    Map<String, Object> c = new LinkedHashMap<>();
    // sources that contributed events to the month
    Map<String, long[]> perSource = new TreeMap<>();
    Map<String, Instant[]> spans = new TreeMap<>();
    for (TracedEvent e : events) {
      perSource.computeIfAbsent(e.sourcePath(), k -> new long[1])[0]++;
      Instant[] s = spans.computeIfAbsent(e.sourcePath(), k -> new Instant[2]);
      if (s[0] == null || e.time().isBefore(s[0])) {
        s[0] = e.time();
      }
      if (s[1] == null || e.time().isAfter(s[1])) {
        s[1] = e.time();
      }
    }
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
      long[] count = perSource.get(path);
      Instant[] span = spans.get(path);
      s.put("path", clean(path));
      s.put("events", fmt(count == null ? 0 : count[0]));
      s.put("first", span == null ? "" : TIME.format(span[0]));
      s.put("last", span == null ? "" : TIME.format(span[1]));
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
    TreeSet<String> routers = new TreeSet<>();
    events.forEach(e -> routers.add(e.observer()));
    Map<LocalDate, Map<String, Long>> perDay = new TreeMap<>();
    for (TracedEvent e : events) {
      LocalDate d = e.time().atZone(ZoneOffset.UTC).toLocalDate();
      perDay.computeIfAbsent(d, k -> new TreeMap<>()).merge(e.observer(), 1L, Long::sum);
    }
    Map<LocalDate, long[]> audit = perDayAudit(month);
    List<Object> days = new ArrayList<>();
    int empty = 0;
    for (LocalDate d = ym.atDay(1); !d.isAfter(ym.atEndOfMonth()); d = d.plusDays(1)) {
      Map<String, Object> day = new LinkedHashMap<>();
      Map<String, Long> counts = perDay.getOrDefault(d, Map.of());
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
    for (String r : routers) {
      Instant prev = from;
      for (TracedEvent e : events) {
        if (!e.observer().equals(r)) {
          continue;
        }
        addGap(gaps, r, prev, e.time(), msg);
        prev = e.time();
      }
      addGap(gaps, r, prev, to, msg);
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
    long markers =
        month.anomalies().stream().filter(a -> a.kind() == Anomaly.Kind.RATE_LIMIT_MARKER).count();
    long sampled = month.rejections().stream().filter(Rejection::sampled).count();
    c.put("rateLimitMarkers", fmt(markers));
    c.put("sampledRejections", fmt(sampled));
    c.put("counterSnapshots", month.totals().size());
    return c;
  }

  private static void addGap(
      List<Map<String, Object>> gaps, String r, Instant a, Instant b, Messages msg) {
    long s = Duration.between(a, b).getSeconds();
    if (s >= GAP.getSeconds()) {
      Map<String, Object> g = new LinkedHashMap<>();
      g.put("router", r);
      g.put("from", TIME.format(a));
      g.put("to", TIME.format(b));
      g.put("length", human(s, msg));
      g.put("seconds", s);
      gaps.add(g);
    }
  }

  /** Per UTC day: windows opened, sessions accepted, rejections logged. */
  static Map<LocalDate, long[]> perDayAudit(AuditResult month) {
    Map<LocalDate, long[]> m = new TreeMap<>();
    for (Window w : month.windows()) {
      m.computeIfAbsent(day(w.openedAt()), k -> new long[3])[0]++;
    }
    for (Session s : month.sessions()) {
      m.computeIfAbsent(day(s.acceptedAt()), k -> new long[3])[1]++;
    }
    for (Rejection r : month.rejections()) {
      m.computeIfAbsent(day(r.at()), k -> new long[3])[2]++;
    }
    return m;
  }

  private static LocalDate day(Instant t) {
    return t.atZone(ZoneOffset.UTC).toLocalDate();
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
      AuditResult month, long events, Facts facts, Queries q, Messages msg) {
    Map<String, Object> s = new LinkedHashMap<>();
    List<Object> rows = new ArrayList<>();
    long addresses = month.windows().stream().map(Window::source).distinct().count();
    double open =
        month.windows().stream()
            .map(Window::durationS)
            .filter(d -> d != null)
            .mapToDouble(Double::doubleValue)
            .sum();
    long noWindow = month.sessions().stream().filter(x -> x.windowOpenedAt() == null).count();
    long sampled = month.rejections().stream().filter(Rejection::sampled).count();
    long rejectSources = month.rejections().stream().map(Rejection::source).distinct().count();
    String rows1 = "tail -n +2 | wc -l";
    // its command is the search count already
    rows.add(fig("events", msg, events, q.command(""), null, null));
    rows.add(
        fig(
            "windows",
            msg,
            month.windows().size(),
            q.csv("windows", rows1),
            facts,
            q.of("action:set")));
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
            month.sessions().size(),
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
            month.rejections().size(),
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
    rows.add(
        fig("anomalies", msg, month.anomalies().size(), q.csv("anomalies", rows1), null, null));
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

  private static Map<String, Object> windows(
      List<Window> windows, int topN, Queries q, Messages msg) {
    Map<String, Object> w = new LinkedHashMap<>();
    w.put("count", fmt(windows.size()));
    w.put("query", q.audit("windows"));
    Map<String, double[]> per = new TreeMap<>();
    Map<String, String> fam = new TreeMap<>();
    for (Window x : windows) {
      String a = AuditFormat.address(x.source());
      double d = x.durationS() == null ? 0 : x.durationS();
      double[] v = per.computeIfAbsent(a, k -> new double[3]);
      v[0]++;
      v[1] += d;
      v[2] = Math.max(v[2], d);
      fam.put(a, x.family() == Family.IPV4 ? "IPv4" : "IPv6");
    }
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
    Map<CloseReason, Long> reasons = new java.util.EnumMap<>(CloseReason.class);
    windows.forEach(x -> reasons.merge(x.closeReason(), 1L, Long::sum));
    List<Object> rr = new ArrayList<>();
    reasons.forEach(
        (k, v) -> rr.add(codeRow("reason", k.id(), Messages.Codes.CLOSE_REASON, v, msg)));
    w.put("closeReasons", rr);
    long clipped = windows.stream().filter(x -> x.clippedStart() || x.clippedEnd()).count();
    w.put("clipped", fmt(clipped));
    List<Object> list = new ArrayList<>();
    for (Window x : windows.subList(0, Math.min(topN, windows.size()))) {
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

  private static Map<String, Object> sessions(
      List<Session> sessions, int topN, Queries q, Messages msg) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("count", fmt(sessions.size()));
    s.put("query", q.audit("sessions"));
    s.put("outliving", fmt(sessions.stream().filter(Session::outlivesWindow).count()));
    s.put("withFlow", fmt(sessions.stream().filter(x -> x.conntrackId() != null).count()));
    List<Object> rows = new ArrayList<>();
    for (Session x : sessions.subList(0, Math.min(topN, sessions.size()))) {
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
      List<Rejection> rejections, int topN, Queries q, Facts facts) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("count", fmt(rejections.size()));
    r.put("query", q.command("action:reject"));
    r.put("sampled", fmt(rejections.stream().filter(Rejection::sampled).count()));
    r.put(
        "topSources",
        top(
            rejections,
            x -> AuditFormat.address(x.source()),
            topN,
            k -> q.command("action:reject AND src:" + k)));
    r.put(
        "topPorts",
        top(
            rejections,
            x -> x.destinationPort() == null ? "-" : x.destinationPort().toString(),
            topN,
            k -> q.command("action:reject AND dport:" + k)));
    r.put(
        "families",
        top(
            rejections,
            x -> x.family() == Family.IPV4 ? "IPv4" : "IPv6",
            2,
            k -> q.command("action:reject AND family:" + (k.equals("IPv4") ? "ipv4" : "ipv6"))));
    r.put("sources", rejections.stream().map(Rejection::source).distinct().count());
    return r;
  }

  private static List<Object> top(
      List<Rejection> rs, Function<Rejection, String> key, int n, Function<String, String> query) {
    Map<String, Long> counts = new TreeMap<>();
    rs.forEach(x -> counts.merge(key.apply(x), 1L, Long::sum));
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

  private static Map<String, Object> anomalies(
      List<Anomaly> anomalies, int topN, Queries q, Messages msg) {
    Map<String, Object> a = new LinkedHashMap<>();
    a.put("count", fmt(anomalies.size()));
    a.put("total", anomalies.size());
    a.put("query", q.audit("anomalies"));
    Map<Anomaly.Kind, Long> kinds = new java.util.EnumMap<>(Anomaly.Kind.class);
    anomalies.forEach(x -> kinds.merge(x.kind(), 1L, Long::sum));
    List<Object> k = new ArrayList<>();
    kinds.forEach((kind, n) -> k.add(codeRow("kind", kind.id(), Messages.Codes.ANOMALY, n, msg)));
    a.put("kinds", k);
    List<Object> list = new ArrayList<>();
    for (Anomaly x : anomalies.subList(0, Math.min(topN, anomalies.size()))) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("kind", x.kind().id());
      m.put("label", msg.label(Messages.Codes.ANOMALY, x.kind().id()));
      m.put("at", x.at() == null ? "" : TIME.format(x.at()));
      m.put("router", x.observer());
      m.put("address", AuditFormat.address(x.address()));
      m.put("message", clean(x.message()));
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

  private static Map<String, Object> precision(AuditResult month, AuditConfig c) {
    Map<String, Object> p = new LinkedHashMap<>();
    double worstClose =
        month.windows().stream()
            .map(Window::closePrecisionS)
            .filter(d -> d != null)
            .mapToDouble(Double::doubleValue)
            .max()
            .orElse(0);
    double worstOpen = month.windows().stream().mapToDouble(Window::openPrecisionS).max().orElse(0);
    long exact =
        month.windows().stream()
            .filter(w -> w.closePrecisionS() != null && w.closePrecisionS() <= 1.0)
            .count();
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

  /**
   * SHA-256 over the events read, in order: source path, line number and the line, so anyone with
   * the same index (or the evidence CSVs) recomputes it.
   */
  static String digest(AuditInput input) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      List<TracedEvent> sorted = new ArrayList<>(input.events());
      sorted.sort(
          Comparator.comparing(TracedEvent::sourcePath).thenComparing(TracedEvent::lineNumber));
      for (TracedEvent e : sorted) {
        md.update(
            (e.sourcePath() + "\t" + e.lineNumber() + "\t" + e.originalLine() + "\n")
                .getBytes(StandardCharsets.UTF_8));
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
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
