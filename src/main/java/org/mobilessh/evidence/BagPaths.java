package org.mobilessh.evidence;

import java.util.Optional;

/**
 * The one rule for names inside a bag, applied when writing and when verifying: relative, {@code
 * /}-separated, no empty, {@code .} or {@code ..} segment, no backslash, no drive letter, no
 * control character. So nothing a bag names can land outside the directory it is unpacked into.
 */
public final class BagPaths {
  private BagPaths() {}

  /** Why {@code name} is not a safe bag path, or empty if it is. */
  public static Optional<String> problem(String name) {
    if (name.isEmpty()) {
      return Optional.of("empty name");
    }
    if (name.startsWith("/")) {
      return Optional.of("absolute path");
    }
    if (name.indexOf('\\') >= 0) {
      return Optional.of("backslash in name");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        return Optional.of("control character in name");
      }
    }
    String[] segments = name.split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      String s = segments[i];
      if (s.equals("..")) {
        return Optional.of("'..' leaves the bag");
      }
      if (s.equals(".")) {
        return Optional.of("'.' segment");
      }
      // a trailing slash marks a directory entry; any other empty segment is '//' or a leading '/'
      if (s.isEmpty() && i != segments.length - 1) {
        return Optional.of("empty segment");
      }
      if (i == 0 && s.length() >= 2 && s.charAt(1) == ':') {
        return Optional.of("drive letter");
      }
    }
    return Optional.empty();
  }

  /**
   * A file-name segment made from arbitrary text (a log file's name): characters other than {@code
   * A-Z a-z 0-9 . _ -} become {@code _}, and a name of dots only becomes {@code _}.
   */
  public static String segment(String text) {
    StringBuilder b = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean ok =
          (c >= 'A' && c <= 'Z')
              || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '_'
              || c == '-';
      b.append(ok ? c : '_');
    }
    String s = b.toString();
    return s.isEmpty() || s.chars().allMatch(c -> c == '.') ? "_" + s : s;
  }

  /** A manifest path as RFC 8493 writes it: {@code %}, CR and LF percent-encoded. */
  static String encode(String path) {
    return path.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A");
  }

  /** The inverse of {@link #encode}. */
  static String decode(String path) {
    return path.replace("%0D", "\r")
        .replace("%0d", "\r")
        .replace("%0A", "\n")
        .replace("%0a", "\n")
        .replace("%25", "%");
  }
}
