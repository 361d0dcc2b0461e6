package org.mobilessh.audit;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable byte array that printed records are appended to ({@link RecordPrinter}); text goes in
 * as UTF-8. Not thread-safe: one per thread.
 */
public final class PrintBuffer {
  private byte[] buf;
  private int n;

  // AuditFormat's last day: the first 11 bytes of its times
  long dayNumber;
  byte[] day;

  public PrintBuffer(int capacity) {
    buf = new byte[Math.max(16, capacity)];
  }

  /** The bytes so far are {@code array()[0, length())}. */
  public byte[] array() {
    return buf;
  }

  public int length() {
    return n;
  }

  /** Drops everything from {@code length} on. */
  public void setLength(int length) {
    if (length < 0 || length > n) {
      throw new IndexOutOfBoundsException(length);
    }
    n = length;
  }

  private void room(int k) {
    if (n + k > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(n + k, buf.length * 2));
    }
  }

  /**
   * Makes room for {@code k} more bytes and counts them as written: the caller fills {@code
   * array()[at, at + k)}, {@code at} being what this returns.
   */
  public int extend(int k) {
    room(k);
    int at = n;
    n += k;
    return at;
  }

  public PrintBuffer append(byte b) {
    room(1);
    buf[n++] = b;
    return this;
  }

  /** A character below U+0080. */
  public PrintBuffer ascii(char c) {
    room(1);
    buf[n++] = (byte) c;
    return this;
  }

  public PrintBuffer append(byte[] b, int off, int len) {
    room(len);
    System.arraycopy(b, off, buf, n, len);
    n += len;
    return this;
  }

  /** {@code s} in UTF-8 (a lone surrogate as {@code ?}, as {@link String#getBytes} writes it). */
  @SuppressWarnings("deprecation") // getBytes(int, int, byte[], int): the low byte of each char
  public PrintBuffer append(String s) {
    int len = s.length();
    for (int i = 0; i < len; i++) {
      if (s.charAt(i) >= 0x80) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return append(b, 0, b.length);
      }
    }
    room(len);
    s.getBytes(0, len, buf, n);
    n += len;
    return this;
  }

  /** The decimal digits of {@code v}, as {@link Long#toString(long)} writes them. */
  public PrintBuffer append(long v) {
    if (v < 0) {
      if (v == Long.MIN_VALUE) {
        return append(Long.toString(v));
      }
      ascii('-');
      v = -v;
    }
    if (v < 10) {
      room(1);
      buf[n++] = (byte) ('0' + v);
      return this;
    }
    int digits = 2;
    for (long x = 100; digits < 19 && v >= x; x *= 10) {
      digits++;
    }
    room(digits);
    int i = n + digits;
    while (v >= 100) {
      int r = (int) (v % 100);
      v /= 100;
      buf[--i] = DIGITS[2 * r + 1];
      buf[--i] = DIGITS[2 * r];
    }
    if (v >= 10) {
      buf[--i] = DIGITS[2 * (int) v + 1];
      buf[--i] = DIGITS[2 * (int) v];
    } else {
      buf[--i] = (byte) ('0' + v);
    }
    n += digits;
    return this;
  }

  private static final byte[] DIGITS = new byte[200];

  static {
    for (int i = 0; i < 100; i++) {
      DIGITS[2 * i] = (byte) ('0' + i / 10);
      DIGITS[2 * i + 1] = (byte) ('0' + i % 10);
    }
  }

  /** The bytes so far as UTF-8 text. */
  @Override
  public String toString() {
    return new String(buf, 0, n, StandardCharsets.UTF_8);
  }
}
