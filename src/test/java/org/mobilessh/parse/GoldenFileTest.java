package org.mobilessh.parse;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Golden files: every {@code src/test/resources/parse/x.log} is parsed and compared with {@code
 * x.expected.json}, whose {@code context} says how (format, year, zone, boot time, host) and whose
 * {@code results} hold one entry per non-blank line. The format is also detected from the file and
 * must match. Regenerate after an intended change with {@code -Dgolden.update=true} and review the
 * diff.
 */
class GoldenFileTest {
  static final Path DIR = Path.of("src/test/resources/parse");
  private static final boolean UPDATE = Boolean.getBoolean("golden.update");

  @TestFactory
  Stream<DynamicTest> goldenFiles() throws IOException {
    List<Path> logs;
    try (Stream<Path> s = Files.list(DIR)) {
      logs = s.filter(p -> p.toString().endsWith(".log")).sorted().toList();
    }
    assertThat(logs).as("golden inputs in " + DIR).isNotEmpty();
    return logs.stream()
        .map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> check(p)));
  }

  private static void check(Path log) throws IOException {
    String name = log.getFileName().toString();
    Path expectedFile = log.resolveSibling(name.substring(0, name.length() - 4) + ".expected.json");
    ObjectNode expected = (ObjectNode) GoldenJson.MAPPER.readTree(expectedFile.toFile());
    JsonNode ctx = expected.get("context");
    LogFormat format = LogFormat.ofId(ctx.get("format").asText());
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);

    if (!ctx.path("detect").isBoolean() || ctx.get("detect").asBoolean()) {
      assertThat(FormatDetector.detect(lines)).as("detected format of " + name).contains(format);
    }
    ParseContext context = context("parse/" + name, ctx);
    LineParser parser = format.newParser(context);
    ArrayNode results = GoldenJson.MAPPER.createArrayNode();
    for (int i = 0; i < lines.size(); i++) {
      ParseResult r = parser.parse(lines.get(i), i + 1);
      if (!(r instanceof ParseResult.Skipped s && s.reason() == SkipReason.BLANK)) {
        results.add(GoldenJson.result(i + 1, r));
      }
    }
    if (UPDATE) {
      expected.set("results", results);
      GoldenJson.MAPPER
          .writerWithDefaultPrettyPrinter()
          .writeValue(expectedFile.toFile(), expected);
      return;
    }
    assertThat(results.toPrettyString())
        .as("parse results of " + name + " (regenerate with -Dgolden.update=true)")
        .isEqualTo(expected.get("results").toPrettyString());
  }

  static ParseContext context(String source, JsonNode ctx) {
    ZoneId zone = ZoneId.of(ctx.path("zone").asText("UTC"));
    ParseContext c = ParseContext.of(source, ctx.path("year").asInt(2026), zone);
    if (ctx.hasNonNull("bootTime")) {
      c = c.withBootTime(Instant.parse(ctx.get("bootTime").asText()));
    }
    if (ctx.hasNonNull("hostname")) {
      c = c.withHostname(ctx.get("hostname").asText());
    }
    return c;
  }
}
