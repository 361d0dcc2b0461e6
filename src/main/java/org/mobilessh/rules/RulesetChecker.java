package org.mobilessh.rules;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Judges a live ruleset (parsed iptables-save output of both families) against the configuration:
 * every step present with its LOG and the configured prefix, the order remove -> update -> rcheck
 * -> reject, the jumps at the top of the built-in chains, IPv4/IPv6 parity, and drift from the
 * canonical form of what the configuration renders (that text restored into a scratch namespace and
 * saved back, so both sides went through the same normalisation of iptables-save). Pure: no I/O, so
 * every verdict is testable on text fixtures.
 */
public final class RulesetChecker {
  static final String SSH = "MOBILESSH-SSH";
  static final String IMAPS = "MOBILESSH-IMAPS";
  private static final String FIX = "run 'mobilessh rules install' with the same options";
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}(/\\d{1,2})?");
  private static final Pattern IPV6 =
      Pattern.compile("[0-9a-fA-F]{0,4}(:[0-9a-fA-F]{0,4}){2,7}(/\\d{1,3})?");

  private final RulesetConfig config;
  private final List<Finding> findings = new ArrayList<>();

  private RulesetChecker(RulesetConfig config) {
    this.config = config;
  }

  /**
   * @param live each family's live ruleset (a missing family counts as nothing installed)
   * @param canonical each family's rendered ruleset as the kernel's tools print it
   * @param ipListTot xt_recent's list size, if readable
   * @param expectedClients how many client addresses the list must hold, if the user said
   */
  public static CheckReport check(
      RulesetConfig config,
      Map<Family, SavedRuleset> live,
      Map<Family, SavedRuleset> canonical,
      OptionalInt ipListTot,
      OptionalInt expectedClients) {
    RulesetChecker checker = new RulesetChecker(config);
    List<Family> installed = new ArrayList<>();
    for (Family family : config.families()) {
      SavedRuleset l = live.getOrDefault(family, new SavedRuleset(List.of()));
      SavedRuleset c = canonical.getOrDefault(family, new SavedRuleset(List.of()));
      if (checker.family(family, l, c)) {
        installed.add(family);
      }
    }
    if (config.ipv4Only()) {
      checker.findings.add(
          Finding.warn(
              "IPv6",
              "ipv6",
              "not checked: configured --ipv4-only, IPv6 SSH is not gated by mobilessh",
              "block IPv6 SSH elsewhere, or install without --ipv4-only"));
    } else if (installed.size() == 2) {
      checker.parity(live, canonical);
    }
    checker.listSize(ipListTot, expectedClients);
    return new CheckReport(checker.findings, ipListTot.orElse(-1));
  }

  /** Checks one family; false when nothing of mobilessh's is installed there. */
  private boolean family(Family family, SavedRuleset live, SavedRuleset canonical) {
    String f = Installer.label(family);
    if (!live.hasOwnState()) {
      findings.add(
          Finding.fail(
              f,
              "installed",
              "mobilessh is not installed (no MOBILESSH-* chains or jumps in "
                  + family.tool()
                  + "-save)"
                  + (family == Family.IPV6 ? ": " + Installer.IPV6_WARNING : ""),
              FIX));
      return false;
    }
    SavedRuleset.Table table =
        live.table("filter").orElse(new SavedRuleset.Table("filter", List.of(), List.of()));
    steps(f, table);
    jumps(f, family, table);
    drift(f, live, canonical);
    listUse(f, live);
    return true;
  }

  /**
   * Rules outside the MOBILESSH-* chains that use the list. xt_recent lists are shared by every
   * table, chain and both families, so such a rule is part of the gate although drift never sees
   * it: one that writes the list ({@code --set}, {@code --update}) opens or keeps open SSH for
   * whatever it matches, without IMAPS and without a set LOG line. Readers ({@code --rcheck}) and
   * {@code --remove} open nothing for SSH: a WARN, because they still change what the list means.
   */
  private void listUse(String f, SavedRuleset live) {
    int before = findings.size();
    for (SavedRuleset.Table t : live.tables()) {
      for (SavedRuleset.Rule r : t.rules()) {
        if (SavedRuleset.isOwn(r.chain()) || !recent(r)) {
          continue;
        }
        String where =
            t.name()
                + " "
                + r.chain()
                + " rule "
                + (t.rules(r.chain()).indexOf(r) + 1)
                + " '"
                + r
                + "'";
        String own = "remove that rule, or install mobilessh with a --list of its own";
        if (r.has("--set") || r.has("--update")) {
          findings.add(
              Finding.fail(
                  f,
                  "list-use",
                  where
                      + (r.has("--set") ? " adds addresses to " : " refreshes addresses in ")
                      + config.list()
                      + " outside the MOBILESSH-* chains: traffic it matches opens SSH without"
                      + " IMAPS and without a set LOG line",
                  own));
        } else {
          findings.add(
              Finding.warn(
                  f,
                  "list-use",
                  where
                      + " uses "
                      + config.list()
                      + " outside the MOBILESSH-* chains: it "
                      + (r.has("--remove")
                          ? "closes SSH windows the audit does not see closing"
                          : "trusts the addresses mobilessh lets through to SSH")
                      + " (the list is shared by every table and both families)",
                  own + ", if that is not intended"));
        }
      }
    }
    if (findings.size() == before) {
      findings.add(
          Finding.ok(
              f,
              "list-use",
              "no rule outside the MOBILESSH-* chains uses the list " + config.list()));
    }
  }

  private boolean recent(SavedRuleset.Rule r) {
    return r.has("recent") && r.option("--name").map(config.list()::equals).orElse(false);
  }

  private static int index(
      List<SavedRuleset.Rule> rules, java.util.function.Predicate<SavedRuleset.Rule> p) {
    for (int i = 0; i < rules.size(); i++) {
      if (p.test(rules.get(i))) {
        return i;
      }
    }
    return -1;
  }

  private void steps(String f, SavedRuleset.Table t) {
    String seconds = Integer.toString(config.seconds());
    List<SavedRuleset.Rule> imaps = t.rules(IMAPS);
    List<SavedRuleset.Rule> ssh = t.rules(SSH);

    // Step 1, set, and its LOG before it.
    int set = index(imaps, r -> recent(r) && r.has("--set"));
    if (set < 0) {
      findings.add(
          Finding.fail(
              f,
              "set",
              "no '-m recent --name "
                  + config.list()
                  + " --set' rule in "
                  + IMAPS
                  + ": IMAPS clients can never open SSH",
              FIX));
    } else {
      findings.add(
          Finding.ok(
              f,
              "set",
              IMAPS + " rule " + (set + 1) + " records IMAPS clients in " + config.list()));
      logStep(f, "set", IMAPS, imaps.subList(0, set), config.setPrefix());
    }

    // Step 2, remove (or its absence with --no-remove).
    int remove = index(ssh, r -> recent(r) && r.has("--remove"));
    if (config.remove()) {
      if (remove < 0) {
        findings.add(
            Finding.fail(
                f,
                "remove",
                "no '--remove' rule in " + SSH + ": an SSH FIN does not close the window",
                FIX));
      } else {
        findings.add(
            Finding.ok(f, "remove", SSH + " rule " + (remove + 1) + " removes the address on FIN"));
        String target = ssh.get(remove).target();
        logStep(f, "remove", target, t.rules(target), config.removePrefix());
      }
    } else if (remove >= 0) {
      findings.add(
          Finding.fail(
              f,
              "remove",
              SSH + " rule " + (remove + 1) + " removes addresses, but --no-remove is configured",
              FIX));
    }

    // Step 3, update, with the window length so SSH never revives an expired entry.
    int update = index(ssh, r -> recent(r) && r.has("--update"));
    if (update < 0) {
      findings.add(
          Finding.fail(
              f,
              "update",
              "no '--update' rule in " + SSH + ": running sessions do not refresh their address",
              FIX));
    } else {
      Optional<String> s = ssh.get(update).option("--seconds");
      if (s.isEmpty() || !s.get().equals(seconds)) {
        findings.add(
            Finding.fail(
                f,
                "update",
                SSH
                    + " rule "
                    + (update + 1)
                    + " refreshes with "
                    + s.map(v -> "--seconds " + v)
                        .orElse("no --seconds (SSH revives expired entries)")
                    + ", configured --seconds "
                    + seconds,
                FIX));
      } else {
        findings.add(
            Finding.ok(
                f,
                "update",
                SSH + " rule " + (update + 1) + " refreshes within " + seconds + " s"));
      }
    }

    // Step 4, rcheck-accept: a NEW connection within the window, logged, accepted.
    int rcheck =
        index(
            ssh,
            r ->
                recent(r)
                    && r.has("--rcheck")
                    && r.option("--ctstate").map("NEW"::equals).orElse(false));
    if (rcheck < 0) {
      findings.add(
          Finding.fail(
              f,
              "rcheck-accept",
              "no '--ctstate NEW ... --rcheck' rule in " + SSH + ": nobody can open SSH",
              FIX));
    } else {
      SavedRuleset.Rule r = ssh.get(rcheck);
      Optional<String> s = r.option("--seconds");
      if (s.isEmpty() || !s.get().equals(seconds)) {
        findings.add(
            Finding.fail(
                f,
                "rcheck-accept",
                SSH
                    + " rule "
                    + (rcheck + 1)
                    + " opens a window of "
                    + s.map(v -> v + " s").orElse("unlimited length (no --seconds)")
                    + ", configured "
                    + seconds
                    + " s",
                FIX));
      } else {
        findings.add(
            Finding.ok(
                f,
                "rcheck-accept",
                SSH + " rule " + (rcheck + 1) + " accepts new SSH within " + seconds + " s"));
      }
      String target = r.target();
      if (SavedRuleset.isOwn(target)) {
        List<SavedRuleset.Rule> chain = t.rules(target);
        logStep(f, "accept", target, chain, config.acceptPrefix());
        if (index(chain, x -> x.target().equals("ACCEPT")) < 0) {
          findings.add(Finding.fail(f, "rcheck-accept", target + " never accepts", FIX));
        }
      } else {
        findings.add(
            Finding.fail(
                f,
                "accept-log",
                SSH
                    + " rule "
                    + (rcheck + 1)
                    + " jumps to "
                    + target
                    + " without logging: accepted connections leave no LOG line",
                FIX));
      }
    }

    // Step 5, reject with a TCP reset, its sampled LOG before it.
    int reject = index(ssh, r -> r.target().equals("REJECT"));
    if (reject < 0) {
      findings.add(
          Finding.fail(f, "reject", "no REJECT rule in " + SSH + ": SSH is open to everyone", FIX));
    } else {
      String with = ssh.get(reject).option("--reject-with").orElse("icmp-port-unreachable");
      if (!with.equals("tcp-reset")) {
        findings.add(
            Finding.fail(
                f,
                "reject",
                SSH
                    + " rule "
                    + (reject + 1)
                    + " rejects with "
                    + with
                    + ", not tcp-reset: the port does not look closed",
                FIX));
      } else {
        findings.add(
            Finding.ok(f, "reject", SSH + " rule " + (reject + 1) + " resets everything else"));
      }
      logStep(f, "reject", SSH, ssh.subList(0, reject), config.rejectPrefix());
    }

    // Order: remove -> update -> rcheck -> reject.
    List<String> names = new ArrayList<>();
    List<Integer> at = new ArrayList<>();
    if (config.remove() && remove >= 0) {
      names.add("remove");
      at.add(remove);
    }
    if (update >= 0) {
      names.add("update");
      at.add(update);
    }
    if (rcheck >= 0) {
      names.add("rcheck");
      at.add(rcheck);
    }
    if (reject >= 0) {
      names.add("reject");
      at.add(reject);
    }
    boolean ordered = true;
    for (int i = 1; i < at.size(); i++) {
      ordered &= at.get(i - 1) < at.get(i);
    }
    StringBuilder found = new StringBuilder();
    for (int i = 0; i < names.size(); i++) {
      found
          .append(i == 0 ? "" : " -> ")
          .append(names.get(i))
          .append(" (rule ")
          .append(at.get(i) + 1)
          .append(')');
    }
    String expected =
        config.remove() ? "remove -> update -> rcheck -> reject" : "update -> rcheck -> reject";
    if (ordered) {
      findings.add(Finding.ok(f, "order", SSH + ": " + found));
    } else {
      List<Integer> sorted = at.stream().sorted().toList();
      StringBuilder actual = new StringBuilder();
      for (int pos : sorted) {
        actual.append(actual.length() == 0 ? "" : " -> ").append(names.get(at.indexOf(pos)));
      }
      findings.add(
          Finding.fail(f, "order", SSH + " runs " + actual + ", must be " + expected, FIX));
    }
  }

  /** A LOG rule with the configured prefix among {@code rules} of {@code chain}. */
  private void logStep(
      String f, String step, String chain, List<SavedRuleset.Rule> rules, LogPrefix prefix) {
    String check = step + "-log";
    List<SavedRuleset.Rule> logs = rules.stream().filter(r -> r.target().equals("LOG")).toList();
    if (logs.stream()
        .anyMatch(r -> r.option("--log-prefix").map(prefix.logText()::equals).orElse(false))) {
      findings.add(Finding.ok(f, check, chain + " logs with prefix '" + prefix + "'"));
    } else if (logs.isEmpty()) {
      findings.add(
          Finding.fail(
              f,
              check,
              "no LOG rule for the " + step + " step in " + chain + ": the audit cannot see it",
              FIX));
    } else {
      String other = logs.get(0).option("--log-prefix").orElse("(none)").strip();
      findings.add(
          Finding.fail(
              f,
              check,
              "the "
                  + step
                  + " LOG in "
                  + chain
                  + " has prefix '"
                  + other
                  + "', configured '"
                  + prefix
                  + "': the audit would not recognise its lines",
              FIX + " (or pass the prefix that is installed)"));
    }
  }

  private void jumps(String f, Family family, SavedRuleset.Table t) {
    boolean toSsh = t.jumps().stream().anyMatch(j -> j.target().equals(SSH));
    boolean toImaps = t.jumps().stream().anyMatch(j -> j.target().equals(IMAPS));
    if ((config.protectLocal() || !config.protectHosts(family).isEmpty()) && !toSsh) {
      findings.add(
          Finding.fail(
              f, "jumps", "no built-in chain jumps to " + SSH + ": SSH is not gated", FIX));
    }
    if (config.mailServers(family).isEmpty()) {
      findings.add(
          Finding.warn(
              f,
              "jumps",
              "no "
                  + f
                  + " mail server configured: "
                  + f
                  + " clients can never open SSH by checking mail",
              "add an " + f + " --mail-server if the mail server has one"));
    } else if (!toImaps) {
      findings.add(
          Finding.fail(
              f, "jumps", "no built-in chain jumps to " + IMAPS + ": IMAPS never opens SSH", FIX));
    }
    boolean top = true;
    for (SavedRuleset.Chain c : t.builtinChains()) {
      List<SavedRuleset.Rule> rules = t.rules(c.name());
      int lastJump = -1;
      for (int i = 0; i < rules.size(); i++) {
        if (SavedRuleset.isOwn(rules.get(i).target())) {
          lastJump = i;
        }
      }
      for (int i = 0; i < lastJump; i++) {
        if (!SavedRuleset.isOwn(rules.get(i).target())) {
          top = false;
          findings.add(
              Finding.fail(
                  f,
                  "jumps",
                  c.name()
                      + " rule "
                      + (i + 1)
                      + " '"
                      + rules.get(i)
                      + "' comes before a mobilessh jump: traffic it matches bypasses the gate",
                  FIX + " (it inserts the jumps at the top)"));
          break;
        }
      }
    }
    if (top && (toSsh || toImaps)) {
      findings.add(
          Finding.ok(f, "jumps", t.jumps().size() + " jumps, all at the top of their chains"));
    }
  }

  private void drift(String f, SavedRuleset live, SavedRuleset canonical) {
    int before = findings.size();
    Set<String> tables = new LinkedHashSet<>();
    canonical.tables().stream()
        .filter(SavedRuleset.Table::hasOwnState)
        .forEach(t -> tables.add(t.name()));
    live.tables().stream()
        .filter(SavedRuleset.Table::hasOwnState)
        .forEach(t -> tables.add(t.name()));
    for (String name : tables) {
      SavedRuleset.Table l =
          live.table(name).orElse(new SavedRuleset.Table(name, List.of(), List.of()));
      SavedRuleset.Table c =
          canonical.table(name).orElse(new SavedRuleset.Table(name, List.of(), List.of()));
      Set<String> chains = new LinkedHashSet<>();
      c.ownChains().forEach(x -> chains.add(x.name()));
      l.ownChains().forEach(x -> chains.add(x.name()));
      for (String chain : chains) {
        boolean inLive = l.chain(chain).isPresent();
        boolean inConfig = c.chain(chain).isPresent();
        if (!inLive) {
          findings.add(Finding.fail(f, "drift", name + " chain " + chain + " is missing", FIX));
        } else if (!inConfig) {
          findings.add(
              Finding.fail(
                  f,
                  "drift",
                  name + " chain " + chain + " is installed but the configuration has none",
                  FIX));
        } else {
          compare(f, name + " " + chain, l.rules(chain), c.rules(chain));
        }
      }
      Set<String> builtins = new LinkedHashSet<>();
      c.builtinChains().forEach(x -> builtins.add(x.name()));
      l.builtinChains().forEach(x -> builtins.add(x.name()));
      for (String chain : builtins) {
        compare(
            f,
            name + " " + chain + " jumps",
            l.rules(chain).stream().filter(r -> SavedRuleset.isOwn(r.target())).toList(),
            c.rules(chain).stream().filter(r -> SavedRuleset.isOwn(r.target())).toList());
      }
    }
    if (findings.size() == before) {
      findings.add(
          Finding.ok(
              f, "drift", "installed chains and jumps equal what the configuration renders"));
    }
  }

  private void compare(
      String f, String where, List<SavedRuleset.Rule> live, List<SavedRuleset.Rule> expected) {
    int n = Math.max(live.size(), expected.size());
    for (int i = 0; i < n; i++) {
      String l = i < live.size() ? live.get(i).toString() : null;
      String e = i < expected.size() ? expected.get(i).toString() : null;
      if (l != null && l.equals(e)) {
        continue;
      }
      String message;
      if (l == null) {
        message =
            where + ": rule " + (i + 1) + " is missing, the configuration renders '" + e + "'";
      } else if (e == null) {
        message = where + ": extra rule " + (i + 1) + " '" + l + "' is not in the configuration";
      } else {
        message =
            where + ": rule " + (i + 1) + " is '" + l + "', the configuration renders '" + e + "'";
      }
      findings.add(
          Finding.fail(
              f,
              "drift",
              message
                  + (live.size() != expected.size()
                      ? " (" + live.size() + " rules installed, " + expected.size() + " configured)"
                      : ""),
              FIX));
      return;
    }
  }

  private void parity(Map<Family, SavedRuleset> live, Map<Family, SavedRuleset> canonical) {
    int before = findings.size();
    SavedRuleset v4 = live.get(Family.IPV4);
    SavedRuleset v6 = live.get(Family.IPV6);
    Set<String> tables = new LinkedHashSet<>();
    v4.tables().stream().filter(SavedRuleset.Table::hasOwnState).forEach(t -> tables.add(t.name()));
    v6.tables().stream().filter(SavedRuleset.Table::hasOwnState).forEach(t -> tables.add(t.name()));
    for (String name : tables) {
      SavedRuleset.Table a =
          v4.table(name).orElse(new SavedRuleset.Table(name, List.of(), List.of()));
      SavedRuleset.Table b =
          v6.table(name).orElse(new SavedRuleset.Table(name, List.of(), List.of()));
      List<String> ra = shape(a.ownRules());
      List<String> rb = shape(b.ownRules());
      if (!ra.equals(rb)) {
        findings.add(
            Finding.fail(
                "",
                "parity",
                name + ": IPv4 and IPv6 MOBILESSH-* chains differ: " + firstDifference(ra, rb),
                FIX));
      }
      List<String> ja = shape(a.jumps());
      List<String> jb = shape(b.jumps());
      if (!ja.equals(jb)) {
        List<String> ca =
            canonical
                .getOrDefault(Family.IPV4, new SavedRuleset(List.of()))
                .table(name)
                .map(t -> shape(t.jumps()))
                .orElse(List.of());
        List<String> cb =
            canonical
                .getOrDefault(Family.IPV6, new SavedRuleset(List.of()))
                .table(name)
                .map(t -> shape(t.jumps()))
                .orElse(List.of());
        if (ca.equals(ja) && cb.equals(jb)) {
          findings.add(
              Finding.warn(
                  "",
                  "parity",
                  name
                      + ": IPv4 has "
                      + ja.size()
                      + " jumps, IPv6 "
                      + jb.size()
                      + ", as the configuration's addresses ask",
                  "give every mail server and protected host for both families if they have both"));
        } else {
          findings.add(
              Finding.fail(
                  "",
                  "parity",
                  name + ": IPv4 and IPv6 jumps differ: " + firstDifference(ja, jb),
                  FIX));
        }
      }
    }
    if (findings.size() == before) {
      findings.add(Finding.ok("", "parity", "IPv4 and IPv6 have the same structure"));
    }
  }

  private static String firstDifference(List<String> a, List<String> b) {
    for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
      String x = i < a.size() ? a.get(i) : "(nothing)";
      String y = i < b.size() ? b.get(i) : "(nothing)";
      if (!x.equals(y)) {
        return "IPv4 '" + x + "' vs IPv6 '" + y + "'";
      }
    }
    return "";
  }

  /**
   * Rules with their addresses and family-specific words ({@code --hashlimit-srcmask}, ICMP names)
   * neutralised, so an IPv4 and an IPv6 rule of the same structure compare equal.
   */
  public static List<String> shape(List<SavedRuleset.Rule> rules) {
    List<String> out = new ArrayList<>();
    for (SavedRuleset.Rule r : rules) {
      List<String> words = r.words();
      StringBuilder s = new StringBuilder("-A ").append(r.chain());
      for (int i = 0; i < words.size(); i++) {
        String w = words.get(i);
        if (w.equals("--hashlimit-srcmask") && i + 1 < words.size()) {
          i++;
          continue;
        }
        if (IPV4.matcher(w).matches() || IPV6.matcher(w).matches()) {
          w = "ADDR";
        }
        w = w.replace("icmp6-", "icmp-").replace("ipv6-icmp", "icmp");
        s.append(' ').append(w);
      }
      out.add(s.toString());
    }
    return out;
  }

  private void listSize(OptionalInt ipListTot, OptionalInt expectedClients) {
    if (ipListTot.isEmpty()) {
      findings.add(
          Finding.warn(
              "",
              "list-size",
              "cannot read /sys/module/xt_recent/parameters/ip_list_tot",
              "check that xt_recent is loaded (modprobe xt_recent)"));
      return;
    }
    int tot = ipListTot.getAsInt();
    if (expectedClients.isPresent() && tot < expectedClients.getAsInt()) {
      int want = expectedClients.getAsInt();
      findings.add(
          Finding.warn(
              "",
              "list-size",
              "xt_recent ip_list_tot is "
                  + tot
                  + ", below --expected-clients "
                  + want
                  + ": the oldest addresses are evicted and their SSH windows close early",
              "put 'options xt_recent ip_list_tot="
                  + want
                  + "' in /etc/modprobe.d/xt_recent.conf and reload"
                  + " xt_recent (built-in: boot with xt_recent.ip_list_tot="
                  + want
                  + ")"));
    } else {
      findings.add(
          Finding.ok(
              "",
              "list-size",
              "xt_recent holds up to "
                  + tot
                  + " addresses per list"
                  + expectedClients.stream()
                      .mapToObj(n -> " (expected clients: " + n + ")")
                      .findFirst()
                      .orElse("")));
    }
  }
}
