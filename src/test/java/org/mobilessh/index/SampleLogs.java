package org.mobilessh.index;

import java.io.IOException;
import java.io.UncheckedIOException;
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

/** The real captured lines of {@code sample-logs/}, parsed with the parse stage. */
final class SampleLogs {
  static final Path DIR = Path.of("sample-logs");
  static final String HOST = "router1";
  static final Instant BOOT = bootTime();

  private SampleLogs() {}

  /** dmesg-raw.log's boot time, as the recorder measured it. */
  private static Instant bootTime() {
    try {
      for (String l : Files.readAllLines(DIR.resolve("dmesg-boot-time.txt"))) {
        if (l.startsWith("boot_time_utc=")) {
          return Instant.parse(l.substring("boot_time_utc=".length()).trim());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalStateException("no boot_time_utc in dmesg-boot-time.txt");
  }

  /** The lines of sample files, concatenated, for counting expectations independently. */
  static List<String> lines(String... files) {
    List<String> all = new ArrayList<>();
    for (String f : files) {
      try {
        all.addAll(Files.readAllLines(DIR.resolve(f), StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return all;
  }

  /** Every event of one sample file, as the ingest stage would hand it over. */
  static List<SourcedEvent> events(String file, LogFormat format) {
    return events(DIR.resolve(file), file, format);
  }

  static List<SourcedEvent> events(Path path, String sourceName, LogFormat format) {
    return events(path, sourceName, format, HOST);
  }

  /** As {@link #events(Path, String, LogFormat)} with another default host ({@code null}: none). */
  static List<SourcedEvent> events(Path path, String sourceName, LogFormat format, String host) {
    ParseContext ctx = ParseContext.of(sourceName, 2026, ZoneOffset.UTC).withBootTime(BOOT);
    if (host != null) {
      ctx = ctx.withHostname(host);
    }
    LineParser parser = format.newParser(ctx);
    List<SourcedEvent> out = new ArrayList<>();
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    long offset = 0;
    long lineNumber = 0;
    int start = 0;
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] != '\n') {
        continue;
      }
      String line = new String(bytes, start, i - start, StandardCharsets.UTF_8);
      lineNumber++;
      ParseResult r = parser.parse(line, lineNumber);
      if (r instanceof ParseResult.Parsed p) {
        out.add(new SourcedEvent(p.event(), line, sourceName, offset, lineNumber));
      }
      start = i + 1;
      offset = start;
    }
    return out;
  }

  /** All kernel LOG events as rsyslog's kern.log saw them (rotated part first). */
  static List<SourcedEvent> kernLog() {
    List<SourcedEvent> all = new ArrayList<>(events("kern.log.1", LogFormat.SYSLOG));
    all.addAll(events("kern.log", LogFormat.SYSLOG));
    return all;
  }

  static int addAll(EventIndex index, List<SourcedEvent> events) {
    int added = 0;
    for (SourcedEvent e : events) {
      if (index.add(e)) {
        added++;
      }
    }
    return added;
  }
}
