package org.mobilessh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The progress bar of {@code ingest} when stderr is a terminal, and its absence otherwise. */
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
  void notATerminalNoBarOnlyNotices() {
    StringWriter out = new StringWriter();
    try (IngestCommand.Progress p =
        IngestCommand.Progress.create(new PrintWriter(out), 8L << 20, false)) {
      p.progress(4L << 20, 1000);
      p.notice("x: empty, nothing to read");
    }
    assertThat(out.toString()).isEqualTo("ingest: x: empty, nothing to read\n");
  }
}
