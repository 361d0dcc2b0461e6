package org.mobilessh.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.mobilessh.rules.RulesetChecker;
import org.mobilessh.rules.SavedRuleset;

/**
 * Whether IPv4 and IPv6 gate SSH the same way in one snapshot. Addresses, masks and {@code
 * --hashlimit-srcmask} (/32 vs /64 by design) are not differences; a step, list, N, hitcount, LOG
 * prefix or any other word of a MOBILESSH-* rule that differs is. Jumps that differ are named but
 * do not break parity: a configuration without an IPv6 mail server or protected host has fewer IPv6
 * jumps on purpose ({@code rules check} warns about it).
 *
 * @param verdict the outcome
 * @param differences what differs in the MOBILESSH-* chains (empty when {@link Verdict#SAME})
 * @param jumpDifferences what differs in the jumps (informational)
 */
public record RulesetParity(
    Verdict verdict, List<Difference> differences, List<Difference> jumpDifferences) {

  /** The outcome of the comparison. */
  public enum Verdict {
    /** Both families installed with the same structure. */
    SAME,
    /** Both installed, or one installed and the other not: they differ. */
    BROKEN,
    /** Neither installed, or a family could not be read: nothing to compare. */
    UNKNOWN
  }

  /**
   * One difference.
   *
   * @param aspect what differs, e.g. {@code remove}, {@code rcheck-accept seconds}, {@code rule}
   * @param ipv4 the IPv4 side ({@code "(none)"} when absent)
   * @param ipv6 the IPv6 side ({@code "(none)"} when absent)
   */
  public record Difference(String aspect, String ipv4, String ipv6) {
    public Difference {
      Objects.requireNonNull(aspect, "aspect");
      Objects.requireNonNull(ipv4, "ipv4");
      Objects.requireNonNull(ipv6, "ipv6");
    }

    @Override
    public String toString() {
      return aspect + ": IPv4 " + ipv4 + ", IPv6 " + ipv6;
    }
  }

  static final String NONE = "(none)";

  public RulesetParity {
    Objects.requireNonNull(verdict, "verdict");
    differences = List.copyOf(differences);
    jumpDifferences = List.copyOf(jumpDifferences);
  }

  public boolean broken() {
    return verdict == Verdict.BROKEN;
  }

  /** A sentence naming the differences. */
  public String message() {
    return switch (verdict) {
      case SAME -> "IPv4 and IPv6 have the same gate";
      case UNKNOWN ->
          "IPv4/IPv6 parity unknown: " + (differences.isEmpty() ? "" : differences.get(0));
      case BROKEN ->
          "IPv4 and IPv6 differ: "
              + String.join("; ", differences.stream().map(Difference::toString).toList());
    };
  }

  /** Compares the two families of one snapshot. */
  public static RulesetParity of(FamilyRuleset v4, FamilyRuleset v6) {
    if (v4.state() == FamilyRuleset.State.UNAVAILABLE
        || v6.state() == FamilyRuleset.State.UNAVAILABLE) {
      return new RulesetParity(
          Verdict.UNKNOWN, List.of(new Difference("readable", state(v4), state(v6))), List.of());
    }
    if (!v4.installed() && !v6.installed()) {
      return new RulesetParity(Verdict.UNKNOWN, List.of(), List.of());
    }
    if (v4.installed() != v6.installed()) {
      return new RulesetParity(
          Verdict.BROKEN, List.of(new Difference("installed", state(v4), state(v6))), List.of());
    }
    List<Difference> d = new ArrayList<>();
    // rules of a step named as a difference are not named again as rules
    java.util.Set<String> explained = new java.util.HashSet<>();
    for (RulesetStep.Kind kind : RulesetStep.Kind.values()) {
      Optional<RulesetStep> a = v4.step(kind);
      Optional<RulesetStep> b = v6.step(kind);
      if (a.isEmpty() && b.isEmpty()) {
        continue;
      }
      int before = d.size();
      if (a.isEmpty() || b.isEmpty()) {
        a.ifPresent(s -> explained.addAll(s.rules()));
        b.ifPresent(s -> explained.addAll(s.rules()));
        d.add(
            new Difference(
                kind.id(),
                a.map(RulesetStep::describe).orElse(NONE),
                b.map(RulesetStep::describe).orElse(NONE)));
        continue;
      }
      compare(d, kind.id() + " list", a.get().list(), b.get().list());
      compare(d, kind.id() + " seconds", a.get().seconds(), b.get().seconds());
      compare(d, kind.id() + " hitcount", a.get().hitcount(), b.get().hitcount());
      compare(d, kind.id() + " log prefix", a.get().logPrefix(), b.get().logPrefix());
      if (d.size() > before) {
        explained.addAll(a.get().rules());
        explained.addAll(b.get().rules());
      }
    }
    d.addAll(
        ruleDifferences(
            "rule",
            v4.ownRules().stream().filter(r -> !explained.contains(r.toString())).toList(),
            v6.ownRules().stream().filter(r -> !explained.contains(r.toString())).toList()));
    List<Difference> jumps = ruleDifferences("jump", v4.jumps(), v6.jumps());
    return new RulesetParity(d.isEmpty() ? Verdict.SAME : Verdict.BROKEN, d, jumps);
  }

  private static String state(FamilyRuleset f) {
    return f.state().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
  }

  private static void compare(List<Difference> out, String aspect, Object a, Object b) {
    if (!Objects.equals(a, b)) {
      out.add(new Difference(aspect, show(a), show(b)));
    }
  }

  private static String show(Object v) {
    return v == null || v.toString().isEmpty() ? NONE : v.toString();
  }

  /** Rules of one family whose shape the other lacks (as a multiset, order aside). */
  private static List<Difference> ruleDifferences(
      String aspect, List<SavedRuleset.Rule> v4, List<SavedRuleset.Rule> v6) {
    List<String> a = RulesetChecker.shape(v4);
    List<String> b = RulesetChecker.shape(v6);
    List<String> onlyA = new ArrayList<>(a);
    b.forEach(onlyA::remove);
    List<String> onlyB = new ArrayList<>(b);
    a.forEach(onlyB::remove);
    List<Difference> out = new ArrayList<>();
    onlyA.forEach(r -> out.add(new Difference(aspect, r, NONE)));
    onlyB.forEach(r -> out.add(new Difference(aspect, NONE, r)));
    return out;
  }
}
