package org.mobilessh.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.lucene.codecs.compressing.Compressor;
import org.apache.lucene.codecs.compressing.Decompressor;
import org.apache.lucene.codecs.lucene90.Lucene90StoredFieldsFormat;
import org.apache.lucene.store.ByteArrayDataInput;
import org.apache.lucene.store.ByteBuffersDataInput;
import org.apache.lucene.store.ByteBuffersDataOutput;
import org.apache.lucene.util.BytesRef;

/**
 * {@link PresetDictLz4} is an LZ4 encoder whose output only Lucene's decompressor ever reads: for
 * any input, Lucene's {@code BEST_SPEED} decompressor returns it, whole and for any (offset,
 * length) slice. Inputs: sizes at and around the layout's boundaries (the dictionary is a twentieth
 * of the chunk and at most 64 kB, ten sub-blocks, blocks longer than the 64 kB LZ4 window), and
 * contents from random bytes to long runs, mixed with copies of earlier bytes at distances around
 * the window's limit and log-line-like text.
 */
class PresetDictLz4Test {
  // one compressor for every try, as the stored-fields writer keeps one: state left over from an
  // earlier input must never leak into the next one's output
  private final Compressor compressor = PresetDictLz4.INSTANCE.newCompressor();

  record Input(byte[] bytes, long sliceSeed) {
    @Override
    public String toString() {
      return "Input[" + bytes.length + " bytes, slice seed " + sliceSeed + "]";
    }
  }

  @Property(tries = 400)
  void luceneDecompressesWhatItCompresses(@ForAll("inputs") Input input) throws IOException {
    byte[] in = input.bytes();
    ByteBuffersDataOutput out = new ByteBuffersDataOutput();
    compressor.compress(new ByteBuffersDataInput(List.of(ByteBuffer.wrap(in))), out);
    byte[] compressed = out.toArrayCopy();
    Decompressor lucene = Lucene90StoredFieldsFormat.BEST_SPEED_MODE.newDecompressor();

    BytesRef whole = new BytesRef();
    lucene.decompress(new ByteArrayDataInput(compressed), in.length, 0, in.length, whole);
    assertThat(whole.length).isEqualTo(in.length);
    assertThat(
            Arrays.equals(whole.bytes, whole.offset, whole.offset + whole.length, in, 0, in.length))
        .isTrue();

    Random r = new Random(input.sliceSeed());
    for (int i = 0; i < 6 && in.length > 0; i++) {
      int from = r.nextInt(in.length);
      int length = 1 + r.nextInt(Math.min(in.length - from, i % 2 == 0 ? 300 : in.length));
      BytesRef part = new BytesRef();
      lucene.decompress(new ByteArrayDataInput(compressed), in.length, from, length, part);
      assertThat(part.length).isEqualTo(length);
      assertThat(
              Arrays.equals(part.bytes, part.offset, part.offset + length, in, from, from + length))
          .as("slice %d+%d", from, length)
          .isTrue();
    }
  }

  @Provide
  Arbitrary<Input> inputs() {
    Arbitrary<Integer> boundary =
        Combinators.combine(
                Arbitraries.of(
                    0, 9, 10, 20, 200, 4096, 65_536, 81_920, 655_360, 1_310_720, 1_400_000),
                Arbitraries.integers().between(-3, 3))
            .as((b, d) -> Math.max(0, b + d));
    Arbitrary<Integer> size =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(3, Arbitraries.integers().between(0, 400)),
            net.jqwik.api.Tuple.of(3, Arbitraries.integers().between(0, 120_000)),
            net.jqwik.api.Tuple.of(3, boundary),
            net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(120_000, 1_500_000)));
    return Combinators.combine(
            size, Arbitraries.integers().between(0, 4), Arbitraries.longs(), Arbitraries.longs())
        .as((n, kind, seed, sliceSeed) -> new Input(content(n, kind, seed), sliceSeed));
  }

  /** {@code n} bytes: 0 random, 1 one byte, 2 a short pattern, 3-4 mixed segments. */
  private static byte[] content(int n, int kind, long seed) {
    Random r = new Random(seed);
    byte[] b = new byte[n];
    switch (kind) {
      case 0 -> r.nextBytes(b);
      case 1 -> Arrays.fill(b, (byte) r.nextInt());
      case 2 -> {
        int period = 1 + r.nextInt(12);
        for (int i = 0; i < n; i++) {
          b[i] = (byte) ('a' + i % period);
        }
      }
      default -> {
        int i = 0;
        while (i < n) {
          int len = Math.min(n - i, 1 + r.nextInt(r.nextBoolean() ? 40 : 3000));
          int what = r.nextInt(5);
          if (what == 0) {
            for (int k = 0; k < len; k++) {
              b[i + k] = (byte) r.nextInt();
            }
          } else if (what == 1) {
            Arrays.fill(b, i, i + len, (byte) r.nextInt());
          } else if (what == 2 && i > 0) {
            // a copy of earlier bytes, often from just inside or outside the 64 kB window
            int distance =
                r.nextBoolean() ? 65_536 + r.nextInt(5) - 2 : 1 + r.nextInt(Math.min(i, 70_000));
            int src = Math.max(0, i - distance);
            for (int k = 0; k < len; k++) {
              b[i + k] = b[src + k];
            }
          } else {
            byte[] line =
                ("Oct  1 00:00:0"
                        + r.nextInt(10)
                        + " router1 kernel: mobilessh-reject: IN=eth0 SRC=192.0.2."
                        + r.nextInt(256)
                        + " DPT=22 ")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            for (int k = 0; k < len; k++) {
              b[i + k] = line[k % line.length];
            }
          }
          i += len;
        }
      }
    }
    return b;
  }
}
