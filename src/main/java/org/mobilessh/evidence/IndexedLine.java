package org.mobilessh.evidence;

import java.time.Instant;

/**
 * One indexed event as the evidence needs it: where its line is, what it says, and its identity.
 *
 * @param path {@code log.file.path}: the source file as ingest was given it
 * @param lineNumber {@code log.file.line}, 1-based
 * @param offset {@code log.offset}: byte offset of the line's first byte in the (decompressed)
 *     source
 * @param timestamp {@code @timestamp}
 * @param action {@code event.action}
 * @param dataset {@code event.dataset}: the source format
 * @param observer {@code observer.hostname}
 * @param hash {@code event.hash}: the 64-bit event identity, {@code null} if the index has none
 * @param original {@code event.original}: the line exactly as read
 */
public record IndexedLine(
    String path,
    long lineNumber,
    long offset,
    Instant timestamp,
    String action,
    String dataset,
    String observer,
    Long hash,
    String original) {

  /** The identity as 16 lower-case hex digits (unsigned), "" when unknown. */
  public String hashText() {
    return hash == null ? "" : String.format("%016x", hash);
  }
}
