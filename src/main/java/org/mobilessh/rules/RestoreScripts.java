package org.mobilessh.rules;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Builds the iptables-restore {@code --noflush} input that install, uninstall and rollback send,
 * one transaction per family. Everything here is text in, text out: the kernel only sees it when
 * {@link Netfilter} applies it.
 *
 * <p>Facts this relies on (verified with the nft and the legacy backend): under {@code --noflush} a
 * {@code :CHAIN - [0:0]} line creates the chain or flushes it if it exists; {@code -D CHAIN spec}
 * with a spec copied from iptables-save deletes that rule; all lines between {@code *table} and
 * {@code COMMIT} succeed or fail together.
 */
public final class RestoreScripts {
  private RestoreScripts() {}

  /**
   * The install transaction: before the rendered ruleset, the same transaction deletes every jump
   * into a MOBILESSH-* chain that {@code current} holds (the rendered jumps are inserted at
   * position 1, so without this a second install would leave two copies) and removes MOBILESSH-*
   * chains the new ruleset no longer declares.
   *
   * @param rendered iptables-restore input from {@link RulesetRenderer}
   * @param current the family's live ruleset, parsed from iptables-save
   */
  public static String install(String rendered, SavedRuleset current) {
    List<String> lines = RulesetRenderer.ruleLines(rendered);
    StringBuilder out = new StringBuilder();
    Set<String> renderedTables = new LinkedHashSet<>();
    String table = null;
    List<String> stale = List.of();
    for (String line : lines) {
      if (line.startsWith("*")) {
        table = line.substring(1);
        renderedTables.add(table);
        out.append(line).append('\n');
        Optional<SavedRuleset.Table> live = current.table(table);
        Set<String> declared = declaredChains(lines, table);
        stale =
            live.map(t -> t.ownChains().stream().map(SavedRuleset.Chain::name))
                .orElseGet(java.util.stream.Stream::empty)
                .filter(c -> !declared.contains(c))
                .toList();
        live.ifPresent(t -> deleteJumps(t, out));
        for (String chain : stale) {
          out.append("-F ").append(chain).append('\n');
        }
        continue;
      }
      if (line.equals("COMMIT") && table != null) {
        for (String chain : stale) {
          out.append("-X ").append(chain).append('\n');
        }
        table = null;
      }
      out.append(line).append('\n');
    }
    for (SavedRuleset.Table t : current.tables()) {
      if (!renderedTables.contains(t.name()) && t.hasOwnState()) {
        out.append(uninstallTable(t));
      }
    }
    return out.toString();
  }

  /**
   * The uninstall transaction: deletes the jumps into MOBILESSH-* chains, then flushes and deletes
   * those chains. Empty when {@code current} holds nothing of mobilessh's.
   */
  public static String uninstall(SavedRuleset current) {
    StringBuilder out = new StringBuilder();
    for (SavedRuleset.Table t : current.tables()) {
      if (t.hasOwnState()) {
        out.append(uninstallTable(t));
      }
    }
    return out.toString();
  }

  /**
   * Puts mobilessh's part of the ruleset back to what {@code before} held: removes what {@code
   * current} has (jumps, chains), then recreates {@code before}'s MOBILESSH-* chains, their rules
   * and its jumps at their old positions. Rules that are not mobilessh's are never touched, so
   * after our jumps are deleted every built-in chain is {@code before}'s minus its jumps, and
   * inserting those jumps at their old (1-based) positions in ascending order rebuilds it exactly.
   */
  public static String rollback(SavedRuleset current, SavedRuleset before) {
    Set<String> tables = new LinkedHashSet<>();
    current.tables().stream()
        .filter(SavedRuleset.Table::hasOwnState)
        .forEach(t -> tables.add(t.name()));
    before.tables().stream()
        .filter(SavedRuleset.Table::hasOwnState)
        .forEach(t -> tables.add(t.name()));
    StringBuilder out = new StringBuilder();
    for (String name : tables) {
      Optional<SavedRuleset.Table> was = before.table(name);
      Optional<SavedRuleset.Table> now = current.table(name);
      Set<String> keep = new LinkedHashSet<>();
      was.ifPresent(t -> t.ownChains().forEach(c -> keep.add(c.name())));
      out.append('*').append(name).append('\n');
      now.ifPresent(t -> deleteJumps(t, out));
      now.ifPresent(
          t -> {
            for (SavedRuleset.Chain c : t.ownChains()) {
              out.append("-F ").append(c.name()).append('\n');
            }
            for (SavedRuleset.Chain c : t.ownChains()) {
              if (!keep.contains(c.name())) {
                out.append("-X ").append(c.name()).append('\n');
              }
            }
          });
      if (was.isPresent()) {
        SavedRuleset.Table t = was.get();
        for (SavedRuleset.Chain c : t.ownChains()) {
          out.append(':').append(c.name()).append(" - [0:0]\n");
        }
        for (SavedRuleset.Rule r : t.ownRules()) {
          out.append(r).append('\n');
        }
        for (SavedRuleset.Chain builtin : t.builtinChains()) {
          List<SavedRuleset.Rule> rules = t.rules(builtin.name());
          for (int i = 0; i < rules.size(); i++) {
            if (SavedRuleset.isOwn(rules.get(i).target())) {
              out.append("-I ")
                  .append(builtin.name())
                  .append(' ')
                  .append(i + 1)
                  .append(' ')
                  .append(rules.get(i).spec())
                  .append('\n');
            }
          }
        }
      }
      out.append("COMMIT\n");
    }
    return out.toString();
  }

  /** Whether a transaction has anything to do (it is empty when there was nothing to remove). */
  public static boolean isEmpty(String script) {
    return script.isBlank();
  }

  private static String uninstallTable(SavedRuleset.Table t) {
    StringBuilder out = new StringBuilder();
    out.append('*').append(t.name()).append('\n');
    deleteJumps(t, out);
    // Flush every chain before deleting any: our chains jump into each other.
    for (SavedRuleset.Chain c : t.ownChains()) {
      out.append("-F ").append(c.name()).append('\n');
    }
    for (SavedRuleset.Chain c : t.ownChains()) {
      out.append("-X ").append(c.name()).append('\n');
    }
    out.append("COMMIT\n");
    return out.toString();
  }

  private static void deleteJumps(SavedRuleset.Table t, StringBuilder out) {
    for (SavedRuleset.Rule jump : t.jumps()) {
      out.append("-D ").append(jump.chain()).append(' ').append(jump.spec()).append('\n');
    }
  }

  private static Set<String> declaredChains(List<String> lines, String table) {
    Set<String> chains = new LinkedHashSet<>();
    String current = null;
    for (String line : lines) {
      if (line.startsWith("*")) {
        current = line.substring(1);
      } else if (table.equals(current) && line.startsWith(":")) {
        chains.add(line.substring(1).split(" ")[0]);
      }
    }
    return chains;
  }
}
