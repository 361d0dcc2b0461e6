package org.mobilessh.rules;

import java.util.regex.Pattern;

/**
 * A netfilter LOG prefix in the {@code word:} shape that Elastic's and Wazuh's iptables parsers
 * expect. Only letters, digits and {@code . _ -} before the colon, so no quote, space, newline or
 * {@code COMMIT} can ever reach iptables-restore input through it.
 */
public record LogPrefix(String word) {
  /** LOG allows 29 characters; the rendered prefix adds ':' and a space. */
  public static final int MAX_WORD = 27;

  private static final Pattern WORD = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,26}");

  public LogPrefix {
    if (!WORD.matcher(word).matches()) {
      throw new InvalidConfigException(
          "log prefix '"
              + word
              + "' must be 1-"
              + MAX_WORD
              + " letters, digits, '.', '_' or '-', optionally followed by ':' (e.g. mobilessh-set:)");
    }
  }

  /** Accepts {@code mobilessh-set} and {@code mobilessh-set:} alike. */
  public static LogPrefix parse(String text) {
    String word = text.endsWith(":") ? text.substring(0, text.length() - 1) : text;
    return new LogPrefix(word);
  }

  /** The prefix as the kernel prints it: {@code mobilessh-set: } (with the trailing space). */
  public String logText() {
    return word + ": ";
  }

  /** The prefix as it starts a kernel LOG message, without the space: {@code mobilessh-set:}. */
  @Override
  public String toString() {
    return word + ":";
  }
}
