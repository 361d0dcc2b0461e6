package org.mobilessh.rules;

import java.security.SecureRandom;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.mobilessh.os.CommandRunner;

/**
 * A throw-away network namespace that turns rendered iptables-restore text into the form
 * iptables-save prints (which adds {@code -m tcp}, {@code --mask ... --rsource}, sorts user chains
 * and drops defaults such as {@code /32} and {@code --limit-burst 5}): restore it there, save it
 * back, delete the namespace. The kernel itself does the normalising, so the comparison with a live
 * ruleset cannot be fooled by a hand-written normaliser that is out of date.
 */
public final class ScratchNamespace {
  static final String PREFIX = "mobilessh-scratch-";

  private ScratchNamespace() {}

  /** Each family's rendered text as {@code backend}'s iptables-save prints it. */
  public static Map<Family, SavedRuleset> canonical(Backend backend, Map<Family, String> rendered) {
    CommandRunner host = CommandRunner.host();
    String name = PREFIX + HexFormat.of().formatHex(new SecureRandom().generateSeed(4));
    CommandRunner.Result add = host.run(List.of("ip", "netns", "add", name));
    if (!add.ok()) {
      throw new RulesException(
          "cannot create a scratch network namespace to compare rules: " + Netfilter.explain(add));
    }
    try {
      Netfilter scratch = new Netfilter(CommandRunner.in(Optional.of(name)), backend);
      Map<Family, SavedRuleset> out = new EnumMap<>(Family.class);
      for (Map.Entry<Family, String> e : rendered.entrySet()) {
        try {
          scratch.restore(e.getKey(), e.getValue());
        } catch (RulesException ex) {
          throw new RulesException(
              "the configured "
                  + Installer.label(e.getKey())
                  + " ruleset does not load into a scratch namespace: "
                  + ex.getMessage(),
              ex);
        }
        out.put(e.getKey(), scratch.read(e.getKey()));
      }
      return out;
    } finally {
      host.run(List.of("ip", "netns", "del", name));
    }
  }
}
