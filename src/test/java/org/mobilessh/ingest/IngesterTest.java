package org.mobilessh.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mobilessh.index.EventIndex;

class IngesterTest {
  @TempDir Path tmp;

  static IngestOptions options() {
    return IngestOptions.defaults(ZoneId.of("UTC"));
  }

  @Test
  void stdinIsReadAndRecognisedByContentOnTheNextRun() throws IOException {
    byte[] data = Files.readAllBytes(Path.of("sample-logs", "conntrack-extended.log"));
    int lines = Files.readAllLines(Path.of("sample-logs", "conntrack-extended.log")).size();
    List<String> notices = new ArrayList<>();
    Ingester.Listener listener =
        new Ingester.Listener() {
          @Override
          public void notice(String message) {
            notices.add(message);
          }
        };
    try (EventIndex idx = EventIndex.open(tmp.resolve("index"))) {
      IngestStats first =
          new Ingester(idx, options().withStdin(new ByteArrayInputStream(data)), listener)
              .run(List.of(Source.stdin()));
      assertThat(first.linesRead()).isEqualTo(lines);
      assertThat(first.eventsIndexed()).isEqualTo(lines);
      IngestStats second =
          new Ingester(idx, options().withStdin(new ByteArrayInputStream(data)), listener)
              .run(List.of(Source.stdin()));
      assertThat(second.linesRead()).isZero();
      assertThat(second.resumedFiles()).isEqualTo(1);
    }
    assertThat(notices).isEmpty();
  }

  @Test
  void operandsExpandToRotationChainsOldestFirst() throws IOException {
    for (String n :
        List.of("kern.log", "kern.log.1", "kern.log.2.gz", "kern.log.10.gz", "syslog", ".hidden")) {
      Files.writeString(tmp.resolve(n), "x\n");
    }
    Files.createDirectories(tmp.resolve("sub"));
    List<String> dir =
        SourceResolver.resolve(List.of(tmp.toString())).stream()
            .map(s -> s.path().getFileName().toString())
            .toList();
    assertThat(dir)
        .containsExactly("kern.log.10.gz", "kern.log.2.gz", "kern.log.1", "kern.log", "syslog");
    List<String> glob =
        SourceResolver.resolve(List.of(tmp.resolve("kern.log*").toString())).stream()
            .map(s -> s.path().getFileName().toString())
            .toList();
    assertThat(glob).containsExactly("kern.log.10.gz", "kern.log.2.gz", "kern.log.1", "kern.log");
    // a pattern matching nothing stays as itself: reported when read, the others go on
    Source unmatched = SourceResolver.resolve(List.of(tmp.resolve("nope*").toString())).get(0);
    assertThat(SourceResolver.isUnmatchedPattern(unmatched)).isTrue();
    assertThat(SourceResolver.isUnmatchedPattern(Source.of(tmp.resolve("kern.log")))).isFalse();
    assertThat(SourceResolver.resolve(List.of("-", "conntrack:msh-f-x")))
        .extracting(Source::name)
        .containsExactly("-", "conntrack:msh-f-x");
    assertThat(LiveSources.of("conntrack:msh-f-x").command())
        .containsExactly(
            "ip", "netns", "exec", "msh-f-x", "conntrack", "-E", "-o", "timestamp,extended,id");
    assertThatThrownBy(() -> LiveSources.of("conntrack:a b;rm"))
        .isInstanceOf(IngestException.class);
  }

  @Test
  void patternsMayHaveWildcardsInAnyComponent() throws IOException {
    for (String n :
        List.of(
            "router1/kern.log",
            "router1/kern.log.1",
            "router2/kern.log.2.gz",
            "router2/syslog",
            "router10/kern.log",
            ".old/kern.log",
            "router3/deeper/kern.log")) {
      Path f = tmp.resolve(n);
      Files.createDirectories(f.getParent());
      Files.writeString(f, "x\n");
    }
    Files.createDirectories(tmp.resolve("router4/kern.log")); // a directory, not a log
    assertThat(names(tmp.resolve("router?/kern.log*").toString()))
        .containsExactly("router1/kern.log.1", "router1/kern.log", "router2/kern.log.2.gz");
    assertThat(names(tmp.resolve("*/kern.log").toString()))
        .containsExactly("router1/kern.log", "router10/kern.log");
    assertThat(names(tmp.resolve(".*/kern.log").toString())).containsExactly(".old/kern.log");
    assertThat(names(tmp.resolve("router[23]").toString()))
        .containsExactly("router2/kern.log.2.gz", "router2/syslog");
    assertThat(names(tmp.resolve("*/*/kern.log").toString()))
        .containsExactly("router3/deeper/kern.log");
    assertThat(names(tmp.resolve("router{1,2}/s*").toString())).containsExactly("router2/syslog");
    // relative patterns stay relative
    assertThat(SourceResolver.expand("sample-logs/kern.lo?"))
        .containsExactly(Path.of("sample-logs/kern.log"));
    // what --follow looks at again: directories and patterns, not files or live sources
    assertThat(
            SourceResolver.watches(
                List.of(tmp.toString(), tmp.resolve("x*/y").toString(), "-", "journal:", "f")))
        .extracting(SourceResolver.Watch::operand)
        .containsExactly(tmp.toString(), tmp.resolve("x*/y").toString());
  }

  private List<String> names(String pattern) {
    return SourceResolver.resolve(List.of(pattern)).stream()
        .map(s -> tmp.relativize(s.path()).toString())
        .toList();
  }

  @Test
  void checkpointsRoundTripAndMatchAGrownFile() {
    Checkpoint c = new Checkpoint("ab", 10, 1234, 56, 789, 2026, "/var/log/kern;log");
    assertThat(Checkpoint.parse(c.key(), c.value())).isEqualTo(c);
    assertThat(Checkpoint.parse("other.key", c.value())).isNull();
    assertThat(Checkpoint.parse(c.key(), "garbage")).isNull();

    byte[] small = "line one\n".getBytes();
    byte[] grown = "line one\nline two\n".getBytes();
    Checkpoint old =
        new Checkpoint(Fingerprint.sha256(small, small.length), small.length, 9, 1, 1, 0, "f");
    Checkpoint other = new Checkpoint(Fingerprint.sha256(grown, 4), 4, 3, 0, 1, 0, "g");
    assertThat(Fingerprint.match(grown, grown.length, List.of(other, old))).isEqualTo(old);
    assertThat(Fingerprint.match("different\n".getBytes(), 10, List.of(old))).isNull();
  }

  @Test
  void rotationNamesGiveBaseAndAge() {
    Source s = Source.of(Path.of("/var/log/kern.log.2.gz"));
    assertThat(s.rotationBase()).isEqualTo("/var/log/kern.log");
    assertThat(s.rotationIndex()).isEqualTo(2);
    Source d = Source.of(Path.of("/var/log/syslog-20261126.gz"));
    Source e = Source.of(Path.of("/var/log/syslog-20261127"));
    assertThat(d.rotationBase()).isEqualTo("/var/log/syslog");
    assertThat(d.rotationIndex()).isGreaterThan(e.rotationIndex()).isGreaterThan(0);
  }
}
