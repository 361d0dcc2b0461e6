package org.mobilessh.rules;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A netfilter rate such as {@code 6/min}: at most {@code count} events per {@code unit}. */
public record RateLimit(int count, Unit unit) {
  /** Time units netfilter's limit and hashlimit matches understand. */
  public enum Unit {
    SECOND("sec"),
    MINUTE("min"),
    HOUR("hour"),
    DAY("day");

    private final String text;

    Unit(String text) {
      this.text = text;
    }

    public String text() {
      return text;
    }
  }

  private static final Pattern RATE =
      Pattern.compile("([0-9]{1,6})/(s|sec|second|m|min|minute|h|hour|d|day)");

  public RateLimit {
    if (count < 1) {
      throw new InvalidConfigException("a rate needs at least 1 event per unit, not " + count);
    }
  }

  public static RateLimit parse(String text) {
    Matcher m = RATE.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new InvalidConfigException(
          "rate '"
              + text
              + "' must look like COUNT/UNIT with UNIT sec, min, hour or day (e.g. 6/min)");
    }
    Unit unit =
        switch (m.group(2).charAt(0)) {
          case 's' -> Unit.SECOND;
          case 'm' -> Unit.MINUTE;
          case 'h' -> Unit.HOUR;
          default -> Unit.DAY;
        };
    return new RateLimit(Integer.parseInt(m.group(1)), unit);
  }

  @Override
  public String toString() {
    return count + "/" + unit.text();
  }
}
