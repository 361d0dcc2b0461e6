package org.mobilessh.report;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;
import org.mobilessh.ingest.Checkpoint;

/**
 * The SHA-256 of the bytes ingest read from a source, recomputed from the file at its path: the
 * checkpoint keeps only a fingerprint of the head (how ingest recognises a rotated file), so the
 * report hashes the first {@code offset} (decompressed) bytes itself, after checking that the file
 * still starts with the fingerprinted head. Streamed: memory does not grow with the file.
 */
final class SourceHash {
  private SourceHash() {}

  /** {@code [sha256, ""]}, or {@code ["", reason]} ({@code missing|changed|short|unreadable}). */
  static String[] of(Checkpoint c) {
    Path p = Path.of(c.path());
    if (c.path().isEmpty() || c.path().equals("-") || !Files.isRegularFile(p)) {
      return new String[] {"", "missing"};
    }
    try (InputStream in = open(p)) {
      MessageDigest head = MessageDigest.getInstance("SHA-256");
      MessageDigest all = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      long want = c.offset();
      long done = 0;
      while (done < want) {
        int n = in.read(buf, 0, (int) Math.min(buf.length, want - done));
        if (n < 0) {
          break;
        }
        if (done < c.fingerprintLength()) {
          head.update(buf, 0, (int) Math.min(n, c.fingerprintLength() - done));
        }
        all.update(buf, 0, n);
        done += n;
      }
      if (done < c.fingerprintLength()
          || !HexFormat.of().formatHex(head.digest()).equals(c.fingerprint())) {
        return new String[] {"", "changed"};
      }
      if (done < want) {
        return new String[] {"", "short"};
      }
      return new String[] {HexFormat.of().formatHex(all.digest()), ""};
    } catch (IOException e) {
      return new String[] {"", "unreadable"};
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }

  private static InputStream open(Path p) throws IOException {
    InputStream in = new BufferedInputStream(Files.newInputStream(p), 1 << 16);
    in.mark(2);
    int a = in.read();
    int b = in.read();
    in.reset();
    // gzip by content, as ingest decides, not by name
    return a == 0x1f && b == 0x8b ? new GZIPInputStream(in, 1 << 16) : in;
  }
}
