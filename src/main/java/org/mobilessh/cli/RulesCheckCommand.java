package org.mobilessh.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import org.mobilessh.rules.CheckReport;
import org.mobilessh.rules.Finding;
import org.mobilessh.rules.LiveCheck;
import org.mobilessh.rules.Netfilter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mobilessh rules check}: is the live ruleset sound and what the configuration says? */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Read the live ruleset (iptables-save, ip6tables-save) and verify: every step with its LOG"
          + " and the configured prefix, the order remove -> update -> rcheck -> reject, the jumps"
          + " at the top of the built-in chains, IPv4/IPv6 parity, and drift from what the"
          + " configuration renders (compared in the form iptables-save prints, obtained from a"
          + " scratch network namespace). Warns when xt_recent's ip_list_tot is below"
          + " --expected-clients.",
      "One line per finding: OK, WARN or FAIL, what, and what to do. Exit 0 when sound, 3 on any"
          + " FAIL."
    })
final class RulesCheckCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin RulesetOptions ruleset;

  @Mixin RulesTemplateOption template;

  @Mixin BackendOption where;

  @Option(names = "--json", description = "Print the findings as one JSON object.")
  boolean json;

  @Option(
      names = "--expected-clients",
      paramLabel = "N",
      description = "How many client addresses the xt_recent list must hold at once.")
  Integer expectedClients;

  @Override
  public Integer call() throws JsonProcessingException {
    if (expectedClients != null && expectedClients < 1) {
      throw new IllegalArgumentException(
          "--expected-clients must be a positive number, not " + expectedClients);
    }
    Netfilter netfilter = where.netfilter();
    CheckReport report =
        LiveCheck.run(
            netfilter,
            ruleset.toConfig(),
            template.renderer(),
            expectedClients == null ? OptionalInt.empty() : OptionalInt.of(expectedClients));
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("sound", report.sound());
      doc.put("netns", netfilter.runner().netns().orElse(null));
      doc.put("backend", netfilter.backend().label());
      doc.put("ipListTot", report.ipListTot() < 0 ? null : report.ipListTot());
      doc.put("findings", report.findings());
      out.println(
          new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc));
    } else {
      for (Finding f : report.findings()) {
        out.println(f.line());
      }
      out.println(
          report.sound()
              ? "sound: the ruleset in " + netfilter.where() + " matches the configuration"
              : report.failures().size()
                  + " problem(s) in "
                  + netfilter.where()
                  + ": see FAIL lines above");
    }
    out.flush();
    return report.sound() ? ExitCodes.OK : ExitCodes.DRIFT;
  }
}
