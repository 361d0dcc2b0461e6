package org.mobilessh.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * A sink that merges the windows itself ({@link AuditSink#windowSequences}: the results cache's run
 * files) gets them as sequences instead of in order; merged by their order and place, they must be
 * exactly the windows in order, and every other record stays the same. The engines here hold few
 * records and look ahead little, so most windows come late and in many sequences.
 */
class WindowSequencesTest {
  private static final AuditConfig BASE =
      AuditConfig.defaults().withSeconds(20).withSourceSilence(Duration.ofSeconds(90));

  private record Given(Window window, long place, int sequence) {}

  @Provide
  Arbitrary<AuditEngine> engines() {
    return Arbitraries.of(
        new AuditEngine(BASE, Duration.ofSeconds(1), 2),
        new AuditEngine(BASE, Duration.ofSeconds(1), 7),
        new AuditEngine(BASE.withRemove(false), Duration.ofSeconds(1), 3),
        new AuditEngine(BASE.withStrict(true), Duration.ofSeconds(1), 3),
        new AuditEngine(BASE));
  }

  @Provide
  Arbitrary<List<AuditPropertiesTest.Op>> scenarios() {
    return new AuditPropertiesTest().scenarios();
  }

  @Property(tries = 400)
  void theSequencesMergedAreTheWindowsInOrder(
      @ForAll("engines") AuditEngine engine,
      @ForAll("scenarios") List<AuditPropertiesTest.Op> ops) {
    List<TracedEvent> in = AuditPropertiesTest.events(ops);
    AuditResult inOrder = engine.reconstruct(AuditInput.of(in));

    List<Given> given = new ArrayList<>();
    AuditResult.Collector rest = new AuditResult.Collector();
    engine.run(
        AuditInput.of(in),
        new AuditSink() {
          @Override
          public WindowSequences windowSequences() {
            return (w, place, sequence) -> given.add(new Given(w, place, sequence));
          }

          @Override
          public void window(Window w) {
            throw new AssertionError("a window in order to a sink that merges them: " + w);
          }

          @Override
          public void session(Session s) {
            rest.session(s);
          }

          @Override
          public void rejection(Rejection r) {
            rest.rejection(r);
          }

          @Override
          public void anomaly(Anomaly a) {
            rest.anomaly(a);
          }

          @Override
          public void end(List<RejectTotals> totals, long used, long dropped, long untimed) {
            rest.end(totals, used, dropped, untimed);
          }
        });
    AuditResult others = rest.result();
    assertThat(others.sessions()).isEqualTo(inOrder.sessions());
    assertThat(others.rejections()).isEqualTo(inOrder.rejections());
    assertThat(others.anomalies()).isEqualTo(inOrder.anomalies());
    assertThat(others.totals()).isEqualTo(inOrder.totals());

    // each sequence in order; a sequence after 0 begins once the one before it has ended
    Set<Long> places = new HashSet<>();
    List<Given> last = new ArrayList<>();
    int begun = 0;
    for (Given g : given) {
      assertThat(places.add(g.place())).as("place %d given twice", g.place()).isTrue();
      while (last.size() <= g.sequence()) {
        last.add(null);
      }
      if (g.sequence() > 0) {
        assertThat(g.sequence())
            .as("sequences begin in their order")
            .isLessThanOrEqualTo(begun + 1);
        assertThat(g.sequence()).as("a later sequence had begun").isGreaterThanOrEqualTo(begun);
        begun = g.sequence();
      }
      Given before = last.get(g.sequence());
      if (before != null) {
        assertThat(
                AuditRunFile.WINDOW_ORDER.compare(
                    before.window(), before.place(), g.window(), g.place()))
            .as("sequence %d out of order: %s before %s", g.sequence(), before, g)
            .isNegative();
      }
      last.set(g.sequence(), g);
    }
    List<Given> merged = new ArrayList<>(given);
    merged.sort(
        (a, b) -> AuditRunFile.WINDOW_ORDER.compare(a.window(), a.place(), b.window(), b.place()));
    assertThat(merged.stream().map(Given::window).toList()).isEqualTo(inOrder.windows());

    // and through the run files, read back merged
    assertThat(throughRunFiles(engine, in)).isEqualTo(inOrder);
  }

  /** The result as the results cache keeps it and reads it back. */
  private static AuditResult throughRunFiles(AuditEngine engine, List<TracedEvent> in) {
    Path dir = null;
    try {
      // a jqwik property has no @TempDir: scratch under target/, as the house keeps it
      dir =
          Files.createTempDirectory(
              Files.createDirectories(Path.of("target", "test-scratch")), "mobilessh-sequences-");
      try (AuditRunFile.Writer w = new AuditRunFile.Writer(dir, true, false)) {
        engine.run(AuditInput.of(in), w);
        w.finish("test");
      }
      AuditRunFile.Checked c = AuditRunFile.read(dir);
      c.verifyRecords(EnumSet.allOf(AuditRunFile.Kind.class));
      c.verifyText(EnumSet.allOf(AuditRunFile.Kind.class));
      AuditResult.Collector out = new AuditResult.Collector();
      AuditRunFile.Checked checked = c;
      WindowSequencesTest.<Window>copy(checked, AuditRunFile.Kind.WINDOWS, out::window);
      WindowSequencesTest.<Session>copy(checked, AuditRunFile.Kind.SESSIONS, out::session);
      WindowSequencesTest.<Rejection>copy(checked, AuditRunFile.Kind.REJECTIONS, out::rejection);
      WindowSequencesTest.<Anomaly>copy(checked, AuditRunFile.Kind.ANOMALIES, out::anomaly);
      AuditRunFile.End e = c.end();
      out.end(e.totals(), e.eventsUsed(), e.duplicatesDropped(), e.untimedEvents());
      return out.result();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } finally {
      if (dir != null) {
        AuditCache.delete(dir);
      }
    }
  }

  private static <T> void copy(
      AuditRunFile.Checked c, AuditRunFile.Kind k, java.util.function.Consumer<T> out)
      throws IOException {
    try (AuditRunFile.Records<T> r = c.open(k, true)) {
      for (T t = r.next(); t != null; t = r.next()) {
        out.accept(t);
      }
    }
  }
}
