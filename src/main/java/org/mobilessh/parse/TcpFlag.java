package org.mobilessh.parse;

/** TCP header flags in the order the kernel's LOG target prints them. */
public enum TcpFlag {
  CWR,
  ECE,
  URG,
  ACK,
  PSH,
  RST,
  SYN,
  FIN;

  /** Bit used in {@link IpPacket#tcpFlagBits()}. */
  public int bit() {
    return 1 << ordinal();
  }
}
