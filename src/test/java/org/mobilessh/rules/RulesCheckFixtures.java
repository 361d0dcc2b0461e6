package org.mobilessh.rules;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Text fixtures under src/test/resources/rules/check/ (real iptables-save output). */
final class RulesCheckFixtures {
  private RulesCheckFixtures() {}

  static String text(String name) {
    try (InputStream in = RulesCheckFixtures.class.getResourceAsStream("/rules/check/" + name)) {
      if (in == null) {
        throw new IllegalStateException("fixture missing: " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static SavedRuleset saved(String name) {
    return SavedRuleset.parse(text(name));
  }

  /** The configuration the fixtures were installed and rendered with. */
  static RulesetConfig config(String... extra) {
    RulesetSettings settings = new RulesetSettings();
    settings.set("mail-server", java.util.List.of("198.51.100.10", "2001:db8:1::10"));
    settings.set("seconds", java.util.List.of("3"));
    for (int i = 0; i < extra.length; i += 2) {
      settings.set(extra[i], java.util.List.of(extra[i + 1]));
    }
    return settings.toConfig();
  }
}
