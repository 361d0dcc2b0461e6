import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.mobilessh.parse.FormatDetector;
import org.mobilessh.parse.LineParser;
import org.mobilessh.parse.LogFormat;
import org.mobilessh.parse.ParseContext;
import org.mobilessh.parse.ParseResult;

/**
 * What the parser makes of a set of files, as one SHA-256 per file: for proving that a parser change
 * (e.g. a speed-up) changes no result. Run it with two jars and compare the output:
 *
 * <pre>java -cp OLD.jar bench/ParseDigest.java [--mutants N] [--dump DIR] PATH... &gt; old.txt
 * java -cp NEW.jar bench/ParseDigest.java [--mutants N] [--dump DIR] PATH... &gt; new.txt
 * diff old.txt new.txt</pre>
 *
 * Every line's result goes into the digest: a parsed event's {@code toString()} (all record
 * components, nested records, addresses and times included; conntrack flag sets sorted), a skip's reason, a rejection's reason
 * code and full diagnostic (message text included). Directories are walked; {@code .gz} files are
 * decompressed; the format of each file is detected from its head as ingest does; files of no
 * detectable format are listed as such. {@code --mutants N} also parses N damaged copies of lines of
 * each file (cut short, one character replaced, one token dropped or doubled; seeded, so both runs
 * see the same lines), which exercises the error paths and their messages. {@code --dump DIR}
 * writes every result line to DIR/NAME.txt, to diff when two digests differ.
 */
public final class ParseDigest {
  // up to the "]" that ends the set in a record's toString (followed by ", name=" or the record's
  // ")"), not the first "]": a damaged flag may contain one ("[ASS]RED]")
  private static final Pattern FLAGS = Pattern.compile("flags=\\[(.*?)\\](?=, [A-Za-z]+=|\\))");
  private static final String NOISE = "0123456789abcdefxyzABCDEFXYZ =:.[]()-+,\u00e9\u0000\u4e2d\u0141";

  public static void main(String[] args) throws IOException {
    int mutants = 0;
    Path dump = null;
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--mutants" -> mutants = Integer.parseInt(args[++i]);
        case "--dump" -> dump = Path.of(args[++i]);
        default -> {
          try (Stream<Path> walk = Files.walk(Path.of(args[i]))) {
            walk.filter(Files::isRegularFile).sorted().forEach(files::add);
          }
        }
      }
    }
    if (dump != null) {
      Files.createDirectories(dump);
    }
    for (Path f : files) {
      List<String> lines = read(f);
      Optional<LogFormat> format =
          FormatDetector.detect(lines.subList(0, Math.min(lines.size(), FormatDetector.SAMPLE_LINES)));
      if (format.isEmpty()) {
        System.out.printf(Locale.ROOT, "%s: %d lines, no format%n", f, lines.size());
        continue;
      }
      PrintWriter out =
          dump == null
              ? null
              : new PrintWriter(
                  Files.newBufferedWriter(
                      dump.resolve(f.toString().replace('/', '_') + ".txt"), StandardCharsets.UTF_8));
      Digest d = new Digest(out);
      LineParser p = parser(f, format.get());
      for (int i = 0; i < lines.size(); i++) {
        d.add(i + 1, p.parse(lines.get(i), i + 1));
      }
      System.out.printf(Locale.ROOT, "%s: %s %s%n", f, format.get().id(), d.result());
      if (mutants > 0 && !lines.isEmpty()) {
        Digest m = new Digest(out);
        LineParser mp = parser(f, format.get());
        SplittableRandom r = new SplittableRandom(f.getFileName().toString().hashCode());
        for (int i = 0; i < mutants; i++) {
          String line = mutate(lines.get(r.nextInt(lines.size())), r);
          m.add(-(i + 1), mp.parse(line, i + 1));
        }
        System.out.printf(Locale.ROOT, "%s: %d mutants %s%n", f, mutants, m.result());
      }
      if (out != null) {
        out.close();
      }
    }
  }

  private static LineParser parser(Path f, LogFormat format) {
    // fixed year and zone, so both runs agree whatever the file's mtime; a zone with DST
    return format.newParser(ParseContext.of(f.toString(), 2026, ZoneId.of("Europe/Berlin")));
  }

  static String mutate(String line, SplittableRandom r) {
    if (line.isEmpty()) {
      return line;
    }
    int at = r.nextInt(line.length());
    switch (r.nextInt(4)) {
      case 0:
        return line.substring(0, at);
      case 1:
        return line.substring(0, at) + NOISE.charAt(r.nextInt(NOISE.length())) + line.substring(at + 1);
      case 2:
        {
          int a = line.lastIndexOf(' ', at) + 1;
          int b = line.indexOf(' ', a);
          return line.substring(0, a) + (b < 0 ? "" : line.substring(b + 1));
        }
      default:
        {
          int a = line.lastIndexOf(' ', at) + 1;
          int b = line.indexOf(' ', a);
          b = b < 0 ? line.length() : b;
          return line.substring(0, b) + " " + line.substring(a, b) + line.substring(b);
        }
    }
  }

  private static List<String> read(Path f) throws IOException {
    try (InputStream raw = Files.newInputStream(f);
        InputStream in = f.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      List<String> lines = new ArrayList<>();
      for (String l = r.readLine(); l != null; l = r.readLine()) {
        lines.add(l);
      }
      return lines;
    }
  }

  /** Counts and a running SHA-256 over the results' text. */
  private static final class Digest {
    private final MessageDigest sha;
    private final PrintWriter out;
    private long parsed;
    private long skipped;
    private long rejected;

    Digest(PrintWriter out) {
      this.out = out;
      try {
        sha = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }

    void add(long n, ParseResult res) {
      String text;
      if (res instanceof ParseResult.Parsed p) {
        parsed++;
        text = "P " + sortedSets(p.event().toString());
      } else if (res instanceof ParseResult.Rejected rej) {
        rejected++;
        text = "R " + rej.diagnostic().reason() + " " + rej.diagnostic();
      } else {
        skipped++;
        text = "S " + ((ParseResult.Skipped) res).reason();
      }
      String line = n + " " + text + "\n";
      sha.update(line.getBytes(StandardCharsets.UTF_8));
      if (out != null) {
        out.print(line);
        if (out.checkError()) {
          throw new UncheckedIOException(new IOException("cannot write the dump"));
        }
      }
    }

    /**
     * Conntrack flags are a {@code Set.copyOf}, whose iteration order the JDK randomizes per JVM
     * run: sorted here, or two runs of the same parser would differ.
     */
    private static String sortedSets(String text) {
      Matcher m = FLAGS.matcher(text);
      StringBuilder out = new StringBuilder();
      while (m.find()) {
        String[] items = m.group(1).split(", ");
        Arrays.sort(items);
        m.appendReplacement(out, Matcher.quoteReplacement("flags=[" + String.join(", ", items) + "]"));
      }
      m.appendTail(out);
      return out.toString();
    }

    String result() {
      return String.format(
          Locale.ROOT,
          "parsed %d skipped %d rejected %d sha256 %s",
          parsed,
          skipped,
          rejected,
          HexFormat.of().formatHex(sha.digest()));
    }
  }
}
