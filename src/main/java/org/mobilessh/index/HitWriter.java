package org.mobilessh.index;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.mobilessh.parse.ConntrackEvent;
import org.mobilessh.parse.IpPacket;
import org.mobilessh.parse.LogEvent;
import org.mobilessh.parse.NetfilterEvent;
import org.mobilessh.parse.NoticeEvent;
import org.mobilessh.rules.Addresses;

/** Writes search hits as an aligned table, RFC 4180 CSV or JSON lines. */
public final class HitWriter {
  /** Output formats of {@code mobilessh search}. */
  public enum Format {
    TABLE,
    CSV,
    JSON;

    /** {@code table}, {@code csv} or {@code json}. */
    public static Format parse(String text) {
      try {
        return valueOf(text.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "--format must be table, csv or json, not '" + text + "'");
      }
    }
  }

  /** Column names of CSV and JSON, in order. */
  public static final List<String> COLUMNS =
      List.of(
          "timestamp",
          "action",
          "observer",
          "source_ip",
          "source_port",
          "destination_ip",
          "destination_port",
          "transport",
          "dataset",
          "log_file_path",
          "log_offset",
          "line_number",
          "original");

  /** Table columns: the ones that fit a terminal line, the original line last. */
  private static final int[] TABLE_COLUMNS = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12};

  private static final DateTimeFormatter MICROS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  private HitWriter() {}

  public static void write(List<EventSearcher.Hit> hits, Format format, PrintWriter out) {
    switch (format) {
      case TABLE -> table(hits, out);
      case CSV -> csv(hits, out);
      case JSON -> json(hits, out);
    }
    out.flush();
  }

  /**
   * Writes hits one at a time as they come (CSV or JSON: no column widths to know beforehand), for
   * result sets too large to hold, e.g. from {@link EventSearcher#forEach}. Close it to flush.
   *
   * @throws IllegalArgumentException for {@link Format#TABLE}, which aligns all rows
   */
  public static Sink sink(Format format, PrintWriter out) {
    return switch (format) {
      case TABLE -> throw new IllegalArgumentException("a table needs all rows before the first");
      case CSV -> {
        CSVPrinter printer;
        try {
          printer = new CSVPrinter(out, csvFormat());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        yield new Sink(
            h -> {
              try {
                printer.printRecord(cells(h));
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            },
            out);
      }
      case JSON -> {
        ObjectMapper mapper = new ObjectMapper();
        yield new Sink(h -> jsonLine(mapper, h, out), out);
      }
    };
  }

  /** See {@link #sink}. */
  public static final class Sink implements java.util.function.Consumer<EventSearcher.Hit> {
    private final java.util.function.Consumer<EventSearcher.Hit> write;
    private final PrintWriter out;

    private Sink(java.util.function.Consumer<EventSearcher.Hit> write, PrintWriter out) {
      this.write = write;
      this.out = out;
    }

    @Override
    public void accept(EventSearcher.Hit h) {
      write.accept(h);
    }

    /** Flushes what was written. */
    public void close() {
      out.flush();
    }
  }

  /** ISO-8601 UTC with microseconds: {@code 2026-11-26T23:42:25.123456Z}. */
  public static String timestamp(Instant t) {
    return t == null ? "" : MICROS.format(t);
  }

  static List<String> cells(EventSearcher.Hit h) {
    InetAddress src = null;
    InetAddress dst = null;
    Integer sport = null;
    Integer dport = null;
    String transport = null;
    LogEvent ev = h.event();
    if (ev instanceof NetfilterEvent n && n.packet() != null) {
      IpPacket p = n.packet();
      src = p.source();
      dst = p.destination();
      sport = p.sourcePort();
      dport = p.destinationPort();
      transport = p.protocol() == null ? null : p.protocol().ecsName();
    } else if (ev instanceof NoticeEvent n) {
      src = n.address();
    } else if (ev instanceof ConntrackEvent c) {
      src = c.original().source();
      dst = c.original().destination();
      sport = c.original().sourcePort();
      dport = c.original().destinationPort();
      transport = c.protocol() == null ? null : c.protocol().ecsName();
    }
    List<String> cells = new ArrayList<>(COLUMNS.size());
    cells.add(timestamp(h.timestamp()));
    cells.add(text(h.action()));
    cells.add(text(h.observer()));
    cells.add(src == null ? "" : Addresses.format(src));
    cells.add(sport == null ? "" : sport.toString());
    cells.add(dst == null ? "" : Addresses.format(dst));
    cells.add(dport == null ? "" : dport.toString());
    cells.add(text(transport));
    cells.add(h.reason() != null ? h.reason() : text(h.dataset()));
    cells.add(text(h.sourcePath()));
    cells.add(h.byteOffset() < 0 ? "" : Long.toString(h.byteOffset()));
    cells.add(h.lineNumber() < 0 ? "" : Long.toString(h.lineNumber()));
    cells.add(text(h.originalLine()));
    return cells;
  }

  private static String text(String s) {
    return s == null ? "" : s;
  }

  private static void table(List<EventSearcher.Hit> hits, PrintWriter out) {
    List<List<String>> rows = new ArrayList<>();
    List<String> header = new ArrayList<>();
    for (int c : TABLE_COLUMNS) {
      header.add(c == 9 ? "source" : COLUMNS.get(c));
    }
    rows.add(header);
    for (EventSearcher.Hit h : hits) {
      List<String> all = cells(h);
      List<String> row = new ArrayList<>();
      for (int c : TABLE_COLUMNS) {
        String cell = all.get(c);
        if (c == 9 && !cell.isEmpty()) {
          cell = cell + ":" + all.get(11);
        }
        // control characters of a quarantined line must not reach the terminal
        row.add(c == 12 ? printable(cell) : cell);
      }
      rows.add(row);
    }
    int[] width = new int[header.size()];
    for (List<String> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        width[i] = Math.max(width[i], row.get(i).length());
      }
    }
    for (List<String> row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.size(); i++) {
        String cell = row.get(i);
        boolean number = i == 4 || i == 6;
        String pad = " ".repeat(width[i] - cell.length());
        line.append(number ? pad + cell : cell + (i == row.size() - 1 ? "" : pad));
        if (i < row.size() - 1) {
          line.append("  ");
        }
      }
      out.println(line.toString().stripTrailing());
    }
  }

  private static String printable(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      b.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    return b.toString();
  }

  private static CSVFormat csvFormat() {
    return CSVFormat.DEFAULT
        .builder()
        .setHeader(COLUMNS.toArray(String[]::new))
        .setRecordSeparator("\n")
        .get();
  }

  private static void csv(List<EventSearcher.Hit> hits, PrintWriter out) {
    try {
      CSVPrinter printer = new CSVPrinter(out, csvFormat());
      for (EventSearcher.Hit h : hits) {
        printer.printRecord(cells(h));
      }
      printer.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void json(List<EventSearcher.Hit> hits, PrintWriter out) {
    ObjectMapper mapper = new ObjectMapper();
    for (EventSearcher.Hit h : hits) {
      jsonLine(mapper, h, out);
    }
  }

  private static void jsonLine(ObjectMapper mapper, EventSearcher.Hit h, PrintWriter out) {
    List<String> cells = cells(h);
    java.io.StringWriter line = new java.io.StringWriter();
    try (JsonGenerator g = mapper.getFactory().createGenerator(line)) {
      g.writeStartObject();
      for (int i = 0; i < COLUMNS.size(); i++) {
        String name = COLUMNS.get(i);
        String value = cells.get(i);
        boolean numeric =
            name.equals("source_port")
                || name.equals("destination_port")
                || name.equals("log_offset")
                || name.equals("line_number");
        if (value.isEmpty() && !name.equals("original")) {
          g.writeNullField(name);
        } else if (numeric) {
          g.writeNumberField(name, Long.parseLong(value));
        } else {
          g.writeStringField(name, value);
        }
      }
      if (h.reason() != null) {
        g.writeStringField("reason", h.reason());
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.println(line);
  }
}
