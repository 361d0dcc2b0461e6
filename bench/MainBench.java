import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * The ingest reading thread's work (split, parse, identity, dedupe, prepare; no Lucene) for two or
 * more jars in ONE JVM, rounds alternated with the order rotated, CPU time of this thread per
 * round: differences of a few percent show even under load, where separate ingest runs do not.
 * Run through bench/main-ab.sh, which compiles bench/mainloop/ against the first jar:
 *
 * <pre>java bench/MainBench.java CLASSES FILE ROUNDS JAR...</pre>
 *
 * Each jar gets its own class loader over CLASSES (the compiled bench/mainloop/) and the jar. All
 * jars must give the same checksum (same hashes, dedupe outcomes and stored bytes) or it stops.
 * Not a test: docs/performance-log.md, "Session 9: ingest-main".
 */
public final class MainBench {
  public static void main(String[] a) throws Exception {
    Path classes = Path.of(a[0]);
    byte[] data = Files.readAllBytes(Path.of(a[1]));
    int rounds = Integer.parseInt(a[2]);
    int n = a.length - 3;
    Method[] run = new Method[n];
    for (int j = 0; j < n; j++) {
      URLClassLoader l =
          new URLClassLoader(
              new URL[] {classes.toUri().toURL(), Path.of(a[3 + j]).toUri().toURL()}, null);
      run[j] =
          l.loadClass("org.mobilessh.ingest.MainLoopBench")
              .getMethod("run", byte[].class, String.class);
    }
    ThreadMXBean t = ManagementFactory.getThreadMXBean();
    double[][] cpu = new double[n][rounds];
    Long sum = null;
    for (int r = 0; r < rounds; r++) {
      StringBuilder line = new StringBuilder("round " + r + ":");
      for (int k = 0; k < n; k++) {
        int j = (r + k) % n;
        long c0 = t.getCurrentThreadCpuTime();
        long s;
        try {
          s = (long) run[j].invoke(null, data, "/var/log/kern.log");
        } catch (InvocationTargetException e) {
          throw new IllegalStateException(e.getCause());
        }
        cpu[j][r] = (t.getCurrentThreadCpuTime() - c0) / 1e9;
        if (sum != null && s != sum) {
          throw new IllegalStateException("jar " + a[3 + j] + " made something else: " + s);
        }
        sum = s;
        line.append(String.format(Locale.ROOT, " jar%d %.3f", j + 1, cpu[j][r]));
      }
      System.out.println(line);
    }
    int skip = Math.min(2, rounds - 1); // warm-up
    for (int j = 0; j < n; j++) {
      double[] c = Arrays.copyOfRange(cpu[j], skip, rounds);
      Arrays.sort(c);
      System.out.printf(
          Locale.ROOT,
          "jar%d %s: median %.3f min %.3f CPU-s per pass (rounds %d..%d)%n",
          j + 1,
          a[3 + j],
          c[c.length / 2],
          c[0],
          skip + 1,
          rounds);
    }
  }
}
