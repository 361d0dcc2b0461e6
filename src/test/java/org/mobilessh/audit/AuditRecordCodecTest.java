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
    assertThat(
            roundTrip(
                r.rejections(),
                AuditRecordCodec.rejections(AuditRecordCodec.INLINE),
                AuditRecordCodec.rejections(AuditRecordCodec.INLINE)))
        .isEqualTo(r.rejections());
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
    return roundTrip(in, codec, codec);
  }

  /** Written by one codec, read by another (a rejections' codec is one file's, one side's). */
  private static <T> List<T> roundTrip(List<T> in, Reorder.Codec<T> writer, Reorder.Codec<T> codec)
      throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream o = new DataOutputStream(bytes)) {
      for (T t : in) {
        writer.write(o, t);
      }
    }
    List<T> out = new ArrayList<>();
    DataInputStream i = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()));
    while (i.available() > 0) {
      out.add(codec.read(i));
    }
    return out;
  }

  @net.jqwik.api.Property(tries = 200)
  void repeatedAddressesReadBackAsWritten(
      @net.jqwik.api.ForAll("addressRuns") List<java.net.InetAddress> written) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    for (java.net.InetAddress a : written) {
      AuditRecordCodec.writeAddress(out, a);
    }
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()));
    AuditRecordCodec.Repeats repeats = new AuditRecordCodec.Repeats();
    List<java.net.InetAddress> read = new ArrayList<>();
    for (int i = 0; i < written.size(); i++) {
      read.add(AuditRecordCodec.address(repeats, in));
    }
    assertThat(read).isEqualTo(written);
  }

  @net.jqwik.api.Provide
  net.jqwik.api.Arbitrary<List<java.net.InetAddress>> addressRuns() {
    // a few addresses met again and again (4 and 16 bytes alike: ::a.b.c.d beside a.b.c.d) among
    // others, enough of them to share slots of the table
    net.jqwik.api.Arbitrary<byte[]> v4 =
        net.jqwik.api.Arbitraries.bytes().array(byte[].class).ofSize(4);
    net.jqwik.api.Arbitrary<byte[]> v6 =
        net.jqwik.api.Arbitraries.oneOf(
            net.jqwik.api.Arbitraries.bytes().array(byte[].class).ofSize(16),
            v4.map(
                q -> {
                  byte[] b = new byte[16];
                  System.arraycopy(q, 0, b, 12, 4);
                  return b;
                }));
    net.jqwik.api.Arbitrary<java.net.InetAddress> any =
        net.jqwik.api.Arbitraries.oneOf(v4, v6)
            .map(
                b -> {
                  try {
                    return java.net.InetAddress.getByAddress(b);
                  } catch (java.net.UnknownHostException e) {
                    throw new IllegalStateException(e);
                  }
                })
            .injectNull(0.05);
    return any.list()
        .ofMinSize(1)
        .ofMaxSize(8)
        .flatMap(
            few ->
                net.jqwik.api.Arbitraries.oneOf(net.jqwik.api.Arbitraries.of(few), any)
                    .list()
                    .ofMaxSize(3_000));
  }
}
