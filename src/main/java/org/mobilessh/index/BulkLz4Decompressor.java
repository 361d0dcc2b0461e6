package org.mobilessh.index;

import java.io.IOException;
import org.apache.lucene.codecs.compressing.CompressionMode;
import org.apache.lucene.codecs.compressing.Compressor;
import org.apache.lucene.codecs.compressing.Decompressor;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.store.DataInput;
import org.apache.lucene.util.ArrayUtil;
import org.apache.lucene.util.BytesRef;

/**
 * Reads what Lucene's {@code BEST_SPEED} stored-fields mode ({@code
 * LZ4WithPresetDictCompressionMode}, and {@link PresetDictLz4}) wrote, giving the same bytes with
 * less work: a chunk's compressed bytes are copied out of the file in one read and decoded from
 * that array, where Lucene's decoder asks the file's {@code DataInput} for every token, length and
 * offset (a bounds-checked, guarded call each; on a cold 10 M-event {@code windows --month}, about
 * as much time as the decoding itself).
 *
 * <p>The layout (Lucene 9.12's): the dictionary's length and the sub-blocks' length as variable
 * integers, the compressed length of the dictionary and of each sub-block, then their LZ4 data;
 * each sub-block was compressed with the dictionary as its history. Only for reading (the audit's
 * sequential reads, {@link TimeOrderedReader}); writing stays with {@link PresetDictLz4}.
 */
final class BulkLz4Decompressor extends Decompressor {
  /** The mode to open a {@code Lucene90StoredFieldsFastData} reader with: decompressing only. */
  static final CompressionMode MODE =
      new CompressionMode() {
        @Override
        public Compressor newCompressor() {
          throw new UnsupportedOperationException("BulkLz4Decompressor only reads");
        }

        @Override
        public Decompressor newDecompressor() {
          return new BulkLz4Decompressor();
        }

        @Override
        public String toString() {
          return "BEST_SPEED (bulk reads)";
        }
      };

  private static final int MIN_MATCH = 4; // Lucene's LZ4.MIN_MATCH

  private int[] compressedLengths = new int[0];
  private byte[] compressed = new byte[0];
  private byte[] buffer = new byte[0];

  @Override
  public void decompress(DataInput in, int originalLength, int offset, int length, BytesRef bytes)
      throws IOException {
    if (length == 0) {
      bytes.length = 0;
      return;
    }
    int dictLength = in.readVInt();
    int blockLength = in.readVInt();
    int dictCompressed = in.readVInt();
    if (dictLength < 0 || blockLength <= 0 || dictCompressed < 0) {
      throw new CorruptIndexException("bad stored-fields chunk header", in);
    }
    int blocks = 0;
    compressedLengths = ArrayUtil.growNoCopy(compressedLengths, originalLength / blockLength + 1);
    for (int covered = dictLength; covered < originalLength; covered += blockLength) {
      int n = in.readVInt();
      if (n < 0) {
        throw new CorruptIndexException("bad stored-fields block length", in);
      }
      compressedLengths[blocks++] = n;
    }
    // the blocks after the last one asked are not read (nor were they by Lucene's decoder)
    int needed = blocks;
    for (int i = 0, at = dictLength; i < blocks; i++, at += blockLength) {
      if (at >= offset + length) {
        needed = i;
        break;
      }
    }
    long read = dictCompressed;
    for (int i = 0; i < needed; i++) {
      read += compressedLengths[i];
    }
    if (read > Integer.MAX_VALUE - 8) {
      throw new CorruptIndexException("stored-fields chunk too large", in);
    }
    compressed = ArrayUtil.growNoCopy(compressed, (int) read);
    in.readBytes(compressed, 0, (int) read);
    buffer = ArrayUtil.growNoCopy(buffer, dictLength + blockLength);
    try {
      if (decode(compressed, 0, dictCompressed, dictLength, buffer, 0) != dictLength) {
        throw new CorruptIndexException("Illegal dict length", in);
      }
      int src = dictCompressed;
      int offsetInBlock = dictLength;
      int offsetInBytesRef = offset;
      bytes.length = 0;
      int first = 0;
      if (offset >= dictLength) {
        offsetInBytesRef -= dictLength;
        // skip the blocks before the one that holds offset
        while (first < needed && offsetInBlock + blockLength < offset) {
          src += compressedLengths[first];
          offsetInBlock += blockLength;
          offsetInBytesRef -= blockLength;
          first++;
        }
      } else {
        bytes.bytes = ArrayUtil.growNoCopy(bytes.bytes, dictLength);
        System.arraycopy(buffer, 0, bytes.bytes, 0, dictLength);
        bytes.length = dictLength;
      }
      if (offsetInBlock < offset + length) {
        bytes.bytes = ArrayUtil.grow(bytes.bytes, bytes.length + offset + length - offsetInBlock);
      }
      for (int i = first; offsetInBlock < offset + length; i++) {
        int n = Math.min(blockLength, offset + length - offsetInBlock);
        int end = src + compressedLengths[i];
        if (decode(compressed, src, end, n, buffer, dictLength) < dictLength + n) {
          throw new CorruptIndexException("stored-fields block shorter than its length", in);
        }
        System.arraycopy(buffer, dictLength, bytes.bytes, bytes.length, n);
        bytes.length += n;
        offsetInBlock += blockLength;
        src = end;
      }
      bytes.offset = offsetInBytesRef;
      bytes.length = length;
    } catch (IndexOutOfBoundsException e) {
      throw new CorruptIndexException(
          "corrupt LZ4 data in stored fields: " + e.getMessage(), in, e);
    }
  }

  /**
   * Decodes LZ4 sequences from {@code src[from, to)} into {@code dest} at {@code at} until {@code
   * length} bytes are written, as Lucene's {@code LZ4.decompress} does from a {@code DataInput};
   * matches may reach back before {@code at} (the dictionary). Returns the position after the
   * decoded bytes. Corrupt input ends in an {@link IndexOutOfBoundsException}.
   */
  static int decode(byte[] src, int from, int to, int length, byte[] dest, int at) {
    int s = from;
    int d = at;
    int end = at + length;
    do {
      int token = src[s++] & 0xFF;
      int literals = token >>> 4;
      if (literals != 0) {
        if (literals == 0x0F) {
          byte b;
          while ((b = src[s++]) == (byte) 0xFF) {
            literals += 0xFF;
          }
          literals += b & 0xFF;
        }
        if (s + literals > to) {
          throw new IndexOutOfBoundsException("literals past the block's end");
        }
        System.arraycopy(src, s, dest, d, literals);
        s += literals;
        d += literals;
      }
      if (d >= end) {
        break;
      }
      int distance = (src[s] & 0xFF) | (src[s + 1] & 0xFF) << 8; // little-endian, as writeShort
      s += 2;
      int match = token & 0x0F;
      if (match == 0x0F) {
        byte b;
        while ((b = src[s++]) == (byte) 0xFF) {
          match += 0xFF;
        }
        match += b & 0xFF;
      }
      match += MIN_MATCH;
      int ref = d - distance;
      if (distance == 0 || ref < 0) {
        throw new IndexOutOfBoundsException("match before the buffer's start");
      }
      // as Lucene: a multiple of 8 bytes at once when the copy does not overlap itself and stays
      // inside the output (the bytes past the match are written over by what follows)
      int fast = (match + 7) & 0xFFFFFFF8;
      if (distance < match || d + fast > end) {
        for (int stop = d + match; d < stop; ref++, d++) {
          dest[d] = dest[ref];
        }
      } else {
        System.arraycopy(dest, ref, dest, d, fast);
        d += match;
      }
    } while (d < end);
    return d;
  }

  @Override
  public Decompressor clone() {
    return new BulkLz4Decompressor();
  }
}
