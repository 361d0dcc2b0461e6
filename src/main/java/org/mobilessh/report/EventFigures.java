package org.mobilessh.report;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the report prints about the events read (the month widened by the lookback), as {@link
 * EventTally} counted them: a pure function of the indexed documents read, the month and the
 * program, so {@link EventFiguresCache} keeps it with the index under that exact key.
 *
 * @param read events read
 * @param lastRead the latest event time read, or {@code null}
 * @param inMonth events read inside the month
 * @param sources per source path: events inside the month and their first and last time
 * @param routers the routers with events in the month ({@code ""} for events that name none)
 * @param perDay per UTC day: events per router
 * @param gaps the silences of {@link ReportModel#GAP} or more, per router (in name order) from the
 *     month's start to its first event, between events, and from its last event to the month's end
 * @param digest the input digest: SHA-256 over every event read in (source path, line number,
 *     reading) order, of {@code PATH TAB LINE TAB TEXT LF} in UTF-8
 */
public record EventFigures(
    long read,
    Instant lastRead,
    long inMonth,
    SortedMap<String, Source> sources,
    SortedSet<String> routers,
    SortedMap<LocalDate, SortedMap<String, Long>> perDay,
    List<Gap> gaps,
    String digest) {

  /** One source path's events inside the month. */
  public record Source(long events, Instant first, Instant last) {
    public Source {
      Objects.requireNonNull(first, "first");
      Objects.requireNonNull(last, "last");
    }
  }

  /** A silence in one router's events. */
  public record Gap(String router, Instant from, Instant to, long seconds) {}

  public EventFigures {
    Objects.requireNonNull(digest, "digest");
    sources = Collections.unmodifiableSortedMap(new TreeMap<>(sources));
    routers = Collections.unmodifiableSortedSet(new TreeSet<>(routers));
    TreeMap<LocalDate, SortedMap<String, Long>> days = new TreeMap<>();
    perDay.forEach(
        (d, m) -> days.put(d, Collections.unmodifiableSortedMap(new TreeMap<String, Long>(m))));
    perDay = Collections.unmodifiableSortedMap(days);
    gaps = List.copyOf(gaps);
  }
}
