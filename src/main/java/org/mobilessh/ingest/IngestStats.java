package org.mobilessh.ingest;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import org.mobilessh.parse.Action;
import org.mobilessh.parse.SkipReason;

/** What one ingest run did, counted; filled in by {@link Ingester}, printed by the command. */
public final class IngestStats {
  long files;
  long emptyFiles;
  long snapshots;
  long unreadableFiles;
  long resumedFiles;
  long linesRead;
  long eventsIndexed;
  long duplicates;
  long bytesRead;
  long ambiguousDstTimes;
  long crOnlyLines;
  long heldBackLines;
  long recoveredAfterNul;
  long elapsedNanos;
  // by Action.ordinal(): counted per event, so no boxed Long per increment
  final long[] indexedByAction = new long[Action.values().length];
  final Map<SkipReason, Long> skipped = new EnumMap<>(SkipReason.class);
  final Map<String, Long> quarantined = new TreeMap<>();

  /** Files (and stdin) opened. */
  public long files() {
    return files;
  }

  /** {@code rules snapshot} files verified and stored (a file stored before counts again). */
  public long snapshots() {
    return snapshots;
  }

  public long emptyFiles() {
    return emptyFiles;
  }

  /** Inputs that could not be opened or read (an I/O failure). */
  public long unreadableFiles() {
    return unreadableFiles;
  }

  /** Inputs recognised from a checkpoint and read from where the last run stopped. */
  public long resumedFiles() {
    return resumedFiles;
  }

  /** Lines read in this run (lines before a checkpoint are not read again). */
  public long linesRead() {
    return linesRead;
  }

  /** New events added to the index. */
  public long eventsIndexed() {
    return eventsIndexed;
  }

  /** Events the index already had (same event from another source or an earlier run). */
  public long duplicates() {
    return duplicates;
  }

  /** Decompressed bytes read. */
  public long bytesRead() {
    return bytesRead;
  }

  /** Syslog times inside a DST fall-back hour (the offset is a guess from the line order). */
  public long ambiguousDstTimes() {
    return ambiguousDstTimes;
  }

  /** Lines that ended in a bare CR (split there and parsed like any other line). */
  public long crOnlyLines() {
    return crOnlyLines;
  }

  /** Unterminated last lines of growing files, left for the next run. */
  public long heldBackLines() {
    return heldBackLines;
  }

  /** Text after a run of NUL bytes that was parsed on its own. */
  public long recoveredAfterNul() {
    return recoveredAfterNul;
  }

  public long elapsedNanos() {
    return elapsedNanos;
  }

  public Map<Action, Long> indexedByAction() {
    Map<Action, Long> m = new EnumMap<>(Action.class);
    for (Action a : Action.values()) {
      if (indexedByAction[a.ordinal()] > 0) {
        m.put(a, indexedByAction[a.ordinal()]);
      }
    }
    return Collections.unmodifiableMap(m);
  }

  public Map<SkipReason, Long> skipped() {
    return Collections.unmodifiableMap(skipped);
  }

  /** Quarantined lines by reason code. */
  public Map<String, Long> quarantined() {
    return Collections.unmodifiableMap(quarantined);
  }

  public long quarantinedTotal() {
    return quarantined.values().stream().mapToLong(Long::longValue).sum();
  }

  public long skippedTotal() {
    return skipped.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Lines per second over the whole run. */
  public double linesPerSecond() {
    return elapsedNanos <= 0 ? 0 : linesRead * 1e9 / elapsedNanos;
  }
}
