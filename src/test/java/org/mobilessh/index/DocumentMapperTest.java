package org.mobilessh.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.InetAddressPoint;
import org.apache.lucene.document.IntPoint;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DocValuesType;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.IndexableFieldType;
import org.apache.lucene.util.BytesRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mobilessh.parse.ConntrackEvent;
import org.mobilessh.parse.ConntrackTuple;
import org.mobilessh.parse.IpPacket;
import org.mobilessh.parse.LogEvent;
import org.mobilessh.parse.LogFormat;
import org.mobilessh.parse.NetfilterEvent;
import org.mobilessh.parse.NoticeEvent;
import org.mobilessh.parse.Protocol;

/**
 * The mapper's own point and doc-values fields (reused arrays, unboxed longs) index exactly what
 * Lucene's {@link InetAddressPoint} and {@link NumericDocValuesField} would: same field types, same
 * bytes, same numbers, also when one mapper maps many events in a row; for schema 3 (the packed
 * column) and schema 2 (points and keywords, for adding to an index of an earlier mobilessh).
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

  @ParameterizedTest
  @ValueSource(strings = {"3", "2"})
  void preparedInOneMapperAndMappedInAnotherIsTheDocumentOfBefore(String schema) {
    List<SourcedEvent> events = new ArrayList<>();
    events.addAll(SampleLogs.events("kern.log", LogFormat.SYSLOG));
    events.addAll(SampleLogs.events("conntrack-extended.log", LogFormat.CONNTRACK));
    events.addAll(SampleLogs.events("ulogd-json.log", LogFormat.ULOGD_JSON));
    events.addAll(SampleLogs.events("kern.log.1", LogFormat.SYSLOG));
    events.addAll(SampleLogs.events("dmesg-iso.log", LogFormat.DMESG_ISO));
    Collections.shuffle(events, new Random(7));
    StoredEvent.StringTable table = new StoredEvent.StringTable();
    DocumentMapper whole = new DocumentMapper(table, schema);
    ReferenceMapper reference = new ReferenceMapper(new StoredEvent.StringTable(), schema);
    DocumentMapper preparer = new DocumentMapper(table, schema);
    DocumentMapper mapper = new DocumentMapper(table, schema);
    // batches of 100 in one reused set of columns, as the indexing threads get them
    DocumentMapper.Prepared batch = new DocumentMapper.Prepared(100);
    int checked = 0;
    for (int from = 0; from < events.size(); from += 100) {
      List<SourcedEvent> part = events.subList(from, Math.min(events.size(), from + 100));
      batch.clear();
      for (int i = 0; i < part.size(); i++) {
        SourcedEvent e = part.get(i);
        preparer.prepare(e, observerOf(e), batch, i);
      }
      for (int i = 0; i < part.size(); i++) {
        SourcedEvent e = part.get(i);
        String observer = observerOf(e);
        long hash = EventIdentity.of(e.event(), observer);
        long time =
            e.event().time() == null ? Deduplicator.TIMELESS : e.event().time().epochMicros();
        List<String> expected = describe(reference.map(e, observer, hash, time));
        assertThat(describe(whole.map(e, observer, hash, time)))
            .as(e.originalLine())
            .isEqualTo(expected);
        assertThat(describe(mapper.map(observer, hash, time, batch, i)))
            .as(e.originalLine())
            .isEqualTo(expected);
        checked++;
      }
    }
    assertThat(checked).isEqualTo(events.size()).isGreaterThan(200);
  }

  /**
   * Written to an index, the mapper's documents and the reference mapping's (Lucene's own field
   * classes, the time as a LongPoint beside a NumericDocValuesField) give the same field infos and
   * the same terms, postings, points and doc values, document for document.
   */
  @ParameterizedTest
  @ValueSource(strings = {"3", "2"})
  void anIndexOfMappedDocumentsEqualsOneOfLuceneOwnFields(String schema) throws Exception {
    List<SourcedEvent> events = new ArrayList<>();
    events.addAll(SampleLogs.events("kern.log", LogFormat.SYSLOG));
    events.addAll(SampleLogs.events("conntrack-extended.log", LogFormat.CONNTRACK));
    events.addAll(SampleLogs.events("ulogd-json.log", LogFormat.ULOGD_JSON));
    events.addAll(SampleLogs.events("dmesg-iso.log", LogFormat.DMESG_ISO));
    Collections.shuffle(events, new Random(8));
    DocumentMapper mapper = new DocumentMapper(new StoredEvent.StringTable(), schema);
    ReferenceMapper reference = new ReferenceMapper(new StoredEvent.StringTable(), schema);
    try (org.apache.lucene.store.Directory ours =
            new org.apache.lucene.store.ByteBuffersDirectory();
        org.apache.lucene.store.Directory theirs =
            new org.apache.lucene.store.ByteBuffersDirectory()) {
      try (org.apache.lucene.index.IndexWriter a =
              new org.apache.lucene.index.IndexWriter(
                  ours, new org.apache.lucene.index.IndexWriterConfig());
          org.apache.lucene.index.IndexWriter b =
              new org.apache.lucene.index.IndexWriter(
                  theirs, new org.apache.lucene.index.IndexWriterConfig())) {
        for (SourcedEvent e : events) {
          String observer = observerOf(e);
          long hash = EventIdentity.of(e.event(), observer);
          long time =
              e.event().time() == null ? Deduplicator.TIMELESS : e.event().time().epochMicros();
          a.addDocument(mapper.map(e, observer, hash, time));
          b.addDocument(reference.map(e, observer, hash, time));
        }
        a.forceMerge(1);
        b.forceMerge(1);
      }
      try (org.apache.lucene.index.DirectoryReader ra =
              org.apache.lucene.index.DirectoryReader.open(ours);
          org.apache.lucene.index.DirectoryReader rb =
              org.apache.lucene.index.DirectoryReader.open(theirs)) {
        assertThat(contents(ra)).isEqualTo(contents(rb)).hasSizeGreaterThan(events.size());
        assertThat(events).hasSizeGreaterThan(200);
      }
    }
  }

  /** Field infos, then every term's postings, point and doc value, per field, in doc order. */
  private static List<String> contents(org.apache.lucene.index.DirectoryReader r)
      throws java.io.IOException {
    List<String> out = new ArrayList<>();
    org.apache.lucene.index.LeafReader leaf = r.leaves().get(0).reader();
    for (org.apache.lucene.index.FieldInfo fi : leaf.getFieldInfos()) {
      out.add(
          fi.name
              + " index="
              + fi.getIndexOptions()
              + " norms="
              + fi.hasNorms()
              + " dv="
              + fi.getDocValuesType()
              + " points="
              + fi.getPointDimensionCount()
              + "/"
              + fi.getPointIndexDimensionCount()
              + "x"
              + fi.getPointNumBytes()
              + " vectors="
              + fi.hasVectors()
              + " payloads="
              + fi.hasPayloads()
              + " attributes="
              + new java.util.TreeMap<>(fi.attributes()));
      org.apache.lucene.index.Terms terms = leaf.terms(fi.name);
      if (terms != null) {
        org.apache.lucene.index.TermsEnum te = terms.iterator();
        for (BytesRef t = te.next(); t != null; t = te.next()) {
          StringBuilder docs = new StringBuilder(fi.name + " term " + t.utf8ToString() + ":");
          org.apache.lucene.index.PostingsEnum pe = te.postings(null);
          for (int d = pe.nextDoc(); d != pe.NO_MORE_DOCS; d = pe.nextDoc()) {
            docs.append(' ').append(d).append('x').append(pe.freq());
          }
          out.add(docs.toString());
        }
      }
      if (fi.getPointDimensionCount() > 0) {
        List<String> points = new ArrayList<>();
        leaf.getPointValues(fi.name)
            .intersect(
                new org.apache.lucene.index.PointValues.IntersectVisitor() {
                  @Override
                  public void visit(int docID) {
                    throw new AssertionError();
                  }

                  @Override
                  public void visit(int docID, byte[] packed) {
                    points.add(docID + "=" + java.util.Arrays.toString(packed));
                  }

                  @Override
                  public org.apache.lucene.index.PointValues.Relation compare(
                      byte[] min, byte[] max) {
                    return org.apache.lucene.index.PointValues.Relation.CELL_CROSSES_QUERY;
                  }
                });
        Collections.sort(points);
        out.add(fi.name + " points " + points);
      }
      if (fi.getDocValuesType() == DocValuesType.NUMERIC) {
        org.apache.lucene.index.NumericDocValues dv = leaf.getNumericDocValues(fi.name);
        StringBuilder values = new StringBuilder(fi.name + " values");
        for (int d = dv.nextDoc(); d != dv.NO_MORE_DOCS; d = dv.nextDoc()) {
          values.append(' ').append(d).append('=').append(dv.longValue());
        }
        out.add(values.toString());
      }
    }
    org.apache.lucene.index.StoredFields stored = leaf.storedFields();
    for (int d = 0; d < leaf.maxDoc(); d++) {
      out.add(d + " stored " + stored.document(d));
    }
    return out;
  }

  private static String observerOf(SourcedEvent e) {
    return e.event().hostname() == null ? "" : e.event().hostname();
  }

  /**
   * What the indexing chain takes from each field of a document, in order: its point (dimensions,
   * bytes), its doc value (type, number or bytes), its inverted term (options, norms, the term's
   * UTF-8 bytes, whether given as a string or as bytes) and its stored value. A field with a point
   * and a doc value gives both, as a point field followed by a doc-values field of the same name
   * would.
   */
  private static List<String> describe(Document doc) {
    List<String> out = new ArrayList<>();
    for (IndexableField f : doc.getFields()) {
      IndexableFieldType t = f.fieldType();
      if (t.pointDimensionCount() != 0) {
        out.add(
            f.name()
                + " points="
                + t.pointDimensionCount()
                + "/"
                + t.pointIndexDimensionCount()
                + "x"
                + t.pointNumBytes()
                + " "
                + bytes(f.binaryValue()));
      }
      if (t.docValuesType() != DocValuesType.NONE) {
        out.add(
            f.name()
                + " dv="
                + t.docValuesType()
                + " "
                + (f.numericValue() != null
                    ? f.numericValue().longValue()
                    : bytes(f.binaryValue())));
      }
      if (t.indexOptions() != org.apache.lucene.index.IndexOptions.NONE) {
        BytesRef term = f.stringValue() != null ? new BytesRef(f.stringValue()) : f.binaryValue();
        out.add(
            f.name()
                + " index="
                + t.indexOptions()
                + " tokenized="
                + t.tokenized()
                + " norms="
                + !t.omitNorms()
                + " vectors="
                + t.storeTermVectors()
                + " "
                + bytes(term));
      }
      if (t.stored()) {
        out.add(f.name() + " stored " + bytes(f.storedValue().getBinaryValue()));
      }
    }
    return out;
  }

  private static String bytes(BytesRef b) {
    return java.util.Arrays.toString(
        java.util.Arrays.copyOfRange(b.bytes, b.offset, b.offset + b.length));
  }

  /**
   * The mapping as it was before it was split in two steps, with Lucene's own field classes: what
   * the columns must reproduce field for field.
   */
  private static final class ReferenceMapper {
    // the format codes of docs/index-schema.md, written out here rather than taken from the code
    private static final List<String> FORMATS =
        List.of(
            "syslog",
            "syslog-rfc3339",
            "journal-short-iso-precise",
            "journal-json",
            "dmesg-iso",
            "dmesg-raw",
            "conntrack",
            "ulogd-json");
    private static final List<String> TRANSPORTS =
        List.of(
            "icmp",
            "tcp",
            "udp",
            "dccp",
            "gre",
            "esp",
            "ah",
            "ipv6-icmp",
            "sctp",
            "udplite",
            "other");
    private final StoredEvent.StringTable table;
    private final StoredEvent.Encoder encoder = new StoredEvent.Encoder();
    private final boolean packed;

    ReferenceMapper(StoredEvent.StringTable table, String schema) {
      this.table = table;
      this.packed = schema.equals("3");
    }

    /**
     * Schema 3's column: source port slot (bit 16 = present) in bits 0-16, destination port slot in
     * 17-33, the egress and ingress interfaces' string ids (when up to 127) in 34-40 and 41-47, the
     * transport's code in 48-51, the format's code in 52-57.
     */
    private static long column(LogFormat f, Protocol p, Integer src, Integer dst) {
      long v = (long) (FORMATS.indexOf(f.id()) + 1) << 52;
      if (p != null) {
        v |= (long) (TRANSPORTS.indexOf(p.ecsName()) + 1) << 48;
      }
      if (src != null && src >= 0 && src <= 65535) {
        v |= 0x10000L | src;
      }
      if (dst != null && dst >= 0 && dst <= 65535) {
        v |= (0x10000L | dst) << 17;
      }
      return v;
    }

    Document map(SourcedEvent e, String observer, long hash, long time) {
      LogEvent ev = e.event();
      LogFormat format = DocumentMapper.datasetOf(ev, e.originalLine());
      // the table gives ids in order of first use: the stored value's strings, then (schema 3)
      // the interfaces
      table.id(ev.action().ecsName());
      table.id(format.id());
      if (!observer.isEmpty()) {
        table.id(observer);
      }
      table.id(e.sourcePath());
      int in = 0;
      int out = 0;
      if (packed && ev instanceof NetfilterEvent n) {
        in = n.inInterface().isEmpty() ? 0 : table.id(n.inInterface());
        out = n.outInterface().isEmpty() ? 0 : table.id(n.outInterface());
      }
      Document doc = new Document();
      if (time != Deduplicator.TIMELESS) {
        doc.add(new LongPoint(Fields.TIMESTAMP, time));
        doc.add(new NumericDocValuesField(Fields.TIMESTAMP, time));
      }
      doc.add(new StringField(Fields.ACTION, ev.action().ecsName(), Field.Store.NO));
      if (packed) {
        Protocol p = null;
        Integer src = null;
        Integer dst = null;
        if (ev instanceof NetfilterEvent n && n.packet() != null) {
          p = n.packet().protocol();
          src = n.packet().sourcePort();
          dst = n.packet().destinationPort();
        } else if (ev instanceof ConntrackEvent c) {
          p = c.protocol();
          src = c.original().sourcePort();
          dst = c.original().destinationPort();
        }
        long column = column(format, p, src, dst);
        if (in <= 127) {
          column |= (long) in << 41;
        }
        if (out <= 127) {
          column |= (long) out << 34;
        }
        doc.add(new NumericDocValuesField(Fields.PACKED, column));
      } else {
        doc.add(new StringField(Fields.DATASET, format.id(), Field.Store.NO));
      }
      doc.add(new NumericDocValuesField(Fields.HASH, hash));
      int quality = EventIndex.quality(ev.time());
      doc.add(
          new NumericDocValuesField(
              Fields.ORIGIN, Deduplicator.origin(e.sourcePath(), e.lineNumber(), quality)));
      if (!observer.isEmpty()) {
        doc.add(new StringField(Fields.OBSERVER, observer, Field.Store.NO));
      }
      if (ev instanceof NetfilterEvent n) {
        if (!n.inInterface().isEmpty() && !(packed && in <= 127)) {
          doc.add(new StringField(Fields.INGRESS_INTERFACE, n.inInterface(), Field.Store.NO));
        }
        if (!n.outInterface().isEmpty() && !(packed && out <= 127)) {
          doc.add(new StringField(Fields.EGRESS_INTERFACE, n.outInterface(), Field.Store.NO));
        }
        IpPacket p = n.packet();
        if (p != null) {
          addresses(doc, p.source(), p.destination());
          ports(doc, p.sourcePort(), p.destinationPort());
          if (p.protocol() != null && !packed) {
            doc.add(new StringField(Fields.TRANSPORT, p.protocol().ecsName(), Field.Store.NO));
          }
        }
      } else if (ev instanceof NoticeEvent n) {
        if (n.address() != null) {
          addresses(doc, n.address(), null);
        }
      } else {
        ConntrackEvent c = (ConntrackEvent) ev;
        ConntrackTuple o = c.original();
        addresses(doc, o.source(), o.destination());
        ports(doc, o.sourcePort(), o.destinationPort());
        if (c.protocol() != null && !packed) {
          doc.add(new StringField(Fields.TRANSPORT, c.protocol().ecsName(), Field.Store.NO));
        }
        if (c.id() != null) {
          doc.add(new LongPoint(Fields.CONNTRACK_ID, c.id()));
        }
        if (c.state() != null) {
          doc.add(new StringField(Fields.CONNTRACK_STATE, c.state(), Field.Store.NO));
        }
        long total = bytesOf(o) + bytesOf(c.reply());
        if (total >= 0 && (o.bytes() != null || (c.reply() != null && c.reply().bytes() != null))) {
          doc.add(new LongPoint(Fields.NETWORK_BYTES, total));
        }
      }
      BytesRef b =
          encoder.encode(
              table.id(ev.action().ecsName()),
              table.id(format.id()),
              observer.isEmpty() ? 0 : table.id(observer),
              table.id(e.sourcePath()),
              e.byteOffset(),
              e.lineNumber(),
              e.originalLine());
      doc.add(new StoredField(Fields.STORED, BytesRef.deepCopyOf(b)));
      return doc;
    }

    private static long bytesOf(ConntrackTuple t) {
      return t == null || t.bytes() == null ? 0 : t.bytes();
    }

    private static void addresses(Document doc, InetAddress src, InetAddress dst) {
      if (src != null) {
        doc.add(new InetAddressPoint(Fields.SOURCE_IP, src));
      }
      if (dst != null) {
        doc.add(new InetAddressPoint(Fields.DESTINATION_IP, dst));
      }
    }

    /** Schema 3 indexes as points only the ports outside 0-65535 (the column has no slot). */
    private void ports(Document doc, Integer src, Integer dst) {
      if (src != null && !(packed && src >= 0 && src <= 65535)) {
        doc.add(new IntPoint(Fields.SOURCE_PORT, src));
      }
      if (dst != null && !(packed && dst >= 0 && dst <= 65535)) {
        doc.add(new IntPoint(Fields.DESTINATION_PORT, dst));
      }
    }
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
    assertThat(dv.fieldType().docValuesType()).isEqualTo(lucene.fieldType().docValuesType());
    assertThat(dv.fieldType().indexOptions()).isEqualTo(lucene.fieldType().indexOptions());
    assertThat(dv.fieldType().stored()).isFalse();
    assertThat(dv.numericValue().longValue()).isEqualTo(expected);
    if (dv.fieldType().pointDimensionCount() != 0) {
      // the time's point in the same field: LongPoint's
      LongPoint point = new LongPoint(name, expected);
      org.apache.lucene.document.FieldType both =
          new org.apache.lucene.document.FieldType(point.fieldType());
      both.setDocValuesType(DocValuesType.NUMERIC);
      sameType(dv.fieldType(), both);
      assertThat(dv.binaryValue()).isEqualTo(point.binaryValue());
    }
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
