package org.mobilessh.cli;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.mobilessh.audit.PrintBuffer;

/**
 * The rows of an aligned table, held as bytes until the widest cell of every column is known: the
 * same text as {@link AuditTable#table} prints, without a {@code Row} object per record (a month of
 * ten routers has millions of rows). Rows are kept in memory up to a bound and in a temporary file
 * beyond it, which is removed when the table is printed. A row is its cells, each as a varint
 * length and its UTF-8 bytes (an empty value already as {@code -}).
 */
final class TableRows implements AutoCloseable {
  /** Bytes held in memory before the rows go to a temporary file. */
  static final int MEMORY = 32 << 20;

  private final int columns;
  private final int[] width;
  private final int memory;
  private byte[] held = new byte[1 << 16];
  private int length;
  private Path file;
  private OutputStream spill;
  private long rows;

  TableRows(List<String> columns) {
    this(columns, MEMORY);
  }

  TableRows(List<String> columns, int memory) {
    this.columns = columns.size();
    this.memory = memory;
    width = new int[this.columns];
    for (int i = 0; i < this.columns; i++) {
      width[i] = columns.get(i).length();
    }
  }

  /** The bytes of a row: {@code values} as cells (empty or {@code null}: {@code -}). */
  static void encode(List<String> values, PrintBuffer out) {
    for (String v : values) {
      String c = v == null || v.isEmpty() ? "-" : v;
      int lengthAt = out.length();
      out.append((byte) 0); // a one-byte varint for the common short cell, else moved below
      out.append(c);
      int n = out.length() - lengthAt - 1;
      if (n >= 0x80) {
        byte[] text = Arrays.copyOfRange(out.array(), lengthAt + 1, out.length());
        out.setLength(lengthAt);
        varint(n, out);
        out.append(text, 0, text.length);
      } else {
        out.array()[lengthAt] = (byte) n;
      }
    }
  }

  private static void varint(int n, PrintBuffer out) {
    while (n >= 0x80) {
      out.append((byte) (n & 0x7f | 0x80));
      n >>>= 7;
    }
    out.append((byte) n);
  }

  /** Adds one row made by {@link #encode}. */
  void add(byte[] b, int off, int len) {
    int at = off;
    int end = off + len;
    for (int i = 0; i < columns; i++) {
      int n = 0;
      int shift = 0;
      byte x;
      do {
        x = b[at++];
        n |= (x & 0x7f) << shift;
        shift += 7;
      } while (x < 0);
      width[i] = Math.max(width[i], chars(b, at, n));
      at += n;
    }
    if (at != end) {
      throw new IllegalStateException("a table row of " + len + " bytes holds more than its cells");
    }
    rows++;
    if (spill == null && length + len > memory) {
      try {
        file = Files.createTempFile("mobilessh-table-", ".rows");
        file.toFile().deleteOnExit();
        spill = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
        spill.write(held, 0, length);
        held = null;
        length = 0;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot hold the table's rows in a temporary file", e);
      }
    }
    if (spill != null) {
      try {
        spill.write(b, off, len);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write the table's rows to " + file, e);
      }
      return;
    }
    if (length + len > held.length) {
      held = Arrays.copyOf(held, Math.max(length + len, 2 * held.length));
    }
    System.arraycopy(b, off, held, length, len);
    length += len;
  }

  long rows() {
    return rows;
  }

  /** The UTF-16 length of {@code n} bytes of UTF-8 (what {@link String#length} says of them). */
  private static int chars(byte[] b, int at, int n) {
    for (int i = at; i < at + n; i++) {
      if (b[i] < 0) {
        return new String(b, at, n, StandardCharsets.UTF_8).length();
      }
    }
    return n;
  }

  /**
   * Prints the header and every row, as {@link AuditTable#table} does: cells padded to their
   * column's width plus two spaces, the last column not padded, trailing white space stripped.
   *
   * @param raw standard output as bytes (UTF-8), or {@code null}: lines go through {@code out}
   */
  void print(List<String> header, PrintWriter out, OutputStream raw) {
    out.println(AuditTable.line(header, width));
    if (rows == 0) {
      return;
    }
    try {
      if (raw != null) {
        out.flush();
      }
      byte[] nl = System.lineSeparator().getBytes(StandardCharsets.UTF_8);
      PrintBuffer line = new PrintBuffer(1 << 10);
      PrintBuffer batch = new PrintBuffer(1 << 20);
      byte[] cell = new byte[256];
      int[] start = new int[columns];
      int[] len = new int[columns];
      try (DataInputStream in = new DataInputStream(input())) {
        for (long r = 0; r < rows; r++) {
          line.setLength(0);
          boolean ascii = true;
          for (int i = 0; i < columns; i++) {
            int n = varint(in);
            if (n > cell.length) {
              cell = new byte[Math.max(n, 2 * cell.length)];
            }
            in.readFully(cell, 0, n);
            start[i] = line.length();
            len[i] = n;
            line.append(cell, 0, n);
            for (int k = 0; k < n && ascii; k++) {
              ascii = cell[k] >= 0;
            }
          }
          if (ascii) {
            padded(line, start, len);
          } else {
            String[] cells = new String[columns];
            for (int i = 0; i < columns; i++) {
              cells[i] = new String(line.array(), start[i], len[i], StandardCharsets.UTF_8);
            }
            line.setLength(0);
            line.append(AuditTable.line(Arrays.asList(cells), width));
          }
          if (raw == null) {
            out.println(line.toString());
            continue;
          }
          batch.append(line.array(), 0, line.length()).append(nl, 0, nl.length);
          if (batch.length() >= 1 << 20) {
            raw.write(batch.array(), 0, batch.length());
            batch.setLength(0);
          }
        }
      }
      if (raw != null) {
        raw.write(batch.array(), 0, batch.length());
        raw.flush();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the table's rows back", e);
    }
  }

  /** An ASCII row in {@code line} (cells at {@code start}, {@code len}) padded and stripped. */
  private void padded(PrintBuffer line, int[] start, int[] len) {
    byte[] cells = Arrays.copyOf(line.array(), line.length());
    line.setLength(0);
    for (int i = 0; i < columns; i++) {
      line.append(cells, start[i], len[i]);
      if (i < columns - 1) {
        int pad = width[i] - len[i] + 2;
        int at = line.extend(pad);
        Arrays.fill(line.array(), at, at + pad, (byte) ' ');
      }
    }
    int end = line.length();
    while (end > 0 && whitespace(line.array()[end - 1])) {
      end--;
    }
    line.setLength(end);
  }

  /** {@link Character#isWhitespace} of an ASCII character. */
  private static boolean whitespace(byte c) {
    return c == ' ' || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f);
  }

  private InputStream input() throws IOException {
    if (spill == null) {
      return new java.io.ByteArrayInputStream(held, 0, length);
    }
    spill.close();
    return new BufferedInputStream(Files.newInputStream(file), 1 << 16);
  }

  private static int varint(DataInputStream in) throws IOException {
    int n = 0;
    for (int shift = 0; ; shift += 7) {
      int x = in.read();
      if (x < 0) {
        throw new EOFException("the table's rows end early");
      }
      n |= (x & 0x7f) << shift;
      if (x < 0x80) {
        return n;
      }
    }
  }

  /** Removes the temporary file, if there is one. */
  @Override
  public void close() {
    if (file != null) {
      try {
        if (spill != null) {
          spill.close();
        }
        Files.deleteIfExists(file);
      } catch (IOException e) {
        // deleted on exit at the latest
      }
    }
  }
}
