package org.mobilessh.report;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which evidence files a PDF carries as PDF/A-3 associated files. Attaching is feasible for a month
 * of thousands of rows, not for one of millions (at 10 M events the CSVs are gigabytes and the PDF
 * would be larger than the bundle holding it), so the PDF carries the files in name order as long
 * as their total stays within a bound and names every file it leaves out, with its size, its
 * SHA-256 and where to find it. Deterministic: the same files and bound give the same choice.
 */
public final class Attachments {
  /** The bound when neither an option nor {@link #ENV} sets one: 64 MiB in total. */
  public static final long DEFAULT_LIMIT = 64L << 20;

  /** Environment variable with the bound, in the syntax of {@link #parseSize}. */
  public static final String ENV = "MOBILESSH_ATTACH_LIMIT";

  private static final Pattern SIZE =
      Pattern.compile("(\\d+)\\s*(|b|k|kb|kib|m|mb|mib|g|gb|gib|t|tb|tib)");

  private Attachments() {}

  /**
   * A file the PDF may attach.
   *
   * @param name the attachment's name in the PDF ({@code windows.csv})
   * @param file where its bytes are
   * @param sha256 its SHA-256 (hex) when the caller knows it, else {@code null}: computed only if
   *     the file is left out
   * @param bundlePath where the evidence bundle holds it ({@code csv/windows.csv}), or {@code null}
   *     when it is in no bundle: the PDF then tells how to export it
   */
  public record File(String name, Path file, String sha256, String bundlePath) {
    public File {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(file, "file");
    }
  }

  /**
   * A file left out of the PDF.
   *
   * @param name its attachment name
   * @param size bytes
   * @param sha256 hex
   * @param bundlePath where the bundle holds it, or {@code null}
   */
  public record LeftOut(String name, long size, String sha256, String bundlePath) {}

  /**
   * The choice.
   *
   * @param attachedBytes the files to attach held in memory, by name
   * @param attachedFiles the files to attach from disk, by name
   * @param leftOut the files not attached, in name order
   * @param limit the bound it was made with
   */
  public record Plan(
      Map<String, byte[]> attachedBytes,
      Map<String, Path> attachedFiles,
      List<LeftOut> leftOut,
      long limit) {
    /** Attach everything: no bound. */
    static Plan all(Map<String, byte[]> bytes, Map<String, Path> files) {
      return new Plan(bytes, files, List.of(), Long.MAX_VALUE);
    }
  }

  /**
   * Chooses what to attach: in name order, each file whose size still fits under {@code limit}
   * together with those chosen before it; the others are left out (a large file does not keep a
   * smaller later one out).
   *
   * @param bytes files held in memory (in no bundle)
   * @param files files on disk
   * @param limit the most bytes of attachments in total; 0 attaches nothing
   */
  public static Plan plan(Map<String, byte[]> bytes, List<File> files, long limit) {
    if (limit < 0) {
      throw new ReportException("the attachment limit cannot be negative: " + limit);
    }
    Map<String, Object> all = new TreeMap<>();
    bytes.forEach(all::put);
    for (File f : files) {
      if (all.put(f.name(), f) != null) {
        throw new ReportException("two attachments are named " + f.name());
      }
    }
    Map<String, byte[]> inBytes = new LinkedHashMap<>();
    Map<String, Path> inFiles = new LinkedHashMap<>();
    List<LeftOut> out = new ArrayList<>();
    long total = 0;
    for (Map.Entry<String, Object> e : all.entrySet()) {
      long size = size(e.getValue());
      if (size <= limit - total) {
        total += size;
        if (e.getValue() instanceof byte[] b) {
          inBytes.put(e.getKey(), b);
        } else {
          inFiles.put(e.getKey(), ((File) e.getValue()).file());
        }
      } else if (e.getValue() instanceof byte[] b) {
        out.add(new LeftOut(e.getKey(), size, sha256(b), null));
      } else {
        File f = (File) e.getValue();
        out.add(
            new LeftOut(
                e.getKey(),
                size,
                f.sha256() != null ? f.sha256() : sha256(f.file()),
                f.bundlePath()));
      }
    }
    return new Plan(inBytes, inFiles, List.copyOf(out), limit);
  }

  /**
   * The bound from {@code option} if given, else from {@link #ENV} if set, else {@link
   * #DEFAULT_LIMIT}.
   *
   * @throws ReportException naming where a malformed value came from
   */
  public static long limit(String option, String optionName) {
    if (option != null) {
      return parseSize(option, optionName);
    }
    String env = System.getenv(ENV);
    if (env != null && !env.isBlank()) {
      return parseSize(env, ENV);
    }
    return DEFAULT_LIMIT;
  }

  /**
   * A size: a number of bytes with an optional binary unit ({@code k}/{@code KiB}, {@code M}/{@code
   * MiB}, {@code G}/{@code GiB}, {@code T}/{@code TiB}; all powers of 1024), or {@code unlimited}.
   */
  public static long parseSize(String text, String what) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.equals("unlimited") || t.equals("none")) {
      return Long.MAX_VALUE;
    }
    Matcher m = SIZE.matcher(t);
    if (!m.matches()) {
      throw new ReportException(
          what
              + " must be a size such as 64MiB, 500k, 2G, 0 or unlimited, not '"
              + text.trim()
              + "'");
    }
    int shift =
        switch (m.group(2).isEmpty() ? ' ' : m.group(2).charAt(0)) {
          case 'k' -> 10;
          case 'm' -> 20;
          case 'g' -> 30;
          case 't' -> 40;
          default -> 0;
        };
    try {
      long n = Long.parseLong(m.group(1));
      if (n > (Long.MAX_VALUE >> shift)) {
        return Long.MAX_VALUE;
      }
      return n << shift;
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }

  private static long size(Object content) {
    if (content instanceof byte[] b) {
      return b.length;
    }
    Path p = ((File) content).file();
    try {
      return Files.size(p);
    } catch (IOException e) {
      throw new ReportException("cannot read " + p + ": " + e.getMessage(), e);
    }
  }

  static String sha256(byte[] b) {
    return HexFormat.of().formatHex(digest().digest(b));
  }

  static String sha256(Path p) {
    MessageDigest d = digest();
    byte[] buf = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(p)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        d.update(buf, 0, n);
      }
    } catch (IOException e) {
      throw new ReportException("cannot read " + p + ": " + e.getMessage(), e);
    }
    return HexFormat.of().formatHex(d.digest());
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM lacks SHA-256", e);
    }
  }
}
