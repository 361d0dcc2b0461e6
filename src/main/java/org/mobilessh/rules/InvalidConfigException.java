package org.mobilessh.rules;

/** A configuration value that cannot be used; the message names the option and what to write. */
public class InvalidConfigException extends RulesException {
  private static final long serialVersionUID = 1L;

  public InvalidConfigException(String message) {
    super(message);
  }
}
