import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.mobilessh.parse.Action;
import org.mobilessh.parse.FormatDetector;
import org.mobilessh.parse.LineParser;
import org.mobilessh.parse.LogFormat;
import org.mobilessh.parse.ParseContext;
import org.mobilessh.parse.ParseResult;

/**
 * The parse stage alone over one real file, as bench/run.sh calls it (Java's single-file source
 * launcher, the shaded jar on the class path):
 *
 * <pre>java -cp target/mobilessh-VERSION.jar bench/ParseBench.java FILE [ROUNDS] [YEAR]</pre>
 *
 * Per round it measures (a) "stream": read the file from the page cache through a {@code
 * BufferedReader} (decode UTF-8 to chars, split lines) and parse each line; (b) "bytes": read the
 * file in 64 KiB blocks, split the bytes at LF and make each ASCII line a Latin-1 String without a
 * decoder (UTF-8 only for lines with bytes >= 0x80), then parse: what ingest's {@code LineReader}
 * and {@code Ingester} do before indexing; (c) "parse": parse lines already in memory, the parser
 * alone. Prints one line per round and a final "median" line per mode (wall seconds, lines/s, and
 * the parsing thread's CPU seconds: other jobs share the cores).
 */
public final class ParseBench {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  public static void main(String[] args) throws IOException {
    Path file = Path.of(args[0]);
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    int year = args.length > 2 ? Integer.parseInt(args[2]) : 2026;
    List<String> head = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (int i = 0; i < FormatDetector.SAMPLE_LINES; i++) {
        String l = r.readLine();
        if (l == null) {
          break;
        }
        head.add(l);
      }
    }
    LogFormat format = FormatDetector.detect(head).orElseThrow();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    long bytes = Files.size(file);
    System.out.printf(
        Locale.ROOT, "file %s: %,d lines, %,d bytes, format %s%n", file, lines.size(), bytes,
        format.id());
    double[] streamWall = new double[rounds];
    double[] streamCpu = new double[rounds];
    double[] bytesWall = new double[rounds];
    double[] bytesCpu = new double[rounds];
    double[] parseWall = new double[rounds];
    double[] parseCpu = new double[rounds];
    Map<Action, Long> actions = null;
    long rejected = 0;
    for (int round = 0; round < rounds; round++) {
      // (a) stream
      LineParser p = format.newParser(ParseContext.of(file.toString(), year, ZoneOffset.UTC));
      long c0 = THREADS.getCurrentThreadCpuTime();
      long t0 = System.nanoTime();
      long n = 0;
      long parsed = 0;
      try (BufferedReader r =
          new BufferedReader(
              new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8),
              1 << 16)) {
        for (String l = r.readLine(); l != null; l = r.readLine()) {
          if (p.parse(l, ++n) instanceof ParseResult.Parsed) {
            parsed++;
          }
        }
      }
      streamWall[round] = (System.nanoTime() - t0) / 1e9;
      streamCpu[round] = (THREADS.getCurrentThreadCpuTime() - c0) / 1e9;
      // (b) bytes, as ingest splits and decodes
      p = format.newParser(ParseContext.of(file.toString(), year, ZoneOffset.UTC));
      c0 = THREADS.getCurrentThreadCpuTime();
      t0 = System.nanoTime();
      long bytesParsed = byteLines(file, p);
      bytesWall[round] = (System.nanoTime() - t0) / 1e9;
      bytesCpu[round] = (THREADS.getCurrentThreadCpuTime() - c0) / 1e9;
      if (bytesParsed != parsed) {
        throw new IllegalStateException("bytes mode parsed " + bytesParsed + ", stream " + parsed);
      }
      // (b) parse only
      p = format.newParser(ParseContext.of(file.toString(), year, ZoneOffset.UTC));
      // counted in a plain array: a map merge boxing a Long per line would be measured as parsing
      long[] byAction = new long[Action.values().length];
      long bad = 0;
      c0 = THREADS.getCurrentThreadCpuTime();
      t0 = System.nanoTime();
      for (int i = 0; i < lines.size(); i++) {
        ParseResult res = p.parse(lines.get(i), i + 1);
        if (res instanceof ParseResult.Parsed ok) {
          byAction[ok.event().action().ordinal()]++;
        } else if (res instanceof ParseResult.Rejected) {
          bad++;
        }
      }
      parseWall[round] = (System.nanoTime() - t0) / 1e9;
      parseCpu[round] = (THREADS.getCurrentThreadCpuTime() - c0) / 1e9;
      Map<Action, Long> counts = new EnumMap<>(Action.class);
      for (Action a : Action.values()) {
        if (byAction[a.ordinal()] > 0) {
          counts.put(a, byAction[a.ordinal()]);
        }
      }
      actions = counts;
      rejected = bad;
      System.out.printf(
          Locale.ROOT,
          "round %d: stream %.3f s (cpu %.3f), bytes %.3f s (cpu %.3f), parse %.3f s (cpu %.3f),"
              + " %d events%n",
          round + 1, streamWall[round], streamCpu[round], bytesWall[round], bytesCpu[round],
          parseWall[round], parseCpu[round], parsed);
    }
    System.out.println("actions " + actions + ", rejected " + rejected);
    report("stream", lines.size(), streamWall, streamCpu);
    report("bytes", lines.size(), bytesWall, bytesCpu);
    report("parse", lines.size(), parseWall, parseCpu);
  }

  /**
   * Ingest's way from file to String (LineReader, Ingester): one pass over the bytes finds LF and
   * notes any byte >= 0x80; ASCII lines become Latin-1 Strings (a copy, no decoder). Returns the
   * number of parsed lines.
   */
  private static long byteLines(Path file, LineParser p) throws IOException {
    long n = 0;
    long parsed = 0;
    byte[] buf = new byte[64 * 1024];
    int start = 0;
    int limit = 0;
    try (InputStream in = Files.newInputStream(file)) {
      while (true) {
        int scan = start;
        boolean nonAscii = false;
        while (true) {
          while (scan < limit && buf[scan] != '\n') {
            nonAscii |= buf[scan] < 0;
            scan++;
          }
          if (scan < limit) {
            break;
          }
          // refill: keep the unfinished line at the start of the buffer
          int keep = limit - start;
          System.arraycopy(buf, start, buf, 0, keep);
          scan -= start;
          start = 0;
          limit = keep;
          if (limit == buf.length) {
            buf = Arrays.copyOf(buf, buf.length * 2);
          }
          int r = in.read(buf, limit, buf.length - limit);
          if (r < 0) {
            break;
          }
          limit += r;
        }
        if (scan >= limit && start == limit) {
          return parsed;
        }
        int len = scan - start;
        String line =
            new String(buf, start, len, nonAscii ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        if (p.parse(line, ++n) instanceof ParseResult.Parsed) {
          parsed++;
        }
        start = Math.min(scan + 1, limit);
      }
    }
  }

  private static void report(String mode, int lines, double[] wall, double[] cpu) {
    double w = median(wall);
    System.out.printf(
        Locale.ROOT, "median %s %.3f s %.0f lines/s cpu %.3f s%n", mode, w, lines / w,
        median(cpu));
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
