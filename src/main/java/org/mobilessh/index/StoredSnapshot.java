package org.mobilessh.index;

import java.time.Instant;
import java.util.Objects;

/**
 * A {@code rules snapshot} file as the index keeps it: verified, whole.
 *
 * @param sha256 the file's recorded (and verified) SHA-256, its identity in the index
 * @param timestamp its {@code timestamp:} header
 * @param observer the router: its {@code hostname:} header, or the ingest's host
 * @param sourcePath the file it was read from
 * @param text the whole file, hash line included
 */
public record StoredSnapshot(
    String sha256, Instant timestamp, String observer, String sourcePath, String text) {
  public StoredSnapshot {
    Objects.requireNonNull(sha256, "sha256");
    Objects.requireNonNull(timestamp, "timestamp");
    Objects.requireNonNull(observer, "observer");
    Objects.requireNonNull(sourcePath, "sourcePath");
    Objects.requireNonNull(text, "text");
  }
}
