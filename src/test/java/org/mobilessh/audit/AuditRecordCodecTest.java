package org.mobilessh.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every record of the real recording reads back equal to what was written. */
class AuditRecordCodecTest {
  @Test
  void everyRecordKindRoundTrips() throws IOException {
    AuditResult r =
        new AuditEngine(SampleScenario.config())
            .reconstruct(AuditInput.of(SampleScenario.dmesgAndConntrack()));
    assertThat(r.windows()).isNotEmpty();
    assertThat(r.sessions()).isNotEmpty();
    assertThat(r.rejections()).isNotEmpty();
    assertThat(roundTrip(r.windows(), AuditRecordCodec.WINDOWS)).isEqualTo(r.windows());
    assertThat(roundTrip(r.sessions(), AuditRecordCodec.SESSIONS)).isEqualTo(r.sessions());
    assertThat(roundTrip(r.rejections(), AuditRecordCodec.REJECTIONS)).isEqualTo(r.rejections());
    List<Anomaly> anomalies = new ArrayList<>(r.anomalies());
    // the clean recording has none; these cover a missing address, time and evidence too
    anomalies.add(
        new Anomaly(
            Anomaly.Kind.LIST_OVERFLOW,
            "r1",
            null,
            null,
            "m\u00e9ssage",
            List.of(new SourceLine("a.log", 3, "x"))));
    anomalies.add(
        new Anomaly(
            Anomaly.Kind.SESSION_WITHOUT_WINDOW,
            "r1",
            r.windows().get(0).source(),
            r.windows().get(0).openedAt(),
            "",
            List.of()));
    assertThat(roundTrip(anomalies, AuditRecordCodec.ANOMALIES)).isEqualTo(anomalies);
  }

  private static <T> List<T> roundTrip(List<T> in, Reorder.Codec<T> codec) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream o = new DataOutputStream(bytes)) {
      for (T t : in) {
        codec.write(o, t);
      }
    }
    List<T> out = new ArrayList<>();
    DataInputStream i = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()));
    while (i.available() > 0) {
      out.add(codec.read(i));
    }
    return out;
  }
}
