package org.mobilessh.index;

/**
 * A search query that cannot be understood; the message names the problem and, when known, points
 * at the column with a caret line.
 */
public class QuerySyntaxException extends IndexException {
  private static final long serialVersionUID = 1L;

  public QuerySyntaxException(String message) {
    super(message);
  }
}
