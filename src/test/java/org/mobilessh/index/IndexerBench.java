package org.mobilessh.index;

import java.io.BufferedReader;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.store.FSDirectory;
import org.mobilessh.parse.LineParser;
import org.mobilessh.parse.LogFormat;
import org.mobilessh.parse.ParseContext;
import org.mobilessh.parse.ParseResult;

/**
 * The indexing side alone, run by hand (a benchmark, not a test): {@code java -Xmx1g -cp
 * target/classes:target/test-classes:DEPS org.mobilessh.index.IndexerBench FILE LINES ROUNDS DIR}
 * parses the first LINES syslog lines of FILE and prepares their documents once, then per round
 * adds them through {@link DocumentMapper#map} into a fresh index (one {@code addDocuments} per
 * batch of 512, no flush on the way: the indexing thread's work) and flushes them into one segment
 * (the flusher's work), printing the thread CPU of both; the rounds alternate the schemas named by
 * {@code -Dschemas=2,3} (docs/performance-log.md, "Session 9: ingest-index").
 */
public final class IndexerBench {
  private IndexerBench() {}

  public static void main(String[] args) throws IOException {
    Path file = Path.of(args[0]);
    int lines = Integer.parseInt(args[1]);
    int rounds = Integer.parseInt(args[2]);
    Path dir = Path.of(args[3]);
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    StoredEvent.StringTable table = new StoredEvent.StringTable();
    DocumentMapper preparer = new DocumentMapper(table);
    EventIdentity.Memo identity = new EventIdentity.Memo();
    LineParser p = LogFormat.SYSLOG.newParser(ParseContext.of("bench", 2026, ZoneOffset.UTC));
    List<DocumentMapper.Prepared> batches = new ArrayList<>();
    List<long[]> meta = new ArrayList<>();
    List<String[]> observers = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
      String line;
      long no = 0;
      long offset = 0;
      DocumentMapper.Prepared b = null;
      long[] m = null;
      String[] o = null;
      int n = 0;
      while (no < lines && (line = in.readLine()) != null) {
        no++;
        if (p.parse(line, no) instanceof ParseResult.Parsed r) {
          if (b == null || n == 512) {
            b = new DocumentMapper.Prepared(512);
            m = new long[1024];
            o = new String[512];
            n = 0;
            batches.add(b);
            meta.add(m);
            observers.add(o);
          }
          String obs = r.event().hostname() == null ? "" : r.event().hostname();
          SourcedEvent e = new SourcedEvent(r.event(), line, file.toString(), offset, no);
          preparer.prepare(e, obs, b, n);
          m[2 * n] = identity.of(r.event(), obs);
          m[2 * n + 1] = r.event().time().epochMicros();
          o[n] = obs;
          n++;
        }
        offset += line.length() + 1;
      }
      // the last batch's size
      sizes = new int[batches.size()];
      Arrays.fill(sizes, 512);
      sizes[sizes.length - 1] = n;
    }
    System.out.printf(Locale.ROOT, "%d batches prepared%n", batches.size());
    for (int round = 0; round < rounds; round++) {
      Path d = dir.resolve("r" + round);
      IndexWriterConfig config = new IndexWriterConfig();
      config.setRAMBufferSizeMB(2000);
      config.setUseCompoundFile(false);
      config.setCodec(new EventCodec());
      String mode = MODES[round % MODES.length];
      DocumentMapper mapper = new DocumentMapper(table, mode);
      try (IndexWriter w = new IndexWriter(FSDirectory.open(d), config)) {
        long c0 = mx.getCurrentThreadCpuTime();
        for (int i = 0; i < batches.size(); i++) {
          DocumentMapper.Prepared b = batches.get(i);
          long[] m = meta.get(i);
          String[] o = observers.get(i);
          int size = sizes[i];
          Iterable<Document> docs =
              () ->
                  new java.util.Iterator<Document>() {
                    int k;

                    @Override
                    public boolean hasNext() {
                      return k < size;
                    }

                    @Override
                    public Document next() {
                      int j = k++;
                      return mapper.map(o[j], m[2 * j], m[2 * j + 1], b, j);
                    }
                  };
          w.addDocuments(docs);
        }
        long c1 = mx.getCurrentThreadCpuTime();
        w.flush();
        long c2 = mx.getCurrentThreadCpuTime();
        System.out.printf(
            Locale.ROOT,
            "schema %s round %d: add %.0f ms, flush %.0f ms%n",
            mode,
            round,
            (c1 - c0) / 1e6,
            (c2 - c1) / 1e6);
      }
      try (var s = Files.walk(d)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
      }
    }
  }

  private static int[] sizes;
  // the schemas to alternate, round by round (-Dschemas=2,3)
  private static final String[] MODES = System.getProperty("schemas", "2,3").split(",");
}
