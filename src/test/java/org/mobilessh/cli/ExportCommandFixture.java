package org.mobilessh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Indexes for the export and evidence tests, ingested once per test JVM through {@code mobilessh
 * ingest} under {@code target/}: the simulated month of router1, and the recorded scenario
 * (kern-rfc3339.log + conntrack-extended.log), the latter also under a hostile host name and file
 * name.
 */
final class ExportCommandFixture {
  static final Path SAMPLES = Path.of("sample-logs");
  static final String HOSTILE_HOST = "=HYPERLINK(\"http://203.0.113.9/x\",\"y\")";
  static final String HOSTILE_FILE = "=cmd|' x'!A0.log";

  private static Path dir;
  private static Path month;
  private static Path scenario;
  private static Path hostile;

  private ExportCommandFixture() {}

  static synchronized Path dir() {
    if (dir == null) {
      try {
        Files.createDirectories(Path.of("target"));
        dir = Files.createTempDirectory(Path.of("target"), "evidence-test-");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return dir;
  }

  /** sample-logs/month/router1 ingested as the brief says: the directory, --tz UTC. */
  static synchronized Path month() {
    if (month == null) {
      month = ingest("month-index", "--year", "2026", SAMPLES.resolve("month/router1").toString());
    }
    return month;
  }

  /** The month's settings (N, mail servers), as a config file. */
  static synchronized String monthConfig() {
    Path truth = SAMPLES.resolve("month/router1.ground-truth.jsonl.gz");
    try (var in =
        new java.io.BufferedReader(
            new java.io.InputStreamReader(
                new java.util.zip.GZIPInputStream(Files.newInputStream(truth)),
                StandardCharsets.UTF_8))) {
      var meta = new com.fasterxml.jackson.databind.ObjectMapper().readTree(in.readLine());
      StringBuilder b = new StringBuilder("seconds = " + meta.get("window_seconds").asInt() + "\n");
      for (var m : meta.get("router").get("mail")) {
        b.append("mail-server = ").append(m.asText()).append('\n');
      }
      Path file = dir().resolve("month.conf");
      Files.writeString(file, b.toString(), StandardCharsets.UTF_8);
      return file.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static synchronized Path scenario() {
    if (scenario == null) {
      scenario =
          ingest(
              "scenario-index",
              "--host",
              "router1",
              SAMPLES.resolve("kern-rfc3339.log").toString(),
              SAMPLES.resolve("conntrack-extended.log").toString());
    }
    return scenario;
  }

  static String[] scenarioOptions() {
    return new String[] {
      "--seconds", "5", "--mail-server", "198.51.100.10", "--mail-server", "2001:db8:1::10"
    };
  }

  /** The scenario again, the router named like a spreadsheet formula, the log file too. */
  static synchronized Path hostile() {
    if (hostile == null) {
      try {
        Path logs = Files.createDirectories(dir().resolve("hostile-logs"));
        String text = Files.readString(SAMPLES.resolve("kern-rfc3339.log"), StandardCharsets.UTF_8);
        String renamed = text.replace(" router1 kernel:", " " + HOSTILE_HOST + " kernel:");
        assertThat(renamed).isNotEqualTo(text);
        Files.writeString(logs.resolve(HOSTILE_FILE), renamed, StandardCharsets.UTF_8);
        hostile =
            ingest(
                "hostile-index",
                "--host",
                HOSTILE_HOST,
                logs.resolve(HOSTILE_FILE).toString(),
                SAMPLES.resolve("conntrack-extended.log").toString());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return hostile;
  }

  private static Path ingest(String name, String... args) {
    Path index = dir().resolve(name);
    List<String> a = new ArrayList<>(List.of("ingest", "--index", index.toString(), "--tz", "UTC"));
    a.addAll(List.of(args));
    CliResult r = CliResult.run(a.toArray(String[]::new));
    assertThat(r.exitCode()).as("ingest: %s", r.err()).isZero();
    return index;
  }

  static String[] args(String... parts) {
    return parts;
  }

  static String[] concat(String[] a, String... b) {
    String[] out = new String[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** Every entry of a zip by name, in order. */
  static SortedMap<String, byte[]> unzip(byte[] zip) {
    SortedMap<String, byte[]> out = new TreeMap<>();
    try (ZipInputStream z = new ZipInputStream(new ByteArrayInputStream(zip))) {
      for (ZipEntry e = z.getNextEntry(); e != null; e = z.getNextEntry()) {
        out.put(e.getName(), z.readAllBytes());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /**
   * A zip of exactly these entries (any names, no compression: the tamper tests rebuild a bundle
   * hundreds of times).
   */
  static byte[] zip(Map<String, byte[]> entries) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(b)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        ZipEntry entry = new ZipEntry(e.getKey());
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(e.getValue().length);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(e.getValue());
        entry.setCrc(crc.getValue());
        z.putNextEntry(entry);
        z.write(e.getValue());
        z.closeEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return b.toByteArray();
  }
}
