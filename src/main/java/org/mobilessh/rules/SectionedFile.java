package org.mobilessh.rules;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The text format of snapshots and install backups: a title line ({@code # mobilessh snapshot v1}),
 * {@code key: value} header lines, sections each opened by a line {@code --- NAME} and holding tool
 * output verbatim, and a last line {@code sha256: HEX} over every byte before it, so {@code head -n
 * -1 FILE | sha256sum} verifies a file without mobilessh.
 *
 * @param title the first line without its {@code "# "}
 * @param headers header lines in order
 * @param sections section name to body (each body ends with a newline)
 */
public record SectionedFile(
    String title, Map<String, String> headers, Map<String, String> sections) {
  public static final String SECTION_MARK = "--- ";
  public static final String HASH_KEY = "sha256: ";
  private static final Pattern KEY = Pattern.compile("[a-z0-9_]+");

  public SectionedFile {
    headers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    sections = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(sections));
  }

  /** The file's text, hash line included. */
  public String text() {
    StringBuilder out = new StringBuilder();
    out.append("# ").append(title).append('\n');
    headers.forEach(
        (k, v) -> {
          if (!KEY.matcher(k).matches() || v.contains("\n")) {
            throw new IllegalArgumentException("bad header " + k + ": " + v);
          }
          out.append(k).append(": ").append(v).append('\n');
        });
    sections.forEach(
        (name, body) -> {
          out.append(SECTION_MARK).append(name).append('\n');
          for (String line : body.split("\n", -1)) {
            // A body line that looks like a section mark or the hash line would make the file
            // ambiguous; iptables-save and /proc/net/xt_recent never print one.
            if (line.startsWith(SECTION_MARK) || line.startsWith(HASH_KEY)) {
              throw new RulesException("refusing to record a line that looks like a mark: " + line);
            }
          }
          out.append(body);
          if (!body.isEmpty() && !body.endsWith("\n")) {
            out.append('\n');
          }
        });
    String content = out.toString();
    return content + HASH_KEY + sha256(content) + "\n";
  }

  /** Writes the file atomically: a temporary file in the same directory, then a rename. */
  public void write(Path file) {
    Path target = file.toAbsolutePath();
    try {
      Files.createDirectories(target.getParent());
      Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
      try {
        Files.writeString(tmp, text(), StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
          ch.force(true);
        }
        try {
          Files.move(
              tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new RulesException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /** The outcome of {@link #verify}. */
  public record Verification(boolean ok, String expected, String actual, String problem) {}

  /** Recomputes the hash of a file's bytes before its last line and compares. */
  public static Verification verify(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new RulesException("cannot read " + file + ": " + e.getMessage(), e);
    }
    return verify(bytes);
  }

  /** Recomputes the hash of a file's bytes before its last line and compares. */
  public static Verification verify(byte[] bytes) {
    int end = bytes.length;
    if (end == 0 || bytes[end - 1] != '\n') {
      return new Verification(false, "", "", "file does not end with a newline (truncated?)");
    }
    int start = end - 1;
    while (start > 0 && bytes[start - 1] != '\n') {
      start--;
    }
    String last = new String(bytes, start, end - 1 - start, StandardCharsets.UTF_8);
    if (!last.startsWith(HASH_KEY)) {
      return new Verification(false, "", "", "last line is not 'sha256: HEX' (truncated?)");
    }
    String recorded = last.substring(HASH_KEY.length()).trim();
    String actual = sha256(bytes, start);
    boolean ok = MessageDigest.isEqual(recorded.getBytes(), actual.getBytes());
    return new Verification(
        ok,
        recorded,
        actual,
        ok ? "" : "sha256 mismatch: the file was changed after it was written");
  }

  /** Parses a file written by {@link #text}; the hash is not checked here (see {@link #verify}). */
  public static SectionedFile parse(String text) {
    List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
    if (lines.isEmpty() || !lines.get(0).startsWith("# ")) {
      throw new RulesException("not a mobilessh file: first line must start with '# '");
    }
    String title = lines.get(0).substring(2);
    Map<String, String> headers = new LinkedHashMap<>();
    Map<String, String> sections = new LinkedHashMap<>();
    String section = null;
    StringBuilder body = new StringBuilder();
    for (int i = 1; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.startsWith(HASH_KEY) || (line.isEmpty() && i == lines.size() - 1)) {
        continue;
      }
      if (line.startsWith(SECTION_MARK)) {
        if (section != null) {
          sections.put(section, body.toString());
        }
        section = line.substring(SECTION_MARK.length());
        body.setLength(0);
      } else if (section == null) {
        int colon = line.indexOf(": ");
        if (colon < 0) {
          throw new RulesException("header line " + (i + 1) + " is not 'key: value': " + line);
        }
        headers.put(line.substring(0, colon), line.substring(colon + 2));
      } else {
        body.append(line).append('\n');
      }
    }
    if (section != null) {
      sections.put(section, body.toString());
    }
    return new SectionedFile(title, headers, sections);
  }

  static String sha256(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    return sha256(bytes, bytes.length);
  }

  private static String sha256(byte[] bytes, int length) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(bytes, 0, length);
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }
}
