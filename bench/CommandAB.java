import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * A mobilessh command, cold, for one or more jars in ONE JVM: each jar in its own class loader,
 * rounds alternated with the order rotated, the index's audit and report caches deleted before
 * every run (each run computes as a first run does), the process's CPU time and the wall time of
 * each run, and a SHA-256 of each run's stdout, which must agree across jars and rounds. Not a
 * test: docs/performance-log.md, "Session 14: the lead's measurements".
 *
 * <pre>java -XX:+UseParallelGC -XX:MaxNewSize=1g -XX:FreqInlineSize=100 -XX:InlineSmallCode=1000 \
 *   bench/CommandAB.java ROUNDS INDEX JAR... -- windows --index INDEX --month 2026-10 --format csv
 * </pre>
 *
 * (the launcher's flags for the read commands; INDEX is a COPY of a benchmark index, since the
 * command writes its cache there). Round 0 carries the JIT's warm-up, so compare the medians of the
 * rounds after it: on a shared 2-core host the pairs of one JVM differ by a few tenths of a CPU-s
 * where separate cold runs differ by 1-2 CPU-s. With one jar it says how much of a cold run is
 * warm-up (round 0 against the rest).
 */
public final class CommandAB {
  public static void main(String[] a) throws Exception {
    int rounds = Integer.parseInt(a[0]);
    Path index = Path.of(a[1]);
    List<String> jars = new ArrayList<>();
    int i = 2;
    for (; !a[i].equals("--"); i++) {
      jars.add(a[i]);
    }
    String[] args = Arrays.copyOfRange(a, i + 1, a.length);
    int n = jars.size();
    Method[] commandLine = new Method[n];
    for (int j = 0; j < n; j++) {
      URLClassLoader l =
          new URLClassLoader(
              new URL[] {Path.of(jars.get(j)).toUri().toURL()},
              ClassLoader.getPlatformClassLoader());
      commandLine[j] =
          l.loadClass("org.mobilessh.cli.MobilesshCommand")
              .getMethod("commandLine", String[].class);
    }
    var os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    double[][] cpu = new double[n][rounds];
    String[] digest = new String[n];
    boolean same = true;
    PrintStream out = System.out;
    PrintStream err = System.err;
    Path file = Files.createTempFile("mobilessh-ab-", ".out");
    try {
      for (int r = 0; r < rounds; r++) {
        for (int k = 0; k < n; k++) {
          int j = (r + k) % n;
          deleteCaches(index);
          long cpu0 = os.getProcessCpuTime();
          long wall0 = System.nanoTime();
          int rc;
          try (PrintStream to =
                  new PrintStream(
                      new BufferedOutputStream(new FileOutputStream(file.toFile()), 1 << 16));
              PrintStream none = new PrintStream(OutputStream.nullOutputStream())) {
            System.setOut(to);
            System.setErr(none);
            Object line = commandLine[j].invoke(null, (Object) args);
            rc =
                (int)
                    line.getClass()
                        .getMethod("execute", String[].class)
                        .invoke(line, (Object) args);
            to.flush();
          } finally {
            System.setOut(out);
            System.setErr(err);
          }
          cpu[j][r] = (os.getProcessCpuTime() - cpu0) / 1e9;
          double wall = (System.nanoTime() - wall0) / 1e9;
          String d = sha256(file);
          if (digest[j] == null) {
            digest[j] = d;
          }
          if (!d.equals(digest[j]) || !d.equals(digest[0] == null ? d : digest[0])) {
            same = false;
            err.printf("OUTPUT DIFFERS: jar %d round %d: %s%n", j, r, d);
          }
          err.printf(
              Locale.ROOT,
              "round %d jar %d: rc %d, %.2f s wall, %.2f CPU-s, load %s%n",
              r,
              j,
              rc,
              wall,
              cpu[j][r],
              Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        }
      }
    } finally {
      Files.deleteIfExists(file);
    }
    for (int j = 0; j < n; j++) {
      double[] after = Arrays.copyOfRange(cpu[j], Math.min(1, rounds - 1), rounds);
      Arrays.sort(after);
      err.printf(
          Locale.ROOT,
          "jar %d %s: CPU-s %s, median after round 0 %.2f, stdout %s%n",
          j,
          jars.get(j),
          Arrays.toString(Arrays.stream(cpu[j]).map(c -> Math.round(c * 100) / 100.0).toArray()),
          after[after.length / 2],
          digest[j]);
    }
    if (!same) {
      System.exit(1);
    }
  }

  private static void deleteCaches(Path index) throws IOException {
    for (String name : new String[] {"mobilessh-audit-cache", "mobilessh-report-cache"}) {
      Path p = index.resolve(name);
      if (Files.exists(p)) {
        try (Stream<Path> s = Files.walk(p)) {
          for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
            Files.delete(x);
          }
        }
      }
    }
  }

  private static String sha256(Path file) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    try (InputStream in = Files.newInputStream(file)) {
      byte[] b = new byte[1 << 20];
      for (int m; (m = in.read(b)) > 0; ) {
        md.update(b, 0, m);
      }
    }
    return HexFormat.of().formatHex(md.digest()).substring(0, 16);
  }
}
