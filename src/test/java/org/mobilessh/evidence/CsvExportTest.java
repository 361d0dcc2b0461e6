package org.mobilessh.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;

/** Cell neutralisation and the raw variant's byte-exactness, on hostile values. */
class CsvExportTest {
  static final List<String> HOSTILE =
      List.of(
          "=HYPERLINK(\"http://203.0.113.9/x\",\"click\")",
          "+1+cmd|' /C calc'!A0",
          "-2+3",
          "@SUM(1,1)",
          "\t=1+1",
          "\r=1+1",
          "-",
          "=");

  @Test
  void formulaStartsGetAnApostrophe() {
    for (String h : HOSTILE) {
      assertThat(CsvExport.neutralise(h)).as(h).isEqualTo("'" + h);
    }
  }

  @Test
  void plainNumbersAndOrdinaryTextStay() {
    for (String ok :
        List.of(
            "-3",
            "-0.25",
            "12",
            "",
            "router1",
            "2001:db8::1",
            "2026-10-01T00:00:00.000000Z",
            "/var/log/kern.log",
            " =1",
            "a=b")) {
      assertThat(CsvExport.neutralise(ok)).as(ok).isEqualTo(ok);
    }
    // a number with an exponent or a sign and text is not a plain number
    assertThat(CsvExport.neutralise("-1e5")).isEqualTo("'-1e5");
    assertThat(CsvExport.neutralise("-1,2")).isEqualTo("'-1,2");
  }

  @Test
  void rawKeepsEveryValueAndSafeNeutralisesEveryCell() throws IOException {
    List<String> header = List.of("observer", "path");
    List<List<String>> rows = HOSTILE.stream().map(h -> List.of(h, "/logs/" + h)).toList();
    byte[] raw = CsvExport.csv(header, rows, CsvExport.Variant.RAW);
    byte[] safe = CsvExport.csv(header, rows, CsvExport.Variant.SPREADSHEET_SAFE);

    List<CSVRecord> r = CSVFormat.RFC4180.parse(new StringReader(utf8(raw))).getRecords();
    assertThat(r).hasSize(1 + HOSTILE.size());
    for (int i = 0; i < HOSTILE.size(); i++) {
      assertThat(r.get(i + 1).get(0)).isEqualTo(HOSTILE.get(i));
      assertThat(r.get(i + 1).get(1)).isEqualTo("/logs/" + HOSTILE.get(i));
    }
    assertThat(raw).isEqualTo(CsvExport.csv(header, rows, CsvExport.Variant.RAW));
    assertThat(utf8(raw)).startsWith("observer,path\r\n").endsWith("\r\n");

    String s = utf8(safe);
    assertThat(s).startsWith("\uFEFFobserver,path\r\n");
    List<CSVRecord> sr = CSVFormat.RFC4180.parse(new StringReader(s.substring(1))).getRecords();
    for (int i = 0; i < HOSTILE.size(); i++) {
      assertThat(sr.get(i + 1).get(0)).isEqualTo("'" + HOSTILE.get(i));
      // a cell that does not start with a formula character is left as it is
      assertThat(sr.get(i + 1).get(1)).isEqualTo("/logs/" + HOSTILE.get(i));
    }
    for (CSVRecord rec : sr) {
      for (String cell : rec) {
        assertThat(cell).doesNotStartWith("=").doesNotStartWith("+").doesNotStartWith("@");
      }
    }
  }

  static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
