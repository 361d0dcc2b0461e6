package org.mobilessh.index;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.InetAddressPoint;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.store.FSDirectory;
import org.mobilessh.parse.LineParser;
import org.mobilessh.parse.LogFormat;
import org.mobilessh.parse.NetfilterEvent;
import org.mobilessh.parse.ParseContext;
import org.mobilessh.parse.ParseResult;

/**
 * Index throughput, run by hand (not a test: timings on a shared 2-core machine are not
 * assertions). {@code java -Xmx256m -cp target/classes:target/test-classes:<deps>
 * org.mobilessh.index.IndexBenchmark [lines] [dir]}: builds traditional-syslog netfilter lines of
 * both families in memory, then measures in one run (as ratios): parse only; parse + {@link
 * EventIndex#add} + commit into a new index (the schema of docs/index-schema.md); and the same
 * lines again as another file (every one a duplicate: the cost of the dedupe lookups).
 */
public final class IndexBenchmark {
  private IndexBenchmark() {}

  public static void main(String[] args) throws IOException {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    Path work = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("mobilessh-bench");
    Path dir = work.resolve("index");
    Path log = work.resolve("bench.log");
    PrintStream out = System.out;
    // lines go through a file (page cache) so the heap holds neither them nor their events
    try (BufferedWriter w = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
      Random r = new Random(1);
      for (int i = 0; i < n; i++) {
        w.write(line(i, r));
        w.write('\n');
      }
    }
    out.printf(
        Locale.ROOT,
        "%,d lines (%.0f MB), index in %s, max heap %d MB, %d CPUs%n",
        n,
        Files.size(log) / 1e6,
        dir,
        Runtime.getRuntime().maxMemory() >> 20,
        Runtime.getRuntime().availableProcessors());

    long c00 = cpu();
    long t0 = System.nanoTime();
    long events = 0;
    try (BufferedReader in = Files.newBufferedReader(log, StandardCharsets.UTF_8)) {
      LineParser p = parser();
      String line;
      long no = 0;
      while ((line = in.readLine()) != null) {
        if (p.parse(line, ++no) instanceof ParseResult.Parsed) {
          events++;
        }
      }
    }
    double parse = seconds(t0);
    out.printf(
        Locale.ROOT,
        "read + parse:               %.2f s = %,.0f lines/s, %.1f CPU-s%n",
        parse,
        n / parse,
        (cpu() - c00) / 1e9);

    delete(dir);
    long c0 = cpu();
    t0 = System.nanoTime();
    leanBaseline(log, dir);
    double lean = seconds(t0);
    out.printf(
        Locale.ROOT,
        "lean baseline (time, action, src, line): %.2f s = %,.0f lines/s, %.1f CPU-s%n",
        lean,
        n / lean,
        (cpu() - c0) / 1e9);
    delete(dir);

    c0 = cpu();
    t0 = System.nanoTime();
    long added = indexFile(log, dir, "bench.log");
    double all = seconds(t0);
    out.printf(Locale.ROOT, "  (%.1f CPU-s)%n", (cpu() - c0) / 1e9);
    out.printf(
        Locale.ROOT,
        "read + parse + index + commit: %.2f s = %,.0f lines/s (%,d of %,d events new)%n",
        all,
        n / all,
        added,
        events);
    long bytes;
    try (Stream<Path> s = Files.list(dir)) {
      bytes = s.mapToLong(f -> f.toFile().length()).sum();
    }

    t0 = System.nanoTime();
    long again = indexFile(log, dir, "copy-of-bench.log");
    double dup = seconds(t0);
    out.printf(
        Locale.ROOT,
        "same lines as another file: %.2f s = %,.0f lines/s (%,d new)%n",
        dup,
        n / dup,
        again);
    out.printf(
        Locale.ROOT, "index share (derived):      %,.0f docs/s%n", n / Math.max(1e-9, all - parse));
    out.printf(
        Locale.ROOT, "index size: %.1f MB (%.0f bytes/event)%n", bytes / 1e6, (double) bytes / n);
    delete(dir);
    Files.delete(log);
  }

  private static long cpu() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /**
   * The performance notes' "lean" schema with plain Lucene, parse included, no dedupe: the ceiling
   * this machine gives in this run, to compare the real schema against.
   */
  private static void leanBaseline(Path log, Path dir) throws IOException {
    IndexWriterConfig config = new IndexWriterConfig();
    config.setRAMBufferSizeMB(48);
    try (FSDirectory d = FSDirectory.open(dir);
        IndexWriter w = new IndexWriter(d, config);
        BufferedReader in = Files.newBufferedReader(log, StandardCharsets.UTF_8)) {
      LineParser p = parser();
      String line;
      long no = 0;
      while ((line = in.readLine()) != null) {
        if (p.parse(line, ++no) instanceof ParseResult.Parsed r
            && r.event() instanceof NetfilterEvent e) {
          Document doc = new Document();
          long t = e.time().epochMicros();
          doc.add(new LongPoint(Fields.TIMESTAMP, t));
          doc.add(new NumericDocValuesField(Fields.TIMESTAMP, t));
          doc.add(new StringField(Fields.ACTION, e.action().ecsName(), Field.Store.NO));
          doc.add(new InetAddressPoint(Fields.SOURCE_IP, e.packet().source()));
          doc.add(new StoredField(Fields.ORIGINAL, line));
          w.addDocument(doc);
        }
      }
      w.commit();
    }
  }

  private static long indexFile(Path log, Path dir, String source) throws IOException {
    long added = 0;
    try (EventIndex index = EventIndex.open(dir);
        BufferedReader in = Files.newBufferedReader(log, StandardCharsets.UTF_8)) {
      LineParser p = parser();
      String line;
      long no = 0;
      long offset = 0;
      while ((line = in.readLine()) != null) {
        no++;
        if (p.parse(line, no) instanceof ParseResult.Parsed r
            && index.add(new SourcedEvent(r.event(), line, source, offset, no))) {
          added++;
        }
        offset += line.length() + 1;
      }
      index.commit(Map.of(source, "done"));
    }
    return added;
  }

  private static LineParser parser() {
    return LogFormat.SYSLOG.newParser(ParseContext.of("bench", 2026, ZoneOffset.UTC));
  }

  private static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  private static void delete(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** Router lines: 40 a second, four prefixes, IPv4 and IPv6, random clients and ports. */
  static String line(int i, Random r) {
    String[] prefixes = {"mobilessh-set: ", "mobilessh-accept: ", "mobilessh-reject: ", ""};
    int sec = i / 40;
    String stamp =
        String.format(
            Locale.ROOT,
            "Nov %2d %02d:%02d:%02d",
            1 + (sec / 86400) % 28,
            (sec / 3600) % 24,
            (sec / 60) % 60,
            sec % 60);
    String prefix = prefixes[r.nextInt(prefixes.length)];
    String body;
    String mac;
    if (r.nextBoolean()) {
      mac = "MAC=00:00:5e:00:53:a0:00:00:5e:00:53:10:08:00 ";
      body =
          "SRC=203.0.113."
              + r.nextInt(256)
              + " DST=192.0.2.1 LEN=60 TOS=0x00 PREC=0x00 TTL=63 ID="
              + r.nextInt(65536)
              + " DF PROTO=TCP SPT="
              + (1024 + r.nextInt(60000))
              + " DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0 ";
    } else {
      mac = "MAC=00:00:5e:00:53:a0:00:00:5e:00:53:10:86:dd ";
      body =
          String.format(
              Locale.ROOT,
              "SRC=2001:0db8:%04x:0000:0000:0000:0000:%04x"
                  + " DST=2001:0db8:0001:0000:0000:0000:0000:0010 LEN=80 TC=0 HOPLIMIT=63"
                  + " FLOWLBL=%d PROTO=TCP SPT=%d DPT=993 WINDOW=501 RES=0x00 ACK PSH URGP=0 ",
              r.nextInt(65536),
              r.nextInt(65536),
              r.nextInt(1 << 20),
              1024 + r.nextInt(60000));
    }
    return stamp + " router1 kernel: " + prefix + "IN=mshs-ph OUT= " + mac + body;
  }
}
