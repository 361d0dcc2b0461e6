package org.mobilessh.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.mobilessh.audit.AuditConfig;
import org.mobilessh.cli.MobilesshCommand;
import picocli.CommandLine;

/** The simulated October 2026 in {@code sample-logs/month/router1}, ingested into an index. */
final class SampleMonth {
  static final Path DIR = Path.of("sample-logs/month/router1");
  static final YearMonth MONTH = YearMonth.of(2026, 10);

  private SampleMonth() {}

  /** Ingests every log of the sample month (not its ground truth) into {@code index}. */
  static void ingest(Path index) {
    ingest(index, DIR);
  }

  /**
   * Ingests the logs of the sample month without its {@code rules snapshot} files, for tests that
   * bring snapshots of their own.
   */
  static void ingestLogsOnly(Path index) {
    ingest(index, DIR, p -> !p.getFileName().toString().endsWith(".snap"));
  }

  /** Ingests every log in {@code dir} (not the ground truth) into {@code index}. */
  static void ingest(Path index, Path dir) {
    ingest(index, dir, p -> true);
  }

  private static void ingest(Path index, Path dir, java.util.function.Predicate<Path> keep) {
    List<String> args =
        new ArrayList<>(List.of("ingest", "--index", index.toString(), "--tz", "UTC"));
    try (Stream<Path> files = Files.list(dir)) {
      files
          .filter(p -> !p.getFileName().toString().startsWith("ground-truth"))
          .filter(keep)
          .sorted()
          .forEach(p -> args.add(p.toString()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    StringWriter err = new StringWriter();
    CommandLine cl = MobilesshCommand.commandLine();
    cl.setOut(new PrintWriter(new StringWriter(), true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args.toArray(String[]::new));
    assertThat(code).as("ingest: %s", err).isZero();
  }

  /** The simulator's settings: N = 60, any mail server, defaults otherwise. */
  static AuditConfig config() {
    return AuditConfig.defaults();
  }

  static ReportRequest request(Path index, ReportRequest.Format format) {
    return ReportRequest.of(index, MONTH, config(), format).withToolVersion("test");
  }
}
