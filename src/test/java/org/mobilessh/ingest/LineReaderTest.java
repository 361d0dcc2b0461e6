package org.mobilessh.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineReaderTest {
  record L(String text, long offset, long end, long number, LineReader.Terminator term) {}

  static List<L> read(byte[] data, int maxLine) throws IOException {
    LineReader r = new LineReader(new ByteArrayInputStream(data), 0, 0, maxLine);
    List<L> out = new ArrayList<>();
    while (r.next()) {
      out.add(
          new L(
              new String(r.bytes(), r.start(), r.length(), StandardCharsets.ISO_8859_1),
              r.offset(),
              r.endOffset(),
              r.lineNumber(),
              r.terminator()));
    }
    return out;
  }

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  @Test
  void splitsLfCrlfAndBareCrKeepingOffsets() throws IOException {
    List<L> lines = read(b("a\nbb\r\nccc\rdd"), 1 << 20);
    assertThat(lines)
        .containsExactly(
            new L("a", 0, 2, 1, LineReader.Terminator.LF),
            new L("bb", 2, 6, 2, LineReader.Terminator.CRLF),
            new L("ccc", 6, 10, 3, LineReader.Terminator.CR),
            new L("dd", 10, 12, 4, LineReader.Terminator.NONE));
  }

  @Test
  void emptyInputHasNoLinesAndEmptyLinesAreLines() throws IOException {
    assertThat(read(new byte[0], 1 << 20)).isEmpty();
    assertThat(read(b("\n\n"), 1 << 20)).extracting(L::text).containsExactly("", "");
  }

  @Test
  void crlfSplitAcrossReadsIsOneTerminator() throws IOException {
    // a stream that returns one byte per read puts every CR at the end of the buffer
    byte[] data = b("x\r\ny\r\n");
    InputStream slow =
        new ByteArrayInputStream(data) {
          @Override
          public synchronized int read(byte[] buf, int off, int len) {
            return super.read(buf, off, Math.min(len, 1));
          }
        };
    LineReader r = new LineReader(slow, 0, 0, 1 << 20);
    List<String> got = new ArrayList<>();
    while (r.next()) {
      got.add(
          new String(r.bytes(), r.start(), r.length(), StandardCharsets.ISO_8859_1)
              + "|"
              + r.terminator());
    }
    assertThat(got).containsExactly("x|CRLF", "y|CRLF");
  }

  @Test
  void aLineOfHundredsOfMebibytesIsReadInBoundedMemory() throws IOException {
    long huge = 256L << 20;
    byte[] tail = b("\nok\n");
    // generated on the fly: the test itself holds no more than a read buffer
    InputStream endless =
        new InputStream() {
          long pos;

          @Override
          public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0];
          }

          @Override
          public int read(byte[] b, int off, int len) {
            if (pos >= huge + tail.length) {
              return -1;
            }
            int n = (int) Math.min(len, huge + tail.length - pos);
            for (int i = 0; i < n; i++, pos++) {
              b[off + i] = pos < huge ? (byte) 'x' : tail[(int) (pos - huge)];
            }
            return n;
          }
        };
    int max = 1 << 20;
    LineReader r = new LineReader(endless, 0, 0, max);
    assertThat(r.next()).isTrue();
    assertThat(r.tooLong()).isTrue();
    assertThat(r.fullLength()).isEqualTo(huge);
    assertThat(r.bytes().length).isLessThanOrEqualTo(2 * max + (64 << 10));
    assertThat(r.next()).isTrue();
    assertThat(new String(r.bytes(), r.start(), r.length(), StandardCharsets.US_ASCII))
        .isEqualTo("ok");
    assertThat(r.offset()).isEqualTo(huge + 1);
    assertThat(r.bytes().length).isLessThanOrEqualTo(2 * max + (64 << 10));
  }

  @Test
  void overlongLineIsCutAndTheNextLineSurvives() throws IOException {
    int max = 8192;
    byte[] big = new byte[max * 3];
    Arrays.fill(big, (byte) 'g');
    byte[] data = new byte[big.length + 6];
    System.arraycopy(big, 0, data, 0, big.length);
    System.arraycopy(b("\nok\nz"), 0, data, big.length, 5);
    data[data.length - 1] = '\n';
    LineReader r = new LineReader(new ByteArrayInputStream(data), 0, 0, max);
    assertThat(r.next()).isTrue();
    assertThat(r.tooLong()).isTrue();
    assertThat(r.fullLength()).isEqualTo(big.length);
    assertThat(r.length()).isEqualTo(LineReader.KEPT_HEAD);
    assertThat(r.endOffset()).isEqualTo(big.length + 1);
    assertThat(r.next()).isTrue();
    assertThat(r.tooLong()).isFalse();
    assertThat(new String(r.bytes(), r.start(), r.length(), StandardCharsets.US_ASCII))
        .isEqualTo("ok");
    assertThat(r.offset()).isEqualTo(big.length + 1);
    assertThat(r.lineNumber()).isEqualTo(2);
  }

  @Test
  void flagsNulAndNonAsciiAndCountsFromAStartOffset() throws IOException {
    LineReader r =
        new LineReader(
            new ByteArrayInputStream(
                new byte[] {'a', 0, 'b', '\n', (byte) 0xc3, (byte) 0xa9, '\n'}),
            100,
            7,
            1 << 20);
    assertThat(r.next()).isTrue();
    assertThat(r.hasNul()).isTrue();
    assertThat(r.offset()).isEqualTo(100);
    assertThat(r.lineNumber()).isEqualTo(8);
    assertThat(r.next()).isTrue();
    assertThat(r.hasNul()).isFalse();
    assertThat(r.nonAscii()).isTrue();
    assertThat(r.endOffset()).isEqualTo(107);
    assertThat(r.next()).isFalse();
  }

  @Test
  void longLinesAcrossManyBuffersKeepExactOffsets() throws IOException {
    StringBuilder sb = new StringBuilder();
    List<Long> starts = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      starts.add((long) sb.length());
      sb.append("line ").append(i).append(" ").append("x".repeat(i % 300)).append('\n');
    }
    List<L> lines = read(b(sb.toString()), 1 << 20);
    assertThat(lines).hasSize(5000);
    for (int i = 0; i < 5000; i++) {
      assertThat(lines.get(i).offset()).isEqualTo(starts.get(i));
      assertThat(lines.get(i).text()).startsWith("line " + i + " ");
    }
  }

  /**
   * The reader scans eight bytes at a time and falls back to single bytes around LF, CR, NUL and
   * bytes >= 0x80: on random data full of those, delivered in random chunk sizes, every line, its
   * terminator, offsets and NUL/non-ASCII flags must be what a plain byte-by-byte split gives.
   */
  @Test
  void wordScanAgreesWithAByteByByteSplit() throws IOException {
    java.util.Random rnd = new java.util.Random(5);
    byte[] alphabet = {
      'a',
      'Z',
      ' ',
      '=',
      '\n',
      '\r',
      0,
      (byte) 0x80,
      (byte) 0xc3,
      (byte) 0xff,
      0x7f,
      0x0b,
      0x0e,
      0x01
    };
    for (int round = 0; round < 400; round++) {
      byte[] data = new byte[rnd.nextInt(3000)];
      int density = 1 + rnd.nextInt(60);
      for (int i = 0; i < data.length; i++) {
        data[i] =
            rnd.nextInt(density) == 0
                ? alphabet[rnd.nextInt(alphabet.length)]
                : (byte) ('a' + rnd.nextInt(26));
      }
      int chunk = 1 + rnd.nextInt(100);
      InputStream in =
          new ByteArrayInputStream(data) {
            @Override
            public synchronized int read(byte[] buf, int off, int len) {
              return super.read(buf, off, Math.min(len, 1 + rnd.nextInt(chunk)));
            }
          };
      LineReader r = new LineReader(in, 0, 0, 1 << 20);
      int p = 0;
      long no = 0;
      while (p < data.length) {
        int e = p;
        boolean nul = false;
        boolean high = false;
        while (e < data.length && data[e] != '\n' && data[e] != '\r') {
          nul |= data[e] == 0;
          high |= data[e] < 0;
          e++;
        }
        int next = e;
        LineReader.Terminator t = LineReader.Terminator.NONE;
        if (e < data.length) {
          boolean crlf = data[e] == '\r' && e + 1 < data.length && data[e + 1] == '\n';
          t =
              data[e] == '\n'
                  ? LineReader.Terminator.LF
                  : crlf ? LineReader.Terminator.CRLF : LineReader.Terminator.CR;
          next = e + (crlf ? 2 : 1);
        }
        assertThat(r.next()).isTrue();
        assertThat(Arrays.copyOfRange(r.bytes(), r.start(), r.start() + r.length()))
            .isEqualTo(Arrays.copyOfRange(data, p, e));
        assertThat(r.terminator()).isEqualTo(t);
        assertThat(r.offset()).isEqualTo(p);
        assertThat(r.endOffset()).isEqualTo(next);
        assertThat(r.lineNumber()).isEqualTo(++no);
        assertThat(r.hasNul()).isEqualTo(nul);
        assertThat(r.nonAscii()).isEqualTo(high);
        p = next;
      }
      assertThat(r.next()).isFalse();
    }
  }

  @Test
  void plainWordFindsEverySpecialByteInEveryPosition() {
    byte[] special = {'\n', '\r', 0, (byte) 0x80, (byte) 0x8a, (byte) 0xff};
    java.nio.ByteBuffer bb =
        java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (int v = 1; v < 128; v++) {
      for (int at = 0; at < 8; at++) {
        for (byte sp : special) {
          for (int i = 0; i < 8; i++) {
            bb.put(i, (byte) (i == at ? sp : v));
          }
          assertThat(LineReader.plainWord(bb.getLong(0))).isFalse();
        }
        for (int i = 0; i < 8; i++) {
          bb.put(i, (byte) v);
        }
        // every byte below 0x0e (TAB and the other controls too) sends the word to the
        // byte-by-byte loop: only LF, CR and NUL must never pass
        assertThat(LineReader.plainWord(bb.getLong(0))).isEqualTo(v >= 0x0e);
      }
    }
  }

  @Test
  void plainWordsIsBothWordsPlainForEveryByteValueInEveryPosition() {
    java.nio.ByteBuffer bb =
        java.nio.ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (int filler : new int[] {0x0e, ' ', 'e', 0x7f}) {
      for (int v = 0; v < 256; v++) {
        for (int at = 0; at < 16; at++) {
          for (int i = 0; i < 16; i++) {
            bb.put(i, (byte) (i == at ? v : filler));
          }
          long a = bb.getLong(0);
          long b = bb.getLong(8);
          boolean plain = v >= 0x0e && v < 0x80;
          assertThat(LineReader.plainWords(a, b)).isEqualTo(plain);
          assertThat(LineReader.plainWord(at < 8 ? a : b)).isEqualTo(plain);
        }
      }
    }
  }

  @Test
  void linesWithTabsAndControlsSplitOnlyAtTerminators() throws IOException {
    // words holding TAB, VT, FF and other bytes below 0x0e take the byte-by-byte path; the line
    // boundaries must not move, at every alignment against the 16- and 8-byte steps
    StringBuilder all = new StringBuilder();
    List<String> expected = new ArrayList<>();
    for (int n = 0; n < 40; n++) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < n; i++) {
        int control = 1 + (n + i) % 12; // 0x01..0x0c: TAB, VT, FF, ... but never LF
        line.append(i % 7 == 3 ? (char) (control == '\n' ? '\t' : control) : (char) ('a' + i % 26));
      }
      String l = line.toString();
      expected.add(l);
      all.append(l).append('\n');
    }
    LineReader r =
        new LineReader(
            new java.io.ByteArrayInputStream(all.toString().getBytes(StandardCharsets.ISO_8859_1)),
            0,
            0,
            1 << 16);
    for (String l : expected) {
      assertThat(r.next()).isTrue();
      assertThat(new String(r.bytes(), r.start(), r.length(), StandardCharsets.ISO_8859_1))
          .isEqualTo(l);
      assertThat(r.terminator()).isEqualTo(LineReader.Terminator.LF);
    }
    assertThat(r.next()).isFalse();
  }
}
