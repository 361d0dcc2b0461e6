package org.mobilessh.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.mobilessh.evidence.Progress;

/**
 * Progress of {@code export} and {@code evidence} on the error stream (data stays on stdout): every
 * finished step as a line with its time, and meanwhile the step under way with its count — as a
 * line redrawn in place four times a second when stderr is a terminal, else as a plain line every
 * {@link #PLAIN_EVERY} so a log file gets a sign of life without a flood.
 */
final class WorkProgress implements Progress, AutoCloseable {
  /** How often a step under way is reported when stderr is not a terminal. */
  static final Duration PLAIN_EVERY = Duration.ofSeconds(30);

  private final PrintWriter err;
  private final String prefix;
  private final boolean terminal;
  private final long started = System.nanoTime();
  private final ScheduledExecutorService timer;
  private String phase;
  private String unit;
  private AtomicLong counter;
  private long phaseStarted;
  private boolean live;

  /**
   * @param err the command's error writer
   * @param command the prefix of every line ({@code evidence})
   * @param terminal whether stderr is a terminal (redraw in place) or not (plain lines)
   * @param every how often a step under way is reported
   */
  WorkProgress(PrintWriter err, String command, boolean terminal, Duration every) {
    this.err = err;
    this.prefix = command + ": ";
    this.terminal = terminal;
    timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "mobilessh-progress");
              t.setDaemon(true);
              return t;
            });
    long ms = every.toMillis();
    timer.scheduleAtFixedRate(this::tick, ms, ms, TimeUnit.MILLISECONDS);
  }

  /** For a command: redrawn on a terminal, else every {@link #PLAIN_EVERY}. */
  static WorkProgress of(PrintWriter err, String command) {
    boolean tty = stderrIsTerminal();
    return new WorkProgress(err, command, tty, tty ? Duration.ofMillis(250) : PLAIN_EVERY);
  }

  /**
   * Whether file descriptor 2 is a terminal: on Linux its link in {@code /proc/self/fd} names a
   * {@code /dev/pts} or {@code /dev/tty} device; elsewhere, whether the JVM has a console.
   */
  static boolean stderrIsTerminal() {
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (Exception e) {
      return System.console() != null;
    }
  }

  @Override
  public synchronized void step(String line) {
    clear();
    err.println(prefix + line);
    err.flush();
  }

  @Override
  public synchronized AtomicLong phase(String name, String unit) {
    this.phase = name;
    this.unit = unit;
    this.counter = new AtomicLong();
    this.phaseStarted = System.nanoTime();
    return counter;
  }

  private synchronized void tick() {
    if (phase == null) {
      return;
    }
    long n = counter.get();
    String what =
        prefix
            + phase
            + ": "
            + (unit.isEmpty() ? "" : count(n, unit) + ", ")
            + seconds(System.nanoTime() - phaseStarted)
            + " (total "
            + seconds(System.nanoTime() - started)
            + ")";
    if (terminal) {
      // carriage return and erase to the end of the line: the line is redrawn in place
      err.print("\r" + what + "\u001b[K");
      live = true;
    } else {
      err.println(what);
    }
    err.flush();
  }

  private void clear() {
    if (live) {
      err.print("\r\u001b[K");
      live = false;
    }
  }

  private static String count(long n, String unit) {
    if (unit.equals("bytes")) {
      return String.format(Locale.ROOT, "%,.1f MiB", n / 1048576.0);
    }
    return String.format(Locale.ROOT, "%,d %s", n, unit);
  }

  private static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.0f s", nanos / 1e9);
  }

  @Override
  public synchronized void close() {
    timer.shutdownNow();
    phase = null;
    clear();
    err.flush();
  }
}
