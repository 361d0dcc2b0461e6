package org.mobilessh.report;

import java.util.List;
import java.util.Map;

/**
 * What the index says about its own coverage, next to the events: the sources the ingest stage
 * checkpointed, quarantined lines by reason, and the counts of the search queries that reproduce
 * the report's figures.
 *
 * @param sources one per ingested source (from the index's commit data)
 * @param quarantinedByReason quarantined lines in the whole index, by reason code
 * @param queryCounts {@code mobilessh search} query text to its count over the index
 */
public record Facts(
    List<IngestedSource> sources,
    Map<String, Long> quarantinedByReason,
    Map<String, Long> queryCounts) {
  public Facts {
    sources = List.copyOf(sources);
    quarantinedByReason = Map.copyOf(quarantinedByReason);
    queryCounts = Map.copyOf(queryCounts);
  }

  /**
   * One source as the ingest stage's checkpoint remembers it.
   *
   * @param path where it was last read from
   * @param headSha256 SHA-256 of its first {@code headBytes} bytes (the ingest fingerprint, not a
   *     hash of the whole file)
   * @param headBytes bytes the fingerprint covers
   * @param lines lines read
   * @param bytes bytes read (decompressed)
   */
  public record IngestedSource(
      String path, String headSha256, int headBytes, long lines, long bytes) {}
}
