package org.mobilessh.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.mobilessh.parse.Protocol;
import org.mobilessh.parse.TcpFlag;

/**
 * Rejections are written against the record before them ({@link AuditRecordCodec#rejections}): any
 * sequence reads back as written, in a record buffer and in a results-cache entry, whatever repeats
 * and whatever does not (routers, clocks, targets, files, times going back, lines that are no
 * indexed event's).
 */
class RejectionCodecTest {
  @Property(tries = 300)
  void rejectionsReadBackAsWrittenInline(@ForAll("sequences") List<Rejection> written)
      throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    Reorder.Codec<Rejection> writer = AuditRecordCodec.rejections(AuditRecordCodec.INLINE);
    for (Rejection r : written) {
      writer.write(out, r);
    }
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()));
    Reorder.Codec<Rejection> reader =
        AuditRecordCodec.rejections(AuditRecordCodec.INLINE, new AuditRecordCodec.Repeats());
    List<Rejection> read = new ArrayList<>();
    for (int i = 0; i < written.size(); i++) {
      read.add(reader.read(in));
    }
    assertThat(in.available()).isZero();
    assertThat(read).isEqualTo(written);
    for (int i = 0; i < read.size(); i++) {
      // SourceLine.equals leaves the time out: compare it too
      assertThat(read.get(i).evidence().micros()).isEqualTo(written.get(i).evidence().micros());
    }
  }

  @Property(tries = 60)
  void rejectionsReadBackAsWrittenFromAnEntry(
      @ForAll("sequences") List<Rejection> written, @ForAll boolean textsInIndex)
      throws IOException {
    Path dir =
        Files.createTempDirectory(
            Files.createDirectories(Path.of("target", "test-scratch")), "mobilessh-rejections-");
    try {
      try (AuditRunFile.Writer w = new AuditRunFile.Writer(dir, true, textsInIndex)) {
        written.forEach(w::rejection);
        w.end(List.of(), 0, 0, 0);
        w.finish("test");
      }
      AuditRunFile.Checked c = AuditRunFile.read(dir);
      c.verifyRecords(EnumSet.allOf(AuditRunFile.Kind.class));
      c.verifyText(EnumSet.allOf(AuditRunFile.Kind.class));
      // an entry that leaves texts in the index is read without texts (or resolved first)
      if (!textsInIndex) {
        assertThat(read(c, true)).isEqualTo(written);
      }
      List<Rejection> pointers = read(c, false);
      assertThat(pointers).hasSameSizeAs(written);
      for (int i = 0; i < written.size(); i++) {
        SourceLine l = written.get(i).evidence();
        assertThat(pointers.get(i))
            .isEqualTo(
                withEvidence(written.get(i), new SourceLine(l.sourcePath(), l.lineNumber(), "")));
        assertThat(pointers.get(i).evidence().micros()).isEqualTo(l.micros());
      }
    } finally {
      AuditCache.delete(dir);
    }
  }

  private static List<Rejection> read(AuditRunFile.Checked c, boolean text) throws IOException {
    List<Rejection> read = new ArrayList<>();
    try (AuditRunFile.Records<Rejection> r = c.open(AuditRunFile.Kind.REJECTIONS, text)) {
      for (Rejection x = r.next(); x != null; x = r.next()) {
        read.add(x);
      }
    }
    return read;
  }

  private static Rejection withEvidence(Rejection r, SourceLine l) {
    return new Rejection(
        r.observer(),
        r.at(),
        r.precisionS(),
        r.source(),
        r.sourcePort(),
        r.destination(),
        r.destinationPort(),
        r.protocol(),
        r.tcpFlags(),
        r.sampled(),
        l);
  }

  @Provide
  Arbitrary<List<Rejection>> sequences() {
    // few values of each field, so that runs of the same one come often, among any others
    Arbitrary<String> observers = Arbitraries.of("router1-1", "router1-2", "", "r\u00f6uter");
    Arbitrary<InetAddress> addresses =
        Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofSize(4),
                Arbitraries.bytes().array(byte[].class).ofSize(16),
                Arbitraries.of(new byte[] {10, 0, 0, 1}, new byte[] {(byte) 192, (byte) 168, 1, 1}))
            .map(RejectionCodecTest::address);
    Arbitrary<Instant> times =
        Arbitraries.oneOf(
            Arbitraries.longs()
                .between(1_790_000_000_000_000L, 1_790_000_100_000_000L)
                .map(us -> Instant.ofEpochSecond(us / 1_000_000, us % 1_000_000 * 1000)),
            Arbitraries.longs()
                .between(-100_000_000_000L, 100_000_000_000L)
                .flatMap(
                    s ->
                        Arbitraries.integers()
                            .between(0, 999_999_999)
                            .map(n -> Instant.ofEpochSecond(s, n))),
            Arbitraries.of(Instant.MIN, Instant.MAX, Instant.EPOCH));
    Arbitrary<Integer> ports =
        Arbitraries.oneOf(Arbitraries.of(22, 2222), Arbitraries.integers()).injectNull(0.2);
    Arbitrary<Double> precisions =
        Arbitraries.oneOf(Arbitraries.of(0.0, 0.5, 1e-6, -0.0, Double.NaN), Arbitraries.doubles());
    Arbitrary<java.util.Set<TcpFlag>> flags = Arbitraries.of(TcpFlag.class).set();
    Arbitrary<String> paths = Arbitraries.of("/var/log/kern.log", "a.log", "r\u00e9cord/x");
    Arbitrary<String> texts = Arbitraries.strings().ofMaxLength(40);
    Arbitrary<Long> lineNumbers = Arbitraries.longs().between(-5, Long.MAX_VALUE);
    // the evidence's time: the rejection's (the engine's case), none, or any other
    Arbitrary<Integer> microsKinds = Arbitraries.of(0, 0, 0, 1, 2);
    Arbitrary<Long> anyMicros = Arbitraries.longs();
    Arbitrary<Rejection> one =
        Combinators.combine(
                Combinators.combine(
                        observers, times, precisions, addresses, ports, addresses, ports)
                    .as(Head::new),
                Arbitraries.of(Protocol.class),
                flags,
                Arbitraries.of(true, false),
                Combinators.combine(paths, lineNumbers, texts, microsKinds, anyMicros)
                    .as(Line::new))
            .as(
                (h, protocol, f, sampled, l) -> {
                  long micros =
                      switch (l.microsKind) {
                        case 0 -> SourceLine.micros(h.at);
                        case 1 -> SourceLine.NOT_INDEXED;
                        default -> l.micros;
                      };
                  return new Rejection(
                      h.observer,
                      h.at,
                      h.precision,
                      h.source,
                      h.sourcePort,
                      h.destination,
                      h.destinationPort,
                      protocol,
                      f,
                      sampled,
                      new SourceLine(l.path, l.number, l.text, micros));
                });
    return one.list().ofMaxSize(200);
  }

  private record Head(
      String observer,
      Instant at,
      double precision,
      InetAddress source,
      Integer sourcePort,
      InetAddress destination,
      Integer destinationPort) {}

  private record Line(String path, long number, String text, int microsKind, long micros) {}

  private static InetAddress address(byte[] b) {
    try {
      return InetAddress.getByAddress(b);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
