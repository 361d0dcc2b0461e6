package org.mobilessh.rules;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Installs and uninstalls the ruleset: one {@code iptables-restore --noflush} transaction per
 * family, tested with {@code --test} first, a backup of the previous state on disk, and a rollback
 * of every family already applied when a later one fails. Work is split into {@link #planInstall} /
 * {@link #planUninstall} (read, render, build, test: changes nothing, which is what {@code
 * --dry-run} shows) and {@link #apply}.
 */
public final class Installer {
  static final String IPV6_WARNING =
      "A router with rules in iptables but nothing in ip6tables is wide open over IPv6 (even"
          + " link-local): SSH would stay reachable over IPv6 without any mail check.";

  private final Netfilter netfilter;
  private final Path backupDir;
  private final Clock clock;

  public Installer(Netfilter netfilter, Path backupDir, Clock clock) {
    this.netfilter = netfilter;
    this.backupDir = backupDir;
    this.clock = clock;
  }

  /**
   * What one action will do.
   *
   * @param action {@code install} or {@code uninstall}
   * @param before each family's iptables-save output before the action
   * @param scripts each family's restore transaction (families with nothing to do are absent)
   * @param notes things the user should know (e.g. IPv6 left ungated with --ipv4-only)
   */
  public record Plan(
      String action, Map<Family, String> before, Map<Family, String> scripts, List<String> notes) {
    public Plan {
      before = ordered(before);
      scripts = ordered(scripts);
      notes = List.copyOf(notes);
    }

    private static Map<Family, String> ordered(Map<Family, String> map) {
      Map<Family, String> copy = new EnumMap<>(Family.class);
      copy.putAll(map);
      return java.util.Collections.unmodifiableMap(copy);
    }

    public boolean nothingToDo() {
      return scripts.isEmpty();
    }
  }

  /**
   * The outcome of {@link #apply}.
   *
   * @param backup the backup file of the state before
   * @param messages one line per family and step, for the user
   */
  public record Outcome(Path backup, List<String> messages) {
    public Outcome {
      messages = List.copyOf(messages);
    }
  }

  /**
   * Renders both families (or IPv4 alone with {@code ipv4Only}), reads the live rulesets, builds
   * the transactions and runs {@code --test} on them. Refuses IPv4-only unless the config asks for
   * it, because of {@link #IPV6_WARNING}.
   */
  public Plan planInstall(RulesetConfig config, RulesetRenderer renderer) {
    Map<Family, String> before = new EnumMap<>(Family.class);
    Map<Family, String> scripts = new EnumMap<>(Family.class);
    List<String> notes = new ArrayList<>();
    if (config.ipv4Only()) {
      notes.add(
          "WARN: --ipv4-only: ip6tables is left as it is. "
              + IPV6_WARNING
              + " Block IPv6 SSH elsewhere or install without --ipv4-only.");
    }
    for (Family family : config.families()) {
      String rendered = renderer.render(config, family);
      try {
        netfilter.requireTools(family);
        String save = netfilter.save(family, false);
        String script = RestoreScripts.install(rendered, SavedRuleset.parse(save));
        Optional<String> problem = netfilter.test(family, script);
        if (problem.isPresent()) {
          throw new RulesException(
              netfilter.backend().restoreTool(family)
                  + " --test rejected the "
                  + label(family)
                  + " ruleset: "
                  + problem.get());
        }
        before.put(family, save);
        scripts.put(family, script);
      } catch (RulesException e) {
        if (family == Family.IPV6) {
          throw new RulesException(
              "refusing to install for IPv4 only: IPv6 cannot be installed ("
                  + e.getMessage()
                  + "). "
                  + IPV6_WARNING
                  + " Fix ip6tables, or pass --ipv4-only if this router really has no IPv6.",
              e);
        }
        throw e;
      }
    }
    return new Plan("install", before, scripts, notes);
  }

  /**
   * Reads both families and builds the transactions that remove every MOBILESSH-* chain and every
   * jump into one. A family whose tools are missing is skipped with a note.
   */
  public Plan planUninstall() {
    Map<Family, String> before = new EnumMap<>(Family.class);
    Map<Family, String> scripts = new EnumMap<>(Family.class);
    List<String> notes = new ArrayList<>();
    for (Family family : Family.values()) {
      Optional<String> missing = netfilter.missingTool(family);
      if (missing.isPresent()) {
        notes.add(label(family) + ": " + missing.get() + " not found, nothing to remove there");
        continue;
      }
      String save = netfilter.save(family, false);
      String script = RestoreScripts.uninstall(SavedRuleset.parse(save));
      before.put(family, save);
      if (RestoreScripts.isEmpty(script)) {
        notes.add(label(family) + ": mobilessh is not installed in " + netfilter.where());
        continue;
      }
      Optional<String> problem = netfilter.test(family, script);
      if (problem.isPresent()) {
        throw new RulesException(
            netfilter.backend().restoreTool(family)
                + " --test rejected the removal of the "
                + label(family)
                + " ruleset: "
                + problem.get()
                + " (is a rule outside the MOBILESSH-* chains jumping into one? remove it first)");
      }
      scripts.put(family, script);
    }
    return new Plan("uninstall", before, scripts, notes);
  }

  /**
   * Writes the backup, then applies the families in order (IPv4, IPv6). When one fails, every
   * family is put back to its state before (MOBILESSH-* chains and jumps; nothing else was touched)
   * and a {@link RulesException} says what happened and where the backup is.
   */
  public Outcome apply(Plan plan) {
    Path backup = Backups.write(backupDir, plan.action(), netfilter, plan.before(), clock);
    List<String> messages = new ArrayList<>();
    List<Family> done = new ArrayList<>();
    for (Family family : Family.values()) {
      String script = plan.scripts().get(family);
      if (script == null) {
        continue;
      }
      try {
        netfilter.restore(family, script);
        done.add(family);
        messages.add(describe(plan.action(), family, netfilter.read(family)));
      } catch (RulesException e) {
        List<Family> restore = new ArrayList<>(done);
        restore.add(family);
        String rollback = rollBack(plan, restore);
        throw new RulesException(
            plan.action()
                + " failed for "
                + label(family)
                + ": "
                + e.getMessage()
                + "\n"
                + rollback
                + "\nbackup of the state before: "
                + backup,
            e);
      }
    }
    return new Outcome(backup, messages);
  }

  private String rollBack(Plan plan, List<Family> families) {
    StringBuilder report = new StringBuilder();
    for (Family family : families) {
      SavedRuleset before = SavedRuleset.parse(plan.before().get(family));
      try {
        SavedRuleset current = netfilter.read(family);
        String script = RestoreScripts.rollback(current, before);
        if (!RestoreScripts.isEmpty(script) && !sameOwnState(current, before)) {
          netfilter.restore(family, script);
        }
        String after = netfilter.save(family, false);
        boolean same = comparable(after).equals(comparable(plan.before().get(family)));
        report.append(
            label(family)
                + (same
                    ? ": rolled back, the ruleset is exactly as before"
                    : ": rolled back mobilessh's chains, but the ruleset differs from the backup"
                        + " (changed by someone else meanwhile?): compare with the backup")
                + "\n");
      } catch (RulesException e) {
        report.append(
            label(family)
                + ": ROLLBACK FAILED: "
                + e.getMessage()
                + ": restore the "
                + family.tool()
                + "-save section of the backup by hand\n");
      }
    }
    return report.toString().stripTrailing();
  }

  private static boolean sameOwnState(SavedRuleset a, SavedRuleset b) {
    return ownState(a).equals(ownState(b));
  }

  private static List<String> ownState(SavedRuleset ruleset) {
    List<String> lines = new ArrayList<>();
    for (SavedRuleset.Table t : ruleset.tables()) {
      lines.add("*" + t.name());
      t.ownChains().forEach(c -> lines.add(":" + c.name()));
      t.ownRules().forEach(r -> lines.add(r.toString()));
      for (SavedRuleset.Chain c : t.builtinChains()) {
        List<SavedRuleset.Rule> rules = t.rules(c.name());
        for (int i = 0; i < rules.size(); i++) {
          if (SavedRuleset.isOwn(rules.get(i).target())) {
            lines.add(i + " " + rules.get(i));
          }
        }
      }
    }
    return lines;
  }

  /**
   * iptables-save output reduced to what "the same ruleset" means: comment lines (they carry the
   * time of the save) and counters dropped, and a table that holds nothing (no rules, no user
   * chains, every policy ACCEPT) left out. The nft backend creates such a table on the first
   * restore and iptables-restore cannot delete it again; it filters nothing.
   */
  public static String comparable(String save) {
    StringBuilder out = new StringBuilder();
    for (SavedRuleset.Table t : SavedRuleset.parse(save).tables()) {
      boolean empty =
          t.rules().isEmpty() && t.chains().stream().allMatch(c -> c.policy().equals("ACCEPT"));
      if (empty) {
        continue;
      }
      out.append('*').append(t.name()).append('\n');
      t.chains()
          .forEach(
              c -> out.append(':').append(c.name()).append(' ').append(c.policy()).append('\n'));
      t.rules().forEach(r -> out.append(r).append('\n'));
      out.append("COMMIT\n");
    }
    return out.toString();
  }

  private String describe(String action, Family family, SavedRuleset after) {
    int chains = 0;
    int rules = 0;
    int jumps = 0;
    for (SavedRuleset.Table t : after.tables()) {
      chains += t.ownChains().size();
      rules += t.ownRules().size();
      jumps += t.jumps().size();
    }
    if (action.equals("install")) {
      return label(family)
          + ": installed "
          + chains
          + " chains, "
          + rules
          + " rules and "
          + jumps
          + " jumps in "
          + netfilter.where()
          + " ("
          + netfilter.backend().label()
          + " backend)";
    }
    return label(family)
        + ": removed mobilessh from "
        + netfilter.where()
        + (after.hasOwnState() ? " (but MOBILESSH-* state is still there)" : "");
  }

  static String label(Family family) {
    return family == Family.IPV4 ? "IPv4" : "IPv6";
  }
}
