package org.mobilessh.rules;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * Prints a {@link RecentSnapshot} as an aligned table, CSV (Commons CSV, with a header) or JSON
 * (Jackson). Columns: address (RFC 5952), family, last_seen (ISO-8601 UTC with microseconds; the
 * real resolution is 1/HZ), age in seconds (milliseconds shown), fresh, hits (stamps kept).
 */
public final class RecentListWriter {
  /** Output formats of {@code list show}. */
  public enum Format {
    TABLE,
    CSV,
    JSON;

    /** {@code table}, {@code csv} or {@code json}, any case. */
    public static Format parse(String text) {
      for (Format f : values()) {
        if (f.name().equalsIgnoreCase(text.strip())) {
          return f;
        }
      }
      throw new InvalidConfigException("--format must be table, csv or json, not '" + text + "'");
    }
  }

  static final List<String> COLUMNS =
      List.of("address", "family", "last_seen", "age_seconds", "fresh", "hits");

  private static final DateTimeFormatter ISO_MICROS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSX", Locale.ROOT)
          .withZone(ZoneOffset.UTC);

  private RecentListWriter() {}

  /** Writes {@code snapshot} judged against a window of {@code seconds}. */
  public static void write(RecentSnapshot snapshot, int seconds, Format format, PrintWriter out) {
    List<RecentSnapshot.Row> rows = snapshot.rows(seconds);
    switch (format) {
      case TABLE -> table(rows, out);
      case CSV -> csv(rows, out);
      case JSON -> json(snapshot, seconds, rows, out);
    }
    out.flush();
  }

  /** ISO-8601 UTC with six fractional digits, e.g. {@code 2026-11-27T00:58:12.344000Z}. */
  public static String timestamp(Instant instant) {
    return ISO_MICROS.format(instant);
  }

  /** Seconds with three decimals (HZ is at most 1000). */
  public static BigDecimal seconds(Duration age) {
    return BigDecimal.valueOf(age.toNanos(), 9).setScale(3, RoundingMode.HALF_UP);
  }

  private static List<String> cells(RecentSnapshot.Row row) {
    return List.of(
        row.entry().text(),
        "ipv" + row.entry().family().number(),
        timestamp(row.lastSeen()),
        seconds(row.age()).toPlainString(),
        String.valueOf(row.fresh()),
        String.valueOf(row.entry().hits()));
  }

  private static void table(List<RecentSnapshot.Row> rows, PrintWriter out) {
    List<String> header = COLUMNS.stream().map(c -> c.toUpperCase(Locale.ROOT)).toList();
    List<List<String>> lines = new ArrayList<>();
    lines.add(header);
    rows.forEach(r -> lines.add(cells(r)));
    int[] width = new int[header.size()];
    for (List<String> line : lines) {
      for (int i = 0; i < line.size(); i++) {
        width[i] = Math.max(width[i], line.get(i).length());
      }
    }
    for (List<String> line : lines) {
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < line.size(); i++) {
        // Numbers (age, hits) right-aligned so their digits line up.
        boolean right = i == 3 || i == 5;
        String cell = line.get(i);
        String pad = " ".repeat(width[i] - cell.length());
        text.append(right ? pad + cell : cell + (i == line.size() - 1 ? "" : pad));
        if (i < line.size() - 1) {
          text.append("  ");
        }
      }
      out.println(text.toString().stripTrailing());
    }
  }

  private static void csv(List<RecentSnapshot.Row> rows, PrintWriter out) {
    CSVFormat format =
        CSVFormat.DEFAULT
            .builder()
            .setHeader(COLUMNS.toArray(String[]::new))
            .setRecordSeparator("\n")
            .get();
    try {
      CSVPrinter printer = new CSVPrinter(out, format);
      for (RecentSnapshot.Row row : rows) {
        printer.printRecord(cells(row));
      }
      printer.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void json(
      RecentSnapshot snapshot, int seconds, List<RecentSnapshot.Row> rows, PrintWriter out) {
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = mapper.createObjectNode();
    root.put("list", snapshot.list());
    root.put("netns", snapshot.netns().orElse(null));
    root.put("read_at", timestamp(snapshot.clock().readAt()));
    root.put("jiffies", unsigned(snapshot.clock().jiffies()));
    root.put("hz", snapshot.clock().hz());
    root.put("hz_source", snapshot.clock().hzSource());
    root.put("seconds", seconds);
    ArrayNode entries = root.putArray("entries");
    for (RecentSnapshot.Row row : rows) {
      ObjectNode e = entries.addObject();
      e.put("address", row.entry().text());
      e.put("family", "ipv" + row.entry().family().number());
      e.put("last_seen", timestamp(row.lastSeen()));
      e.put("last_seen_jiffies", unsigned(row.entry().lastSeen()));
      e.put("age_seconds", seconds(row.age()));
      e.put("fresh", row.fresh());
      e.put("hits", row.entry().hits());
    }
    try {
      out.println(mapper.writeValueAsString(root));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static BigInteger unsigned(long value) {
    return new BigInteger(Long.toUnsignedString(value));
  }
}
