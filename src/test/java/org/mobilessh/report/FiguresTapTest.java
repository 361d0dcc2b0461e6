package org.mobilessh.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mobilessh.audit.AuditConfig;
import org.mobilessh.audit.AuditEngine;
import org.mobilessh.audit.AuditSink;
import org.mobilessh.audit.IndexedAuditInput;
import org.mobilessh.index.EventIndex;
import org.mobilessh.index.EventSearcher;
import org.mobilessh.index.SourcedEvent;
import org.mobilessh.parse.LineParser;
import org.mobilessh.parse.LogFormat;
import org.mobilessh.parse.ParseContext;
import org.mobilessh.parse.ParseResult;
import org.mobilessh.rules.RulesetSettings;

/**
 * The report's event figures counted from the audit's own read ({@link FiguresTap}) are those of
 * one read of every router ({@link ReportRenderer#events}): when the audit reads each router as a
 * stream of its own, and when it has to fall back to one stream over all routers because an event
 * re-parses to another router than the one it is indexed under (the shards counted so far are
 * dropped and the one stream feeds one shard).
 */
class FiguresTapTest {
  private static final YearMonth MONTH = YearMonth.of(2026, 10);
  private static final Instant FROM = MONTH.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
  private static final Instant TO =
      MONTH.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
  // as the report widens the audit's read (ReportRequest's default lookback and N)
  private static final Instant LOAD_FROM = FROM.minusSeconds(86_400 + 60);
  private static final Instant LOAD_TO = TO.plusSeconds(86_400);
  private static final String FALLBACK = "reading all routers as one";

  @TempDir Path tmp;

  @Test
  void perRouterStreamsGiveTheFiguresOfOneRead() throws IOException {
    Path index = index(false);
    List<String> progress = Collections.synchronizedList(new ArrayList<>());
    try (EventSearcher searcher = EventSearcher.open(index)) {
      EventFigures tapped = tapped(searcher, progress);
      assertThat(progress).noneMatch(m -> m.contains(FALLBACK));
      assertThat(progress).anyMatch(m -> m.contains("3 routers"));
      assertThat(tapped).isEqualTo(oneRead(searcher));
      assertThat(tapped.routers()).containsExactly("r1", "r2", "r3");
    }
  }

  @Test
  void theFallbackToOneStreamOverAllRoutersGivesTheFiguresOfOneRead() throws IOException {
    Path index = index(true);
    List<String> progress = Collections.synchronizedList(new ArrayList<>());
    try (EventSearcher searcher = EventSearcher.open(index)) {
      EventFigures tapped = tapped(searcher, progress);
      // the audit did fall back: router r2's stream met an event of r1
      assertThat(progress).anyMatch(m -> m.contains(FALLBACK) && m.contains("'r1'"));
      EventFigures want = oneRead(searcher);
      assertThat(tapped).isEqualTo(want);
      // every event once: the shards of the streams before the fallback were dropped
      assertThat(tapped.read())
          .isEqualTo(searcher.count(ReportRenderer.query(LOAD_FROM, LOAD_TO, null)));
    }
  }

  /** The figures as the report counts them: a tap on the audit's read, routers two at a time. */
  private EventFigures tapped(EventSearcher searcher, List<String> progress) {
    ExecutorService side = Executors.newSingleThreadExecutor();
    AtomicBoolean stop = new AtomicBoolean();
    try (FiguresTap tap =
        new FiguresTap(new EventTally(FROM, TO, 500, tmp), searcher, side, stop)) {
      IndexedAuditInput.stream(
          searcher,
          LOAD_FROM,
          LOAD_TO,
          null,
          new AuditEngine(config()),
          AuditSink.month(MONTH, new MonthTally(25)),
          new IndexedAuditInput.Options(false, 2, progress::add),
          tap);
      return tap.figures();
    } finally {
      side.shutdownNow();
      try {
        side.awaitTermination(1, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private EventFigures oneRead(EventSearcher searcher) {
    try (EventTally one = new EventTally(FROM, TO, 500, tmp)) {
      ReportRenderer.events(searcher, ReportRenderer.query(LOAD_FROM, LOAD_TO, null), one);
      return one.figures();
    }
  }

  /**
   * The README month's kernel lines three times, as routers r1, r2 and r3 (each its own files).
   * With {@code odd}, one of r2's lines is indexed under r2 but stored as r1 wrote it: its re-parse
   * names r1.
   */
  private Path index(boolean odd) throws IOException {
    Path dir = tmp.resolve(odd ? "odd" : "index");
    List<String> lines = lines();
    try (EventIndex idx = EventIndex.open(dir)) {
      for (String router : List.of("r1", "r2", "r3")) {
        String path = "/logs/" + router + "/kern.log";
        LineParser parser = LogFormat.SYSLOG.newParser(ParseContext.of(path, 2026, ZoneOffset.UTC));
        long offset = 0;
        for (int i = 0; i < lines.size(); i++) {
          String line = lines.get(i).replace(" router1 kernel:", " " + router + " kernel:");
          String stored =
              odd && router.equals("r2") && i == lines.size() / 2
                  ? lines.get(i).replace(" router1 kernel:", " r1 kernel:")
                  : line;
          if (parser.parse(line, i + 1) instanceof ParseResult.Parsed p) {
            idx.add(new SourcedEvent(p.event(), stored, path, offset, i + 1));
          }
          offset += line.getBytes(StandardCharsets.UTF_8).length + 1;
        }
      }
      idx.commit(Map.of());
    }
    return dir;
  }

  /** Every kernel line of the README month, oldest file first. */
  private static List<String> lines() throws IOException {
    Path month = Path.of("sample-logs/month/router1");
    List<String> out = new ArrayList<>();
    for (String f :
        List.of("kern.log.4.gz", "kern.log.3.gz", "kern.log.2.gz", "kern.log.1", "kern.log")) {
      Path p = month.resolve(f);
      if (f.endsWith(".gz")) {
        try (var in = new GZIPInputStream(Files.newInputStream(p))) {
          out.addAll(new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList());
        }
      } else {
        out.addAll(Files.readAllLines(p, StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  private static AuditConfig config() {
    return AuditConfig.of(
            new RulesetSettings().set("mail-server", List.of("192.0.2.0/24")).toConfig())
        .withMailServers(List.of());
  }
}
