package org.mobilessh.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.InetAddressPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.index.DocValuesType;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.IndexableFieldType;
import org.junit.jupiter.api.Test;
import org.mobilessh.parse.ConntrackEvent;
import org.mobilessh.parse.IpPacket;
import org.mobilessh.parse.LogFormat;
import org.mobilessh.parse.NetfilterEvent;
import org.mobilessh.parse.NoticeEvent;

/**
 * The mapper's own point and doc-values fields (reused arrays, unboxed longs) index exactly what
 * Lucene's {@link InetAddressPoint} and {@link NumericDocValuesField} would: same field types, same
 * bytes, same numbers, also when one mapper maps many events in a row.
 */
class DocumentMapperTest {
  @Test
  void addressAndNumberFieldsIndexWhatLuceneOwnFieldsWould() throws Exception {
    List<SourcedEvent> events = new ArrayList<>();
    events.addAll(SampleLogs.events("kern.log", LogFormat.SYSLOG));
    events.addAll(SampleLogs.events("dmesg-iso.log", LogFormat.DMESG_ISO));
    events.addAll(SampleLogs.events("conntrack-extended.log", LogFormat.CONNTRACK));
    events.addAll(SampleLogs.events("ulogd-json.log", LogFormat.ULOGD_JSON));
    // each in place and shuffled: runs of the same address object, and changes between them
    List<SourcedEvent> shuffled = new ArrayList<>(events);
    Collections.shuffle(shuffled, new Random(6));
    events.addAll(shuffled);
    assertThat(events).hasSizeGreaterThan(400);

    DocumentMapper mapper = new DocumentMapper(new StoredEvent.StringTable());
    int addresses = 0;
    for (SourcedEvent e : events) {
      String observer = e.event().hostname() == null ? "" : e.event().hostname();
      long hash = EventIdentity.of(e.event(), observer);
      long time = e.event().time() == null ? Deduplicator.TIMELESS : e.event().time().epochMicros();
      Document doc = mapper.map(e, observer, hash, time);

      InetAddress[] expected = addressesOf(e);
      addresses += check(doc, Fields.SOURCE_IP, expected[0], e);
      addresses += check(doc, Fields.DESTINATION_IP, expected[1], e);

      int quality = EventIndex.quality(e.event().time());
      long origin = Deduplicator.origin(e.sourcePath(), e.lineNumber(), quality);
      checkNumber(doc, Fields.HASH, hash);
      checkNumber(doc, Fields.ORIGIN, origin);
      if (time == Deduplicator.TIMELESS) {
        assertThat(doc.getFields(Fields.TIMESTAMP)).isEmpty();
      } else {
        checkNumber(doc, Fields.TIMESTAMP, time);
      }
    }
    assertThat(addresses).isGreaterThan(400);
  }

  private static InetAddress[] addressesOf(SourcedEvent e) {
    if (e.event() instanceof NetfilterEvent n) {
      IpPacket p = n.packet();
      return p == null ? new InetAddress[2] : new InetAddress[] {p.source(), p.destination()};
    }
    if (e.event() instanceof ConntrackEvent c) {
      return new InetAddress[] {c.original().source(), c.original().destination()};
    }
    return new InetAddress[] {((NoticeEvent) e.event()).address(), null};
  }

  private static int check(Document doc, String name, InetAddress expected, SourcedEvent e) {
    IndexableField[] got =
        doc.getFields().stream().filter(f -> f.name().equals(name)).toArray(IndexableField[]::new);
    if (expected == null) {
      assertThat(got).as(e.originalLine()).isEmpty();
      return 0;
    }
    assertThat(got).as(e.originalLine()).hasSize(1);
    InetAddressPoint lucene = new InetAddressPoint(name, expected);
    sameType(got[0].fieldType(), lucene.fieldType());
    assertThat(got[0].binaryValue()).as(e.originalLine()).isEqualTo(lucene.binaryValue());
    return 1;
  }

  private static void checkNumber(Document doc, String name, long expected) {
    IndexableField dv =
        doc.getFields().stream()
            .filter(f -> f.name().equals(name))
            .filter(f -> f.fieldType().docValuesType() != DocValuesType.NONE)
            .findFirst()
            .orElseThrow();
    NumericDocValuesField lucene = new NumericDocValuesField(name, expected);
    sameType(dv.fieldType(), lucene.fieldType());
    assertThat(dv.numericValue().longValue()).isEqualTo(expected);
  }

  private static void sameType(IndexableFieldType a, IndexableFieldType b) {
    assertThat(a.docValuesType()).isEqualTo(b.docValuesType());
    assertThat(a.indexOptions()).isEqualTo(b.indexOptions());
    assertThat(a.stored()).isEqualTo(b.stored());
    assertThat(a.pointDimensionCount()).isEqualTo(b.pointDimensionCount());
    assertThat(a.pointIndexDimensionCount()).isEqualTo(b.pointIndexDimensionCount());
    assertThat(a.pointNumBytes()).isEqualTo(b.pointNumBytes());
    assertThat(a.omitNorms()).isEqualTo(b.omitNorms());
  }
}
