package org.mobilessh.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.lucene.codecs.compressing.Compressor;
import org.apache.lucene.codecs.compressing.Decompressor;
import org.apache.lucene.codecs.lucene90.Lucene90StoredFieldsFormat;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.store.ByteArrayDataInput;
import org.apache.lucene.store.ByteBuffersDataInput;
import org.apache.lucene.store.ByteBuffersDataOutput;
import org.apache.lucene.util.BytesRef;
import org.junit.jupiter.api.Test;

/**
 * {@link BulkLz4Decompressor} gives exactly what Lucene's {@code BEST_SPEED} decompressor gives,
 * whole and for any (offset, length) slice, for what {@link PresetDictLz4} and Lucene's own
 * compressor write (the inputs of {@link PresetDictLz4Test}); one decompressor serves every try, as
 * a stored-fields reader keeps one.
 */
class BulkLz4DecompressorTest {
  private final Compressor ours = PresetDictLz4.INSTANCE.newCompressor();
  private final Compressor lucenes = Lucene90StoredFieldsFormat.BEST_SPEED_MODE.newCompressor();
  private final Decompressor bulk = BulkLz4Decompressor.MODE.newDecompressor();
  private final Decompressor lucene = Lucene90StoredFieldsFormat.BEST_SPEED_MODE.newDecompressor();

  @Property(tries = 300)
  void sameBytesAsLucenesDecompressor(@ForAll("inputs") PresetDictLz4Test.Input input)
      throws IOException {
    byte[] in = input.bytes();
    for (Compressor c : List.of(ours, lucenes)) {
      ByteBuffersDataOutput out = new ByteBuffersDataOutput();
      c.compress(new ByteBuffersDataInput(List.of(ByteBuffer.wrap(in))), out);
      byte[] compressed = out.toArrayCopy();
      assertSame(compressed, in, 0, in.length);
      Random r = new Random(input.sliceSeed());
      for (int i = 0; i < 6 && in.length > 0; i++) {
        int from = r.nextInt(in.length);
        int length = 1 + r.nextInt(Math.min(in.length - from, i % 2 == 0 ? 300 : in.length));
        assertSame(compressed, in, from, length);
      }
    }
  }

  private void assertSame(byte[] compressed, byte[] in, int from, int length) throws IOException {
    BytesRef expected = new BytesRef();
    lucene.decompress(new ByteArrayDataInput(compressed), in.length, from, length, expected);
    BytesRef actual = new BytesRef(new byte[3]); // a buffer to grow, as a reader's spare is
    bulk.decompress(new ByteArrayDataInput(compressed), in.length, from, length, actual);
    assertThat(actual.length).isEqualTo(expected.length).isEqualTo(length);
    assertThat(
            Arrays.equals(
                actual.bytes,
                actual.offset,
                actual.offset + actual.length,
                in,
                from,
                from + length))
        .as("slice %d+%d of %d", from, length, in.length)
        .isTrue();
  }

  @Provide
  Arbitrary<PresetDictLz4Test.Input> inputs() {
    return new PresetDictLz4Test().inputs();
  }

  @Test
  void corruptDataIsAnIndexErrorNotGarbage() throws IOException {
    byte[] in = new byte[50_000];
    new Random(7).nextBytes(in);
    for (int i = 0; i < in.length; i += 7) {
      in[i] = 'x'; // something to match
    }
    ByteBuffersDataOutput out = new ByteBuffersDataOutput();
    ours.compress(new ByteBuffersDataInput(List.of(ByteBuffer.wrap(in))), out);
    byte[] compressed = out.toArrayCopy();
    // cut short: the last block's data is missing
    byte[] cut = Arrays.copyOf(compressed, compressed.length - 100);
    assertThatThrownBy(
            () ->
                bulk.decompress(
                    new ByteArrayDataInput(cut), in.length, 0, in.length, new BytesRef()))
        .isInstanceOfAny(
            CorruptIndexException.class,
            java.io.EOFException.class,
            IndexOutOfBoundsException.class);
  }
}
