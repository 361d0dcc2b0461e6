package org.mobilessh.index;

import java.io.IOException;
import org.apache.lucene.codecs.FilterCodec;
import org.apache.lucene.codecs.StoredFieldsFormat;
import org.apache.lucene.codecs.StoredFieldsReader;
import org.apache.lucene.codecs.StoredFieldsWriter;
import org.apache.lucene.codecs.lucene90.Lucene90StoredFieldsFormat;
import org.apache.lucene.codecs.lucene90.compressing.Lucene90CompressingStoredFieldsFormat;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;
import org.apache.lucene.index.FieldInfos;
import org.apache.lucene.index.SegmentInfo;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.IOContext;

/**
 * The writer's codec: Lucene 9.12's default codec, whose stored fields are compressed by {@link
 * PresetDictLz4} instead of Lucene's own compressor. The files are byte-for-byte Lucene's format
 * ({@code Lucene90StoredFieldsFastData}, mode {@code BEST_SPEED}), so segments carry Lucene's codec
 * name and are read by Lucene's own codec, found by name: any reader of a Lucene 9.12 index reads
 * them (this mobilessh, older ones, Luke), nothing is registered by SPI, and an index written
 * before takes new segments and merges of old with new ones without a format change.
 *
 * <p>Not registered as a service on purpose: a second codec named {@code Lucene912} in the service
 * files would compete with Lucene's for reading. Only {@link EventIndex}'s writer uses it.
 */
final class EventCodec extends FilterCodec {
  /** Lucene's name for what this codec writes (Lucene912Codec's). */
  static final String NAME = "Lucene912";

  private static final String MODE = Lucene90StoredFieldsFormat.Mode.BEST_SPEED.name();

  private final StoredFieldsFormat stored = new Stored();

  EventCodec() {
    super(NAME, new Lucene912Codec());
  }

  @Override
  public StoredFieldsFormat storedFieldsFormat() {
    return stored;
  }

  /**
   * {@code Lucene90StoredFieldsFormat(BEST_SPEED)} with another compressor: the same format name,
   * chunk size (80 kB), documents per chunk (1024), block shift (10) and segment attribute.
   */
  private static final class Stored extends StoredFieldsFormat {
    private final StoredFieldsFormat fast =
        new Lucene90CompressingStoredFieldsFormat(
            "Lucene90StoredFieldsFastData", PresetDictLz4.INSTANCE, 10 * 8 * 1024, 1024, 10);
    private final StoredFieldsFormat lucene = new Lucene90StoredFieldsFormat();

    @Override
    public StoredFieldsReader fieldsReader(
        Directory directory, SegmentInfo si, FieldInfos fn, IOContext context) throws IOException {
      // segments this writer made (and merges read them back): the same decompressor as Lucene's,
      // and the same mode object, so merges copy their compressed chunks as they are
      if (MODE.equals(si.getAttribute(Lucene90StoredFieldsFormat.MODE_KEY))) {
        return fast.fieldsReader(directory, si, fn, context);
      }
      return lucene.fieldsReader(directory, si, fn, context);
    }

    @Override
    public StoredFieldsWriter fieldsWriter(Directory directory, SegmentInfo si, IOContext context)
        throws IOException {
      String previous = si.putAttribute(Lucene90StoredFieldsFormat.MODE_KEY, MODE);
      if (previous != null && !previous.equals(MODE)) {
        throw new IllegalStateException(
            "found existing value for "
                + Lucene90StoredFieldsFormat.MODE_KEY
                + " for segment: "
                + si.name
                + " old="
                + previous
                + ", new="
                + MODE);
      }
      return fast.fieldsWriter(directory, si, context);
    }
  }
}
