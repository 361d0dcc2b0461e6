package org.mobilessh.audit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.mobilessh.index.EventSearcher;
import org.mobilessh.index.StoredSnapshot;
import org.mobilessh.rules.Family;

/**
 * The rulesets in force over a period, from the {@code rules snapshot} files ingested for it: per
 * snapshot and router the gate of each family ({@link RulesetInForce}), its IPv4/IPv6 parity, and
 * what changed between one router's consecutive snapshots.
 *
 * @param snapshots every snapshot, by time, then router, then hash
 * @param changes per router, the differences between consecutive snapshots, in time order
 */
public record RulesetHistory(List<RulesetInForce> snapshots, List<RulesetChange> changes) {
  public RulesetHistory {
    snapshots = List.copyOf(snapshots);
    changes = List.copyOf(changes);
  }

  /**
   * The history of the snapshots ingested for {@code [from, to]}.
   *
   * @param from first instant, {@code null} for no bound
   * @param to last instant, {@code null} for no bound
   * @param host {@code observer.hostname} to keep, {@code null} for every router
   */
  public static RulesetHistory load(EventSearcher searcher, Instant from, Instant to, String host) {
    return of(searcher.snapshots(from, to, host));
  }

  /** The history of these snapshots, in any order; the same snapshot twice counts once. */
  public static RulesetHistory of(List<StoredSnapshot> stored) {
    Map<String, RulesetInForce> unique = new TreeMap<>();
    for (StoredSnapshot s : stored) {
      unique.computeIfAbsent(s.sha256(), k -> RulesetInForce.of(s));
    }
    return ofInForce(List.copyOf(unique.values()));
  }

  /** The history of snapshots already read, in any order; the same hash twice counts once. */
  public static RulesetHistory ofInForce(List<RulesetInForce> snapshots) {
    Map<String, RulesetInForce> unique = new TreeMap<>();
    for (RulesetInForce s : snapshots) {
      unique.putIfAbsent(s.sha256(), s);
    }
    List<RulesetInForce> all = new ArrayList<>(unique.values());
    all.sort(
        Comparator.comparing(RulesetInForce::takenAt)
            .thenComparing(RulesetInForce::observer)
            .thenComparing(RulesetInForce::sha256));
    Map<String, RulesetInForce> last = new TreeMap<>();
    List<RulesetChange> changes = new ArrayList<>();
    for (RulesetInForce s : all) {
      RulesetInForce prev = last.put(s.observer(), s);
      if (prev != null) {
        changes.addAll(differences(prev, s));
      }
    }
    return new RulesetHistory(all, changes);
  }

  /** The routers the snapshots cover, sorted. */
  public List<String> observers() {
    return snapshots.stream().map(RulesetInForce::observer).distinct().sorted().toList();
  }

  /** The last snapshot of {@code observer} taken at or before {@code at}. */
  public Optional<RulesetInForce> inForceAt(String observer, Instant at) {
    RulesetInForce best = null;
    for (RulesetInForce s : snapshots) {
      if (s.observer().equals(observer) && !s.takenAt().isAfter(at)) {
        best = s;
      }
    }
    return Optional.ofNullable(best);
  }

  /** The snapshots whose IPv4 and IPv6 gates differ. */
  public List<RulesetInForce> parityBroken() {
    return snapshots.stream().filter(s -> s.parity().broken()).toList();
  }

  /** Every reject counter reading, by time: the input of {@link #rejectTotals}. */
  public List<CounterSnapshot> rejectCounters() {
    return snapshots.stream().flatMap(s -> s.rejectCounters().stream()).toList();
  }

  /**
   * The exact reject totals between consecutive snapshots (per router and family), beside the
   * reject lines that arrived for the same stretch.
   *
   * @param logged the logged rejections of the period (e.g. {@link AuditResult#rejections()} of a
   *     reconstruction over at least the snapshots' span)
   */
  public List<RejectTotals> rejectTotals(List<Rejection> logged) {
    return RejectTotals.between(
        rejectCounters(),
        (observer, family, from, to) ->
            logged.stream()
                .filter(
                    r ->
                        r.observer().equals(observer)
                            && Family.of(r.source()) == family
                            && (from == null || r.at().isAfter(from))
                            && !r.at().isAfter(to))
                .count());
  }

  /** What differs between two snapshots of one router. */
  static List<RulesetChange> differences(RulesetInForce a, RulesetInForce b) {
    List<RulesetChange> out = new ArrayList<>();
    Differ d = new Differ(a, b, out);
    d.compare(null, "ip_list_tot", a.ipListTot(), b.ipListTot());
    d.compare(null, "backend", a.backend(), b.backend());
    for (Family f : Family.values()) {
      FamilyRuleset x = a.family(f);
      FamilyRuleset y = b.family(f);
      if (x.state() == FamilyRuleset.State.UNAVAILABLE
          || y.state() == FamilyRuleset.State.UNAVAILABLE) {
        // a family the tool could not read says nothing about a change
        continue;
      }
      if (x.state() != y.state()) {
        d.compare(
            f,
            "installed",
            x.installed() ? "installed" : "not installed",
            y.installed() ? "installed" : "not installed");
        continue;
      }
      // rules of a step whose change is named already are not listed again as rule changes
      // (on either side: a removed step can leave its LOG chain behind unchanged)
      Set<String> explained = new HashSet<>();
      for (RulesetStep.Kind kind : RulesetStep.Kind.values()) {
        Optional<RulesetStep> p = x.step(kind);
        Optional<RulesetStep> q = y.step(kind);
        int before = out.size();
        if (p.isEmpty() != q.isEmpty()) {
          d.compare(
              f,
              kind.id(),
              p.map(RulesetStep::describe).orElse(null),
              q.map(RulesetStep::describe).orElse(null));
        } else if (p.isPresent()) {
          d.compare(f, kind.id() + " list", p.get().list(), q.get().list());
          d.compare(f, kind.id() + " seconds", p.get().seconds(), q.get().seconds());
          d.compare(f, kind.id() + " hitcount", p.get().hitcount(), q.get().hitcount());
          d.compare(f, kind.id() + " log prefix", p.get().logPrefix(), q.get().logPrefix());
        }
        if (out.size() > before) {
          p.ifPresent(s -> explained.addAll(s.rules()));
          q.ifPresent(s -> explained.addAll(s.rules()));
        }
      }
      List<String> rulesBefore = new ArrayList<>(x.printedRules());
      rulesBefore.removeIf(explained::contains);
      List<String> rulesAfter = new ArrayList<>(y.printedRules());
      rulesAfter.removeIf(explained::contains);
      d.rules(f, "rule", rulesBefore, rulesAfter);
      d.rules(f, "jump", x.printedJumps(), y.printedJumps());
      if (x.rejectCounters() != null
          && y.rejectCounters() != null
          && (y.rejectCounters().rejectPackets() < x.rejectCounters().rejectPackets()
              || y.rejectCounters().rejectLogPackets() < x.rejectCounters().rejectLogPackets())) {
        d.compare(
            f,
            "counters",
            "reject " + x.rejectCounters().rejectPackets(),
            "reject " + y.rejectCounters().rejectPackets() + " (reset: the ruleset was reloaded)");
      }
    }
    return out;
  }

  private record Differ(RulesetInForce a, RulesetInForce b, List<RulesetChange> out) {
    void compare(Family f, String aspect, Object before, Object after) {
      if (!Objects.equals(before, after)) {
        out.add(
            new RulesetChange(
                b.observer(),
                a.takenAt(),
                b.takenAt(),
                f,
                aspect,
                show(before),
                show(after),
                a.evidence(),
                b.evidence()));
      }
    }

    void rules(Family f, String aspect, List<String> before, List<String> after) {
      List<String> gone = new ArrayList<>(before);
      after.forEach(gone::remove);
      List<String> added = new ArrayList<>(after);
      before.forEach(added::remove);
      gone.forEach(r -> compare(f, aspect, r, null));
      added.forEach(r -> compare(f, aspect, null, r));
    }
  }

  private static String show(Object v) {
    return v == null || v.toString().isEmpty() ? RulesetParity.NONE : v.toString();
  }
}
