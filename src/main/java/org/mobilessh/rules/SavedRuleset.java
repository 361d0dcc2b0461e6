package org.mobilessh.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The output of {@code iptables-save} (with or without {@code -c}) parsed into tables, chains and
 * rules. Rule specifications are kept exactly as the tool printed them, so a rule can be fed back
 * to iptables-restore ({@code -D CHAIN spec}) and compared with another save of the same backend.
 *
 * @param tables the tables in the order they were printed
 */
public record SavedRuleset(List<Table> tables) {
  private static final Pattern COUNTERS = Pattern.compile("^\\[(\\d+):(\\d+)\\] ");
  private static final Pattern CHAIN = Pattern.compile("^:(\\S+) (\\S+)(?: \\[(\\d+):(\\d+)\\])?$");

  public SavedRuleset {
    tables = List.copyOf(tables);
  }

  /**
   * A chain declaration.
   *
   * @param policy {@code ACCEPT}/{@code DROP} for a built-in chain, {@code -} for a user chain
   */
  public record Chain(String name, String policy) {
    public boolean builtin() {
      return !policy.equals("-");
    }

    /** A chain mobilessh owns: its name starts with {@code MOBILESSH-}. */
    public boolean own() {
      return isOwn(name);
    }
  }

  /**
   * One rule.
   *
   * @param chain the chain it is appended to
   * @param spec everything after {@code -A CHAIN }, as printed
   * @param packets packet counter, or -1 when saved without {@code -c}
   * @param bytes byte counter, or -1 when saved without {@code -c}
   */
  public record Rule(String chain, String spec, long packets, long bytes) {
    public List<String> words() {
      return Tokens.split(spec);
    }

    /** The word after {@code -j} or {@code -g}, or empty. */
    public String target() {
      List<String> w = words();
      for (int i = 0; i < w.size() - 1; i++) {
        if (w.get(i).equals("-j") || w.get(i).equals("-g")) {
          return w.get(i + 1);
        }
      }
      return "";
    }

    /** The value after {@code option} (e.g. {@code --seconds}), if the rule has it. */
    public Optional<String> option(String option) {
      List<String> w = words();
      for (int i = 0; i < w.size() - 1; i++) {
        if (w.get(i).equals(option)) {
          return Optional.of(w.get(i + 1));
        }
      }
      return Optional.empty();
    }

    public boolean has(String word) {
      return words().contains(word);
    }

    /** The rule as iptables-save prints it (without counters). */
    @Override
    public String toString() {
      return "-A " + chain + " " + spec;
    }
  }

  /** One table: {@code *filter} up to its {@code COMMIT}. */
  public record Table(String name, List<Chain> chains, List<Rule> rules) {
    public Table {
      chains = List.copyOf(chains);
      rules = List.copyOf(rules);
    }

    public Optional<Chain> chain(String chainName) {
      return chains.stream().filter(c -> c.name().equals(chainName)).findFirst();
    }

    /** The rules of one chain, in order. */
    public List<Rule> rules(String chainName) {
      return rules.stream().filter(r -> r.chain().equals(chainName)).toList();
    }

    /** The MOBILESSH-* chains. */
    public List<Chain> ownChains() {
      return chains.stream().filter(Chain::own).toList();
    }

    public List<Chain> builtinChains() {
      return chains.stream().filter(Chain::builtin).toList();
    }

    /** Rules of built-in chains that jump into a MOBILESSH-* chain, in printed order. */
    public List<Rule> jumps() {
      return rules.stream()
          .filter(r -> chain(r.chain()).map(Chain::builtin).orElse(false))
          .filter(r -> isOwn(r.target()))
          .toList();
    }

    /** Rules inside MOBILESSH-* chains, in printed order. */
    public List<Rule> ownRules() {
      return rules.stream().filter(r -> isOwn(r.chain())).toList();
    }

    /** Whether anything of mobilessh's is in this table. */
    public boolean hasOwnState() {
      return !ownChains().isEmpty() || !jumps().isEmpty();
    }
  }

  public static boolean isOwn(String chainName) {
    return chainName.startsWith(RulesetRenderer.CHAIN_PREFIX);
  }

  public Optional<Table> table(String name) {
    return tables.stream().filter(t -> t.name().equals(name)).findFirst();
  }

  /** Whether any table holds MOBILESSH-* chains or jumps into them. */
  public boolean hasOwnState() {
    return tables.stream().anyMatch(Table::hasOwnState);
  }

  /**
   * Parses iptables-save output. Comment lines are ignored; anything else that is not a table,
   * chain, rule or COMMIT line is an error (it would mean we misread the tool).
   */
  public static SavedRuleset parse(String text) {
    List<Table> tables = new ArrayList<>();
    String table = null;
    List<Chain> chains = new ArrayList<>();
    List<Rule> rules = new ArrayList<>();
    int lineNo = 0;
    for (String raw : text.split("\n", -1)) {
      lineNo++;
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      if (line.startsWith("*")) {
        table = line.substring(1);
        chains = new ArrayList<>();
        rules = new ArrayList<>();
        continue;
      }
      if (table == null) {
        throw new RulesException("iptables-save line " + lineNo + " outside a table: " + line);
      }
      if (line.equals("COMMIT")) {
        tables.add(new Table(table, chains, rules));
        table = null;
        continue;
      }
      Matcher chain = CHAIN.matcher(line);
      if (chain.matches()) {
        chains.add(new Chain(chain.group(1), chain.group(2)));
        continue;
      }
      long packets = -1;
      long bytes = -1;
      Matcher counters = COUNTERS.matcher(line);
      if (counters.find()) {
        packets = Long.parseLong(counters.group(1));
        bytes = Long.parseLong(counters.group(2));
        line = line.substring(counters.end());
      }
      if (!line.startsWith("-A ")) {
        throw new RulesException("iptables-save line " + lineNo + " not understood: " + line);
      }
      String rest = line.substring(3);
      int space = rest.indexOf(' ');
      String chainName = space < 0 ? rest : rest.substring(0, space);
      String spec = space < 0 ? "" : rest.substring(space + 1);
      rules.add(new Rule(chainName, spec, packets, bytes));
    }
    if (table != null) {
      throw new RulesException("iptables-save output ends inside table " + table + " (no COMMIT)");
    }
    return new SavedRuleset(tables);
  }
}
