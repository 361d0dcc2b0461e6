package org.mobilessh.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

/**
 * Invariants of the reconstruction over arbitrary (also inconsistent) streams of real-format lines:
 * two observers, both families, every step, flows that end or run on, manual list changes (also
 * failed ones) and loss markers; under the default, no-remove and strict rulesets.
 */
class AuditPropertiesTest {
  private static final String[] ADDRESSES = {
    "203.0.113.10", "203.0.113.70", "2001:db8:20::70", "2001:db8:10::10"
  };

  private static final AuditConfig BASE =
      AuditConfig.defaults().withSeconds(20).withSourceSilence(Duration.ofSeconds(90));

  @Provide
  Arbitrary<AuditEngine> engines() {
    return Arbitraries.of(
        new AuditEngine(BASE),
        new AuditEngine(BASE.withRemove(false)),
        new AuditEngine(BASE.withStrict(true)));
  }

  /** One thing that happens: a LOG line or a conntrack flow. */
  record Op(int observer, int address, int kind, int millis, int port, int durationMillis) {}

  /**
   * Streams over two observers and four addresses, and dense ones (one observer, two addresses, one
   * minute) where windows follow each other closely: without those, a close that overlaps the next
   * opening would rarely be generated.
   */
  @Provide
  Arbitrary<List<Op>> scenarios() {
    Arbitrary<List<Op>> wide =
        ops(1, ADDRESSES.length - 1, 300_000).list().ofMinSize(1).ofMaxSize(60);
    Arbitrary<List<Op>> dense = ops(0, 1, 60_000).list().ofMinSize(10).ofMaxSize(60);
    return Arbitraries.oneOf(wide, dense);
  }

  private static Arbitrary<Op> ops(int maxObserver, int maxAddress, int maxMillis) {
    return Combinators.combine(
            Arbitraries.integers().between(0, maxObserver),
            Arbitraries.integers().between(0, maxAddress),
            Arbitraries.integers().between(0, 12),
            Arbitraries.integers().between(0, maxMillis),
            Arbitraries.integers().between(40000, 40005),
            Arbitraries.integers().between(-1, 60_000))
        .as(Op::new);
  }

  static List<TracedEvent> events(List<Op> ops) {
    Lines[] obs = {new Lines("r1"), new Lines("r2")};
    List<Op> sorted = new ArrayList<>(ops);
    // kernel lines are written in time order; a few inversions are added by kind 6
    sorted.sort(Comparator.comparingInt(Op::millis));
    for (Op o : sorted) {
      Lines l = obs[o.observer()];
      String a = ADDRESSES[o.address()];
      double t = o.millis() / 1000.0;
      double end = o.durationMillis() < 0 ? -1 : t + 0.002 + o.durationMillis() / 1000.0;
      switch (o.kind()) {
        case 0 -> l.set(t, a, o.port());
        case 1 -> l.remove(t, a, o.port());
        case 2 -> l.accept(t, a, o.port()).ssh(t + 0.0001, a, o.port(), end);
        case 3 -> l.reject(t, a, o.port());
        case 4 -> l.imaps(t, a, o.port(), end).set(t + 0.001, a, o.port());
        case 5 -> l.ssh(t, a, o.port(), end);
        case 7 -> l.listAdd(t, a);
        case 8 -> l.listDel(t, a);
        case 9 -> l.listFlush(t, o.port() - 40000);
        case 10 -> l.callbacksSuppressed(t, o.port() - 39990);
        case 11 -> l.listAdd(t, a).listAddFailed(t + 0.01, a);
        // the pattern's purpose: a mail check, then SSH from the same address (2 ms later, so
        // that the file stays in time order as closely as the other kinds keep it)
        case 12 ->
            l.imaps(t, a, o.port(), t + 0.5)
                .set(t + 0.001, a, o.port())
                .accept(t + 0.002, a, o.port() + 10)
                .ssh(t + 0.0021, a, o.port() + 10, end);
        default -> l.accept(t, a, o.port());
      }
    }
    List<TracedEvent> all = new ArrayList<>(obs[0].events());
    all.addAll(obs[1].events());
    return all;
  }

  @Property(tries = 150)
  void orderAndDuplicatesDoNotChangeTheResult(
      @ForAll("engines") AuditEngine engine,
      @ForAll("scenarios") List<Op> ops,
      @ForAll long seed,
      @ForAll @IntRange(max = 30) int dups) {
    List<TracedEvent> in = events(ops);
    AuditResult base = engine.reconstruct(AuditInput.of(in));
    List<TracedEvent> shuffled = new ArrayList<>(in);
    Random rnd = new Random(seed);
    for (int i = 0; i < dups && !in.isEmpty(); i++) {
      shuffled.add(in.get(rnd.nextInt(in.size())));
    }
    Collections.shuffle(shuffled, rnd);
    AuditResult again = engine.reconstruct(AuditInput.of(shuffled));
    assertThat(again.windows()).isEqualTo(base.windows());
    assertThat(again.sessions()).isEqualTo(base.sessions());
    assertThat(again.rejections()).isEqualTo(base.rejections());
    assertThat(again.anomalies()).isEqualTo(base.anomalies());
    assertThat(again.eventsUsed()).isEqualTo(base.eventsUsed());
    assertThat(again.duplicatesDropped()).isEqualTo(base.duplicatesDropped() + dups);
    // equal results over streams that reconstruct nothing would prove nothing
    Statistics.label("windows, sessions and rejections reconstructed")
        .collect(
            !base.windows().isEmpty() && !base.sessions().isEmpty() && !base.rejections().isEmpty())
        .coverage(c -> c.check(true).percentage(p -> p >= 15)); // about 35 %
  }

  @Property(tries = 100)
  void ingestingEverythingTwiceChangesNothingButTheDuplicateCount(
      @ForAll("engines") AuditEngine engine, @ForAll("scenarios") List<Op> ops) {
    List<TracedEvent> in = events(ops);
    AuditResult base = engine.reconstruct(AuditInput.of(in));
    List<TracedEvent> twice = new ArrayList<>(in);
    twice.addAll(in);
    AuditResult again = engine.reconstruct(AuditInput.of(twice));
    assertThat(again.windows()).isEqualTo(base.windows());
    assertThat(again.sessions()).isEqualTo(base.sessions());
    assertThat(again.rejections()).isEqualTo(base.rejections());
    assertThat(again.anomalies()).isEqualTo(base.anomalies());
    assertThat(again.duplicatesDropped()).isEqualTo(base.duplicatesDropped() + in.size());
  }

  @Property(tries = 150)
  void splittingAFileAtARotationChangesOnlyTheEvidencePointers(
      @ForAll("engines") AuditEngine engine,
      @ForAll("scenarios") List<Op> ops,
      @ForAll @IntRange(min = 0, max = 100) int percent) {
    List<TracedEvent> in = events(ops);
    AuditResult base = engine.reconstruct(AuditInput.of(in));
    List<TracedEvent> split = new ArrayList<>();
    Map<String, List<TracedEvent>> bySource =
        in.stream().collect(Collectors.groupingBy(TracedEvent::sourcePath));
    for (Map.Entry<String, List<TracedEvent>> e : bySource.entrySet()) {
      List<TracedEvent> lines = e.getValue();
      int cut = lines.size() * percent / 100;
      for (int i = 0; i < lines.size(); i++) {
        TracedEvent te = lines.get(i);
        split.add(
            i < cut
                ? new TracedEvent(te.event(), e.getKey() + ".1", i + 1, te.originalLine())
                : new TracedEvent(te.event(), e.getKey(), i - cut + 1, te.originalLine()));
      }
    }
    AuditResult r = engine.reconstruct(AuditInput.of(split));
    assertThat(withoutEvidence(r)).isEqualTo(withoutEvidence(base));
  }

  @Property(tries = 200)
  void windowsNeverOverlapPerAddressAndObserver(
      @ForAll("engines") AuditEngine engine, @ForAll("scenarios") List<Op> ops) {
    AuditResult r = engine.reconstruct(AuditInput.of(events(ops)));
    Map<String, List<Window>> by =
        r.windows().stream().collect(Collectors.groupingBy(w -> w.observer() + "|" + w.source()));
    int pairs = 0;
    for (List<Window> ws : by.values()) {
      // the engine's order is not this property's premise: compare neighbours in time
      ws.sort(Comparator.comparing(Window::openedAt));
      pairs += ws.size() - 1;
      for (int i = 0; i + 1 < ws.size(); i++) {
        Window a = ws.get(i);
        Window b = ws.get(i + 1);
        assertThat(a.closedAt()).as("only the last window may stay open: %s", a).isNotNull();
        assertThat(a.closedAt()).as("%s overlaps %s", a, b).isBeforeOrEqualTo(b.openedAt());
      }
      for (Window w : ws) {
        assertThat(w.closedAtEarliest()).isAfterOrEqualTo(w.openedAt());
        if (w.closedAt() != null) {
          assertThat(w.closedAtEarliest()).isBeforeOrEqualTo(w.closedAt());
          assertThat(w.closePrecisionS()).isGreaterThanOrEqualTo(0);
        }
      }
    }
    // a property over streams that never hold two windows of one address would prove nothing
    // (about 40 % of them do; the floors here and below are far enough under what the generators
    // give that only a generator gone trivial trips them)
    Statistics.label("two or more windows of one address and observer")
        .collect(pairs > 0)
        .coverage(c -> c.check(true).percentage(p -> p >= 20));
  }

  @Property(tries = 200)
  void everySessionLiesInAWindowOrRaisesAnAnomaly(
      @ForAll("engines") AuditEngine engine, @ForAll("scenarios") List<Op> ops) {
    AuditResult r = engine.reconstruct(AuditInput.of(events(ops)));
    for (Session s : r.sessions()) {
      if (s.windowOpenedAt() == null) {
        assertThat(r.anomalies())
            .as("anomaly for %s", s)
            .anyMatch(
                a ->
                    a.kind() == Anomaly.Kind.SESSION_WITHOUT_WINDOW
                        && s.source().equals(a.address())
                        && s.observer().equals(a.observer())
                        && a.evidence().contains(s.evidence().get(0)));
      } else {
        // a zero-length window (an inconsistent second set line) may share its opening instant
        double slack = s.acceptPrecisionS() + 0.2;
        assertThat(r.windows())
            .as("window of %s", s)
            .anyMatch(
                w ->
                    w.observer().equals(s.observer())
                        && w.source().equals(s.source())
                        && w.openedAt().equals(s.windowOpenedAt())
                        && !s.acceptedAt().isBefore(w.openedAt().minusMillis((long) (slack * 1000)))
                        && (w.closedAt() == null
                            || !s.acceptedAt()
                                .isAfter(w.closedAt().plusMillis((long) (slack * 1000))))
                        // an accepted SYN proves the window open then: it cannot have closed
                        // earlier
                        && !s.acceptedAt()
                            .isAfter(w.closedAtEarliest().plusMillis((long) (slack * 1000))));
      }
    }
    Statistics.label("a session in a window")
        .collect(r.sessions().stream().anyMatch(s -> s.windowOpenedAt() != null))
        .coverage(c -> c.check(true).percentage(p -> p >= 30)); // about 60 %
    Statistics.label("a session without a window")
        .collect(r.sessions().stream().anyMatch(s -> s.windowOpenedAt() == null))
        .coverage(c -> c.check(true).percentage(p -> p >= 25)); // about 55 %
    assertThat(r.windows().stream().mapToInt(Window::sshSessions).sum())
        .isEqualTo((int) r.sessions().stream().filter(s -> s.windowOpenedAt() != null).count());
  }

  /** The result with evidence pointers and line-naming messages left out. */
  private static List<Object> withoutEvidence(AuditResult r) {
    return List.of(
        r.windows().stream()
            .map(
                w ->
                    List.of(
                        w.observer(),
                        w.source(),
                        w.openedAt(),
                        String.valueOf(w.closedAt()),
                        w.closedAtEarliest(),
                        w.closeReason(),
                        w.sshSessions()))
            .toList(),
        r.sessions().stream()
            .map(
                s ->
                    List.of(
                        s.source(),
                        s.sourcePort(),
                        s.acceptedAt(),
                        String.valueOf(s.endedAt()),
                        String.valueOf(s.windowOpenedAt())))
            .toList(),
        r.rejections().stream().map(x -> List.of(x.at(), x.source(), x.sampled())).toList(),
        r.anomalies().stream()
            .map(a -> List.of(a.kind(), String.valueOf(a.address()), String.valueOf(a.at())))
            .toList());
  }
}
