package org.mobilessh.evidence;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDateTime;
import java.util.HexFormat;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a BagIt bag (RFC 8493, version 1.0) as a zip: {@code bagit.txt}, {@code bag-info.txt}
 * (with {@code Payload-Oxum}), the payload under {@code data/}, {@code manifest-sha256.txt} and
 * {@code tagmanifest-sha256.txt}, all inside one base directory as the RFC's serialisation asks.
 *
 * <p>Deterministic: entries sorted by name, every entry dated with the same given local time (no
 * time zone conversion, no extra timestamp fields), no directory entries, one compression level.
 * The same inputs give the same bytes.
 */
public final class BagWriter {
  /** The manifest algorithm. */
  static final String ALGORITHM = "sha256";

  private BagWriter() {}

  /**
   * The bag's files by name (base directory included), in entry order.
   *
   * @param base the base directory name (one safe segment)
   * @param payload files by path relative to {@code data/}
   * @param info {@code bag-info.txt} fields in order ({@code Payload-Oxum} is added)
   * @throws EvidenceException if a name is unsafe
   */
  public static SortedMap<String, byte[]> files(
      String base, Map<String, byte[]> payload, Map<String, String> info) {
    if (base.contains("/") || BagPaths.problem(base).isPresent()) {
      throw new EvidenceException("unsafe bag base directory name: " + base);
    }
    SortedMap<String, byte[]> data = new TreeMap<>();
    long octets = 0;
    for (Map.Entry<String, byte[]> e : payload.entrySet()) {
      String name = "data/" + e.getKey();
      BagPaths.problem(e.getKey())
          .ifPresent(p -> fail("unsafe payload name " + e.getKey() + ": " + p));
      if (e.getKey().endsWith("/")) {
        fail("payload name " + e.getKey() + " is a directory");
      }
      if (data.put(name, e.getValue()) != null) {
        fail("duplicate payload name " + e.getKey());
      }
      octets += e.getValue().length;
    }
    SortedMap<String, String> sums = new TreeMap<>();
    data.forEach((k, v) -> sums.put(k, sha256(v)));
    SortedMap<String, byte[]> all = new TreeMap<>();
    for (Map.Entry<String, byte[]> e : data.entrySet()) {
      all.put(base + "/" + e.getKey(), e.getValue());
    }
    all.putAll(tags(base, sums, octets, info));
    return all;
  }

  /**
   * The bag's tag files by name (base directory included), for a payload given by the SHA-256 of
   * each file (names with {@code data/}) and the sum of their sizes.
   */
  static SortedMap<String, byte[]> tags(
      String base, SortedMap<String, String> payloadSha256, long octets, Map<String, String> info) {
    SortedMap<String, byte[]> tags = new TreeMap<>();
    tags.put("bagit.txt", utf8("BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"));
    StringBuilder bi = new StringBuilder();
    for (Map.Entry<String, String> e : info.entrySet()) {
      if (e.getKey().contains(":") || (e.getKey() + e.getValue()).matches("(?s).*[\r\n].*")) {
        fail("bag-info field " + e.getKey() + " has a colon in its name or a line break");
      }
      bi.append(e.getKey()).append(": ").append(e.getValue()).append('\n');
    }
    bi.append("Payload-Oxum: ")
        .append(octets)
        .append('.')
        .append(payloadSha256.size())
        .append('\n');
    tags.put("bag-info.txt", utf8(bi.toString()));
    tags.put("manifest-" + ALGORITHM + ".txt", manifestOf(payloadSha256));
    byte[] tagManifest = manifest(tags);
    SortedMap<String, byte[]> all = new TreeMap<>();
    for (Map.Entry<String, byte[]> e : tags.entrySet()) {
      all.put(base + "/" + e.getKey(), e.getValue());
    }
    all.put(base + "/tagmanifest-" + ALGORITHM + ".txt", tagManifest);
    return all;
  }

  /** The zip of {@link #files}, every entry dated {@code entryTime}. */
  public static byte[] zip(SortedMap<String, byte[]> files, LocalDateTime entryTime) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(bytes, StandardCharsets.UTF_8)) {
      z.setLevel(6);
      for (Map.Entry<String, byte[]> e : files.entrySet()) {
        ZipEntry entry = new ZipEntry(e.getKey());
        entry.setTimeLocal(entryTime);
        entry.setMethod(ZipEntry.DEFLATED);
        z.putNextEntry(entry);
        z.write(e.getValue());
        z.closeEntry();
      }
    } catch (IOException e) {
      throw new EvidenceException("cannot build zip: " + e.getMessage(), e);
    }
    return bytes.toByteArray();
  }

  /**
   * Writes {@code bytes} to {@code out} through a temporary file in the same directory, so a crash
   * never leaves a half-written bundle under the final name.
   */
  public static void writeAtomically(byte[] bytes, Path out) {
    Path dir = out.toAbsolutePath().getParent();
    try {
      Files.createDirectories(dir);
      // not createTempFile: its 0600 mode would stay on the bundle; CREATE_NEW gets the umask's
      Path tmp =
          dir.resolve("." + out.getFileName() + ".part-" + Long.toHexString(System.nanoTime()));
      try {
        try (OutputStream o =
            Files.newOutputStream(
                tmp,
                java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
          o.write(bytes);
        }
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new EvidenceException("cannot write " + out + ": " + e.getMessage(), e);
    }
  }

  static byte[] manifest(SortedMap<String, byte[]> files) {
    SortedMap<String, String> sums = new TreeMap<>();
    files.forEach((k, v) -> sums.put(k, sha256(v)));
    return manifestOf(sums);
  }

  /** A manifest from each file's SHA-256, by name. */
  static byte[] manifestOf(SortedMap<String, String> sha256) {
    StringBuilder b = new StringBuilder();
    for (Map.Entry<String, String> e : sha256.entrySet()) {
      b.append(e.getValue()).append("  ").append(BagPaths.encode(e.getKey())).append('\n');
    }
    return utf8(b.toString());
  }

  /**
   * Writes the zip of a bag whose entries are bytes or files ({@code byte[]} or {@link Path}
   * values), sorted by name and dated {@code entryTime} as {@link #zip} does, to {@code out}
   * through a temporary file in the same directory; files are streamed, never held.
   */
  static void zip(SortedMap<String, Object> entries, LocalDateTime entryTime, Path out) {
    zip(entries, entryTime, out, new java.util.concurrent.atomic.AtomicLong());
  }

  /** As {@link #zip(SortedMap, LocalDateTime, Path)}, adding the bytes zipped to {@code done}. */
  static void zip(
      SortedMap<String, Object> entries,
      LocalDateTime entryTime,
      Path out,
      java.util.concurrent.atomic.AtomicLong done) {
    Path dir = out.toAbsolutePath().getParent();
    try {
      Files.createDirectories(dir);
      Path tmp =
          dir.resolve("." + out.getFileName() + ".part-" + Long.toHexString(System.nanoTime()));
      try {
        try (OutputStream o =
                new java.io.BufferedOutputStream(
                    Files.newOutputStream(
                        tmp,
                        java.nio.file.StandardOpenOption.CREATE_NEW,
                        java.nio.file.StandardOpenOption.WRITE),
                    1 << 16);
            ZipOutputStream z = new ZipOutputStream(o, StandardCharsets.UTF_8)) {
          z.setLevel(6);
          for (Map.Entry<String, Object> e : entries.entrySet()) {
            ZipEntry entry = new ZipEntry(e.getKey());
            entry.setTimeLocal(entryTime);
            entry.setMethod(ZipEntry.DEFLATED);
            z.putNextEntry(entry);
            if (e.getValue() instanceof byte[] b) {
              z.write(b);
              done.addAndGet(b.length);
            } else {
              try (java.io.InputStream in = Files.newInputStream((Path) e.getValue())) {
                byte[] buf = new byte[1 << 16];
                for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                  z.write(buf, 0, n);
                  done.addAndGet(n);
                }
              }
            }
            z.closeEntry();
          }
        }
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new EvidenceException("cannot write " + out + ": " + e.getMessage(), e);
    }
  }

  /** Lower-case hex SHA-256. */
  public static String sha256(byte[] bytes) {
    return HexFormat.of().formatHex(digest().digest(bytes));
  }

  /** Lower-case hex SHA-256 of a file, read in blocks. */
  public static String sha256(Path file) {
    return sha256(file, new java.util.concurrent.atomic.AtomicLong());
  }

  /** As {@link #sha256(Path)}, adding the bytes read to {@code done}. */
  public static String sha256(Path file, java.util.concurrent.atomic.AtomicLong done) {
    MessageDigest md = digest();
    try (java.io.InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
        md.update(buf, 0, n);
        done.addAndGet(n);
      }
    } catch (IOException e) {
      throw new EvidenceException("cannot read " + file + ": " + e.getMessage(), e);
    }
    return HexFormat.of().formatHex(md.digest());
  }

  static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK always has SHA-256", e);
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void fail(String message) {
    throw new EvidenceException(message);
  }
}
