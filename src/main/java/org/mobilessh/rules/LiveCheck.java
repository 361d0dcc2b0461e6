package org.mobilessh.rules;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * {@code rules check} against the kernel: reads both families' live rulesets, gets the canonical
 * form of what the configuration renders from a {@link ScratchNamespace}, reads xt_recent's list
 * size, and lets {@link RulesetChecker} judge.
 */
public final class LiveCheck {
  public static final Path IP_LIST_TOT = Path.of("/sys/module/xt_recent/parameters/ip_list_tot");

  private LiveCheck() {}

  public static CheckReport run(
      Netfilter netfilter,
      RulesetConfig config,
      RulesetRenderer renderer,
      OptionalInt expectedClients) {
    Map<Family, SavedRuleset> live = new EnumMap<>(Family.class);
    Map<Family, String> rendered = new LinkedHashMap<>();
    for (Family family : config.families()) {
      live.put(family, netfilter.read(family));
      rendered.put(family, renderer.render(config, family));
    }
    Map<Family, SavedRuleset> canonical = ScratchNamespace.canonical(netfilter.backend(), rendered);
    return RulesetChecker.check(config, live, canonical, ipListTot(), expectedClients);
  }

  /** xt_recent's ip_list_tot: a module parameter, the same in every network namespace. */
  public static OptionalInt ipListTot() {
    try {
      return OptionalInt.of(Integer.parseInt(Files.readString(IP_LIST_TOT).trim()));
    } catch (IOException | NumberFormatException e) {
      return OptionalInt.empty();
    }
  }
}
