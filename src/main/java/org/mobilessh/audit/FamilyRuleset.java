package org.mobilessh.audit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.mobilessh.rules.Family;
import org.mobilessh.rules.RulesException;
import org.mobilessh.rules.SavedRuleset;

/**
 * The gate of one family as one {@code rules snapshot} recorded it: which steps were in force, with
 * their list, N seconds, hitcount and LOG prefix, the rules and jumps as printed, and the reject
 * counters.
 *
 * @param family the family
 * @param state whether the snapshot could read the family and whether mobilessh was installed
 * @param steps the steps found, in {@link RulesetStep.Kind} order (a step absent from the kernel is
 *     absent here)
 * @param ownRules every rule of the MOBILESSH-* chains, with its counters
 * @param jumps the rules of built-in chains that jump into a MOBILESSH-* chain, with counters
 * @param rejectCounters the reject and reject-LOG counters, or {@code null} when the snapshot lacks
 *     either rule
 */
public record FamilyRuleset(
    Family family,
    State state,
    List<RulesetStep> steps,
    List<SavedRuleset.Rule> ownRules,
    List<SavedRuleset.Rule> jumps,
    CounterSnapshot rejectCounters) {

  /** What the snapshot says about the family. */
  public enum State {
    /** MOBILESSH-* chains or jumps are there. */
    INSTALLED,
    /** The tool ran and printed nothing of mobilessh's. */
    NOT_INSTALLED,
    /** The tool did not run ({@code # unavailable}) or its section is missing. */
    UNAVAILABLE
  }

  private static final String SSH = "MOBILESSH-SSH";
  private static final String IMAPS = "MOBILESSH-IMAPS";

  public FamilyRuleset {
    Objects.requireNonNull(family, "family");
    Objects.requireNonNull(state, "state");
    steps = List.copyOf(steps);
    ownRules = List.copyOf(ownRules);
    jumps = List.copyOf(jumps);
  }

  /** The step of that kind, if the ruleset has it. */
  public Optional<RulesetStep> step(RulesetStep.Kind kind) {
    return steps.stream().filter(s -> s.kind() == kind).findFirst();
  }

  public boolean installed() {
    return state == State.INSTALLED;
  }

  /** Window length N: the rcheck-accept step's {@code --seconds}, if there is one. */
  public Optional<Integer> seconds() {
    return step(RulesetStep.Kind.RCHECK_ACCEPT).map(RulesetStep::seconds);
  }

  /** Whether step 2 is installed: an SSH FIN removes the address (no-remove mode: false). */
  public boolean removeMode() {
    return step(RulesetStep.Kind.REMOVE).isPresent();
  }

  /**
   * Strict mode: only sessions of a still-listed address keep running (the KEEP step reads the
   * list, or the closing-connection rule is there).
   */
  public boolean strictMode() {
    return step(RulesetStep.Kind.CLOSING).isPresent()
        || step(RulesetStep.Kind.KEEP).map(RulesetStep::usesList).orElse(false);
  }

  /** The MOBILESSH-* rules as printed, without counters. */
  public List<String> printedRules() {
    return ownRules.stream().map(SavedRuleset.Rule::toString).toList();
  }

  /** The jumps as printed, without counters. */
  public List<String> printedJumps() {
    return jumps.stream().map(SavedRuleset.Rule::toString).toList();
  }

  /** A family the snapshot has no section for, or whose tool did not run. */
  public static FamilyRuleset unavailable(Family family) {
    return new FamilyRuleset(family, State.UNAVAILABLE, List.of(), List.of(), List.of(), null);
  }

  /**
   * Reads one family's {@code iptables-save -c} section.
   *
   * @param saveOutput the section's text; {@code null} or a {@code # unavailable} note gives {@link
   *     State#UNAVAILABLE}
   * @throws AuditException when the text is not iptables-save output
   */
  public static FamilyRuleset read(
      String observer, Family family, Instant takenAt, String saveOutput) {
    if (saveOutput == null || saveOutput.strip().startsWith("# unavailable")) {
      return unavailable(family);
    }
    SavedRuleset saved;
    try {
      saved = SavedRuleset.parse(saveOutput);
    } catch (RulesException e) {
      throw new AuditException(family.tool() + "-save section: " + e.getMessage());
    }
    if (!saved.hasOwnState()) {
      return new FamilyRuleset(family, State.NOT_INSTALLED, List.of(), List.of(), List.of(), null);
    }
    SavedRuleset.Table table =
        saved.table("filter").orElse(new SavedRuleset.Table("filter", List.of(), List.of()));
    List<RulesetStep> steps = new ArrayList<>();
    for (RulesetStep.Kind kind : RulesetStep.Kind.values()) {
      step(table, kind).ifPresent(steps::add);
    }
    List<SavedRuleset.Rule> own = new ArrayList<>();
    List<SavedRuleset.Rule> jumps = new ArrayList<>();
    for (SavedRuleset.Table t : saved.tables()) {
      own.addAll(t.ownRules());
      jumps.addAll(t.jumps());
    }
    return new FamilyRuleset(
        family,
        State.INSTALLED,
        steps,
        own,
        jumps,
        CounterSnapshot.fromSave(observer, family, takenAt, saveOutput).orElse(null));
  }

  private static Optional<RulesetStep> step(SavedRuleset.Table t, RulesetStep.Kind kind) {
    List<SavedRuleset.Rule> ssh = t.rules(SSH);
    return switch (kind) {
      case SET -> {
        Optional<SavedRuleset.Rule> set =
            t.rules(IMAPS).stream().filter(r -> recentOp(r, "--set")).findFirst();
        // the LOG that reports an opening: "! --rcheck --seconds N ... -j LOG"
        Optional<SavedRuleset.Rule> log =
            t.rules(IMAPS).stream()
                .filter(r -> r.target().equals("LOG") && recentOp(r, "--rcheck"))
                .findFirst();
        if (set.isEmpty()) {
          yield Optional.empty();
        }
        yield Optional.of(
            build(
                kind,
                set.get(),
                log.flatMap(r -> integer(r, "--seconds")).orElse(null),
                log.orElse(null)));
      }
      case CLOSING ->
          ssh.stream()
              .filter(r -> r.has("connmark") && r.target().equals("ACCEPT"))
              .findFirst()
              .map(r -> build(kind, r, null, null));
      case REMOVE ->
          ssh.stream()
              .filter(r -> recentOp(r, "--remove"))
              .findFirst()
              .map(r -> build(kind, r, null, firstLog(t, r.target())));
      case UPDATE ->
          ssh.stream()
              .filter(r -> recentOp(r, "--update"))
              .findFirst()
              .map(r -> build(kind, r, null, null));
      case KEEP ->
          ssh.stream()
              .filter(
                  r ->
                      r.target().equals("ACCEPT")
                          && r.has("ESTABLISHED")
                          && !recentOp(r, "--update")
                          && !recentOp(r, "--remove")
                          && !r.has("connmark"))
              .findFirst()
              .map(r -> build(kind, r, null, null));
      case RCHECK_ACCEPT ->
          ssh.stream()
              .filter(r -> recentOp(r, "--rcheck") && r.has("NEW"))
              .findFirst()
              .map(r -> build(kind, r, null, firstLog(t, r.target())));
      case REJECT ->
          ssh.stream()
              .filter(r -> r.target().equals("REJECT"))
              .findFirst()
              .map(
                  r ->
                      build(
                          kind,
                          r,
                          null,
                          ssh.stream()
                              .filter(l -> l.target().equals("LOG"))
                              .findFirst()
                              .orElse(null)));
    };
  }

  /** The step with its list, seconds and hitcount from {@code rule}, its LOG from {@code log}. */
  private static RulesetStep build(
      RulesetStep.Kind kind, SavedRuleset.Rule rule, Integer logSeconds, SavedRuleset.Rule log) {
    List<String> rules = new ArrayList<>();
    if (log != null && log.chain().equals(rule.chain())) {
      rules.add(log.toString());
    }
    rules.add(rule.toString());
    if (log != null && !log.chain().equals(rule.chain())) {
      rules.add(log.toString());
    }
    Integer seconds = integer(rule, "--seconds").orElse(logSeconds);
    Integer hitcount =
        integer(rule, "--hitcount")
            .or(() -> log == null ? Optional.empty() : integer(log, "--hitcount"))
            .orElse(null);
    return new RulesetStep(
        kind,
        rule.has("recent") ? rule.option("--name").orElse("DEFAULT") : "",
        seconds,
        hitcount,
        log == null ? "" : log.option("--log-prefix").orElse(""),
        rule.packets(),
        log == null ? -1 : log.packets(),
        rules);
  }

  /** The first LOG rule of {@code chain}: what reports a jump into it. */
  private static SavedRuleset.Rule firstLog(SavedRuleset.Table t, String chain) {
    return t.rules(chain).stream().filter(r -> r.target().equals("LOG")).findFirst().orElse(null);
  }

  /** Whether the rule is an xt_recent match doing {@code op} (negated or not). */
  private static boolean recentOp(SavedRuleset.Rule r, String op) {
    return r.has("recent") && r.has(op);
  }

  private static Optional<Integer> integer(SavedRuleset.Rule r, String option) {
    return r.option(option)
        .flatMap(
            v -> {
              try {
                return Optional.of(Integer.parseInt(v));
              } catch (NumberFormatException e) {
                return Optional.empty();
              }
            });
  }
}
