package org.mobilessh.audit;

/** Bad input to the audit stage (an invalid configuration, an inconsistent request). */
public class AuditException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public AuditException(String message) {
    super(message);
  }

  public AuditException(String message, Throwable cause) {
    super(message, cause);
  }
}
