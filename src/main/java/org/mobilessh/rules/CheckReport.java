package org.mobilessh.rules;

import java.util.List;

/**
 * Everything {@code rules check} found.
 *
 * @param findings in the order they were checked
 * @param ipListTot {@code /sys/module/xt_recent/parameters/ip_list_tot}, or -1 if unreadable
 */
public record CheckReport(List<Finding> findings, int ipListTot) {
  public CheckReport {
    findings = List.copyOf(findings);
  }

  /** Sound: no finding is a FAIL (WARNs are advice). */
  public boolean sound() {
    return findings.stream().noneMatch(f -> f.level() == Finding.Level.FAIL);
  }

  public List<Finding> failures() {
    return findings.stream().filter(f -> f.level() == Finding.Level.FAIL).toList();
  }
}
