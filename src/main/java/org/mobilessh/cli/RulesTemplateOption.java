package org.mobilessh.cli;

import java.nio.file.Path;
import org.mobilessh.rules.RulesetRenderer;
import picocli.CommandLine.Option;

/** {@code --rules-template FILE}: a user-edited copy of rules/mobilessh.rules.in. */
public final class RulesTemplateOption {
  @Option(
      names = "--rules-template",
      paramLabel = "FILE",
      description =
          "Render from this template instead of the bundled rules/mobilessh.rules.in (same"
              + " placeholders and guards).")
  Path template;

  RulesetRenderer renderer() {
    return template == null ? RulesetRenderer.bundled() : RulesetRenderer.fromFile(template);
  }
}
