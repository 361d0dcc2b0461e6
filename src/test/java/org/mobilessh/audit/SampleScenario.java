package org.mobilessh.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.mobilessh.parse.LineParser;
import org.mobilessh.parse.LogFormat;
import org.mobilessh.parse.ParseContext;
import org.mobilessh.parse.ParseResult;
import org.mobilessh.rules.Cidr;

/** The real recording in {@code sample-logs/}: its lines parsed by the parse stage, its truth. */
final class SampleScenario {
  static final Path DIR = Path.of("sample-logs");
  static final String HOST = "router1";

  private SampleScenario() {}

  /** The configuration record.sh installed: N = 5, both mail servers, defaults otherwise. */
  static AuditConfig config() {
    return AuditConfig.defaults()
        .withSeconds(meta().get("window_seconds").asInt())
        .withMailServers(List.of(Cidr.parse("198.51.100.10"), Cidr.parse("2001:db8:1::10")));
  }

  static List<TracedEvent> events(String file, LogFormat format) {
    return events(DIR.resolve(file), file, format);
  }

  static List<TracedEvent> events(Path path, String sourceName, LogFormat format) {
    ParseContext ctx =
        ParseContext.of(sourceName, 2026, ZoneOffset.UTC).withHostname(HOST).withBootTime(boot());
    LineParser parser = format.newParser(ctx);
    List<TracedEvent> out = new ArrayList<>();
    long n = 0;
    for (String line : lines(path)) {
      n++;
      ParseResult r = parser.parse(line, n);
      if (r instanceof ParseResult.Parsed p) {
        out.add(new TracedEvent(p.event(), sourceName, n, line));
      }
    }
    return out;
  }

  /** The best pair of sources: dmesg's kernel stamps and conntrack's event stamps. */
  static List<TracedEvent> dmesgAndConntrack() {
    List<TracedEvent> all = new ArrayList<>(events("dmesg-iso.log", LogFormat.DMESG_ISO));
    all.addAll(events("conntrack-extended.log", LogFormat.CONNTRACK));
    return all;
  }

  static List<String> lines(Path path) {
    try {
      return Files.readAllLines(path, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Instant boot() {
    for (String l : lines(DIR.resolve("dmesg-boot-time.txt"))) {
      if (l.startsWith("boot_time_utc=")) {
        return Instant.parse(l.substring("boot_time_utc=".length()).trim());
      }
    }
    throw new IllegalStateException("no boot_time_utc in dmesg-boot-time.txt");
  }

  static List<JsonNode> truth(String record) {
    ObjectMapper om = new ObjectMapper();
    List<JsonNode> out = new ArrayList<>();
    for (String l : lines(DIR.resolve("ground-truth.jsonl"))) {
      try {
        JsonNode n = om.readTree(l);
        if (n.get("record").asText().equals(record)) {
          out.add(n);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  static JsonNode meta() {
    return truth("meta").get(0);
  }

  static Instant time(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : Instant.parse(v.asText());
  }

  static InetAddress address(JsonNode n, String field) {
    return Cidr.parseAddress(n.get(field).asText());
  }
}
