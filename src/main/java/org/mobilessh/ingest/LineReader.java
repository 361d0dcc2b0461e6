package org.mobilessh.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Splits a byte stream into lines without decoding it, keeping each line's byte offset and number.
 * Terminators are LF, CRLF and a bare CR (old Mac files and torn writes; reported so the caller can
 * count them). Memory is bounded: a line longer than {@code maxLine} bytes keeps only its first
 * {@link #KEPT_HEAD} bytes and the rest is skipped up to the next terminator. Not thread-safe.
 */
final class LineReader {
  /** How much of an over-long line is kept for the quarantine. */
  static final int KEPT_HEAD = 4096;

  /** How a line ended. */
  enum Terminator {
    LF,
    CRLF,
    CR,
    /** End of input without a terminator: possibly a torn line still being written. */
    NONE
  }

  private final InputStream in;
  private final int maxLine;
  private byte[] buf = new byte[64 * 1024];
  private int pos;
  private int limit;
  private boolean eof;
  private long bufStartOffset;
  private long lineNumber;

  private byte[] lineBytes;
  private int lineStart;
  private int lineLength;
  private long lineOffset;
  private long endOffset;
  private Terminator terminator;
  private boolean tooLong;
  private long fullLength;
  private boolean hasNul;
  private boolean nonAscii;
  private final byte[] head = new byte[KEPT_HEAD];

  /**
   * @param in the stream, positioned at {@code startOffset}
   * @param startOffset offset of the stream's first byte in the whole input
   * @param firstLineNumber number of the line before the first one read (0 at the start)
   * @param maxLine longest line kept whole, in bytes
   */
  LineReader(InputStream in, long startOffset, long firstLineNumber, int maxLine) {
    this.in = in;
    this.bufStartOffset = startOffset;
    this.lineNumber = firstLineNumber;
    this.maxLine = maxLine;
  }

  /**
   * Advances to the next line. A final line without terminator is returned with {@link
   * Terminator#NONE}. An {@link IOException} (e.g. a truncated gzip stream) leaves the unfinished
   * line available through {@link #pendingOffset()} / {@link #pendingBytes()}.
   *
   * @return false at the end of input
   */
  boolean next() throws IOException {
    if (pos >= limit && eof) {
      return false;
    }
    lineStart = pos;
    lineOffset = bufStartOffset + pos;
    tooLong = false;
    fullLength = 0;
    hasNul = false;
    nonAscii = false;
    int scan = pos;
    while (true) {
      byte[] b = buf;
      int lim = limit;
      while (scan < lim) {
        // sixteen, then eight bytes at a time while none of them is below 0x0e (LF, CR, NUL,
        // but also TAB and other controls) or >= 0x80: nearly all of a log line; a word with
        // such a byte is looked at byte by byte below
        if (scan + 16 <= lim
            && plainWords((long) WORDS.get(b, scan), (long) WORDS.get(b, scan + 8))) {
          scan += 16;
          continue;
        }
        if (scan + 8 <= lim && plainWord((long) WORDS.get(b, scan))) {
          scan += 8;
          continue;
        }
        byte c = b[scan];
        if (c == '\n' || c == '\r') {
          break;
        }
        if (c == 0) {
          hasNul = true;
        } else if (c < 0) {
          nonAscii = true;
        }
        scan++;
      }
      if (scan < lim) {
        int consumed;
        if (b[scan] == '\n') {
          terminator = Terminator.LF;
          consumed = 1;
        } else if (scan + 1 < lim) {
          boolean crlf = b[scan + 1] == '\n';
          terminator = crlf ? Terminator.CRLF : Terminator.CR;
          consumed = crlf ? 2 : 1;
        } else if (!eof) {
          scan = refill(scan);
          continue;
        } else {
          terminator = Terminator.CR;
          consumed = 1;
        }
        finish(scan, scan + consumed);
        return true;
      }
      if (eof) {
        if (scan == lineStart && !tooLong) {
          pos = limit;
          return false;
        }
        terminator = Terminator.NONE;
        finish(scan, scan);
        return true;
      }
      if (scan - lineStart >= maxLine) {
        if (!tooLong) {
          tooLong = true;
          System.arraycopy(buf, lineStart, head, 0, KEPT_HEAD);
        }
        fullLength += scan - lineStart;
        lineStart = scan;
      }
      scan = refill(scan);
    }
  }

  private static final VarHandle WORDS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  /** 0x0e in every byte: the bytes below it include every terminator and NUL. */
  private static final long LOWS = 0x0e0e0e0e0e0e0e0eL;

  private static final long HIGHS = 0x8080808080808080L;

  /**
   * Whether every one of the eight bytes in {@code w} is in 0x0e..0x7f, so none can be LF, CR, NUL
   * or part of a multi-byte UTF-8 sequence (false also for TAB and other controls below 0x0e: those
   * words are looked at byte by byte). The classic "has a byte less than n" test ({@code (x -
   * n*0x01..) & ~x & 0x80..} is non-zero exactly when some byte of x is below n, for n <= 128)
   * or'ed with w's own high bits; {@code (a & ~w) | w == a | w} folds the two into three
   * operations.
   */
  static boolean plainWord(long w) {
    return (((w - LOWS) | w) & HIGHS) == 0;
  }

  /**
   * {@code plainWord(a) && plainWord(b)} without a second branch. (Not {@code plainWord(a | b)}: an
   * LF or'ed with a letter is a plain byte.)
   */
  static boolean plainWords(long a, long b) {
    return ((((a - LOWS) | a) | ((b - LOWS) | b)) & HIGHS) == 0;
  }

  private void finish(int contentEnd, int next) {
    pos = next;
    endOffset = bufStartOffset + next;
    lineNumber++;
    if (!tooLong && contentEnd - lineStart > maxLine) {
      tooLong = true;
      System.arraycopy(buf, lineStart, head, 0, KEPT_HEAD);
    }
    if (tooLong) {
      fullLength += contentEnd - lineStart;
      lineBytes = head;
      lineStart = 0;
      lineLength = KEPT_HEAD;
    } else {
      lineBytes = buf;
      lineLength = contentEnd - lineStart;
      fullLength = lineLength;
    }
  }

  /** Moves the unfinished line to the buffer's start, reads more; returns the new scan index. */
  private int refill(int scan) throws IOException {
    int keep = limit - lineStart;
    if (lineStart > 0) {
      System.arraycopy(buf, lineStart, buf, 0, keep);
      bufStartOffset += lineStart;
      scan -= lineStart;
      limit = keep;
      lineStart = 0;
      pos = 0;
    }
    if (limit == buf.length) {
      buf = Arrays.copyOf(buf, Math.min(buf.length * 2, maxLine + 64 * 1024));
    }
    int n = in.read(buf, limit, buf.length - limit);
    if (n < 0) {
      eof = true;
    } else {
      limit += n;
    }
    return scan;
  }

  /**
   * Gives the current unterminated line back (it is still being written) and forgets the end of
   * input, so that the next {@link #next()} reads on: for tailing growing files and pipes.
   */
  void unreadTorn() {
    if (terminator != Terminator.NONE || tooLong) {
      throw new IllegalStateException("only a torn line can be given back");
    }
    pos = lineStart;
    lineNumber--;
    eof = false;
  }

  /** Forgets the end of input: the stream may have grown since. */
  void clearEof() {
    eof = false;
  }

  /** The current line's bytes are {@code bytes()[start(), start()+length())}, no terminator. */
  byte[] bytes() {
    return lineBytes;
  }

  int start() {
    return lineStart;
  }

  int length() {
    return lineLength;
  }

  /** Offset of the line's first byte. */
  long offset() {
    return lineOffset;
  }

  /** Offset just after the line's terminator: where the next line starts. */
  long endOffset() {
    return endOffset;
  }

  long lineNumber() {
    return lineNumber;
  }

  Terminator terminator() {
    return terminator;
  }

  /** The line was longer than the limit; only its head is available. */
  boolean tooLong() {
    return tooLong;
  }

  /** The line's real length in bytes (without terminator), also when it was cut. */
  long fullLength() {
    return fullLength;
  }

  boolean hasNul() {
    return hasNul;
  }

  /** Any byte ≥ 0x80: the line needs real UTF-8 decoding. */
  boolean nonAscii() {
    return nonAscii;
  }

  /** Where the unfinished line starts after {@link #next()} failed with an exception. */
  long pendingOffset() {
    return bufStartOffset + pos;
  }

  /** The bytes of the unfinished line after {@link #next()} failed (at most the kept head). */
  byte[] pendingBytes() {
    int n = Math.max(0, Math.min(limit - pos, KEPT_HEAD));
    return tooLong ? head.clone() : Arrays.copyOfRange(buf, pos, pos + n);
  }

  /** Number of the last line returned. */
  long lastLineNumber() {
    return lineNumber;
  }
}
