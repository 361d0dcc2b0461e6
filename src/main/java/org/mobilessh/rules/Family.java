package org.mobilessh.rules;

import java.net.Inet4Address;
import java.net.InetAddress;

/** An IP address family, with the netfilter tools that manage it. */
public enum Family {
  IPV4(4, "iptables", 32),
  IPV6(6, "ip6tables", 128);

  private final int number;
  private final String tool;
  private final int addressBits;

  Family(int number, String tool, int addressBits) {
    this.number = number;
    this.tool = tool;
    this.addressBits = addressBits;
  }

  /** 4 or 6, as users write it. */
  public int number() {
    return number;
  }

  /** Base name of the tools: {@code iptables} or {@code ip6tables}. */
  public String tool() {
    return tool;
  }

  public int addressBits() {
    return addressBits;
  }

  public static Family of(InetAddress address) {
    return address instanceof Inet4Address ? IPV4 : IPV6;
  }

  public static Family parse(String text) {
    return switch (text.trim()) {
      case "4", "ipv4" -> IPV4;
      case "6", "ipv6" -> IPV6;
      default -> throw new InvalidConfigException("family must be 4 or 6, not '" + text + "'");
    };
  }
}
