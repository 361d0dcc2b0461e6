package org.mobilessh.report;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.mobilessh.audit.AuditConfig;
import org.mobilessh.audit.FamilyRuleset;
import org.mobilessh.audit.RejectTotals;
import org.mobilessh.audit.RulesetChange;
import org.mobilessh.audit.RulesetHistory;
import org.mobilessh.audit.RulesetInForce;
import org.mobilessh.audit.RulesetParity;
import org.mobilessh.audit.RulesetStep;
import org.mobilessh.rules.Family;

/**
 * The "ruleset in force" section: what the ingested {@code rules snapshot} files prove about the
 * month (the gate's steps, N, IPv4/IPv6 parity, changes, exact reject counters beside the lines
 * logged), what they leave open (stretches and routers no snapshot covers), and the settings the
 * reconstruction assumed.
 */
final class RulesetSection {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

  private RulesetSection() {}

  static Map<String, Object> build(
      ReportRequest req,
      Facts facts,
      java.util.Set<String> observers,
      ReportModel.Queries q,
      Messages msg) {
    Instant start = q.from();
    Instant end = q.to();
    AuditConfig config = req.config();
    RulesetHistory h = facts.rulesets();
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("assumed", ReportModel.assumedSettings(config, msg));

    // per router: the snapshot in force when the month began, those taken in it, the first after
    Map<String, List<RulesetInForce>> shown = new TreeMap<>();
    Map<String, String> role = new LinkedHashMap<>();
    for (String router : h.observers()) {
      List<RulesetInForce> list = new ArrayList<>();
      h.inForceAt(router, start)
          .ifPresent(
              s -> {
                list.add(s);
                role.put(s.sha256(), "start");
              });
      RulesetInForce after = null;
      for (RulesetInForce s : h.snapshots()) {
        if (!s.observer().equals(router) || !s.takenAt().isAfter(start)) {
          continue;
        }
        if (s.takenAt().isBefore(end)) {
          list.add(s);
          role.put(s.sha256(), "during");
        } else if (after == null) {
          after = s;
          list.add(s);
          role.put(s.sha256(), "after");
        }
      }
      if (!list.isEmpty()) {
        shown.put(router, list);
      }
    }
    r.put("fromSnapshots", !shown.isEmpty());

    List<Object> snapshots = new ArrayList<>();
    List<Object> inForce = new ArrayList<>();
    List<Object> nMismatch = new ArrayList<>();
    List<Object> parityBroken = new ArrayList<>();
    for (Map.Entry<String, List<RulesetInForce>> e : shown.entrySet()) {
      for (RulesetInForce s : e.getValue()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("router", s.observer());
        m.put("at", TIME.format(s.takenAt()));
        m.put("role", msg.get("ruleset.role." + role.get(s.sha256())));
        m.put("sha256", s.sha256());
        m.put("path", ReportModel.clean(s.sourcePath()));
        m.put("ipv4", state(s.ipv4(), msg));
        m.put("ipv6", state(s.ipv6(), msg));
        m.put("n", n(s, msg));
        m.put("parity", msg.get("parity." + s.parity().verdict().name()));
        m.put("parityBroken", s.parity().broken());
        snapshots.add(m);
        for (FamilyRuleset f : List.of(s.ipv4(), s.ipv6())) {
          if (f.seconds().isPresent() && f.seconds().get() != config.seconds()) {
            nMismatch.add(
                Map.of(
                    "text",
                    msg.get(
                        "ruleset.nMismatch",
                        s.observer(),
                        TIME.format(s.takenAt()),
                        family(f.family()),
                        f.seconds().get(),
                        config.seconds())));
          }
        }
        if (s.parity().broken()) {
          List<Object> diffs = new ArrayList<>();
          for (RulesetParity.Difference d : s.parity().differences()) {
            diffs.add(Map.of("aspect", d.aspect(), "ipv4", d.ipv4(), "ipv6", d.ipv6()));
          }
          parityBroken.add(
              Map.of("router", s.observer(), "at", TIME.format(s.takenAt()), "differences", diffs));
        }
      }
      // the gate in force: the snapshot at the start, else the month's first; its counters beside
      // their increase up to the last snapshot shown (the month's traffic when that one is after)
      List<RulesetInForce> shownOfRouter = e.getValue();
      inForce.add(gate(shownOfRouter.get(0), shownOfRouter.get(shownOfRouter.size() - 1), msg));
    }
    r.put("snapshots", snapshots);
    r.put("inForce", inForce);
    r.put("nMismatch", nMismatch);
    r.put("parityBroken", parityBroken);

    // what no snapshot covers: routers with events but none, and the start of the month when the
    // first snapshot came later
    TreeSet<String> routers = new TreeSet<>(observers);
    routers.removeIf(String::isEmpty);
    List<Object> uncovered = new ArrayList<>();
    for (String router : routers) {
      if (!shown.containsKey(router)) {
        uncovered.add(Map.of("text", msg.get("ruleset.uncovered.none", router)));
      }
    }
    for (Map.Entry<String, List<RulesetInForce>> e : shown.entrySet()) {
      RulesetInForce first = e.getValue().get(0);
      if (first.takenAt().isAfter(start)) {
        uncovered.add(
            Map.of(
                "text",
                msg.get("ruleset.uncovered.start", e.getKey(), TIME.format(first.takenAt()))));
      }
    }
    r.put("uncovered", uncovered);

    List<Object> changes = new ArrayList<>();
    for (RulesetChange c : h.changes()) {
      if (!shown.containsKey(c.observer())
          || !c.at().isAfter(start)
          || !c.previousAt().isBefore(end)) {
        continue;
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("router", c.observer());
      m.put("from", TIME.format(c.previousAt()));
      m.put("to", TIME.format(c.at()));
      m.put("family", c.family() == null ? msg.get("ruleset.bothFamilies") : family(c.family()));
      m.put("aspect", c.aspect());
      m.put("before", c.before());
      m.put("after", c.after());
      changes.add(m);
    }
    r.put("changes", changes);
    r.put("snapshotsInMonth", role.values().stream().filter("during"::equals).count());

    List<Object> totals = new ArrayList<>();
    for (RejectTotals t : facts.rejectTotals()) {
      if (!t.to().isAfter(start) || (t.from() != null && !t.from().isBefore(end))) {
        continue;
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("router", t.observer());
      m.put("family", family(t.family()));
      m.put("from", t.from() == null ? msg.get("ruleset.sinceReset") : TIME.format(t.from()));
      m.put("to", TIME.format(t.to()));
      m.put("rejected", ReportModel.fmt(t.rejected()));
      m.put("logged", ReportModel.fmt(t.logged()));
      m.put("seen", t.linesSeen() < 0 ? "" : ReportModel.fmt(t.linesSeen()));
      m.put("unlogged", t.linesSeen() < 0 ? "" : ReportModel.fmt(t.unlogged()));
      m.put("lost", t.linesSeen() < 0 ? "" : ReportModel.fmt(t.linesLost()));
      m.put("lostAny", t.linesSeen() >= 0 && t.linesLost() > 0);
      m.put("beyondMonth", (t.from() == null || t.from().isBefore(start)) || t.to().isAfter(end));
      m.put(
          "query",
          "mobilessh search --count '"
              + ReportModel.Queries.rejectStretch(t.observer(), t.family(), t.from(), t.to())
              + "'");
      totals.add(m);
    }
    r.put("totals", totals);
    return r;
  }

  private static Map<String, Object> gate(RulesetInForce s, RulesetInForce last, Messages msg) {
    Map<String, Object> g = new LinkedHashMap<>();
    boolean delta = last != s;
    g.put("delta", delta);
    g.put("lastAt", TIME.format(last.takenAt()));
    g.put("router", s.observer());
    g.put("at", TIME.format(s.takenAt()));
    g.put("sha256", s.sha256());
    g.put("backend", s.backend().isEmpty() ? "-" : s.backend());
    g.put("ipListTot", s.ipListTot() == null ? "-" : s.ipListTot().toString());
    List<Object> lists = new ArrayList<>();
    s.listEntries().forEach((k, v) -> lists.add(k + ": " + v));
    g.put("lists", String.join(", ", lists.stream().map(Object::toString).toList()));
    g.put("n", n(s, msg));
    g.put("parity", msg.get("parity." + s.parity().verdict().name()));
    g.put("parityText", s.parity().message());
    List<Object> families = new ArrayList<>();
    for (FamilyRuleset f : List.of(s.ipv4(), s.ipv6())) {
      Map<String, Object> fm = new LinkedHashMap<>();
      fm.put("family", family(f.family()));
      fm.put("state", state(f, msg));
      fm.put(
          "mode",
          !f.installed()
              ? ""
              : (f.removeMode() ? msg.get("ruleset.mode.remove") : msg.get("ruleset.mode.noRemove"))
                  + (f.strictMode() ? ", " + msg.get("ruleset.mode.strict") : ""));
      List<Object> steps = new ArrayList<>();
      for (RulesetStep st : f.steps()) {
        Map<String, Object> sm = new LinkedHashMap<>();
        sm.put("id", st.kind().id());
        sm.put("name", msg.get("step." + st.kind().id()));
        sm.put("list", st.list().isEmpty() ? "-" : st.list());
        sm.put("seconds", st.seconds() == null ? "-" : st.seconds() + " s");
        sm.put("hitcount", st.hitcount() == null ? "" : msg.get("ruleset.hitcount", st.hitcount()));
        sm.put("log", st.logPrefix().isEmpty() ? msg.get("ruleset.notLogged") : st.logPrefix());
        sm.put("packets", st.packets() < 0 ? "-" : ReportModel.fmt(st.packets()));
        sm.put("logPackets", st.logPackets() < 0 ? "-" : ReportModel.fmt(st.logPackets()));
        java.util.Optional<RulesetStep> then =
            delta ? last.family(f.family()).step(st.kind()) : java.util.Optional.empty();
        sm.put("packetsDelta", then.map(x -> increase(st.packets(), x.packets())).orElse("-"));
        sm.put(
            "logPacketsDelta",
            then.map(x -> increase(st.logPackets(), x.logPackets())).orElse("-"));
        steps.add(sm);
      }
      fm.put("steps", steps);
      families.add(fm);
    }
    g.put("families", families);
    return g;
  }

  /** A counter's increase between two snapshots; "-" when either lacks it or it was reset. */
  private static String increase(long before, long after) {
    if (before < 0 || after < 0 || after < before) {
      return "-";
    }
    return ReportModel.fmt(after - before);
  }

  private static String n(RulesetInForce s, Messages msg) {
    String a = s.ipv4().seconds().map(x -> x + " s").orElse("-");
    String b = s.ipv6().seconds().map(x -> x + " s").orElse("-");
    return a.equals(b) ? a : "IPv4 " + a + " / IPv6 " + b;
  }

  private static String state(FamilyRuleset f, Messages msg) {
    return msg.get("state." + f.state().name().toLowerCase(Locale.ROOT));
  }

  static String family(Family f) {
    return f == Family.IPV4 ? "IPv4" : "IPv6";
  }
}
