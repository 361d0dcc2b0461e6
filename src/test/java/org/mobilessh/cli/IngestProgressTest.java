package org.mobilessh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The progress of {@code ingest}: a bar when stderr is a terminal, plain lines otherwise. */
class IngestProgressTest {
  @Test
  void onATerminalTheBarShowsBytesOfTheTotalRateEtaAndLines() throws InterruptedException {
    StringWriter out = new StringWriter();
    try (IngestCommand.Progress p =
        IngestCommand.Progress.create(new PrintWriter(out), 8L << 20, true)) {
      for (int i = 0; i < 40_000; i++) {
        p.progress(0, 1);
      }
      p.progress(2L << 20, 0);
      Thread.sleep(700); // the bar redraws every 250 ms
      p.progress(2L << 20, 0);
      Thread.sleep(700);
    }
    String bar = out.toString();
    assertThat(bar)
        .contains("ingest")
        .contains("/8 MiB") // bytes read of the total
        .containsPattern("[0-9.]+ MiB/s") // rate
        .containsPattern("\\(\\d+:\\d\\d:\\d\\d / \\d+:\\d\\d:\\d\\d\\)") // elapsed / ETA
        .contains("40000 lines");
  }

  @Test
  void notATerminalAPlainLineEveryIntervalAndTheNotices() {
    StringWriter out = new StringWriter();
    AtomicLong now = new AtomicLong(1_000);
    try (IngestCommand.Progress p =
        IngestCommand.Progress.create(
            new PrintWriter(out), 8L << 20, false, Duration.ofSeconds(30), now::get)) {
      p.progress(4L << 20, 0);
      lines(p, 65_536); // not yet due
      p.notice("x: empty, nothing to read");
      now.addAndGet(Duration.ofSeconds(32).toNanos());
      lines(p, 65_536);
      lines(p, 65_536); // due again only 30 s later
      now.addAndGet(Duration.ofSeconds(30).toNanos());
      lines(p, 65_535); // the clock is asked at each 64 Ki lines only
    }
    assertThat(out.toString())
        .isEqualTo(
            "ingest: x: empty, nothing to read\n"
                + "ingest: 131,072 lines, 4.0 of 8.0 MiB read in 32 s (4,096 lines/s)\n");
  }

  @Test
  void aFollowRunOffATerminalPrintsOnlyNotices() {
    StringWriter out = new StringWriter();
    try (IngestCommand.Progress p = IngestCommand.Progress.following(new PrintWriter(out), false)) {
      p.progress(4L << 20, 0);
      lines(p, 1 << 20);
      p.notice("x: empty, nothing to read");
    }
    assertThat(out.toString()).isEqualTo("ingest: x: empty, nothing to read\n");
  }

  private static void lines(IngestCommand.Progress p, int n) {
    for (int i = 0; i < n; i++) {
      p.progress(0, 1);
    }
  }
}
