package org.mobilessh.parse;

/** Transport protocols as netfilter names them; anything else is {@link #OTHER} plus its number. */
public enum Protocol {
  ICMP(1, "icmp"),
  TCP(6, "tcp"),
  UDP(17, "udp"),
  DCCP(33, "dccp"),
  GRE(47, "gre"),
  ESP(50, "esp"),
  AH(51, "ah"),
  ICMPV6(58, "ipv6-icmp"),
  SCTP(132, "sctp"),
  UDPLITE(136, "udplite"),
  OTHER(-1, "other");

  private final int number;
  private final String ecsName;

  Protocol(int number, String ecsName) {
    this.number = number;
    this.ecsName = ecsName;
  }

  /** IANA protocol number; -1 for {@link #OTHER}. */
  public int number() {
    return number;
  }

  /** The value of {@code network.transport} (IANA keyword, lower case). */
  public String ecsName() {
    return ecsName;
  }

  public static Protocol ofNumber(int number) {
    return switch (number) {
      case 1 -> ICMP;
      case 6 -> TCP;
      case 17 -> UDP;
      case 33 -> DCCP;
      case 47 -> GRE;
      case 50 -> ESP;
      case 51 -> AH;
      case 58 -> ICMPV6;
      case 132 -> SCTP;
      case 136 -> UDPLITE;
      default -> OTHER;
    };
  }
}
