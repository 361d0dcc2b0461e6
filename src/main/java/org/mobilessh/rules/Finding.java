package org.mobilessh.rules;

/**
 * One result of {@code rules check}.
 *
 * @param level OK, WARN or FAIL
 * @param family {@code IPv4}, {@code IPv6}, or empty when it concerns both or neither
 * @param check what was checked: {@code set}, {@code order}, {@code drift}, {@code parity}, ...
 * @param message what was found
 * @param action what to do about it; empty for OK
 */
public record Finding(Level level, String family, String check, String message, String action) {
  /** How bad a finding is; any FAIL makes the ruleset unsound. */
  public enum Level {
    OK,
    WARN,
    FAIL
  }

  static Finding ok(String family, String check, String message) {
    return new Finding(Level.OK, family, check, message, "");
  }

  static Finding warn(String family, String check, String message, String action) {
    return new Finding(Level.WARN, family, check, message, action);
  }

  static Finding fail(String family, String check, String message, String action) {
    return new Finding(Level.FAIL, family, check, message, action);
  }

  /** One line: {@code FAIL IPv4 order: ... -> what to do}. */
  public String line() {
    return String.format(
        "%-4s %s%s: %s%s",
        level,
        family.isEmpty() ? "" : family + " ",
        check,
        message,
        action.isEmpty() ? "" : " -> " + action);
  }
}
