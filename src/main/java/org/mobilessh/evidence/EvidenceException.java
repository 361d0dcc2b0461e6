package org.mobilessh.evidence;

/** A failure of the evidence stage: an unreadable index, an unwritable output, a bad bundle. */
public final class EvidenceException extends RuntimeException {
  public EvidenceException(String message) {
    super(message);
  }

  public EvidenceException(String message, Throwable cause) {
    super(message, cause);
  }
}
