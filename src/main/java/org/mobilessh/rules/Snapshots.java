package org.mobilessh.rules;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * {@code rules snapshot}: records the evidence a log cannot give — exact rule counters (LOG lines
 * are rate-limited, counters are not) and the xt_recent list contents — in a {@link SectionedFile}
 * titled {@value #TITLE}, with a SHA-256 so an auditor can tell whether it was changed.
 *
 * <p>Headers: {@code timestamp} (UTC, microseconds), {@code hostname}, {@code netns} ({@code -} for
 * the host), {@code backend}, {@code ip_list_tot}, and, when the kernel clock could be read, {@code
 * jiffies}, {@code jiffies_read_at} and {@code hz}: what turns the lists' {@code last_seen} stamps
 * into UTC ({@link #kernelClock}). Sections: {@code iptables-save -c}, {@code ip6tables-save -c}
 * and one {@code xt_recent NAME} per list, each holding the tool's output or the file's contents
 * verbatim; a family whose tools are missing or fail has a section holding one {@code #
 * unavailable: REASON} comment line instead.
 *
 * <p>Capturing ({@link #take}, live kernel state) and writing ({@link #write}, the file format) are
 * separate so that a simulated router ({@code mobilessh simulate}) writes the very same format from
 * its model of the kernel.
 */
public final class Snapshots {
  public static final String TITLE = "mobilessh snapshot v1";
  static final String XT_RECENT_DIR = "/proc/net/xt_recent";
  private static final Pattern LIST_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,31}");

  private Snapshots() {}

  /**
   * Everything one snapshot records, however it was obtained.
   *
   * @param timestamp when it was taken (written with microseconds)
   * @param hostname the router's host name
   * @param netns the network namespace, {@code -} for the host's
   * @param backend the iptables backend label ({@code auto}, {@code nft}, {@code legacy})
   * @param ipListTot xt_recent's {@code ip_list_tot}, empty when unreadable
   * @param saves per family the {@code iptables-save -c} output, or empty with the reason in {@code
   *     unavailable}
   * @param unavailable per family that could not be saved, why
   * @param lists per xt_recent list, the contents of its {@code /proc/net/xt_recent} file (one line
   *     per entry, as the kernel prints them; see {@link RecentEntry#kernelLine})
   * @param clock the kernel clock read right after the lists, if it could be read
   */
  public record Capture(
      Instant timestamp,
      String hostname,
      String netns,
      String backend,
      OptionalInt ipListTot,
      Map<Family, String> saves,
      Map<Family, String> unavailable,
      Map<String, String> lists,
      Optional<KernelClock> clock) {
    public Capture {
      Objects.requireNonNull(timestamp, "timestamp");
      Objects.requireNonNull(hostname, "hostname");
      Objects.requireNonNull(netns, "netns");
      Objects.requireNonNull(backend, "backend");
      Objects.requireNonNull(ipListTot, "ipListTot");
      Objects.requireNonNull(clock, "clock");
      saves = byFamily(saves);
      unavailable = byFamily(unavailable);
      lists = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(lists));
    }
  }

  private static Map<Family, String> byFamily(Map<Family, String> m) {
    Map<Family, String> copy = new EnumMap<>(Family.class);
    copy.putAll(m);
    return java.util.Collections.unmodifiableMap(copy);
  }

  /** Takes a snapshot of where {@code netfilter} acts. */
  public static SectionedFile take(Netfilter netfilter, Clock clock) {
    return write(capture(netfilter, clock, kernelClockNow()));
  }

  /** Reads the live state where {@code netfilter} acts (root; the lists via {@code /proc}). */
  static Capture capture(Netfilter netfilter, Clock clock, Optional<KernelClockSource> kernel) {
    Instant now = Timestamps.now(clock);
    Map<Family, String> saves = new EnumMap<>(Family.class);
    Map<Family, String> unavailable = new EnumMap<>(Family.class);
    for (Family family : Family.values()) {
      try {
        saves.put(family, netfilter.save(family, true));
      } catch (RulesException e) {
        unavailable.put(family, e.getMessage().replace('\n', ' '));
      }
    }
    Map<String, String> lists = new LinkedHashMap<>();
    for (String list : netfilter.listProcDir(XT_RECENT_DIR)) {
      if (!LIST_NAME.matcher(list).matches()) {
        continue;
      }
      lists.put(
          list,
          netfilter
              .readProcFile(XT_RECENT_DIR + "/" + list)
              .orElse("# unavailable: cannot read " + XT_RECENT_DIR + "/" + list + "\n"));
    }
    // jiffies is one counter for the whole kernel, not per namespace: read it on the host
    Optional<KernelClock> kernelClock =
        kernel.flatMap(
            k -> {
              try {
                return Optional.of(k.read());
              } catch (RulesException e) {
                return Optional.empty();
              }
            });
    return new Capture(
        now,
        hostname(),
        netfilter.runner().netns().orElse("-"),
        netfilter.backend().label(),
        LiveCheck.ipListTot(),
        saves,
        unavailable,
        lists,
        kernelClock);
  }

  /**
   * The snapshot file of a capture.
   *
   * @throws RulesException when neither family could be saved (nothing worth recording)
   */
  public static SectionedFile write(Capture c) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("timestamp", Timestamps.iso(c.timestamp()));
    headers.put("hostname", c.hostname());
    headers.put("netns", c.netns());
    headers.put("backend", c.backend());
    headers.put(
        "ip_list_tot",
        c.ipListTot().isPresent() ? Integer.toString(c.ipListTot().getAsInt()) : "unknown");
    c.clock()
        .ifPresent(
            k -> {
              headers.put("jiffies", Long.toUnsignedString(k.jiffies()));
              headers.put("jiffies_read_at", Timestamps.iso(k.readAt()));
              headers.put("hz", k.hz() + " (" + k.hzSource() + ")");
            });
    Map<String, String> sections = new LinkedHashMap<>();
    for (Family family : Family.values()) {
      String body = c.saves().get(family);
      if (body == null) {
        body =
            "# unavailable: "
                + c.unavailable().getOrDefault(family, "not saved").replace('\n', ' ')
                + "\n";
      }
      sections.put(family.tool() + "-save -c", body);
    }
    if (c.saves().isEmpty()) {
      throw new RulesException(
          "neither iptables-save nor ip6tables-save worked in "
              + (c.netns().equals("-") ? "the host" : "netns " + c.netns())
              + ": "
              + sections.values().iterator().next().strip());
    }
    c.lists()
        .forEach(
            (list, contents) -> {
              if (LIST_NAME.matcher(list).matches()) {
                sections.put("xt_recent " + list, contents);
              }
            });
    return new SectionedFile(TITLE, headers, sections);
  }

  /**
   * The kernel clock a snapshot recorded ({@code jiffies}, {@code jiffies_read_at}, {@code hz}
   * headers): with it {@link KernelClock#wallTime} dates the lists' stamps. Empty for snapshots
   * without those headers (older files, or a kernel clock that could not be read).
   */
  public static Optional<KernelClock> kernelClock(SectionedFile snapshot) {
    Map<String, String> h = snapshot.headers();
    String jiffies = h.get("jiffies");
    String at = h.get("jiffies_read_at");
    String hz = h.get("hz");
    if (jiffies == null || at == null || hz == null) {
      return Optional.empty();
    }
    try {
      int space = hz.indexOf(' ');
      String source =
          space < 0 ? "" : hz.substring(space + 1).replaceAll("^\\(", "").replaceAll("\\)$", "");
      return Optional.of(
          new KernelClock(
              Long.parseUnsignedLong(jiffies),
              Integer.parseInt(space < 0 ? hz : hz.substring(0, space)),
              source,
              Instant.parse(at)));
    } catch (RuntimeException e) {
      throw new RulesException("bad kernel clock headers: " + e.getMessage(), e);
    }
  }

  private static Optional<KernelClockSource> kernelClockNow() {
    return Optional.of(KernelClockSource.system());
  }

  private static String hostname() {
    try {
      return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
