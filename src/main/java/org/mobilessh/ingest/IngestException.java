package org.mobilessh.ingest;

/** The ingest stage's one exception type: an input that cannot be read or an invalid option. */
public class IngestException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public IngestException(String message) {
    super(message);
  }

  public IngestException(String message, Throwable cause) {
    super(message, cause);
  }
}
