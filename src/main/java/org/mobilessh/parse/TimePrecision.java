package org.mobilessh.parse;

/** The resolution of the original timestamp text (events are stored in microseconds). */
public enum TimePrecision {
  SECOND,
  MILLISECOND,
  MICROSECOND;

  static TimePrecision ofFractionDigits(int digits) {
    if (digits <= 0) {
      return SECOND;
    }
    return digits <= 3 ? MILLISECOND : MICROSECOND;
  }
}
