package org.mobilessh.audit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.mobilessh.index.StoredSnapshot;
import org.mobilessh.rules.Family;
import org.mobilessh.rules.RulesException;
import org.mobilessh.rules.SectionedFile;

/**
 * The ruleset one router had in force when a {@code rules snapshot} was taken.
 *
 * @param observer the router ({@code hostname:} header, or the ingest's host)
 * @param takenAt the snapshot's {@code timestamp:}
 * @param sha256 the snapshot's verified hash: its identity
 * @param sourcePath the file it was ingested from
 * @param backend the {@code backend:} header ({@code ""} when absent)
 * @param ipListTot xt_recent's {@code ip_list_tot} at the time, or {@code null} when unknown
 * @param listEntries per xt_recent list in the snapshot, how many addresses it held
 * @param ipv4 the IPv4 gate
 * @param ipv6 the IPv6 gate
 * @param parity the IPv4/IPv6 comparison
 */
public record RulesetInForce(
    String observer,
    Instant takenAt,
    String sha256,
    String sourcePath,
    String backend,
    Integer ipListTot,
    Map<String, Integer> listEntries,
    FamilyRuleset ipv4,
    FamilyRuleset ipv6,
    RulesetParity parity) {

  private static final String LIST_SECTION = "xt_recent ";

  public RulesetInForce {
    Objects.requireNonNull(observer, "observer");
    Objects.requireNonNull(takenAt, "takenAt");
    Objects.requireNonNull(sha256, "sha256");
    Objects.requireNonNull(sourcePath, "sourcePath");
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(ipv4, "ipv4");
    Objects.requireNonNull(ipv6, "ipv6");
    Objects.requireNonNull(parity, "parity");
    listEntries = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(listEntries));
  }

  public FamilyRuleset family(Family f) {
    return f == Family.IPV4 ? ipv4 : ipv6;
  }

  /** The reject counters of both families the snapshot could read. */
  public List<CounterSnapshot> rejectCounters() {
    List<CounterSnapshot> out = new ArrayList<>();
    for (FamilyRuleset f : List.of(ipv4, ipv6)) {
      if (f.rejectCounters() != null) {
        out.add(f.rejectCounters());
      }
    }
    return out;
  }

  /** A pointer to the snapshot file, as evidence for anomalies. */
  public SourceLine evidence() {
    return new SourceLine(sourcePath, 1, "rules snapshot " + takenAt + " sha256 " + sha256);
  }

  /**
   * Reads an ingested snapshot.
   *
   * @throws AuditException when the text is not a snapshot file or a section is not iptables-save
   *     output
   */
  public static RulesetInForce of(StoredSnapshot s) {
    SectionedFile file;
    try {
      file = SectionedFile.parse(s.text());
    } catch (RulesException e) {
      throw new AuditException("snapshot " + s.sourcePath() + ": " + e.getMessage());
    }
    Map<String, Integer> lists = new LinkedHashMap<>();
    file.sections()
        .forEach(
            (name, body) -> {
              if (name.startsWith(LIST_SECTION) && !body.strip().startsWith("# unavailable")) {
                lists.put(
                    name.substring(LIST_SECTION.length()),
                    (int) body.lines().filter(l -> l.startsWith("src=")).count());
              }
            });
    FamilyRuleset v4;
    FamilyRuleset v6;
    try {
      v4 = read(s, file, Family.IPV4);
      v6 = read(s, file, Family.IPV6);
    } catch (AuditException e) {
      throw new AuditException("snapshot " + s.sourcePath() + ": " + e.getMessage());
    }
    return new RulesetInForce(
        s.observer(),
        s.timestamp(),
        s.sha256(),
        s.sourcePath(),
        file.headers().getOrDefault("backend", ""),
        integer(file.headers().get("ip_list_tot")),
        lists,
        v4,
        v6,
        RulesetParity.of(v4, v6));
  }

  private static FamilyRuleset read(StoredSnapshot s, SectionedFile file, Family f) {
    return FamilyRuleset.read(
        s.observer(), f, s.timestamp(), file.sections().get(f.tool() + "-save -c"));
  }

  private static Integer integer(String v) {
    if (v == null) {
      return null;
    }
    try {
      return Integer.parseInt(v.strip());
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
