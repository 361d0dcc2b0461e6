package org.mobilessh.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.mobilessh.rules.Family;
import org.mobilessh.rules.RulesetConfig;
import org.mobilessh.rules.RulesetRenderer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mobilessh rules render}: prints iptables-restore / ip6tables-restore input. */
@Command(
    name = "render",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Print the ruleset as iptables-restore (IPv4) and ip6tables-restore (IPv6) input.",
      "With --family both, each family's text is headed by a comment naming its tool."
    })
final class RulesRenderCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin RulesetOptions ruleset;

  @Mixin RulesTemplateOption template;

  @Option(
      names = "--family",
      paramLabel = "4|6|both",
      defaultValue = "both",
      description = "Which family to print. Default: ${DEFAULT-VALUE}.")
  String family;

  @Override
  public Integer call() {
    RulesetConfig config = ruleset.toConfig();
    List<Family> families =
        family.equals("both") ? config.families() : List.of(Family.parse(family));
    RulesetRenderer renderer = template.renderer();
    var out = spec.commandLine().getOut();
    for (Family f : families) {
      if (families.size() > 1) {
        out.println("# ---- " + f.tool() + "-restore --noflush ----");
      }
      out.print(renderer.render(config, f));
    }
    out.flush();
    return ExitCodes.OK;
  }
}
