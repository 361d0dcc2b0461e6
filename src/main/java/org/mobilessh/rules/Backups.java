package org.mobilessh.rules;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keeps the {@code iptables-save}/{@code ip6tables-save} output of the state before every install
 * and uninstall, as a {@link SectionedFile} titled {@code mobilessh backup v1} in a directory
 * (default {@value #DEFAULT_DIR}). A backup is plain restore input per section, so it can be put
 * back by hand when everything else failed.
 */
public final class Backups {
  public static final String DEFAULT_DIR = "/var/lib/mobilessh/backup";
  public static final String TITLE = "mobilessh backup v1";

  private Backups() {}

  /**
   * Writes {@code DIR/ACTION-TIMESTAMP-WHERE.save}.
   *
   * @param saves each family's iptables-save output before the change
   * @return the file written
   */
  public static Path write(
      Path dir, String action, Netfilter netfilter, Map<Family, String> saves, Clock clock) {
    Instant now = Timestamps.now(clock);
    String where = netfilter.runner().netns().orElse("host");
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("timestamp", Timestamps.iso(now));
    headers.put("action", action);
    headers.put("netns", netfilter.runner().netns().orElse("-"));
    headers.put("backend", netfilter.backend().label());
    Map<String, String> sections = new LinkedHashMap<>();
    saves.forEach((family, text) -> sections.put(family.tool() + "-save", text));
    Path file = dir.resolve(action + "-" + Timestamps.fileName(now) + "-" + where + ".save");
    new SectionedFile(TITLE, headers, sections).write(file);
    return file;
  }
}
