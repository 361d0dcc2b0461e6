package org.mobilessh.evidence;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.mobilessh.rules.SectionedFile;
import org.mobilessh.rules.Snapshots;

/**
 * Checks a bag without trusting whoever wrote it: recomputes the SHA-256 of every file and compares
 * it with {@code manifest-sha256.txt} (payload) and {@code tagmanifest-sha256.txt} (tag files),
 * checks {@code bagit.txt} and {@code Payload-Oxum}, and refuses unsafe names, links and duplicate
 * entries. Reads a zip (as {@link BagWriter} writes it, or with the bag at the root) or a bag
 * unpacked into a directory. Nothing is extracted to disk.
 *
 * <p>Stricter than RFC 8493 where tampering could hide: checksums must be lower-case hex (as
 * written), and a file outside {@code data/} that no tag manifest lists counts as extra.
 */
public final class BagVerifier {
  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
  private static final String MANIFEST = "manifest-" + BagWriter.ALGORITHM + ".txt";
  private static final String TAG_MANIFEST = "tagmanifest-" + BagWriter.ALGORITHM + ".txt";

  /** What is wrong with one file (or with the bag as a whole). */
  public enum Kind {
    /** Its checksum differs from the manifest's. */
    ALTERED("altered"),
    /** A manifest lists it, the bag does not have it. */
    MISSING("missing"),
    /** The bag has it, no manifest lists it. */
    EXTRA("extra"),
    /** Its name or type is unsafe (path traversal, absolute, link, duplicate): not read. */
    REFUSED("refused"),
    /** The bag's structure is broken (no bagit.txt, a malformed manifest, a bad zip). */
    INVALID("invalid"),
    /**
     * The manifest signature ({@link ManifestSignature#FILE}) does not verify, or was not made by
     * the certificate the auditor trusts.
     */
    BAD_SIGNATURE("bad-signature");

    private final String label;

    Kind(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  /**
   * One finding.
   *
   * @param kind what is wrong
   * @param name the file's name inside the bag (as the zip or manifest spells it)
   * @param detail a sentence for people
   */
  public record Problem(Kind kind, String name, String detail) {
    @Override
    public String toString() {
      return kind.label() + ": " + name + ": " + detail;
    }
  }

  /**
   * The outcome.
   *
   * @param problems every finding, in name order within each kind's discovery
   * @param payloadFiles payload files the manifest lists
   * @param payloadBytes their bytes
   * @param signedBy the subject of the certificate whose valid signature covers the tag manifest,
   *     or {@code null} when the bag is not signed or the signature did not verify
   */
  public record Report(
      List<Problem> problems, int payloadFiles, long payloadBytes, String signedBy) {
    public Report {
      problems = List.copyOf(problems);
    }

    public Report(List<Problem> problems, int payloadFiles, long payloadBytes) {
      this(problems, payloadFiles, payloadBytes, null);
    }

    public boolean ok() {
      return problems.isEmpty();
    }
  }

  private record Content(String sha256, long size, byte[] bytes) {}

  private BagVerifier() {}

  private static boolean isSnapshot(byte[] b) {
    byte[] title = ("# " + Snapshots.TITLE + "\n").getBytes(StandardCharsets.UTF_8);
    return b.length >= title.length
        && java.util.Arrays.equals(b, 0, title.length, title, 0, title.length);
  }

  /**
   * Verifies the bag in {@code bundle}: a zip file, or a directory holding an unpacked bag.
   *
   * @throws EvidenceException if {@code bundle} cannot be read at all
   */
  public static Report verify(Path bundle) {
    return verify(bundle, null);
  }

  /**
   * Verifies the bag in {@code bundle}, and its manifest signature when it has one. With {@code
   * anchor}, the bag must be signed, by that certificate or one it issued directly.
   *
   * @throws EvidenceException if {@code bundle} cannot be read at all
   */
  public static Report verify(Path bundle, X509Certificate anchor) {
    List<Problem> problems = new ArrayList<>();
    Map<String, Content> files = new TreeMap<>();
    if (Files.isDirectory(bundle, LinkOption.NOFOLLOW_LINKS)) {
      readDirectory(bundle, files, problems);
    } else if (Files.isRegularFile(bundle, LinkOption.NOFOLLOW_LINKS)) {
      readZip(bundle, files, problems);
    } else if (Files.isSymbolicLink(bundle)) {
      throw new EvidenceException(bundle + " is a symbolic link; give the bundle itself");
    } else {
      throw new EvidenceException("no such file or directory: " + bundle);
    }
    return check(files, problems, anchor);
  }

  private static Report check(
      Map<String, Content> all, List<Problem> problems, X509Certificate anchor) {
    if (all.isEmpty() && !problems.isEmpty()) {
      // an unreadable zip: what it says is all there is to say
      return new Report(problems, 0, 0);
    }
    String base = base(all.keySet());
    if (base == null) {
      problems.add(
          new Problem(Kind.INVALID, "bagit.txt", "not found at the root or in one base directory"));
      return new Report(problems, 0, 0);
    }
    Map<String, Content> files = new TreeMap<>();
    for (Map.Entry<String, Content> e : all.entrySet()) {
      if (e.getKey().startsWith(base)) {
        files.put(e.getKey().substring(base.length()), e.getValue());
      } else {
        problems.add(new Problem(Kind.EXTRA, e.getKey(), "outside the bag's base directory"));
      }
    }
    checkBagitTxt(files.get("bagit.txt"), base, problems);
    Set<String> listed = new HashSet<>();
    listed.add("bagit.txt");
    listed.add(TAG_MANIFEST);
    for (String name : files.keySet()) {
      if (!name.contains("/")
          && name.startsWith("manifest-")
          && name.endsWith(".txt")
          && !name.equals(MANIFEST)) {
        problems.add(
            new Problem(
                Kind.INVALID, base + name, "only sha256 manifests are supported; not checked"));
        listed.add(name);
      }
    }
    Map<String, String> payload = new LinkedHashMap<>();
    Content manifest = files.get(MANIFEST);
    if (manifest == null) {
      problems.add(new Problem(Kind.MISSING, base + MANIFEST, "the payload manifest is missing"));
    } else {
      payload = parse(base, MANIFEST, manifest, problems);
    }
    long bytes = 0;
    for (Map.Entry<String, String> e : payload.entrySet()) {
      String name = e.getKey();
      if (!name.startsWith("data/")) {
        problems.add(new Problem(Kind.INVALID, base + name, MANIFEST + " lists it outside data/"));
        continue;
      }
      listed.add(name);
      bytes += compare(base, name, e.getValue(), files.get(name), MANIFEST, problems);
    }
    // a ruleset snapshot also carries its own hash: check it, so a snapshot changed before it was
    // bundled (manifest and file agreeing) is caught too
    for (String name : payload.keySet()) {
      Content c = files.get(name);
      if (name.startsWith("data/snapshots/") && c != null && isSnapshot(c.bytes())) {
        SectionedFile.Verification v = SectionedFile.verify(c.bytes());
        if (!v.ok()) {
          problems.add(new Problem(Kind.INVALID, base + name, "ruleset snapshot: " + v.problem()));
        }
      }
    }
    Content tags = files.get(TAG_MANIFEST);
    if (tags == null) {
      problems.add(new Problem(Kind.MISSING, base + TAG_MANIFEST, "the tag manifest is missing"));
    } else {
      for (Map.Entry<String, String> e : parse(base, TAG_MANIFEST, tags, problems).entrySet()) {
        if (e.getKey().startsWith("data/")) {
          problems.add(
              new Problem(Kind.INVALID, base + e.getKey(), TAG_MANIFEST + " lists a payload file"));
          continue;
        }
        listed.add(e.getKey());
        compare(base, e.getKey(), e.getValue(), files.get(e.getKey()), TAG_MANIFEST, problems);
      }
    }
    // the signature cannot list itself in the tag manifest it signs: it is checked instead
    String signedBy = null;
    Content signature = files.get(ManifestSignature.FILE);
    if (signature != null) {
      listed.add(ManifestSignature.FILE);
      if (tags != null) {
        ManifestSignature.Verification v =
            ManifestSignature.verify(tags.bytes(), signature.bytes(), anchor);
        if (v.ok()) {
          signedBy = v.signer();
        } else {
          problems.add(new Problem(Kind.BAD_SIGNATURE, base + ManifestSignature.FILE, v.problem()));
        }
      }
    } else if (anchor != null) {
      problems.add(
          new Problem(
              Kind.MISSING,
              base + ManifestSignature.FILE,
              "a signing certificate was given, but the bag is not signed"));
    }
    for (String name : files.keySet()) {
      if (!listed.contains(name)) {
        problems.add(
            new Problem(
                Kind.EXTRA,
                base + name,
                name.startsWith("data/")
                    ? "not in " + MANIFEST
                    : "a tag file not in " + TAG_MANIFEST));
      }
    }
    checkOxum(files.get("bag-info.txt"), base, bytes, payload.size(), problems);
    return new Report(problems, payload.size(), bytes, signedBy);
  }

  private static long compare(
      String base,
      String name,
      String expected,
      Content actual,
      String manifest,
      List<Problem> problems) {
    if (actual == null) {
      problems.add(new Problem(Kind.MISSING, base + name, "listed in " + manifest));
      return 0;
    }
    if (!actual.sha256().equals(expected)) {
      problems.add(
          new Problem(
              Kind.ALTERED,
              base + name,
              "SHA-256 "
                  + actual.sha256()
                  + " but "
                  + manifest
                  + " says "
                  + expected
                  + " (the file or the manifest was changed)"));
    }
    return actual.size();
  }

  /** {@code path -> checksum}; malformed lines and duplicates become problems. */
  private static Map<String, String> parse(
      String base, String manifestName, Content manifest, List<Problem> problems) {
    Map<String, String> out = new LinkedHashMap<>();
    String text = new String(manifest.bytes(), StandardCharsets.UTF_8);
    if (!text.isEmpty() && !text.endsWith("\n")) {
      problems.add(
          new Problem(Kind.INVALID, base + manifestName, "does not end with a line break"));
    }
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.isEmpty() && i == lines.length - 1) {
        break;
      }
      String where = "line " + (i + 1) + ": ";
      int sp = line.indexOf(' ');
      if (sp < 0) {
        problems.add(new Problem(Kind.INVALID, base + manifestName, where + "no checksum/path"));
        continue;
      }
      String sum = line.substring(0, sp);
      String path = BagPaths.decode(line.substring(sp).replaceFirst("^[ \t]+", ""));
      if (!HEX64.matcher(sum).matches()) {
        problems.add(
            new Problem(
                Kind.INVALID, base + manifestName, where + "not a lower-case hex SHA-256: " + sum));
        continue;
      }
      var unsafe = BagPaths.problem(path);
      if (unsafe.isPresent()) {
        problems.add(
            new Problem(Kind.REFUSED, path, "named in " + manifestName + ": " + unsafe.get()));
        continue;
      }
      if (out.put(path, sum) != null) {
        problems.add(
            new Problem(Kind.INVALID, base + path, manifestName + " lists it more than once"));
      }
    }
    return out;
  }

  private static void checkBagitTxt(Content bagit, String base, List<Problem> problems) {
    String text = bagit == null ? "" : new String(bagit.bytes(), StandardCharsets.UTF_8);
    if (!text.matches(
        "(?s)BagIt-Version: (1\\.0|0\\.97)\r?\nTag-File-Character-Encoding: UTF-8\r?\n")) {
      problems.add(
          new Problem(
              Kind.INVALID,
              base + "bagit.txt",
              "expected 'BagIt-Version: 1.0' and 'Tag-File-Character-Encoding: UTF-8'"));
    }
  }

  private static void checkOxum(
      Content info, String base, long bytes, int count, List<Problem> problems) {
    if (info == null) {
      return;
    }
    for (String line : new String(info.bytes(), StandardCharsets.UTF_8).split("\r?\n")) {
      if (line.startsWith("Payload-Oxum:")) {
        String want = bytes + "." + count;
        String got = line.substring("Payload-Oxum:".length()).trim();
        if (!got.equals(want)) {
          problems.add(
              new Problem(
                  Kind.INVALID,
                  base + "bag-info.txt",
                  "Payload-Oxum " + got + " but the manifest's files make " + want));
        }
      }
    }
  }

  /** "" when bagit.txt is at the root, "X/" when everything is in one directory X, else null. */
  private static String base(Set<String> names) {
    if (names.contains("bagit.txt")) {
      return "";
    }
    String base = null;
    for (String n : names) {
      int slash = n.indexOf('/');
      String first = slash < 0 ? "" : n.substring(0, slash + 1);
      if (first.isEmpty() || (base != null && !base.equals(first))) {
        return null;
      }
      base = first;
    }
    return base != null && names.contains(base + "bagit.txt") ? base : null;
  }

  private static void readDirectory(Path dir, Map<String, Content> files, List<Problem> problems) {
    try {
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              String name = name(dir, file);
              if (attrs.isSymbolicLink()) {
                problems.add(new Problem(Kind.REFUSED, name, "a symbolic link"));
              } else if (!attrs.isRegularFile()) {
                problems.add(new Problem(Kind.REFUSED, name, "not a regular file"));
              } else {
                try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
                  files.put(name, read(name, in));
                }
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
              if (attrs.isSymbolicLink()) {
                problems.add(new Problem(Kind.REFUSED, name(dir, d), "a symbolic link"));
                return FileVisitResult.SKIP_SUBTREE;
              }
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new EvidenceException("cannot read " + dir + ": " + e.getMessage(), e);
    }
  }

  private static String name(Path root, Path p) {
    return root.relativize(p).toString().replace(java.io.File.separatorChar, '/');
  }

  private static void readZip(Path zip, Map<String, Content> files, List<Problem> problems) {
    Map<String, Boolean> central = centralDirectory(zip, problems);
    if (central == null) {
      return;
    }
    Set<String> seen = new HashSet<>();
    try (ZipInputStream in =
        new ZipInputStream(Files.newInputStream(zip), StandardCharsets.UTF_8)) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        String name = e.getName();
        if (!seen.add(name)) {
          problems.add(new Problem(Kind.REFUSED, name, "a second zip entry of that name"));
          continue;
        }
        var unsafe = BagPaths.problem(name);
        if (unsafe.isPresent()) {
          problems.add(new Problem(Kind.REFUSED, name, unsafe.get()));
          continue;
        }
        if (Boolean.TRUE.equals(central.get(name))) {
          problems.add(new Problem(Kind.REFUSED, name, "a symbolic link"));
          continue;
        }
        if (!central.containsKey(name)) {
          problems.add(
              new Problem(
                  Kind.REFUSED, name, "not in the zip's central directory (a hidden entry)"));
          continue;
        }
        if (e.isDirectory()) {
          continue;
        }
        files.put(name, read(name, in));
      }
    } catch (IOException e) {
      problems.add(new Problem(Kind.INVALID, zip.toString(), "corrupt zip: " + e.getMessage()));
      return;
    }
    for (String name : central.keySet()) {
      if (!seen.contains(name)) {
        problems.add(
            new Problem(Kind.REFUSED, name, "in the central directory but has no local entry"));
      }
    }
  }

  private static Content read(String name, InputStream in) throws IOException {
    MessageDigest d = BagWriter.digest();
    // tag files are parsed, ruleset snapshots have their own hash checked; other payload files
    // are only hashed, so their bytes are not kept
    boolean keep =
        !name.contains("/")
            || name.indexOf('/') == name.lastIndexOf('/')
                && !name.contains("/data/")
                && !name.startsWith("data/")
            || name.contains("data/snapshots/");
    java.io.ByteArrayOutputStream kept = keep ? new java.io.ByteArrayOutputStream() : null;
    byte[] buf = new byte[65536];
    long size = 0;
    for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
      d.update(buf, 0, n);
      size += n;
      if (kept != null) {
        kept.write(buf, 0, n);
      }
    }
    return new Content(
        HexFormat.of().formatHex(d.digest()), size, kept == null ? null : kept.toByteArray());
  }

  /**
   * The zip's central directory: every name, and whether its Unix mode says symbolic link. Null
   * (with a problem) when it cannot be read.
   */
  private static Map<String, Boolean> centralDirectory(Path zip, List<Problem> problems) {
    try (FileChannel ch = FileChannel.open(zip, StandardOpenOption.READ)) {
      long size = ch.size();
      int tail = (int) Math.min(size, 22 + 65535);
      ByteBuffer end = ByteBuffer.allocate(tail).order(ByteOrder.LITTLE_ENDIAN);
      ch.read(end, size - tail);
      int eocd = -1;
      for (int i = tail - 22; i >= 0; i--) {
        if (end.getInt(i) == 0x06054b50) {
          eocd = i;
          break;
        }
      }
      if (eocd < 0) {
        problems.add(new Problem(Kind.INVALID, zip.toString(), "not a zip file"));
        return null;
      }
      long cdSize = end.getInt(eocd + 12) & 0xffffffffL;
      long cdOffset = end.getInt(eocd + 16) & 0xffffffffL;
      if (cdOffset == 0xffffffffL || cdSize == 0xffffffffL || cdOffset + cdSize > size) {
        problems.add(
            new Problem(Kind.INVALID, zip.toString(), "zip64 or a broken central directory"));
        return null;
      }
      ByteBuffer cd = ByteBuffer.allocate((int) cdSize).order(ByteOrder.LITTLE_ENDIAN);
      ch.read(cd, cdOffset);
      Map<String, Boolean> out = new LinkedHashMap<>();
      int p = 0;
      while (p + 46 <= cdSize && cd.getInt(p) == 0x02014b50) {
        int madeBy = cd.getShort(p + 4) & 0xffff;
        int nameLen = cd.getShort(p + 28) & 0xffff;
        int extraLen = cd.getShort(p + 30) & 0xffff;
        int commentLen = cd.getShort(p + 32) & 0xffff;
        long external = cd.getInt(p + 38) & 0xffffffffL;
        byte[] nameBytes = new byte[nameLen];
        cd.get(p + 46, nameBytes);
        String name = new String(nameBytes, StandardCharsets.UTF_8);
        boolean unix = (madeBy >> 8) == 3;
        boolean link = unix && ((external >>> 16) & 0170000) == 0120000;
        out.put(name, link || Boolean.TRUE.equals(out.get(name)));
        p += 46 + nameLen + extraLen + commentLen;
      }
      return out;
    } catch (IOException | RuntimeException e) {
      problems.add(new Problem(Kind.INVALID, zip.toString(), "unreadable zip: " + e.getMessage()));
      return null;
    }
  }
}
