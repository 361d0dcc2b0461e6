package org.mobilessh.rules;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * An address or network in CIDR notation, e.g. {@code 198.51.100.7} or {@code 2001:db8::/32}.
 * Parsing never resolves names: only literal addresses are accepted.
 */
public record Cidr(InetAddress address, int prefixLength) {
  private static final Pattern LITERAL = Pattern.compile("[0-9A-Fa-f:.]+");
  private static final Pattern DOTTED_QUAD = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");

  public Cidr {
    int bits = Family.of(address).addressBits();
    if (prefixLength < 0 || prefixLength > bits) {
      throw new InvalidConfigException(
          "prefix length /" + prefixLength + " is out of range 0.." + bits);
    }
  }

  public static Cidr parse(String text) {
    String trimmed = text.trim();
    int slash = trimmed.indexOf('/');
    String host = slash < 0 ? trimmed : trimmed.substring(0, slash);
    InetAddress address = parseAddress(host);
    int bits = Family.of(address).addressBits();
    int prefix = bits;
    if (slash >= 0) {
      String len = trimmed.substring(slash + 1);
      if (!len.matches("[0-9]{1,3}")) {
        throw new InvalidConfigException("'" + text + "' has no valid prefix length after '/'");
      }
      prefix = Integer.parseInt(len);
    }
    return new Cidr(address, prefix);
  }

  /** Parses a literal IPv4 or IPv6 address; host names are refused, never looked up. */
  public static InetAddress parseAddress(String text) {
    if (text.isEmpty()
        || !LITERAL.matcher(text).matches()
        || !(text.contains(".") || text.contains(":"))) {
      throw new InvalidConfigException(
          "'" + text + "' is not an IPv4 or IPv6 address (host names are not accepted)");
    }
    if (!text.contains(":") && !DOTTED_QUAD.matcher(text).matches()) {
      throw new InvalidConfigException("'" + text + "' is not a dotted-quad IPv4 address");
    }
    try {
      return InetAddress.getByName(text);
    } catch (UnknownHostException e) {
      throw new InvalidConfigException("'" + text + "' is not an IPv4 or IPv6 address");
    }
  }

  public Family family() {
    return Family.of(address);
  }

  public boolean isSingleAddress() {
    return prefixLength == family().addressBits();
  }

  /** Canonical text: RFC 5952 for IPv6, the prefix only when it is not a single address. */
  @Override
  public String toString() {
    String text = Addresses.format(address);
    return isSingleAddress() ? text : text + "/" + prefixLength;
  }
}
