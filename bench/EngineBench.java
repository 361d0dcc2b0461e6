import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.mobilessh.audit.Anomaly;
import org.mobilessh.audit.AuditConfig;
import org.mobilessh.audit.AuditEngine;
import org.mobilessh.audit.AuditInput;
import org.mobilessh.audit.AuditSink;
import org.mobilessh.audit.IndexedAuditInput;
import org.mobilessh.audit.RejectTotals;
import org.mobilessh.audit.Rejection;
import org.mobilessh.audit.Session;
import org.mobilessh.audit.TracedEvent;
import org.mobilessh.audit.Window;
import org.mobilessh.index.EventSearcher;
import org.mobilessh.rules.RulesetSettings;

/**
 * The audit engine alone (a benchmark, not a test): one router's month is read from the index
 * once into memory (as {@code IndexedAuditInput.load} reads it), then the engine runs over those
 * events ROUNDS times in this JVM, each round timed by the CPU of this thread:
 *
 * <pre>java -Xmx4g -cp target/mobilessh-VERSION.jar bench/EngineBench.java INDEX YYYY-MM HOST ROUNDS MODE [digest]</pre>
 *
 * <ul>
 *   <li>MODE {@code windows}: a sink as the {@code windows}/{@code sessions} commands give it (no
 *       rejections, no anomalies, so the engine makes none);
 *   <li>MODE {@code all}: every kind (as the report and the results cache take them).
 * </ul>
 *
 * {@code digest}: also folds every record's {@code toString} into a digest printed per round
 * (the same input must give the same digest in every build that claims the same results; it
 * costs CPU of its own, so time without it).
 *
 * <p>The sink takes the windows as the results cache's writer does: as sequences with their
 * places ({@code AuditSink.windowSequences}; the digest merges them back first). {@code inorder}
 * after MODE (before {@code digest}) asks for the windows in order, as a sink without a cache gets
 * them ({@code --no-cache} with one router). The file compiles against builds from main bdc8791 on;
 * for older ones run the version of session 8's end ({@code git show
 * 19d1c6c:bench/EngineBench.java}: {@code mergesWindows}, which also runs builds before it, in
 * order).
 */
public final class EngineBench {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  public static void main(String[] args) throws Exception {
    Path index = Path.of(args[0]);
    YearMonth m = YearMonth.parse(args[1]);
    String host = args[2].equals("-") ? null : args[2];
    int rounds = Integer.parseInt(args[3]);
    boolean all = args[4].equals("all");
    List<String> flags = List.of(args).subList(5, args.length);
    boolean digest = flags.contains("digest");
    boolean inOrder = flags.contains("inorder");
    Instant from = m.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC).minusSeconds(86_400 + 60);
    Instant to = m.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC).plusSeconds(86_400);
    AuditConfig config = AuditConfig.of(
        new RulesetSettings().set("mail-server", List.of("192.0.2.0/24")).toConfig())
        .withMailServers(List.of());
    AuditInput input;
    long c0 = THREADS.getCurrentThreadCpuTime();
    try (EventSearcher searcher = EventSearcher.open(index)) {
      input = IndexedAuditInput.load(searcher, from, to, host);
    }
    long c1 = THREADS.getCurrentThreadCpuTime();
    System.gc();
    Runtime rt = Runtime.getRuntime();
    System.out.printf(Locale.ROOT, "load: %d events, %.3f s CPU; heap after GC %d MB%n",
        input.events().size(), (c1 - c0) / 1e9, (rt.totalMemory() - rt.freeMemory()) >> 20);
    List<Double> cpu = new ArrayList<>();
    for (int round = 0; round < rounds; round++) {
      long[] n = new long[7];
      long[] h = {17};
      // the windows of the two sequences, kept (digest only) to be merged in order at the end
      List<Object[]> placedWindows = new ArrayList<>();
      AuditSink sink = new AuditSink() {
        private void fold(Object o) {
          if (digest) {
            h[0] = h[0] * 1_000_003L + o.toString().hashCode();
          }
        }
        @Override public void window(Window w) {
          if (digest) {
            placedWindows.add(new Object[] {w, n[0]}); // folded after the rest, as the others
          }
          n[0]++;
        }
        @Override public AuditSink.WindowSequences windowSequences() {
          return inOrder ? null : this::placed;
        }
        private void placed(Window w, long place, int sequence) {
          n[0]++;
          if (sequence > 0) {
            n[5]++;
          }
          n[6] = Math.max(n[6], sequence + 1);
          if (digest) {
            placedWindows.add(new Object[] {w, place});
          }
        }
        @Override public void session(Session s) { n[1]++; fold(s); }
        @Override public void rejection(Rejection r) {
          n[2]++;
          if (digest) {
            // a set's toString follows its JVM's hash salt: the flags in their fixed order instead
            fold(r.toString().replaceAll("tcpFlags=\\[[^\\]]*\\]", "") + r.tcpFlagText());
          }
        }
        @Override public void anomaly(Anomaly a) { n[3]++; fold(a); }
        @Override public boolean wantsRejections() { return all; }
        @Override public boolean wantsAnomalies() { return all; }
        @Override public void end(List<RejectTotals> t, long used, long dup, long untimed) {
          n[4] = used;
          // the engine's order of windows: opening, router, address text, place
          placedWindows.sort(java.util.Comparator
              .comparing((Object[] o) -> ((Window) o[0]).openedAt())
              .thenComparing(o -> ((Window) o[0]).observer() + "\0"
                  + org.mobilessh.audit.AuditFormat.address(((Window) o[0]).source()))
              .thenComparingLong(o -> (Long) o[1]));
          for (Object[] o : placedWindows) {
            fold(o[0]);
          }
          fold(t);
        }
      };
      long w0 = System.nanoTime();
      long t0 = THREADS.getCurrentThreadCpuTime();
      // as IndexedAuditInput.stream drives it: events in the index's time order, one by one
      try (AuditEngine.Stream s =
          new AuditEngine(config).open(input.lossMarkers(), input.snapshots(), input.rulesets(), sink)) {
        for (TracedEvent te : input.events()) {
          s.accept(te);
        }
        s.finish();
      }
      long w1 = System.nanoTime();
      long t1 = THREADS.getCurrentThreadCpuTime();
      cpu.add((t1 - t0) / 1e9);
      System.out.printf(Locale.ROOT,
          "round %d: %d events -> %d windows (%d late, %d sequences), %d sessions, %d rejections, %d anomalies in %.3f s wall, %.3f s CPU (%.2f us/event)%s%n",
          round + 1, n[4], n[0], n[5], Math.max(1, n[6]), n[1], n[2], n[3], (w1 - w0) / 1e9, (t1 - t0) / 1e9,
          (t1 - t0) / 1e3 / Math.max(1, n[4]), digest ? String.format(" digest %016x", h[0]) : "");
    }
    List<Double> rest = new ArrayList<>(cpu.subList(Math.min(1, cpu.size() - 1), cpu.size()));
    rest.sort(null);
    System.out.printf(Locale.ROOT, "median CPU of rounds 2..%d: %.3f s%n", rounds, rest.get(rest.size() / 2));
  }
}
