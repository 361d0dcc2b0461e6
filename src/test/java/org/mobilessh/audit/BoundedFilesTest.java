package org.mobilessh.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * However many records wait or come late, the files an audit stream holds open stay bounded: a
 * reorder buffer reads at most {@link Reorder#RUNS} run files at once (merging the smallest when it
 * would need more), a split buffer gives at most {@link Reorder#SEQUENCES} late sequences, and the
 * results cache's entry of a stream holds at most that many window sequences, of which it writes
 * two at a time. The open files are counted in {@code /proc/self/fd} while the files are written
 * and read, and the records stay exactly those of a buffer without the bound.
 */
class BoundedFilesTest {
  private static final int LIMIT = 20;
  private static List<TracedEvent> busy;

  @BeforeAll
  static void generate() {
    busy = StreamingAuditTest.busyRouter();
  }

  /** This process's open files whose name starts with {@code prefix}, or lie under {@code dir}. */
  private static int openFiles(String prefix, Path dir) {
    Path fds = Path.of("/proc/self/fd");
    assertThat(fds).as("counting open files needs Linux's /proc").isDirectory();
    int n = 0;
    try (Stream<Path> all = Files.list(fds)) {
      for (Path fd : (Iterable<Path>) all::iterator) {
        Path target;
        try {
          target = Files.readSymbolicLink(fd);
        } catch (IOException e) {
          continue; // closed since it was listed (the directory stream's own descriptor)
        }
        Path name = target.getFileName();
        if ((prefix != null && name != null && name.toString().startsWith(prefix))
            || (dir != null && target.startsWith(dir))) {
          n++;
        }
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return n;
  }

  /** This process's run files ({@link Reorder#runFile}) open now. */
  private static int openRunFiles() {
    return openFiles(Reorder.RUN_PREFIX + ProcessHandle.current().pid() + "-", null);
  }

  /** Integers as records; every write counts this process's open run files (the peak is then). */
  private static final class CountingCodec implements Reorder.Codec<Integer> {
    int most;
    long writes;

    @Override
    public void write(DataOutput out, Integer t) throws IOException {
      if (writes++ % 64 == 0) {
        most = Math.max(most, openRunFiles());
      }
      out.writeInt(t);
    }

    @Override
    public Integer read(DataInput in) throws IOException {
      return in.readInt();
    }
  }

  private static Reorder<Integer> buffer(
      CountingCodec codec, int limit, java.util.function.Consumer<Integer> out) {
    return new Reorder<>(Instant::ofEpochSecond, String::valueOf, codec, limit, out);
  }

  /** Scratch of the test (house rule: scratch under target/ or a @TempDir, not /tmp). */
  @TempDir Path tmp;

  @Test
  void aBufferThatSpillsThousandsOfTimesReadsAtMostRunsFilesAtOnce() {
    CountingCodec codec = new CountingCodec();
    List<Integer> out = new ArrayList<>();
    Random rnd = new Random(7);
    List<Integer> in = new ArrayList<>();
    int n = 50_000;
    try (Reorder<Integer> r = buffer(codec, 10, out::add)) {
      for (int i = 0; i < n; i++) {
        int v = i + rnd.nextInt(40_000);
        in.add(v);
        r.add(v);
        if (i % 5_000 == 4_999) {
          r.release(Instant.ofEpochSecond(i + 1)); // no record to come is earlier
        }
      }
      r.release(null);
      assertThat(r.spilled()).as("spilled once per %d records", 11).isGreaterThan(5_000);
      assertThat(r.rewritten()).as("runs were merged").isGreaterThan(0);
      // a record is rewritten about log8(runs) times, not once per spill
      assertThat(r.rewritten()).isLessThan(5L * n);
      assertThat(r.mostRunsOpen()).isLessThanOrEqualTo(Reorder.RUNS);
    }
    // the runs read, and the one written while some of them are merged
    assertThat(codec.most).isGreaterThan(1).isLessThanOrEqualTo(Reorder.RUNS + 1);
    assertThat(openRunFiles()).isZero();
    in.sort(Comparator.naturalOrder());
    assertThat(out).isEqualTo(in);
  }

  private record Given(int value, long place, int sequence) {}

  @Test
  void aSplitBufferGivesAtMostSequencesLateSequencesInOrder() {
    CountingCodec codec = new CountingCodec();
    List<Given> given = new ArrayList<>();
    List<Integer> in = new ArrayList<>();
    int rounds = 20_000;
    try (Reorder<Integer> r = buffer(codec, 10, null)) {
      r.split((v, place, q) -> given.add(new Given(v, place, q)));
      Random rnd = new Random(11);
      for (int i = 1; i <= rounds; i++) {
        int settled = i * 10;
        in.add(settled);
        r.add(settled);
        // late: before the watermark given in the last round; the full watermark stays at 0
        // (a window open since the start holds it), so every late one waits to the end
        int late = (i - 1) * 10 - 6 - rnd.nextInt(3000);
        if (i > 1 && late > 0) {
          in.add(late);
          r.add(late);
        }
        r.release(Instant.ofEpochSecond(settled - 5), Instant.ofEpochSecond(0));
      }
      r.release(null, null);
      assertThat(r.lateRecords()).isGreaterThan(100L * 11);
      assertThat(r.mostRunsOpen()).isLessThanOrEqualTo(2 * Reorder.RUNS);
    }
    assertThat(codec.most).isLessThanOrEqualTo(2 * Reorder.RUNS + 1);
    assertThat(openRunFiles()).isZero();

    int most = given.stream().mapToInt(Given::sequence).max().orElseThrow();
    assertThat(most).isEqualTo(Reorder.SEQUENCES);
    assertThat(given.stream().filter(g -> g.sequence() == most).count())
        .as("the last late sequence takes the rest")
        .isGreaterThan(100L * 11);
    Given[] last = new Given[most + 1];
    Set<Long> places = new HashSet<>();
    for (Given g : given) {
      assertThat(places.add(g.place())).isTrue();
      Given before = last[g.sequence()];
      if (before != null) {
        assertThat(
                before.value() < g.value()
                    || (before.value() == g.value() && before.place() < g.place()))
            .as("sequence %d: %s before %s", g.sequence(), before, g)
            .isTrue();
      }
      last[g.sequence()] = g;
    }
    List<Given> merged = new ArrayList<>(given);
    merged.sort(Comparator.comparingInt(Given::value).thenComparingLong(Given::place));
    in.sort(Comparator.naturalOrder());
    assertThat(merged.stream().map(Given::value).toList()).isEqualTo(in);
  }

  /**
   * A busy router's three days with a buffer limit of 20: most windows close long after their
   * opening (a client's window closes at its next line, minutes later), so without the bound they
   * would come in hundreds of late sequences, each two files of the cache's entry.
   */
  @Test
  void theCacheEntryOfABusyStreamHoldsAtMostNineWindowSequences() throws IOException {
    AuditEngine engine = new AuditEngine(AuditConfig.defaults(), Duration.ofMinutes(2), LIMIT);
    AuditResult collected =
        new AuditEngine(AuditConfig.defaults()).reconstruct(AuditInput.of(busy));
    Path dir = Files.createTempDirectory(tmp, "mobilessh-bounded-");
    try {
      int mostWhileWritten = 0;
      AuditEngine.LiveState live;
      try (AuditRunFile.Writer w = new AuditRunFile.Writer(dir, true, false);
          AuditEngine.Stream s = engine.open(List.of(), List.of(), List.of(), w)) {
        int i = 0;
        for (TracedEvent te : busy) {
          s.accept(te);
          if (++i % 500 == 0) {
            mostWhileWritten = Math.max(mostWhileWritten, openFiles(null, dir));
          }
        }
        s.finish();
        live = s.liveState();
        w.finish("test");
      }
      // the windows' sequence 0 and the current late one, and one pair per other kind
      assertThat(mostWhileWritten).isLessThanOrEqualTo(2 * 2 + 3 * 2);
      assertThat(live.mostRunsOpen()).isLessThanOrEqualTo(4 * Reorder.RUNS);

      AuditRunFile.Checked c = AuditRunFile.read(dir);
      int sequences = c.sequences().get(AuditRunFile.Kind.WINDOWS.ordinal()).size();
      assertThat(sequences).isEqualTo(Reorder.SEQUENCES + 1);
      long late = 0;
      for (int q = 1; q < sequences; q++) {
        late += c.sequences().get(AuditRunFile.Kind.WINDOWS.ordinal()).get(q).count();
      }
      assertThat(late)
          .as("late windows, one sequence per %d without the bound", LIMIT + 1)
          .isGreaterThan(100L * (LIMIT + 1));
      try (Stream<Path> files = Files.list(dir)) {
        assertThat(files.filter(p -> p.getFileName().toString().startsWith("windows")).count())
            .isEqualTo(2L * (Reorder.SEQUENCES + 1));
      }
      c.verifyRecords(EnumSet.allOf(AuditRunFile.Kind.class));
      c.verifyText(EnumSet.allOf(AuditRunFile.Kind.class));

      List<Window> windows = new ArrayList<>();
      int mostWhileRead;
      try (AuditRunFile.Records<Window> r = c.open(AuditRunFile.Kind.WINDOWS, true)) {
        mostWhileRead = openFiles(null, dir);
        for (Window win = r.next(); win != null; win = r.next()) {
          windows.add(win);
        }
      }
      assertThat(mostWhileRead).isEqualTo(2 * (Reorder.SEQUENCES + 1));
      assertThat(windows).hasSizeGreaterThan(10_000).isEqualTo(collected.windows());
      try (AuditRunFile.Records<Session> r = c.open(AuditRunFile.Kind.SESSIONS, true)) {
        List<Session> sessions = new ArrayList<>();
        for (Session x = r.next(); x != null; x = r.next()) {
          sessions.add(x);
        }
        assertThat(sessions).isEqualTo(collected.sessions());
      }
    } finally {
      AuditCache.delete(dir);
    }
    assertThat(openRunFiles()).isZero();
  }
}
