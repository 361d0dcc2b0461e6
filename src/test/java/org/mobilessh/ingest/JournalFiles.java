package org.mobilessh.ingest;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Real journal files for tests: entries in journal export format are written by {@code
 * systemd-journal-remote} (package systemd-journal-remote), which appends to an existing {@code
 * .journal} file, so {@code journalctl --file} reads them with real cursors. The entries are the
 * kernel records of {@code sample-logs/dmesg-raw.log} as journald stores them (MESSAGE without the
 * uptime stamp, {@code _SOURCE_MONOTONIC_TIMESTAMP} = the kernel's stamp, received 40 µs later);
 * entry {@code i >= 44} repeats record {@code i % 44} one second later per round with source port
 * {@code 20000 + i}, so every entry is a distinct event.
 */
final class JournalFiles {
  static final Path REMOTE = Path.of("/lib/systemd/systemd-journal-remote");
  static final String BOOT_ID = "4f1d1c5e0a2b4c0d9e8f7a6b5c4d3e2f";
  static final int RECORDS = 44;

  private static final Pattern DMESG = Pattern.compile("^\\[\\s*(\\d+)\\.(\\d{6})\\] (.*)$");
  private static final List<String> SAMPLE = read("dmesg-raw.log");
  static final long BOOT_MICROS = bootMicros();

  private JournalFiles() {}

  private static List<String> read(String name) {
    try {
      return Files.readAllLines(Path.of("sample-logs", name));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static long bootMicros() {
    for (String l : read("dmesg-boot-time.txt")) {
      if (l.startsWith("boot_time_epoch=")) {
        return new BigDecimal(l.substring("boot_time_epoch=".length()))
            .movePointRight(6)
            .longValueExact();
      }
    }
    throw new AssertionError("no boot_time_epoch in dmesg-boot-time.txt");
  }

  /** Fails under CI=true, skips elsewhere, when the tools are missing. */
  static void require() {
    String missing = null;
    if (!Files.isExecutable(REMOTE)) {
      missing = REMOTE + " (apt-get install systemd-journal-remote)";
    } else {
      try {
        Process p = new ProcessBuilder("journalctl", "--version").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (p.waitFor() != 0) {
          missing = "journalctl";
        }
      } catch (IOException | InterruptedException e) {
        missing = "journalctl (" + e.getMessage() + ")";
      }
    }
    if (missing == null) {
      return;
    }
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      Assertions.fail("journal test needs " + missing + " (CI=true: must run, not skip)");
    }
    Assumptions.abort("journal test needs " + missing);
  }

  /** Entry {@code i} in journal export format (a kernel record). */
  static String entry(int i) {
    Matcher m = DMESG.matcher(SAMPLE.get(i % RECORDS));
    if (!m.matches()) {
      throw new AssertionError("not a raw dmesg line: " + SAMPLE.get(i % RECORDS));
    }
    int round = i / RECORDS;
    long kernelMono = Long.parseLong(m.group(1)) * 1_000_000 + Long.parseLong(m.group(2));
    kernelMono += round * 1_000_000L;
    String message = m.group(3);
    if (round > 0) {
      message = message.replaceFirst("SPT=\\d+", "SPT=" + (20000 + i));
    }
    long mono = kernelMono + 40;
    return "__REALTIME_TIMESTAMP="
        + (BOOT_MICROS + mono)
        + "\n__MONOTONIC_TIMESTAMP="
        + mono
        + "\n_BOOT_ID="
        + BOOT_ID
        + "\n_TRANSPORT=kernel\nSYSLOG_IDENTIFIER=kernel\nPRIORITY=4\n_HOSTNAME=router1"
        + "\n_SOURCE_MONOTONIC_TIMESTAMP="
        + kernelMono
        + "\nMESSAGE="
        + message
        + "\n\n";
  }

  /** An entry journalctl's match leaves out (another program's). */
  static String otherProgram(int i) {
    long mono = 2_000_000_000L + i;
    return "__REALTIME_TIMESTAMP="
        + (BOOT_MICROS + mono)
        + "\n__MONOTONIC_TIMESTAMP="
        + mono
        + "\n_BOOT_ID="
        + BOOT_ID
        + "\n_TRANSPORT=syslog\nSYSLOG_IDENTIFIER=sshd\n_HOSTNAME=router1"
        + "\nMESSAGE=Accepted publickey for admin\n\n";
  }

  /** Appends entries {@code from} (inclusive) to {@code to} (exclusive) to a journal file. */
  static void append(Path journal, int from, int to) throws IOException, InterruptedException {
    StringBuilder b = new StringBuilder();
    for (int i = from; i < to; i++) {
      b.append(entry(i));
      if (i % 10 == 3) {
        b.append(otherProgram(i));
      }
    }
    write(journal, b.toString());
  }

  static void write(Path journal, String export) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(REMOTE.toString(), "-o", journal.toAbsolutePath().toString(), "-")
            .redirectErrorStream(true)
            .start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(export.getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("systemd-journal-remote failed: " + out);
    }
  }

  /** {@code journalctl --file J -o json} of everything in it, as a file. */
  static void exportJson(Path journal, Path out) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(
                "journalctl", "--file", journal.toAbsolutePath().toString(), "-o", "json")
            .redirectOutput(out.toFile())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("journalctl -o json failed");
    }
  }
}
