package org.mobilessh.rules;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * An xt_recent list as read at one moment, with the kernel clock read right after it.
 *
 * @param list list name
 * @param netns the network namespace it was read in; empty: the host's
 * @param clock the kernel clock, read after the list
 * @param entries the entries in the kernel's (hash) order
 */
public record RecentSnapshot(
    String list, Optional<String> netns, KernelClock clock, List<RecentEntry> entries) {

  public RecentSnapshot {
    entries = List.copyOf(entries);
  }

  /**
   * One entry with its times worked out.
   *
   * @param entry the raw entry
   * @param lastSeen wall-clock time of the last stamp (resolution 1/HZ)
   * @param age time from the last stamp to the read
   * @param fresh whether {@code --rcheck --seconds N} would match it now
   */
  public record Row(RecentEntry entry, Instant lastSeen, Duration age, boolean fresh) {}

  /** The entries with times, most recently seen first (ties by address text). */
  public List<Row> rows(int seconds) {
    return entries.stream()
        .map(
            e ->
                new Row(
                    e,
                    clock.wallTime(e.lastSeen()),
                    clock.age(e.lastSeen()),
                    clock.within(e.lastSeen(), seconds)))
        .sorted(Comparator.comparing(Row::age).thenComparing(r -> r.entry().text()))
        .toList();
  }
}
