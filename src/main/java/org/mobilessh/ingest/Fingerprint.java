package org.mobilessh.ingest;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;

/** Content identity of a source: SHA-256 of its head, and matching a head against checkpoints. */
final class Fingerprint {
  /** How much of the head identifies a source. */
  static final int HEAD_BYTES = 4096;

  private Fingerprint() {}

  static String sha256(byte[] data, int length) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(data, 0, length);
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JRE has SHA-256", e);
    }
  }

  /**
   * The checkpoint of the source whose content starts with {@code head[0, headLength)}: the one
   * whose fingerprint covers the most bytes (a file that was short when last read has a shorter
   * fingerprint than it has now), then the furthest offset. {@code null} if none matches.
   */
  static Checkpoint match(byte[] head, int headLength, Collection<Checkpoint> checkpoints) {
    Checkpoint best = null;
    List<Checkpoint> candidates = new ArrayList<>();
    for (Checkpoint c : checkpoints) {
      if (c.fingerprintLength() > 0 && c.fingerprintLength() <= headLength) {
        candidates.add(c);
      }
    }
    for (Checkpoint c : candidates) {
      if (!sha256(head, c.fingerprintLength()).equals(c.fingerprint())) {
        continue;
      }
      if (best == null
          || c.fingerprintLength() > best.fingerprintLength()
          || (c.fingerprintLength() == best.fingerprintLength() && c.offset() > best.offset())) {
        best = c;
      }
    }
    return best;
  }
}
