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
}
