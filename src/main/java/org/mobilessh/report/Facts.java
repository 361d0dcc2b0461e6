package org.mobilessh.report;

import java.util.List;
import java.util.Map;
import org.mobilessh.audit.RejectTotals;
import org.mobilessh.audit.RulesetHistory;

/**
 * What the index says about its own coverage, next to the events: the sources the ingest stage
 * checkpointed, quarantined lines by reason, the counts of the search queries that reproduce the
 * report's figures, and the ruleset snapshots ingested.
 *
 * @param sources one per ingested source (from the index's commit data)
 * @param quarantinedByReason quarantined lines in the whole index, by reason code
 * @param queryCounts {@code mobilessh search} query text to its count over the index
 * @param rulesets the {@code rules snapshot} files ingested up to the end of the month (and its
 *     lookback), read by the audit stage
 * @param rejectTotals exact reject counts between consecutive snapshots, each beside the reject
 *     lines the index holds for the same stretch ({@link ReportModel.Queries#rejectStretch})
 */
public record Facts(
    List<IngestedSource> sources,
    Map<String, Long> quarantinedByReason,
    Map<String, Long> queryCounts,
    RulesetHistory rulesets,
    List<RejectTotals> rejectTotals) {
  public Facts {
    sources = List.copyOf(sources);
    quarantinedByReason = Map.copyOf(quarantinedByReason);
    queryCounts = Map.copyOf(queryCounts);
    rulesets = rulesets == null ? RulesetHistory.of(List.of()) : rulesets;
    rejectTotals = List.copyOf(rejectTotals);
  }

  /**
   * One source as the ingest stage's checkpoint remembers it.
   *
   * @param path where it was last read from
   * @param headSha256 SHA-256 of its first {@code headBytes} bytes (the ingest fingerprint)
   * @param headBytes bytes the fingerprint covers
   * @param lines lines read
   * @param bytes bytes read (decompressed)
   * @param sha256 SHA-256 of those {@code bytes} bytes as the file at {@code path} holds them when
   *     the report is made, or {@code ""} when it cannot be had (see {@code sha256Note})
   * @param sha256Note why there is no {@code sha256}: {@code missing} (no file at the path), {@code
   *     changed} (its head no longer matches the fingerprint: rotated or rewritten), {@code short}
   *     (shorter than what was read), {@code unreadable}; {@code ""} when there is one
   */
  public record IngestedSource(
      String path,
      String headSha256,
      int headBytes,
      long lines,
      long bytes,
      String sha256,
      String sha256Note) {}
}
