package org.mobilessh.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.FieldDoc;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The time-ordered bulk read hands over exactly the documents, in exactly the order, of a top-N
 * sort by (time, doc) — over segments whose documents are in time order, out of order (more runs
 * than {@link TimeOrderedReader#MAX_RUNS_PER_SEGMENT}: the sorting path), with deletions, untimed
 * documents and equal times.
 */
class TimeOrderedReaderTest {
  @TempDir Path dir;

  @Test
  void sequentialFilesInSegmentsStreamInSortOrder() throws IOException {
    // like ingest: each "file" is time-ordered, files overlap in time, several per segment
    check(1, 20_000, 0.0, 500, false);
  }

  @Test
  void linesOutOfOrderFallBackToTheSortedPath() throws IOException {
    // every document a run of its own: far more runs than the limit
    check(2, 5_000, 1.0, 1_000, false);
  }

  @Test
  void mixedOrderWithDeletionsAndAFilter() throws IOException {
    check(3, 20_000, 0.002, 300, true);
  }

  @Test
  void segmentsOfAnotherStoredFieldsModeAreReadThroughLucene() throws IOException {
    codec = new Lucene912Codec(Lucene912Codec.Mode.BEST_COMPRESSION);
    bestSpeed = false;
    check(4, 20_000, 0.0, 500, false);
  }

  @Test
  void segmentsInCompoundFilesAndNotAreReadInBulk() throws IOException {
    compound = false;
    check(5, 20_000, 0.0, 500, false);
  }

  // how the test index is written: Lucene's defaults unless a test says otherwise
  private Lucene912Codec codec = new Lucene912Codec();
  private boolean bestSpeed = true;
  private boolean compound = true;

  /**
   * @param shuffle the share of documents given a random time instead of the next in their file
   * @param perFile documents per time-ordered file
   */
  private void check(long seed, int docs, double shuffle, int perFile, boolean deleteAndFilter)
      throws IOException {
    Random rnd = new Random(seed);
    try (FSDirectory d = FSDirectory.open(dir.resolve("i" + seed))) {
      IndexWriterConfig c = new IndexWriterConfig(new StandardAnalyzer());
      // keep the segments as written (merges would reorder them)
      c.setMergePolicy(NoMergePolicy.INSTANCE);
      c.setCodec(codec);
      c.setUseCompoundFile(compound);
      try (IndexWriter w = new IndexWriter(d, c)) {
        long t = 0;
        for (int i = 0; i < docs; i++) {
          if (i % perFile == 0) {
            t = rnd.nextInt(1_000_000); // the next file starts anywhere
          }
          t += rnd.nextInt(3); // equal times are common (second-precision syslog)
          long time = rnd.nextDouble() < shuffle ? rnd.nextInt(1_000_000) : t;
          Document doc = new Document();
          doc.add(new StoredField(Fields.ORIGINAL, "line " + i));
          doc.add(new StringField("id", Integer.toString(i), Field.Store.NO));
          doc.add(new StringField("even", i % 2 == 0 ? "y" : "n", Field.Store.NO));
          if (rnd.nextInt(100) != 0) {
            doc.add(new LongPoint(Fields.TIMESTAMP, time));
            doc.add(new NumericDocValuesField(Fields.TIMESTAMP, time));
          }
          w.addDocument(doc);
          if (rnd.nextInt(2_000) == 0) {
            w.commit(); // a segment boundary
          }
        }
        if (deleteAndFilter) {
          for (int i = 0; i < docs; i += 7) {
            w.deleteDocuments(new Term("id", Integer.toString(i)));
          }
        }
        w.commit();
      }
      try (DirectoryReader r = DirectoryReader.open(d)) {
        assertThat(r.leaves().size()).isGreaterThan(3);
        IndexSearcher s = new IndexSearcher(r);
        Query q = deleteAndFilter ? new TermQuery(new Term("even", "y")) : new MatchAllDocsQuery();
        SortField time = new SortField(Fields.TIMESTAMP, SortField.Type.LONG);
        time.setMissingValue(Long.MAX_VALUE);
        ScoreDoc[] sorted = s.search(q, docs, new Sort(time, SortField.FIELD_DOC)).scoreDocs;
        List<String> expected = new ArrayList<>();
        List<Long> expectedTimes = new ArrayList<>();
        List<Integer> expectedDocs = new ArrayList<>();
        for (ScoreDoc sd : sorted) {
          expectedDocs.add(sd.doc);
          expected.add(s.storedFields().document(sd.doc).get(Fields.ORIGINAL));
          long t = (Long) ((FieldDoc) sd).fields[0];
          expectedTimes.add(t == Long.MAX_VALUE ? null : t);
        }
        List<String> streamed = new ArrayList<>();
        List<Long> streamedTimes = new ArrayList<>();
        List<Integer> streamedDocs = new ArrayList<>();
        long n;
        try (TimeOrderedReader.SequentialReaders readers =
            new TimeOrderedReader.SequentialReaders()) {
          n =
              TimeOrderedReader.forEach(
                  r,
                  TimeOrderedReader.of(s, q),
                  (stored, doc, globalDoc, micros) -> {
                    streamed.add(stored.document(doc).get(Fields.ORIGINAL));
                    streamedDocs.add(globalDoc);
                    streamedTimes.add(micros);
                  },
                  readers);
          // BEST_SPEED segments (Lucene's default) through BulkLz4Decompressor, others not
          assertThat(readers.bulkSegments() > 0).isEqualTo(bestSpeed);
        }
        assertThat(n).isEqualTo(expected.size());
        assertThat(streamedTimes).isEqualTo(expectedTimes);
        assertThat(streamed).isEqualTo(expected);
        assertThat(streamedDocs).isEqualTo(expectedDocs);
        assertThat(expected).hasSizeGreaterThan(docs / 3);
      }
    }
  }
}
