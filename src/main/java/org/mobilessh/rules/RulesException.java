package org.mobilessh.rules;

/** Something went wrong while rendering, installing, checking or reading a ruleset. */
public class RulesException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public RulesException(String message) {
    super(message);
  }

  public RulesException(String message, Throwable cause) {
    super(message, cause);
  }
}
