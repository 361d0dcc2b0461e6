package org.mobilessh.rules;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code rules snapshot}: records the evidence a log cannot give — exact rule counters (LOG lines
 * are rate-limited, counters are not) and the xt_recent list contents — in a {@link SectionedFile}
 * titled {@value #TITLE}, with a SHA-256 so an auditor can tell whether it was changed.
 *
 * <p>Headers: {@code timestamp} (UTC, microseconds), {@code hostname}, {@code netns} ({@code -} for
 * the host), {@code backend}, {@code ip_list_tot}. Sections: {@code iptables-save -c}, {@code
 * ip6tables-save -c} and one {@code xt_recent NAME} per list, each holding the tool's output or the
 * file's contents verbatim; a family whose tools are missing or fail has a section holding one
 * {@code # unavailable: REASON} comment line instead.
 */
public final class Snapshots {
  public static final String TITLE = "mobilessh snapshot v1";
  static final String XT_RECENT_DIR = "/proc/net/xt_recent";
  private static final Pattern LIST_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,31}");

  private Snapshots() {}

  /** Takes a snapshot of where {@code netfilter} acts. */
  public static SectionedFile take(Netfilter netfilter, Clock clock) {
    Instant now = Timestamps.now(clock);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("timestamp", Timestamps.iso(now));
    headers.put("hostname", hostname());
    headers.put("netns", netfilter.runner().netns().orElse("-"));
    headers.put("backend", netfilter.backend().label());
    headers.put(
        "ip_list_tot",
        LiveCheck.ipListTot().stream().mapToObj(Integer::toString).findFirst().orElse("unknown"));
    Map<String, String> sections = new LinkedHashMap<>();
    int saved = 0;
    for (Family family : Family.values()) {
      String body;
      try {
        body = netfilter.save(family, true);
        saved++;
      } catch (RulesException e) {
        body = "# unavailable: " + e.getMessage().replace('\n', ' ') + "\n";
      }
      sections.put(family.tool() + "-save -c", body);
    }
    if (saved == 0) {
      throw new RulesException(
          "neither iptables-save nor ip6tables-save worked in "
              + netfilter.where()
              + ": "
              + sections.values().iterator().next().strip());
    }
    for (String list : netfilter.listProcDir(XT_RECENT_DIR)) {
      if (!LIST_NAME.matcher(list).matches()) {
        continue;
      }
      String contents =
          netfilter
              .readProcFile(XT_RECENT_DIR + "/" + list)
              .orElse("# unavailable: cannot read " + XT_RECENT_DIR + "/" + list + "\n");
      sections.put("xt_recent " + list, contents);
    }
    return new SectionedFile(TITLE, headers, sections);
  }

  private static String hostname() {
    try {
      return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
