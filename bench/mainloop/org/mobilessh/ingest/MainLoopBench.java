package org.mobilessh.ingest;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import org.mobilessh.index.MainLoopSink;
import org.mobilessh.parse.LineParser;
import org.mobilessh.parse.LogFormat;
import org.mobilessh.parse.ParseContext;
import org.mobilessh.parse.ParseResult;

/**
 * The ingest reading thread's own work without Lucene, for bench/main-ab.sh: split the bytes into
 * lines (LineReader), make the line's String as Ingester does, parse it (traditional syslog, year
 * 2026, UTC), then identity, dedupe and document preparation (MainLoopSink). Compiled into this
 * package so that it can use the package's classes; not part of the jar.
 */
public final class MainLoopBench {
  private MainLoopBench() {}

  /** One pass over {@code data}; returns a checksum of what it made (the same for equal work). */
  public static long run(byte[] data, String path) throws Throwable {
    LineParser parser = LogFormat.SYSLOG.newParser(ParseContext.of(path, 2026, ZoneOffset.UTC));
    MainLoopSink sink = new MainLoopSink();
    LineReader r = new LineReader(new ByteArrayInputStream(data), 0, 0, 1 << 20);
    while (r.next()) {
      boolean ascii = !r.nonAscii();
      String text =
          new String(
              r.bytes(),
              r.start(),
              r.length(),
              ascii ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
      ParseResult res = parser.parse(text, r.lineNumber());
      if (res instanceof ParseResult.Parsed p) {
        sink.add(p.event(), text, path, r.offset(), r.lineNumber(), ascii);
      }
    }
    return sink.result();
  }
}
