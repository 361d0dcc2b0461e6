package org.mobilessh.ingest;

import java.util.Map;
import java.util.TreeMap;

/**
 * How far one source has been read. A source is identified by its content, not its name, because
 * rotation renames files and compresses them: {@link #fingerprint()} is the SHA-256 of the first
 * {@link #fingerprintLength()} bytes of its (decompressed) content.
 *
 * @param fingerprint lowercase hex SHA-256 of the head
 * @param fingerprintLength how many bytes the fingerprint covers (at most {@link
 *     Fingerprint#HEAD_BYTES}; less for a file that was shorter then)
 * @param offset byte offset (in the decompressed content) after the last consumed line
 * @param lineNumber number of the last consumed line
 * @param inode the file's inode when it was read, or -1 (stdin, unknown)
 * @param year for traditional syslog, the year of the line at {@code offset}; 0 if not applicable
 * @param path where it was last read from, for people
 */
public record Checkpoint(
    String fingerprint,
    int fingerprintLength,
    long offset,
    long lineNumber,
    long inode,
    int year,
    String path) {

  /** Prefix of the commit user data keys the ingest stage owns. */
  public static final String KEY_PREFIX = "ingest.source.";

  /** The commit user data key. */
  public String key() {
    return KEY_PREFIX + fingerprint;
  }

  /** The commit user data value. */
  public String value() {
    return "len="
        + fingerprintLength
        + ";off="
        + offset
        + ";line="
        + lineNumber
        + ";ino="
        + inode
        + ";year="
        + year
        + ";path="
        + path;
  }

  /** Reads a checkpoint back from a commit user data entry; {@code null} if it is not one. */
  public static Checkpoint parse(String key, String value) {
    if (!key.startsWith(KEY_PREFIX) || value == null) {
      return null;
    }
    Map<String, String> f = new TreeMap<>();
    int pathAt = value.indexOf(";path=");
    String path = pathAt < 0 ? "" : value.substring(pathAt + 6);
    String head = pathAt < 0 ? value : value.substring(0, pathAt);
    for (String part : head.split(";")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        f.put(part.substring(0, eq), part.substring(eq + 1));
      }
    }
    try {
      return new Checkpoint(
          key.substring(KEY_PREFIX.length()),
          Integer.parseInt(f.get("len")),
          Long.parseLong(f.get("off")),
          Long.parseLong(f.get("line")),
          Long.parseLong(f.getOrDefault("ino", "-1")),
          Integer.parseInt(f.getOrDefault("year", "0")),
          path);
    } catch (RuntimeException e) {
      return null; // a damaged entry means "read from the start": the index dedupes anyway
    }
  }
}
