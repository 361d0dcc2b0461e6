package org.mobilessh.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.compressing.Compressor;
import org.apache.lucene.codecs.compressing.Decompressor;
import org.apache.lucene.codecs.lucene90.Lucene90StoredFieldsFormat;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.CheckIndex;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.index.SegmentCommitInfo;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.SegmentReader;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.TieredMergePolicy;
import org.apache.lucene.store.ByteArrayDataInput;
import org.apache.lucene.store.ByteBuffersDataInput;
import org.apache.lucene.store.ByteBuffersDataOutput;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link EventCodec} writes plain Lucene 9.12 stored fields: Lucene's own codec, found by name,
 * reads every value back, also from segments merged out of Lucene-written and EventCodec-written
 * ones, and {@link PresetDictLz4}'s blocks decompress with Lucene's decompressor to the input.
 */
class EventCodecTest {
  @TempDir Path dir;

  /** Log-like lines, random bytes, long runs, empty values and one value larger than 64 kB. */
  private static List<byte[]> values(Random r, int n) {
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] v;
      switch (i % 7) {
        case 0 -> {
          v = new byte[r.nextInt(600)];
          r.nextBytes(v);
        }
        case 1 -> v = new byte[0];
        case 2 -> {
          v = new byte[r.nextInt(3000)];
          java.util.Arrays.fill(v, (byte) 'x');
        }
        default ->
            v =
                ("Oct  1 00:00:0"
                        + (i % 10)
                        + " router1 kernel: mobilessh-reject: IN=eth0 OUT= SRC=192.0.2."
                        + r.nextInt(256)
                        + " DST=198.51.100."
                        + r.nextInt(256)
                        + " LEN=60 PROTO=TCP SPT="
                        + r.nextInt(65536)
                        + " DPT=22 SYN URGP=0")
                    .getBytes(StandardCharsets.US_ASCII);
      }
      out.add(v);
    }
    byte[] big = new byte[200_000];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) (r.nextInt(4) == 0 ? r.nextInt() : 'a' + i % 17);
    }
    out.add(n / 2, big);
    return out;
  }

  @Test
  void compressedBlocksDecompressWithLuceneToTheInput() throws Exception {
    Random r = new Random(42);
    Compressor compressor = PresetDictLz4.INSTANCE.newCompressor();
    Decompressor lucene = Lucene90StoredFieldsFormat.BEST_SPEED_MODE.newDecompressor();
    int[] sizes = {0, 1, 5, 9, 10, 19, 20, 21, 100, 4096, 65_535, 81_920, 200_000, 1_400_000};
    for (int size : sizes) {
      for (int kind = 0; kind < 3; kind++) {
        byte[] input = new byte[size];
        for (int i = 0; i < size; i++) {
          input[i] =
              switch (kind) {
                case 0 -> (byte) r.nextInt();
                case 1 -> (byte) ('a' + (i % 31) + (r.nextInt(20) == 0 ? 1 : 0));
                default -> (byte) (i / 1000);
              };
        }
        ByteBuffersDataOutput out = new ByteBuffersDataOutput();
        compressor.compress(new ByteBuffersDataInput(List.of(ByteBuffer.wrap(input))), out);
        byte[] compressed = out.toArrayCopy();

        BytesRef whole = new BytesRef();
        lucene.decompress(new ByteArrayDataInput(compressed), size, 0, size, whole);
        assertThat(java.util.Arrays.copyOfRange(whole.bytes, whole.offset, whole.offset + size))
            .as("size %d kind %d", size, kind)
            .isEqualTo(input);
        if (size > 10) {
          int from = r.nextInt(size - 10);
          int length = 1 + r.nextInt(Math.min(5000, size - from));
          BytesRef part = new BytesRef();
          lucene.decompress(new ByteArrayDataInput(compressed), size, from, length, part);
          assertThat(java.util.Arrays.copyOfRange(part.bytes, part.offset, part.offset + length))
              .isEqualTo(java.util.Arrays.copyOfRange(input, from, from + length));
        }
        if (kind == 1 && size >= 81_920) {
          // log-like input compresses: a broken match search would show as literals
          assertThat(compressed.length).isLessThan(size / 4);
        }
      }
    }
  }

  @Test
  void luceneReadsWhatItWritesAndMergesOldAndNewSegments() throws Exception {
    Random r = new Random(7);
    List<byte[]> values = values(r, 5000);
    Path path = dir.resolve("ix");
    try (Directory d = FSDirectory.open(path)) {
      // first half: Lucene's default codec, as an index of an earlier mobilessh; one segment per
      // 700 documents and no merging, then the second half with EventCodec
      IndexWriterConfig lucene = new IndexWriterConfig().setMergePolicy(NoMergePolicy.INSTANCE);
      lucene.setMaxBufferedDocs(700);
      int half = values.size() / 2;
      try (IndexWriter w = new IndexWriter(d, lucene)) {
        addAll(w, values, 0, half);
        w.commit();
      }
      IndexWriterConfig ours =
          new IndexWriterConfig()
              .setCodec(new EventCodec())
              .setMergePolicy(NoMergePolicy.INSTANCE)
              .setOpenMode(IndexWriterConfig.OpenMode.APPEND);
      ours.setMaxBufferedDocs(700);
      try (IndexWriter w = new IndexWriter(d, ours)) {
        addAll(w, values, half, values.size());
        w.commit();
      }
      checkAll(d, values);
      SegmentInfos infos = SegmentInfos.readLatestCommit(d);
      assertThat(infos.size()).isGreaterThan(4);
      for (SegmentCommitInfo si : infos) {
        assertThat(si.info.getCodec().getName()).isEqualTo("Lucene912");
        // read back by name: Lucene's own codec class, nothing of mobilessh
        assertThat(si.info.getCodec()).isInstanceOf(Lucene912Codec.class);
      }
      assertThat(Codec.forName(EventCodec.NAME)).isInstanceOf(Lucene912Codec.class);

      // merges of old with new segments, and of merged ones again, written by EventCodec
      IndexWriterConfig merging =
          new IndexWriterConfig()
              .setCodec(new EventCodec())
              .setMergePolicy(new TieredMergePolicy())
              .setOpenMode(IndexWriterConfig.OpenMode.APPEND);
      try (IndexWriter w = new IndexWriter(d, merging)) {
        w.forceMerge(2);
        addAll(w, values, 0, 300);
        w.forceMerge(1);
        w.commit();
      }
      List<byte[]> expected = new ArrayList<>(values);
      expected.addAll(values.subList(0, 300));
      checkAll(d, expected);
      assertThat(SegmentInfos.readLatestCommit(d).size()).isEqualTo(1);
      checkIndex(d);
    }
  }

  @Test
  void anEventIndexPassesLuceneCheckIndex() throws Exception {
    try (EventIndex index = EventIndex.open(dir)) {
      SampleLogs.addAll(index, SampleLogs.kernLog());
      index.commit(java.util.Map.of());
    }
    try (Directory d = FSDirectory.open(dir)) {
      for (SegmentCommitInfo si : SegmentInfos.readLatestCommit(d)) {
        assertThat(si.info.getCodec()).isInstanceOf(Lucene912Codec.class);
        assertThat(si.info.getAttribute(Lucene90StoredFieldsFormat.MODE_KEY))
            .isEqualTo("BEST_SPEED");
      }
      checkIndex(d);
    }
  }

  private static void addAll(IndexWriter w, List<byte[]> values, int from, int to)
      throws Exception {
    for (int i = from; i < to; i++) {
      Document doc = new Document();
      doc.add(new StringField("id", Integer.toString(i), Field.Store.NO));
      doc.add(new StoredField("v", values.get(i)));
      if (i % 3 == 0) {
        doc.add(new StoredField("n", i));
      }
      w.addDocument(doc);
    }
  }

  /** Every document's stored value equals the one added, found by its position in the index. */
  private static void checkAll(Directory d, List<byte[]> expected) throws Exception {
    try (DirectoryReader reader = DirectoryReader.open(d)) {
      assertThat(reader.maxDoc()).isEqualTo(expected.size());
      List<byte[]> got = new ArrayList<>();
      for (LeafReaderContext leaf : reader.leaves()) {
        assertThat(((SegmentReader) leaf.reader()).getSegmentInfo().info.getCodec())
            .isInstanceOf(Lucene912Codec.class);
        StoredFields stored = leaf.reader().storedFields();
        for (int doc = 0; doc < leaf.reader().maxDoc(); doc++) {
          BytesRef v = stored.document(doc).getBinaryValue("v");
          got.add(java.util.Arrays.copyOfRange(v.bytes, v.offset, v.offset + v.length));
        }
      }
      // segments may be merged in any order: compare as multisets of values
      assertThat(got.stream().map(java.util.Arrays::toString).sorted().toList())
          .isEqualTo(expected.stream().map(java.util.Arrays::toString).sorted().toList());
    }
  }

  private static void checkIndex(Directory d) throws Exception {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    try (CheckIndex check = new CheckIndex(d)) {
      check.setInfoStream(new PrintStream(log, true, StandardCharsets.UTF_8));
      CheckIndex.Status status = check.checkIndex();
      assertThat(status.clean).as(log.toString(StandardCharsets.UTF_8)).isTrue();
    }
  }
}
