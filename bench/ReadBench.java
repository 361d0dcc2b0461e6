import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.mobilessh.audit.AuditConfig;
import org.mobilessh.audit.AuditEngine;
import org.mobilessh.audit.AuditInput;
import org.mobilessh.audit.AuditResult;
import org.mobilessh.audit.AuditSink;
import org.mobilessh.audit.Window;
import org.mobilessh.audit.Session;
import org.mobilessh.audit.Rejection;
import org.mobilessh.audit.Anomaly;
import org.mobilessh.audit.RejectTotals;
import org.mobilessh.audit.IndexedAuditInput;
import org.mobilessh.index.EventSearcher;
import org.mobilessh.rules.RulesetSettings;

/**
 * The read side inside one warm JVM, as bench/audit.sh calls it (Java's single-file source
 * launcher, the shaded jar on the class path):
 *
 * <pre>java -cp target/mobilessh-VERSION.jar bench/ReadBench.java INDEX MODE ARGS...</pre>
 *
 * <ul>
 *   <li>{@code load YYYY-MM [HOST]}: read the month (widened by one day each side, as the audit
 *       commands do) through IndexedAuditInput, then reconstruct it; prints events, seconds and
 *       CPU seconds of this thread for each step.
 *   <li>{@code stream YYYY-MM [HOST|-] [ROUNDS] [windows]}: the same month reconstructed as the
 *       audit commands do now, streamed (IndexedAuditInput.stream: read and engine in one pass,
 *       records counted as they come, nothing kept); prints seconds and CPU seconds of this
 *       thread per round and the heap in use at the end. {@code windows}: as the {@code windows}
 *       command runs it (the sink takes no rejections and no anomalies, so the engine makes
 *       none).
 *   <li>{@code search ROUNDS QUERY...}: run {@code search QUERY} (limit 100, as the CLI default)
 *       ROUNDS times after 5 warm-up rounds; prints the median, min and max in milliseconds.
 * </ul>
 */
public final class ReadBench {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  public static void main(String[] args) throws Exception {
    Path index = Path.of(args[0]);
    String mode = args[1];
    try (EventSearcher searcher = EventSearcher.open(index)) {
      if (mode.equals("load")) {
        YearMonth m = YearMonth.parse(args[2]);
        String host = args.length > 3 ? args[3] : null;
        Instant from = m.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC).minusSeconds(86_400 + 60);
        Instant to = m.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC).plusSeconds(86_400);
        long w0 = System.nanoTime();
        long c0 = THREADS.getCurrentThreadCpuTime();
        AuditInput input = IndexedAuditInput.load(searcher, from, to, host);
        long w1 = System.nanoTime();
        long c1 = THREADS.getCurrentThreadCpuTime();
        System.gc();
        Runtime rt0 = Runtime.getRuntime();
        System.out.printf(Locale.ROOT, "heap after load and GC: %d MB%n", (rt0.totalMemory() - rt0.freeMemory()) >> 20);
        w1 = System.nanoTime();
        c1 = THREADS.getCurrentThreadCpuTime();
        System.out.printf(Locale.ROOT, "load: %d events in %.3f s wall, %.3f s CPU (%.2f us/event)%n",
            input.events().size(), (w1 - w0) / 1e9, (c1 - c0) / 1e9,
            (c1 - c0) / 1e3 / Math.max(1, input.events().size()));
        AuditConfig config = AuditConfig.of(
            new RulesetSettings().set("mail-server", List.of("192.0.2.0/24")).toConfig())
            .withMailServers(List.of());
        AuditResult r = new AuditEngine(config).reconstruct(input);
        long w2 = System.nanoTime();
        long c2 = THREADS.getCurrentThreadCpuTime();
        System.out.printf(Locale.ROOT, "engine: %d windows, %d sessions, %d rejections in %.3f s wall, %.3f s CPU%n",
            r.windows().size(), r.sessions().size(), r.rejections().size(), (w2 - w1) / 1e9, (c2 - c1) / 1e9);
        Runtime rt = Runtime.getRuntime();
        System.out.printf(Locale.ROOT, "heap used %d MB%n", (rt.totalMemory() - rt.freeMemory()) >> 20);
      } else if (mode.equals("stream")) {
        YearMonth m = YearMonth.parse(args[2]);
        String host = args.length > 3 && !args[3].equals("-") ? args[3] : null;
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 1;
        boolean rejections = !(args.length > 5 && args[5].equals("windows"));
        Instant from = m.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC).minusSeconds(86_400 + 60);
        Instant to = m.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC).plusSeconds(86_400);
        AuditConfig config = AuditConfig.of(
            new RulesetSettings().set("mail-server", List.of("192.0.2.0/24")).toConfig())
            .withMailServers(List.of());
        for (int round = 0; round < rounds; round++) {
          long[] n = new long[5];
          long w0 = System.nanoTime();
          long c0 = THREADS.getCurrentThreadCpuTime();
          IndexedAuditInput.stream(searcher, from, to, host, new AuditEngine(config),
              AuditSink.month(m, new AuditSink() {
                @Override public void window(Window w) { n[0]++; }
                @Override public void session(Session s) { n[1]++; }
                @Override public void rejection(Rejection r) { n[2]++; }
                @Override public void anomaly(Anomaly a) { n[3]++; }
                @Override public boolean wantsRejections() { return rejections; }
                @Override public boolean wantsAnomalies() { return rejections; }
                @Override public void end(List<RejectTotals> t, long used, long dup, long untimed) { n[4] = used; }
              }));
          long w1 = System.nanoTime();
          long c1 = THREADS.getCurrentThreadCpuTime();
          Runtime rt = Runtime.getRuntime();
          System.out.printf(Locale.ROOT,
              "stream: %d events -> %d windows, %d sessions, %d rejections, %d anomalies in %.3f s wall, %.3f s CPU (%.2f us/event); heap used %d MB%n",
              n[4], n[0], n[1], n[2], n[3], (w1 - w0) / 1e9, (c1 - c0) / 1e9,
              (c1 - c0) / 1e3 / Math.max(1, n[4]), (rt.totalMemory() - rt.freeMemory()) >> 20);
        }
      } else if (mode.equals("scan")) {
        // the read alone: every event of the index in time order, re-parsed, nothing kept
        for (int round = 0; round < Integer.parseInt(args[2]); round++) {
          long w0 = System.nanoTime();
          long c0 = THREADS.getCurrentThreadCpuTime();
          long[] n = {0, 0};
          searcher.forEach(EventSearcher.all(), h -> {
            n[0]++;
            if (h.event() != null) {
              n[1]++;
            }
          });
          long w1 = System.nanoTime();
          long c1 = THREADS.getCurrentThreadCpuTime();
          System.out.printf(Locale.ROOT, "scan: %d hits (%d parsed) in %.3f s wall, %.3f s CPU (%.2f us/event)%n",
              n[0], n[1], (w1 - w0) / 1e9, (c1 - c0) / 1e9, (c1 - c0) / 1e3 / Math.max(1, n[0]));
        }
      } else if (mode.equals("search")) {
        int rounds = Integer.parseInt(args[2]);
        String q = String.join(" ", Arrays.copyOfRange(args, 3, args.length));
        List<Double> ms = new ArrayList<>();
        List<Double> countMs = new ArrayList<>();
        List<Double> cpuMs = new ArrayList<>();
        int hits = 0;
        long count = 0;
        for (int i = -5; i < rounds; i++) {
          long t0 = System.nanoTime();
          long c0 = THREADS.getCurrentThreadCpuTime();
          var query = searcher.parse(q);
          count = searcher.count(query);
          long tc = System.nanoTime();
          hits = searcher.search(query, 100).size();
          long t1 = System.nanoTime();
          if (i >= 0) {
            ms.add((t1 - t0) / 1e6);
            countMs.add((tc - t0) / 1e6);
            cpuMs.add((THREADS.getCurrentThreadCpuTime() - c0) / 1e6);
          }
        }
        ms.sort(null);
        countMs.sort(null);
        cpuMs.sort(null);
        System.out.printf(Locale.ROOT, "search %s: %d of %d hits, median %.2f ms wall (of which count %.2f), min %.2f, max %.2f; median CPU of the thread %.2f ms (%d rounds, warm JVM)%n",
            q, hits, count, ms.get(ms.size() / 2), countMs.get(countMs.size() / 2), ms.get(0), ms.get(ms.size() - 1), cpuMs.get(cpuMs.size() / 2), rounds);
      }
    }
  }
}
