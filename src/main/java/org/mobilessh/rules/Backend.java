package org.mobilessh.rules;

import java.util.Locale;

/**
 * Which iptables implementation mobilessh talks to. {@link #AUTO} uses the plain {@code iptables-*}
 * tools, i.e. whatever the system's alternatives point at; the others name the implementation
 * explicitly. The nft and legacy backends keep separate rulesets in the kernel, so install, check,
 * snapshot and uninstall must all use the same one.
 */
public enum Backend {
  AUTO(""),
  NFT("-nft"),
  LEGACY("-legacy");

  private final String infix;

  Backend(String infix) {
    this.infix = infix;
  }

  /** {@code iptables-save}, {@code ip6tables-nft-save}, ... */
  public String saveTool(Family family) {
    return family.tool() + infix + "-save";
  }

  /** {@code iptables-restore}, {@code ip6tables-legacy-restore}, ... */
  public String restoreTool(Family family) {
    return family.tool() + infix + "-restore";
  }

  /** As users write it on the command line. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Backend parse(String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "auto" -> AUTO;
      case "nft" -> NFT;
      case "legacy" -> LEGACY;
      default ->
          throw new InvalidConfigException(
              "backend must be auto, nft or legacy, not '" + text + "'");
    };
  }
}
