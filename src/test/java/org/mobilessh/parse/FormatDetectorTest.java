package org.mobilessh.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class FormatDetectorTest {

  @Test
  void unknownOrEmptyInputHasNoFormat() {
    assertThat(FormatDetector.detect(List.of())).isEmpty();
    assertThat(FormatDetector.detect(List.of("", "   "))).isEmpty();
    assertThat(FormatDetector.detect(List.of("hello world", "{\"a\": 1}"))).isEmpty();
  }

  @Test
  void theMajorityOfLinesWins() {
    String syslog = NetfilterLineTest.SET_V4;
    assertThat(FormatDetector.detect(List.of("garbage", syslog, syslog, "[   1.0] x")))
        .contains(LogFormat.SYSLOG);
  }

  @Test
  void journalHeaderMarksShortIsoOutput() {
    assertThat(FormatDetector.detect(List.of("-- No entries --")))
        .contains(LogFormat.JOURNAL_SHORT_ISO);
    String line = "2026-11-26T23:42:25.802761+00:00 router1 kernel: x";
    assertThat(FormatDetector.detect(List.of(line))).contains(LogFormat.SYSLOG_RFC3339);
    assertThat(FormatDetector.detect(List.of("-- Boot abc --", line)))
        .contains(LogFormat.JOURNAL_SHORT_ISO);
  }

  @Test
  void formatIdsRoundTripAndUnknownIdsAreExplained() {
    for (LogFormat f : LogFormat.values()) {
      assertThat(LogFormat.ofId(f.id())).isEqualTo(f);
    }
    assertThatThrownBy(() -> LogFormat.ofId("csv"))
        .isInstanceOf(ParseException.class)
        .hasMessageContaining("unknown log format 'csv'")
        .hasMessageContaining("dmesg-iso");
  }
}
