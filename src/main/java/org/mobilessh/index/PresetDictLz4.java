package org.mobilessh.index;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.apache.lucene.codecs.compressing.CompressionMode;
import org.apache.lucene.codecs.compressing.Compressor;
import org.apache.lucene.codecs.compressing.Decompressor;
import org.apache.lucene.codecs.lucene90.Lucene90StoredFieldsFormat;
import org.apache.lucene.store.ByteBuffersDataInput;
import org.apache.lucene.store.DataOutput;
import org.apache.lucene.util.ArrayUtil;

/**
 * Lucene's {@code BEST_SPEED} stored-fields compression ({@code LZ4WithPresetDictCompressionMode}),
 * the same bytes on disk in the same layout, computed with less work: Lucene's own decompressor
 * reads them, so an index written with it is a plain Lucene 9.12 index for every reader.
 *
 * <p>A chunk (~80 kB of stored documents) is cut into a dictionary (its first twentieth) and ten
 * sub-blocks, each LZ4-compressed on its own with the dictionary as history. Lucene hashes every
 * position of the dictionary again for each of the ten sub-blocks and writes through a {@code
 * DataOutput} a byte at a time; this compressor hashes the dictionary once per chunk and starts
 * each sub-block from a copy of that table, and encodes into an array. The matches it finds are
 * those of Lucene's greedy single-probe search (one table slot per hash), so the compression ratio
 * is the same within a few hundredths (docs/performance-log.md, "Session 8: ingest-index"); any
 * match it emits is checked against the actual bytes, as Lucene's is.
 */
final class PresetDictLz4 extends CompressionMode {
  /** The one instance: the stored-fields writer bulk-copies chunks only between equal modes. */
  static final PresetDictLz4 INSTANCE = new PresetDictLz4();

  // Lucene's LZ4 constants (org.apache.lucene.util.compress.LZ4, package-private there)
  private static final int MAX_DISTANCE = 1 << 16;
  private static final int MIN_MATCH = 4;
  private static final int LAST_LITERALS = 5;
  // the layout of LZ4WithPresetDictCompressionMode
  private static final int NUM_SUB_BLOCKS = 10;
  private static final int DICT_SIZE_FACTOR = 2;
  // 8192 slots, Lucene's FastCompressionHashTable size for inputs under 64 kB
  private static final int HASH_LOG = 13;

  private static final VarHandle INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.nativeOrder());

  private PresetDictLz4() {}

  @Override
  public Compressor newCompressor() {
    return new Lz4Compressor();
  }

  /** Lucene's: the format is its own. */
  @Override
  public Decompressor newDecompressor() {
    return Lucene90StoredFieldsFormat.BEST_SPEED_MODE.newDecompressor();
  }

  @Override
  public String toString() {
    return "BEST_SPEED (mobilessh compressor)";
  }

  static final class Lz4Compressor extends Compressor {
    private byte[] buffer = new byte[0];
    private byte[] out = new byte[1024];
    private int outLen;
    private final int[] dictTable = new int[1 << HASH_LOG];
    private final int[] table = new int[1 << HASH_LOG];

    @Override
    public void compress(ByteBuffersDataInput in, DataOutput o) throws IOException {
      final int len = Math.toIntExact(in.size() - in.position());
      final int dictLength = Math.min(MAX_DISTANCE, len / (NUM_SUB_BLOCKS * DICT_SIZE_FACTOR));
      final int blockLength = (len - dictLength + NUM_SUB_BLOCKS - 1) / NUM_SUB_BLOCKS;
      buffer = ArrayUtil.growNoCopy(buffer, dictLength + blockLength);
      o.writeVInt(dictLength);
      o.writeVInt(blockLength);
      outLen = 0;

      in.readBytes(buffer, 0, dictLength);
      Arrays.fill(table, -1);
      block(buffer, 0, dictLength);
      o.writeVInt(outLen);

      // every position of the dictionary, as Lucene's initDictionary inserts them, but once
      Arrays.fill(dictTable, -1);
      for (int i = 0; i + 4 <= dictLength; i++) {
        dictTable[hash(readInt(buffer, i))] = i;
      }
      for (int start = dictLength; start < len; start += blockLength) {
        int l = Math.min(blockLength, len - start);
        in.readBytes(buffer, dictLength, l);
        System.arraycopy(dictTable, 0, table, 0, table.length);
        int before = outLen;
        block(buffer, dictLength, l);
        o.writeVInt(outLen - before);
      }
      o.writeBytes(out, 0, outLen);
    }

    private static int readInt(byte[] b, int i) {
      return (int) INT.get(b, i);
    }

    private static int hash(int v) {
      return (v * -1640531535) >>> (32 - HASH_LOG);
    }

    /**
     * One LZ4 block of {@code b[dictLen, dictLen + len)} whose matches may reach back into {@code
     * b[0, dictLen)}: Lucene's {@code LZ4.compressWithDictionary} with {@link #table} as the hash
     * table (slots hold positions in {@code b}, -1 for none).
     */
    private void block(byte[] b, int dictLen, int len) {
      if (outLen + len + len / 255 + 16 > out.length) {
        out = ArrayUtil.grow(out, outLen + len + len / 255 + 16);
      }
      final int end = dictLen + len;
      final int[] t = table;
      int off = dictLen;
      int anchor = off;
      if (len > LAST_LITERALS + MIN_MATCH) {
        final int limit = end - LAST_LITERALS;
        final int matchLimit = limit - MIN_MATCH;
        main:
        while (off <= limit) {
          int ref;
          while (true) {
            if (off >= matchLimit) {
              break main;
            }
            int v = readInt(b, off);
            int h = hash(v);
            ref = t[h];
            t[h] = off;
            if (ref >= 0 && off - ref < MAX_DISTANCE && readInt(b, ref) == v) {
              break;
            }
            ++off;
          }
          // ref < off: the ranges differ in length, so there is a mismatch before limit
          int matchLen =
              MIN_MATCH + Arrays.mismatch(b, ref + MIN_MATCH, limit, b, off + MIN_MATCH, limit);
          sequence(b, anchor, ref, off, matchLen);
          off += matchLen;
          anchor = off;
        }
      }
      int literals = end - anchor;
      literals(b, Math.min(literals, 0x0F) << 4, anchor, literals);
    }

    private void literals(byte[] b, int token, int anchor, int literals) {
      byte[] o = out;
      int p = outLen;
      o[p++] = (byte) token;
      if (literals >= 0x0F) {
        int l = literals - 0x0F;
        while (l >= 0xFF) {
          o[p++] = (byte) 0xFF;
          l -= 0xFF;
        }
        o[p++] = (byte) l;
      }
      System.arraycopy(b, anchor, o, p, literals);
      outLen = p + literals;
    }

    private void sequence(byte[] b, int anchor, int ref, int off, int matchLen) {
      int literals = off - anchor;
      literals(
          b,
          (Math.min(literals, 0x0F) << 4) | Math.min(matchLen - MIN_MATCH, 0x0F),
          anchor,
          literals);
      byte[] o = out;
      int p = outLen;
      int distance = off - ref;
      // DataOutput.writeShort, which the decompressor reads back: little-endian
      o[p++] = (byte) distance;
      o[p++] = (byte) (distance >>> 8);
      if (matchLen >= MIN_MATCH + 0x0F) {
        int l = matchLen - 0x0F - MIN_MATCH;
        while (l >= 0xFF) {
          o[p++] = (byte) 0xFF;
          l -= 0xFF;
        }
        o[p++] = (byte) l;
      }
      outLen = p;
    }

    @Override
    public void close() {
      // nothing held
    }
  }
}
