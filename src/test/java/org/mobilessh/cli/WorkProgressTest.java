package org.mobilessh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The progress of export and evidence on stderr: steps, and the step under way with its count. */
class WorkProgressTest {
  /** Waits until {@code text} shows {@code what} (the ticks come from another thread). */
  private static void await(StringWriter text, String what) throws InterruptedException {
    long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!text.toString().contains(what) && System.nanoTime() < until) {
      Thread.sleep(5);
    }
    assertThat(text.toString()).contains(what);
  }

  @Test
  void onATerminalTheStepUnderWayIsRedrawnInPlaceAndClearedForEachStepLine() throws Exception {
    StringWriter text = new StringWriter();
    try (WorkProgress p =
        new WorkProgress(new PrintWriter(text), "evidence", true, Duration.ofMillis(10))) {
      AtomicLong rows = p.phase("audit and CSV rows", "rows");
      rows.set(1_234_567);
      await(text, "\revidence: audit and CSV rows: 1,234,567 rows, ");
      p.step("audit and CSV rows: done in 1.0 s");
      AtomicLong bytes = p.phase("zip", "bytes");
      bytes.set(3L << 20);
      await(text, "\revidence: zip: 3.0 MiB, ");
    }
    String all = text.toString();
    // the live line is erased before a step line, so the step starts a clean line
    assertThat(all).contains("\r\u001b[Kevidence: audit and CSV rows: done in 1.0 s\n");
    assertThat(all).contains("\u001b[K");
    // and erased at the end: nothing is left after the last redraw
    assertThat(all).endsWith("\r\u001b[K");
  }

  @Test
  void elsewhereTheStepUnderWayIsAPlainLineNowAndThen() throws Exception {
    StringWriter text = new StringWriter();
    try (WorkProgress p =
        new WorkProgress(new PrintWriter(text), "export", false, Duration.ofMillis(10))) {
      p.phase("index documents", "documents").set(42);
      await(text, "export: index documents: 42 documents, ");
      p.step("index documents: 42 read in 0.1 s");
    }
    String all = text.toString();
    assertThat(all).doesNotContain("\r").doesNotContain("\u001b");
    assertThat(all.lines())
        .allMatch(l -> l.startsWith("export: index documents: 42"))
        .contains("export: index documents: 42 read in 0.1 s");
  }

  @Test
  void nothingIsPrintedBeforeAStepBegins() throws Exception {
    StringWriter text = new StringWriter();
    try (WorkProgress p =
        new WorkProgress(new PrintWriter(text), "export", false, Duration.ofMillis(5))) {
      Thread.sleep(100);
    }
    assertThat(text.toString()).isEmpty();
  }
}
