package org.mobilessh.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mobilessh.audit.AuditConfig;
import org.mobilessh.cli.MobilesshCommand;
import org.mobilessh.rules.Cidr;
import picocli.CommandLine;

/**
 * The streamed export ({@link MonthExport}) writes exactly the bytes of the collected one ({@link
 * CsvExport#render} and the bundle's raw files of a {@link MonthAudit}), whether its sorts stay in
 * memory or spill to many run files (merged in rounds), while holding at most one run.
 */
class MonthExportTest {
  @TempDir Path tmp;

  @Test
  void theSampleMonthStreamedIsTheCollectedExportByteForByte() throws Exception {
    Path index = ingest("month", "--tz", "UTC", "--year", "2026", "sample-logs/month/router1");
    same(index, YearMonth.of(2026, 10), AuditConfig.defaults());
  }

  @Test
  void theRecordedScenarioStreamedIsTheCollectedExportByteForByte() throws Exception {
    Path index =
        ingest(
            "scenario",
            "--host",
            "router1",
            "sample-logs/kern-rfc3339.log",
            "sample-logs/conntrack-extended.log");
    AuditConfig config =
        AuditConfig.defaults()
            .withSeconds(5)
            .withMailServers(
                List.of(Cidr.parse("198.51.100.10/32"), Cidr.parse("2001:db8:1::10/128")));
    same(index, YearMonth.of(2026, 11), config);
  }

  private void same(Path index, YearMonth month, AuditConfig config) throws Exception {
    MonthAudit audit = MonthAudit.load(index, month, null, config, Duration.ofDays(1));
    assertThat(audit.result().windows()).isNotEmpty();
    SortedMap<String, String> want = new TreeMap<>();
    EvidenceBundle.payload(audit, new EvidenceBundle.Options("test", null, List.of()))
        .forEach(
            (k, v) -> {
              if (k.startsWith("csv/") || k.startsWith("raw/")) {
                want.put(k, text(v));
              }
            });
    Map<String, byte[]> safe = CsvExport.render(audit, CsvExport.Variant.SPREADSHEET_SAFE);
    int lines = audit.lines().size();
    Path runs = Files.createDirectories(tmp.resolve("runs-" + month));
    for (int run : new int[] {MonthExport.RUN_RECORDS, 1000, 7}) {
      Path out = tmp.resolve("run-" + run);
      AtomicLong most = new AtomicLong();
      MonthExport.Written w =
          MonthExport.write(
              index,
              month,
              null,
              config,
              Duration.ofDays(1),
              CsvExport.Variant.RAW,
              out.resolve("csv"),
              out.resolve("raw"),
              run,
              h -> most.accumulateAndGet(h, Math::max),
              runs,
              true,
              Progress.NONE);
      assertThat(files(out)).as("runs of %d", run).isEqualTo(want);
      assertThat(w.windows()).isEqualTo(audit.result().windows().size());
      assertThat(w.rows().get("rejects.csv")).isEqualTo(audit.result().rejections().size());
      assertThat(w.indexedEvents()).isEqualTo(lines);
      assertThat(w.rawFiles()).last().isEqualTo("index.csv");
      // one run of evidence pointers in memory, plus the few source paths
      assertThat(most.get()).as("held with runs of %d", run).isLessThanOrEqualTo(run + 10L);

      Path s = tmp.resolve("safe-" + run);
      MonthExport.write(
          index,
          month,
          null,
          config,
          Duration.ofDays(1),
          CsvExport.Variant.SPREADSHEET_SAFE,
          s,
          null,
          run,
          null,
          runs,
          // the same files when the audit is reconstructed without the results cache
          false,
          Progress.NONE);
      for (String f : CsvExport.FILES) {
        assertThat(text(Files.readAllBytes(s.resolve(f)))).as(f).isEqualTo(text(safe.get(f)));
      }
    }
    try (Stream<Path> left = Files.list(runs)) {
      assertThat(left).as("run files left").isEmpty();
    }
  }

  /** Bytes as text one char per byte, so maps of them compare by content. */
  private static String text(byte[] b) {
    return new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  private static SortedMap<String, String> files(Path out) throws Exception {
    SortedMap<String, String> got = new TreeMap<>();
    for (String sub : List.of("csv", "raw")) {
      try (Stream<Path> s = Files.list(out.resolve(sub))) {
        for (Path p : s.toList()) {
          got.put(sub + "/" + p.getFileName(), text(Files.readAllBytes(p)));
        }
      }
    }
    return got;
  }

  private Path ingest(String name, String... args) {
    Path index = tmp.resolve(name + "-index");
    List<String> a = new ArrayList<>(List.of("ingest", "--index", index.toString()));
    a.addAll(List.of(args));
    StringWriter err = new StringWriter();
    CommandLine cl = MobilesshCommand.commandLine();
    cl.setOut(new PrintWriter(new StringWriter(), true));
    cl.setErr(new PrintWriter(err, true));
    assertThat(cl.execute(a.toArray(String[]::new))).as("ingest: %s", err).isZero();
    return index;
  }
}
