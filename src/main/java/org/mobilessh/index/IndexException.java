package org.mobilessh.index;

/** The index stage's one exception type: the index cannot be opened, written, read or queried. */
public class IndexException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public IndexException(String message) {
    super(message);
  }

  public IndexException(String message, Throwable cause) {
    super(message, cause);
  }
}
