package org.mobilessh.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SectionedFileTest {
  private static final Path DIR = Path.of("target", "test-scratch", "sectioned-file");

  private static SectionedFile sample() {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("timestamp", "2026-11-27T00:58:12.123456Z");
    headers.put("netns", "-");
    Map<String, String> sections = new LinkedHashMap<>();
    sections.put("iptables-save -c", RulesCheckFixtures.text("live-v4.save"));
    sections.put("xt_recent MOBILE", "src=192.0.2.7 ttl: 64 last_seen: 4295 oldest_pkt: 1 4295\n");
    return new SectionedFile("mobilessh snapshot v1", headers, sections);
  }

  @Test
  void lastLineIsTheSha256OfEverythingBefore() throws Exception {
    String text = sample().text();
    List<String> lines = text.lines().toList();
    assertThat(lines.get(0)).isEqualTo("# mobilessh snapshot v1");
    assertThat(lines.get(1)).isEqualTo("timestamp: 2026-11-27T00:58:12.123456Z");
    assertThat(lines).contains("--- iptables-save -c", "--- xt_recent MOBILE");
    String body = text.substring(0, text.lastIndexOf("sha256: "));
    String hex =
        HexFormat.of()
            .formatHex(
                MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8)));
    assertThat(lines.get(lines.size() - 1)).isEqualTo("sha256: " + hex);
  }

  @Test
  void writtenFileVerifiesAndParsesBack() throws Exception {
    Path file = DIR.resolve("ok.snapshot");
    sample().write(file);
    assertThat(SectionedFile.verify(file).ok()).isTrue();
    SectionedFile back = SectionedFile.parse(Files.readString(file));
    assertThat(back).isEqualTo(sample());
    try (var listing = Files.list(DIR)) {
      assertThat(listing.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
    }
  }

  @Test
  void tamperedFileFailsVerification() throws Exception {
    Path file = DIR.resolve("tampered.snapshot");
    sample().write(file);
    Files.writeString(file, Files.readString(file).replace("[0:0]", "[0:1]"));
    SectionedFile.Verification v = SectionedFile.verify(file);
    assertThat(v.ok()).isFalse();
    assertThat(v.problem()).contains("sha256 mismatch");
    assertThat(v.expected()).isNotEqualTo(v.actual());
  }

  @Test
  void truncatedFileFailsVerification() throws Exception {
    Path file = DIR.resolve("truncated.snapshot");
    String text = sample().text();
    Files.createDirectories(DIR);
    Files.writeString(file, text.substring(0, text.length() / 2));
    assertThat(SectionedFile.verify(file).ok()).isFalse();
  }

  @Test
  void refusesBodiesThatWouldForgeAMark() {
    SectionedFile forged =
        new SectionedFile("t", Map.of(), Map.of("x", "fine\n--- iptables-save -c\n"));
    assertThatThrownBy(forged::text).isInstanceOf(RulesException.class);
    SectionedFile hash = new SectionedFile("t", Map.of(), Map.of("x", "sha256: 00\n"));
    assertThatThrownBy(hash::text).isInstanceOf(RulesException.class);
  }
}
