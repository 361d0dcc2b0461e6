package org.mobilessh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * Indexes of the real sample logs, built through {@code mobilessh ingest} as a user would, and
 * their ground truth.
 */
final class AuditFixture {
  static final Path SAMPLES = Path.of("sample-logs");
  static final Path MONTH = SAMPLES.resolve("month/router1");

  private AuditFixture() {}

  /**
   * Runs an audit command on {@code index} with {@code config}, then the command's own arguments.
   */
  static CliResult audit(String command, String index, String config, String... args) {
    List<String> all = new ArrayList<>(List.of(command, "--index", index, "--config", config));
    all.addAll(List.of(args));
    return CliResult.run(all.toArray(String[]::new));
  }

  /** The recorded scenario: dmesg's kernel stamps and conntrack's event stamps (router1). */
  static String scenarioIndex(Path dir) {
    Path index = dir.resolve("scenario-index");
    CliResult r =
        CliResult.run(
            "ingest",
            "--index",
            index.toString(),
            "--tz",
            "UTC",
            "--host",
            "router1",
            SAMPLES.resolve("dmesg-iso.log").toString(),
            SAMPLES.resolve("conntrack-extended.log").toString());
    assertThat(r.exitCode()).as("ingest: %s", r.err()).isZero();
    return index.toString();
  }

  /** The simulated October 2026 of router1: kern.log*, syslog* and conntrack.log*, rotated. */
  static String monthIndex(Path dir) {
    Path index = dir.resolve("month-index");
    CliResult r =
        CliResult.run(
            "ingest",
            "--index",
            index.toString(),
            "--tz",
            "UTC",
            "--year",
            "2026",
            "--host",
            "router1",
            MONTH.resolve("kern.log*").toString(),
            MONTH.resolve("syslog*").toString(),
            MONTH.resolve("conntrack.log*").toString());
    assertThat(r.exitCode()).as("ingest: %s", r.err()).isZero();
    return index.toString();
  }

  /** A config file as record.sh installed it: N = 5, both mail servers. */
  static String scenarioConfig(Path dir) {
    return config(
        dir.resolve("scenario.conf"),
        "seconds = 5\nmail-server = 198.51.100.10\nmail-server = 2001:db8:1::10\n");
  }

  /** The simulated router's settings, from its ground truth's meta record. */
  static String monthConfig(Path dir) {
    JsonNode meta = monthTruth("meta").get(0);
    StringBuilder b = new StringBuilder("seconds = " + meta.get("window_seconds").asInt() + "\n");
    for (JsonNode m : meta.get("router").get("mail")) {
      b.append("mail-server = ").append(m.asText()).append('\n');
    }
    return config(dir.resolve("month.conf"), b.toString());
  }

  private static String config(Path file, String text) {
    try {
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file.toString();
  }

  /** CSV output parsed with its header; the header must come first. */
  static List<CSVRecord> csv(String out) {
    try {
      return CSVFormat.RFC4180
          .builder()
          .setHeader()
          .setSkipHeaderRecord(true)
          .build()
          .parse(new StringReader(out))
          .getRecords();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The first line of CSV output, split at commas (the headers have no quotes). */
  static List<String> header(String out) {
    return List.of(out.lines().findFirst().orElse("").split(",", -1));
  }

  /** JSON lines output parsed. */
  static List<JsonNode> json(String out) {
    ObjectMapper om = new ObjectMapper();
    List<JsonNode> nodes = new ArrayList<>();
    for (String l : out.lines().toList()) {
      try {
        nodes.add(om.readTree(l));
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + l, e);
      }
    }
    return nodes;
  }

  static Instant time(String iso) {
    return iso == null || iso.isEmpty() ? null : Instant.parse(iso);
  }

  static Instant time(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : Instant.parse(v.asText());
  }

  /** Seconds between two instants, absolute. */
  static double off(Instant a, Instant b) {
    return Math.abs(java.time.Duration.between(a, b).toNanos()) / 1e9;
  }

  /** The line a {@code path:line} pointer names (gzip read transparently). */
  static String line(String pointer) {
    int colon = pointer.lastIndexOf(':');
    Path file = Path.of(pointer.substring(0, colon));
    long n = Long.parseLong(pointer.substring(colon + 1));
    try (InputStream raw = Files.newInputStream(file);
        InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String l = null;
      for (long i = 0; i < n; i++) {
        l = r.readLine();
      }
      if (l == null) {
        throw new AssertionError(pointer + " points past the end of the file");
      }
      return l;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The records of one kind in a ground-truth file (.jsonl, or .jsonl.gz). */
  static List<JsonNode> truth(Path file, String record) {
    ObjectMapper om = new ObjectMapper();
    List<JsonNode> out = new ArrayList<>();
    try (InputStream raw = Files.newInputStream(file);
        InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String l = r.readLine(); l != null; l = r.readLine()) {
        JsonNode n = om.readTree(l);
        if (n.get("record").asText().equals(record)) {
          out.add(n);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  static List<JsonNode> scenarioTruth(String record) {
    return truth(SAMPLES.resolve("ground-truth.jsonl"), record);
  }

  static List<JsonNode> monthTruth(String record) {
    return truth(SAMPLES.resolve("month/router1.ground-truth.jsonl.gz"), record);
  }
}
