package org.mobilessh.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The kernel log as an administrator would collect it: a real rsyslogd with a private config
 * (imkmsg reads {@code /dev/kmsg}; pid file, work directory and output file under {@code target/}).
 * While open it holds the machine-wide netfilter lock ({@code flock} on {@value #LOCK}) and sets
 * {@code net.netfilter.nf_log_all_netns=1}, so LOG rules inside our namespaces reach the kernel
 * log; {@link #close()} restores the previous value and releases the lock.
 *
 * <p>Lines are ordered by the kernel's sequence numbers, so a marker written to {@code /dev/kmsg}
 * and seen in rsyslog's file proves every earlier kernel line is in the file too: {@link #sync()}
 * uses that instead of sleeping.
 */
final class KernelLog implements AutoCloseable {
  static final String LOCK = "/tmp/mobilessh-netfilter.lock";
  private static final Path LOG_ALL_NETNS = Path.of("/proc/sys/net/netfilter/nf_log_all_netns");

  private final Path file;
  private Process lock;
  private Writer lockInput;
  private String previousLogAllNetns;
  private Process rsyslogd;
  private String startMarker;
  private final Thread shutdownHook = new Thread(this::stop, "msh-c-kernel-log");
  private boolean stopped;

  private KernelLog(Path file) {
    this.file = file;
  }

  /** Takes the lock, enables namespace logging and starts rsyslogd in {@code dir}. */
  static KernelLog start(Path dir) {
    KernelLog log = new KernelLog(dir.resolve("kern.log"));
    // Last resort when the JVM dies early: the global sysctl must not stay changed.
    Runtime.getRuntime().addShutdownHook(log.shutdownHook);
    try {
      log.acquireLock();
      log.previousLogAllNetns = Files.readString(LOG_ALL_NETNS).strip();
      Files.writeString(LOG_ALL_NETNS, "1\n");
      log.startRsyslogd(dir);
      log.startMarker = log.mark();
      return log;
    } catch (IOException e) {
      log.close();
      throw new UncheckedIOException(e);
    } catch (RuntimeException | Error e) {
      log.close();
      throw e;
    }
  }

  private void acquireLock() throws IOException {
    // flock(1) locks are not seen by Java's fcntl-based FileLock: hold it through a child.
    lock =
        new ProcessBuilder("flock", "-x", "-w", "600", LOCK, "cat")
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    lockInput = new OutputStreamWriter(lock.getOutputStream(), StandardCharsets.UTF_8);
    lockInput.write("locked\n");
    lockInput.flush();
    BufferedReader echo =
        new BufferedReader(new InputStreamReader(lock.getInputStream(), StandardCharsets.UTF_8));
    if (!"locked".equals(echo.readLine())) {
      throw new IllegalStateException("could not take the flock on " + LOCK + " within 600 s");
    }
  }

  private void startRsyslogd(Path dir) throws IOException {
    Path work = Files.createDirectories(dir.resolve("work"));
    Files.deleteIfExists(file);
    Path conf = dir.resolve("rsyslog.conf");
    Files.writeString(
        conf,
        String.join(
            "\n",
            "global(workDirectory=\"" + work + "\")",
            "module(load=\"imkmsg\")",
            "template(name=\"precise\" type=\"string\"",
            "  string=\"%timereported:::date-rfc3339% %hostname% %syslogtag%%msg%\\n\")",
            "action(type=\"omfile\" file=\"" + file + "\" template=\"precise\")",
            ""));
    rsyslogd =
        new ProcessBuilder(
                "rsyslogd",
                "-n",
                "-f",
                conf.toString(),
                "-i",
                dir.resolve("rsyslogd.pid").toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("rsyslogd.out").toFile())
            .start();
  }

  /** Writes a unique marker into the kernel log and waits until rsyslogd has written it. */
  private String mark() {
    String marker = "msh-c-marker-" + UUID.randomUUID();
    try {
      Files.writeString(Path.of("/dev/kmsg"), marker + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write /dev/kmsg", e);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < deadline) {
      if (!rsyslogd.isAlive()) {
        throw new IllegalStateException("rsyslogd exited with " + rsyslogd.exitValue());
      }
      if (readAll().stream().anyMatch(l -> l.contains(marker))) {
        return marker;
      }
      sleep(50);
    }
    throw new IllegalStateException("rsyslogd did not write the kernel log marker within 15 s");
  }

  /** Every kernel log line since this log started, up to a marker written now. */
  List<String> sync() {
    mark();
    List<String> all = readAll();
    int start = 0;
    for (int i = 0; i < all.size(); i++) {
      if (all.get(i).contains(startMarker)) {
        start = i + 1;
      }
    }
    return all.subList(start, all.size());
  }

  /** How the LOG target prints an address: IPv6 fully expanded, IPv4 as is. */
  static String logForm(String address) {
    if (!address.contains(":")) {
      return address;
    }
    try {
      byte[] bytes = InetAddress.getByName(address).getAddress();
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < 16; i += 2) {
        out.append(i == 0 ? "" : ":")
            .append(String.format("%02x%02x", bytes[i] & 0xff, bytes[i + 1] & 0xff));
      }
      return out.toString();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(address, e);
    }
  }

  private List<String> readAll() {
    try {
      return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  @Override
  public void close() {
    try {
      stop();
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // Already shutting down: the hook is running or ran.
      }
    }
  }

  private synchronized void stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    if (rsyslogd != null) {
      rsyslogd.destroy();
      try {
        if (!rsyslogd.waitFor(5, TimeUnit.SECONDS)) {
          rsyslogd.destroyForcibly();
        }
      } catch (InterruptedException e) {
        rsyslogd.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    if (previousLogAllNetns != null) {
      try {
        Files.writeString(LOG_ALL_NETNS, previousLogAllNetns + "\n");
      } catch (IOException e) {
        throw new UncheckedIOException("cannot restore nf_log_all_netns", e);
      } finally {
        releaseLock();
      }
    } else {
      releaseLock();
    }
  }

  private void releaseLock() {
    if (lock == null) {
      return;
    }
    try {
      lockInput.close();
    } catch (IOException e) {
      // cat is gone already; destroying it below releases the lock just the same.
    }
    try {
      if (!lock.waitFor(5, TimeUnit.SECONDS)) {
        lock.destroyForcibly();
      }
    } catch (InterruptedException e) {
      lock.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    lock = null;
  }
}
