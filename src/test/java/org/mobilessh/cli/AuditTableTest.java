package org.mobilessh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.mobilessh.audit.SourceLine;

/** The hand-written CSV and JSON lines are byte for byte what Commons CSV and Jackson write. */
class AuditTableTest {
  private static final List<String> COLUMNS =
      List.of("source_ip", "duration_s", "ssh_sessions", "sampled", "observer", "message");

  @Property(tries = 5000)
  void csvLineIsWhatCsvPrinterPrints(@ForAll("rows") AuditTable.Row r) throws IOException {
    for (boolean evidence : new boolean[] {true, false}) {
      CSVFormat f = AuditTable.csvFormat(COLUMNS, evidence);
      StringWriter expected = new StringWriter();
      CSVPrinter p = new CSVPrinter(expected, f.builder().setSkipHeaderRecord(true).build());
      p.printRecord(AuditTable.csvValues(r, evidence));
      p.flush();
      StringBuilder actual = new StringBuilder();
      AuditTable.csvLine(f, r, evidence, actual);
      assertThat(actual.toString()).isEqualTo(expected.toString());
    }
  }

  @Property(tries = 5000)
  void jsonLineIsWhatJacksonWrites(@ForAll("rows") AuditTable.Row r) {
    for (boolean evidence : new boolean[] {true, false}) {
      StringBuilder actual = new StringBuilder();
      AuditTable.jsonLine(COLUMNS, r, evidence, actual);
      assertThat(actual.toString())
          .isEqualTo(AuditTable.jsonLine(COLUMNS, r, evidence) + System.lineSeparator());
    }
  }

  /**
   * The table held as bytes (in memory, or spilled to a file) prints what {@link AuditTable#table}
   * prints of the rows, through the writer and as bytes.
   */
  @Property(tries = 300)
  void tableRowsPrintWhatTheTablePrints(
      @ForAll("tables") List<AuditTable.Row> rows, @ForAll boolean spill) throws IOException {
    StringWriter expected = new StringWriter();
    AuditTable.table(COLUMNS, rows, new java.io.PrintWriter(expected));
    for (boolean bytes : new boolean[] {false, true}) {
      StringWriter text = new StringWriter();
      java.io.PrintWriter out = new java.io.PrintWriter(text);
      java.io.ByteArrayOutputStream raw = new java.io.ByteArrayOutputStream();
      try (TableRows t = new TableRows(COLUMNS, spill ? 64 : TableRows.MEMORY)) {
        for (AuditTable.Row r : rows) {
          org.mobilessh.audit.PrintBuffer b = new org.mobilessh.audit.PrintBuffer(16);
          TableRows.encode(r.values(), b);
          t.add(b.array(), 0, b.length());
        }
        assertThat(t.rows()).isEqualTo(rows.size());
        t.print(COLUMNS, out, bytes ? raw : null);
      }
      out.flush();
      String actual = text + raw.toString(java.nio.charset.StandardCharsets.UTF_8);
      // the writer encodes a lone surrogate as '?', as the UTF-8 bytes do
      String want =
          new String(
              expected.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8),
              java.nio.charset.StandardCharsets.UTF_8);
      assertThat(actual).isEqualTo(want);
    }
  }

  @Provide
  Arbitrary<List<AuditTable.Row>> tables() {
    Arbitrary<String> cell =
        Arbitraries.oneOf(
            texts(),
            Arbitraries.strings().withChars("x\u00e9 ").ofMinLength(120).ofMaxLength(300),
            Arbitraries.of("-", "  ", "\u3000", "a\u2028", "b\t"));
    return cell.list()
        .ofSize(COLUMNS.size())
        .map(v -> new AuditTable.Row(v, List.of()))
        .list()
        .ofMaxSize(40);
  }

  @Provide
  Arbitrary<AuditTable.Row> rows() {
    Arbitrary<String> text = texts();
    Arbitrary<String> number =
        Arbitraries.oneOf(
            Arbitraries.of("", "0", "1", "22", "0.5", "0.000001", "100", "12.25", "0.1"),
            Arbitraries.longs().between(0, 10_000_000_000L).map(x -> Long.toString(x)),
            Arbitraries.longs()
                .between(0, 10_000_000_000L)
                .map(x -> org.mobilessh.audit.AuditFormat.seconds(x / 1e6)),
            Arbitraries.of("007", "1.50", "0.0000001", "1E+2", "-3", "0.0"));
    Arbitrary<String> bool = Arbitraries.of("", "true", "false");
    Arbitrary<SourceLine> line =
        Combinators.combine(text, Arbitraries.longs().between(0, 1L << 40), text)
            .as((p, n, l) -> new SourceLine(p, n, l));
    return Combinators.combine(text, number, number, bool, text, text, line.list().ofMaxSize(3))
        .as(
            (ip, d, n, b, o, m, ev) -> {
              List<String> values = new ArrayList<>(List.of(ip, d, n, b, o, m));
              return new AuditTable.Row(values, ev);
            });
  }

  private Arbitrary<String> texts() {
    return Arbitraries.oneOf(
        Arbitraries.strings()
            .withChars("ab09.:-_/ ,\"#!\t\r\n\\\u00e9\u2028\u0001\ud83d\ude00")
            .ofMaxLength(12),
        Arbitraries.of(
            "",
            "192.0.2.1",
            "2001:db8::1",
            "/var/log/kern.log.2.gz",
            "router1-1",
            " lead",
            "trail ",
            "#x",
            "!x",
            "$x",
            "a,b",
            "say \"hi\""),
        Arbitraries.strings().ascii().ofMaxLength(20));
  }
}
