import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Ingest's line splitting alone ({@code org.mobilessh.ingest.LineReader}, package-private, reached
 * through a private lookup: the shaded jar and this file share the unnamed module), over a file
 * held in memory, as ingest's reading thread runs it before parsing:
 *
 * <pre>java -cp target/mobilessh-VERSION.jar bench/LineBench.java FILE [ROUNDS]</pre>
 *
 * Per round: every line's bytes found (next, bytes/start/length) and made a Latin-1 String as
 * {@code Ingester} does for ASCII lines; prints wall and this thread's CPU seconds per round and
 * the medians. Run it for two jars one after the other (alternating) to compare them: other jobs
 * share the cores, so compare the CPU medians. Not a test: docs/performance-log.md, "Session 8:
 * ingest-read".
 */
public final class LineBench {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final MethodHandle NEW;
  private static final MethodHandle NEXT;
  private static final MethodHandle BYTES;
  private static final MethodHandle START;
  private static final MethodHandle LENGTH;

  static {
    try {
      Class<?> c = Class.forName("org.mobilessh.ingest.LineReader");
      MethodHandles.Lookup l = MethodHandles.privateLookupIn(c, MethodHandles.lookup());
      NEW =
          l.findConstructor(
                  c,
                  MethodType.methodType(
                      void.class, InputStream.class, long.class, long.class, int.class))
              .asType(
                  MethodType.methodType(
                      Object.class, InputStream.class, long.class, long.class, int.class));
      NEXT =
          l.findVirtual(c, "next", MethodType.methodType(boolean.class))
              .asType(MethodType.methodType(boolean.class, Object.class));
      BYTES =
          l.findVirtual(c, "bytes", MethodType.methodType(byte[].class))
              .asType(MethodType.methodType(byte[].class, Object.class));
      START =
          l.findVirtual(c, "start", MethodType.methodType(int.class))
              .asType(MethodType.methodType(int.class, Object.class));
      LENGTH =
          l.findVirtual(c, "length", MethodType.methodType(int.class))
              .asType(MethodType.methodType(int.class, Object.class));
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  public static void main(String[] args) throws Throwable {
    byte[] file = Files.readAllBytes(Path.of(args[0]));
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 9;
    double[] wall = new double[rounds];
    double[] cpu = new double[rounds];
    long check = 0;
    for (int r = 0; r < rounds; r++) {
      long c0 = THREADS.getCurrentThreadCpuTime();
      long t0 = System.nanoTime();
      Object reader = (Object) NEW.invokeExact((InputStream) new ByteArrayInputStream(file), 0L, 0L, 1 << 20);
      long lines = 0;
      long chars = 0;
      while ((boolean) NEXT.invokeExact(reader)) {
        String s =
            new String(
                (byte[]) BYTES.invokeExact(reader),
                (int) START.invokeExact(reader),
                (int) LENGTH.invokeExact(reader),
                StandardCharsets.ISO_8859_1);
        lines++;
        chars += s.length() + s.charAt(s.length() >> 1);
      }
      wall[r] = (System.nanoTime() - t0) / 1e9;
      cpu[r] = (THREADS.getCurrentThreadCpuTime() - c0) / 1e9;
      check += chars;
      System.out.printf(
          Locale.ROOT, "round %d: %,d lines, %.3f s wall, %.3f CPU-s%n", r + 1, lines, wall[r], cpu[r]);
    }
    Arrays.sort(wall);
    Arrays.sort(cpu);
    System.out.printf(
        Locale.ROOT,
        "median: %.3f s wall, %.3f CPU-s (checksum %d)%n",
        wall[rounds / 2],
        cpu[rounds / 2],
        check);
  }
}
