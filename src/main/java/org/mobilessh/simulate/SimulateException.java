package org.mobilessh.simulate;

/**
 * The simulator could not write its output (I/O) or read its own resources; the message names the
 * file.
 */
public final class SimulateException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SimulateException(String message) {
    super(message);
  }

  public SimulateException(String message, Throwable cause) {
    super(message, cause);
  }
}
