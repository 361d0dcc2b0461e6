package org.mobilessh.index;

import java.net.InetAddress;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.InetAddressPoint;
import org.apache.lucene.document.IntPoint;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.util.BytesRef;
import org.mobilessh.parse.Action;
import org.mobilessh.parse.ClockSource;
import org.mobilessh.parse.ConntrackEvent;
import org.mobilessh.parse.ConntrackTuple;
import org.mobilessh.parse.EventTime;
import org.mobilessh.parse.FormatDetector;
import org.mobilessh.parse.IpPacket;
import org.mobilessh.parse.LogEvent;
import org.mobilessh.parse.LogFormat;
import org.mobilessh.parse.NetfilterEvent;
import org.mobilessh.parse.NoticeEvent;
import org.mobilessh.parse.TimePrecision;

/**
 * Turns a {@link SourcedEvent} into a Lucene document with the lean schema of {@code
 * docs/index-schema.md}: index what users query, doc values only for sorting and the dedupe cache,
 * and store the original line once with its source pointer instead of storing every field (the
 * reader re-parses it). Field instances are reused between documents, so one mapper serves one
 * writing thread.
 */
final class DocumentMapper {
  private final LongPoint timePoint = new LongPoint(Fields.TIMESTAMP, 0L);
  private final LongValue timeDv = new LongValue(Fields.TIMESTAMP);
  private final StringField action = new StringField(Fields.ACTION, "", Field.Store.NO);
  private final StringField dataset = new StringField(Fields.DATASET, "", Field.Store.NO);
  private final LongValue hash = new LongValue(Fields.HASH);
  private final LongValue origin = new LongValue(Fields.ORIGIN);
  private final StringField observer = new StringField(Fields.OBSERVER, "", Field.Store.NO);
  private final AddressPoint sourceIp = new AddressPoint(Fields.SOURCE_IP);
  private final AddressPoint destinationIp = new AddressPoint(Fields.DESTINATION_IP);
  private final IntPoint sourcePort = new IntPoint(Fields.SOURCE_PORT, 0);
  private final IntPoint destinationPort = new IntPoint(Fields.DESTINATION_PORT, 0);
  private final StringField transport = new StringField(Fields.TRANSPORT, "", Field.Store.NO);
  private final StringField ingress = new StringField(Fields.INGRESS_INTERFACE, "", Field.Store.NO);
  private final StringField egress = new StringField(Fields.EGRESS_INTERFACE, "", Field.Store.NO);
  private final LongPoint conntrackId = new LongPoint(Fields.CONNTRACK_ID, 0L);
  private final StringField conntrackState =
      new StringField(Fields.CONNTRACK_STATE, "", Field.Store.NO);
  private final LongPoint bytes = new LongPoint(Fields.NETWORK_BYTES, 0L);
  private final StoredField stored = new StoredField(Fields.STORED, new BytesRef());
  private final StoredEvent.Encoder encoder = new StoredEvent.Encoder();
  private final StoredEvent.StringTable table;
  // string-table ids of the last values seen (sources and routers repeat from line to line), and of
  // each action and format
  private final int[] actionIds = new int[Action.values().length];
  private final int[] datasetIds = new int[LogFormat.values().length];
  private String lastPath;
  private int lastPathId;
  private String lastObserver;
  private int lastObserverId;
  // Reused too: IndexWriter is done with a document when addDocument returns, and a fresh one
  // regrows its field list for every event.
  private final Document doc = new Document();

  DocumentMapper(StoredEvent.StringTable table) {
    this.table = table;
  }

  /**
   * The document for one event; {@code time} is µs or {@link Deduplicator#TIMELESS}. The returned
   * document and its fields are this mapper's own and are overwritten by the next call: add it to
   * the writer before mapping the next event.
   */
  Document map(SourcedEvent e, String observerName, long hashValue, long time) {
    int quality = EventIndex.quality(e.event().time());
    LogEvent ev = e.event();
    Document doc = this.doc;
    doc.clear();
    if (time != Deduplicator.TIMELESS) {
      timePoint.setLongValue(time);
      timeDv.set(time);
      add(doc, timePoint);
      add(doc, timeDv);
    }
    setString(action, ev.action().ecsName());
    add(doc, action);
    LogFormat format = datasetOf(ev, e.originalLine());
    setString(dataset, format.id());
    add(doc, dataset);
    hash.set(hashValue);
    add(doc, hash);
    origin.set(Deduplicator.origin(e.sourcePath(), e.lineNumber(), quality));
    add(doc, origin);
    if (!observerName.isEmpty()) {
      setString(observer, observerName);
      add(doc, observer);
    }
    if (ev instanceof NetfilterEvent n) {
      netfilter(doc, n);
    } else if (ev instanceof NoticeEvent n) {
      // a manual list change is searchable by its address (src:ADDR); markers have none
      if (n.address() != null) {
        addresses(doc, n.address(), null);
      }
    } else {
      conntrack(doc, (ConntrackEvent) ev);
    }
    stored.setBytesValue(
        encoder.encode(
            actionId(ev.action()),
            datasetId(format),
            observerName.isEmpty() ? 0 : observerId(observerName),
            pathId(e.sourcePath()),
            e.byteOffset(),
            e.lineNumber(),
            e.originalLine()));
    add(doc, stored);
    return doc;
  }

  private int actionId(Action a) {
    return cachedId(actionIds, a.ordinal(), a.ecsName());
  }

  private int datasetId(LogFormat f) {
    return cachedId(datasetIds, f.ordinal(), f.id());
  }

  private int cachedId(int[] ids, int ordinal, String value) {
    if (ids[ordinal] == 0) {
      ids[ordinal] = table.id(value);
    }
    return ids[ordinal];
  }

  private int pathId(String p) {
    if (!p.equals(lastPath)) {
      lastPathId = table.id(p);
      lastPath = p;
    }
    return lastPathId;
  }

  private int observerId(String o) {
    if (!o.equals(lastObserver)) {
      lastObserverId = table.id(o);
      lastObserver = o;
    }
    return lastObserverId;
  }

  private void netfilter(Document doc, NetfilterEvent n) {
    if (!n.inInterface().isEmpty()) {
      setString(ingress, n.inInterface());
      add(doc, ingress);
    }
    if (!n.outInterface().isEmpty()) {
      setString(egress, n.outInterface());
      add(doc, egress);
    }
    IpPacket p = n.packet();
    if (p == null) {
      return;
    }
    addresses(doc, p.source(), p.destination());
    ports(doc, p.sourcePort(), p.destinationPort());
    if (p.protocol() != null) {
      setString(transport, p.protocol().ecsName());
      add(doc, transport);
    }
  }

  private void conntrack(Document doc, ConntrackEvent c) {
    ConntrackTuple o = c.original();
    addresses(doc, o.source(), o.destination());
    ports(doc, o.sourcePort(), o.destinationPort());
    if (c.protocol() != null) {
      setString(transport, c.protocol().ecsName());
      add(doc, transport);
    }
    if (c.id() != null) {
      conntrackId.setLongValue(c.id());
      add(doc, conntrackId);
    }
    if (c.state() != null) {
      setString(conntrackState, c.state());
      add(doc, conntrackState);
    }
    long total = bytesOf(o) + bytesOf(c.reply());
    if (total >= 0 && (o.bytes() != null || (c.reply() != null && c.reply().bytes() != null))) {
      bytes.setLongValue(total);
      add(doc, bytes);
    }
  }

  private static long bytesOf(ConntrackTuple t) {
    return t == null || t.bytes() == null ? 0 : t.bytes();
  }

  /** No {@code network.type}: the query translator answers {@code family:} from source.ip. */
  private void addresses(Document doc, InetAddress src, InetAddress dst) {
    if (src != null) {
      sourceIp.set(src);
      add(doc, sourceIp);
    }
    if (dst != null) {
      destinationIp.set(dst);
      add(doc, destinationIp);
    }
  }

  private void ports(Document doc, Integer src, Integer dst) {
    if (src != null) {
      sourcePort.setIntValue(src);
      add(doc, sourcePort);
    }
    if (dst != null) {
      destinationPort.setIntValue(dst);
      add(doc, destinationPort);
    }
  }

  /**
   * Sets a keyword field's value unless it already holds an equal one: the values repeat from event
   * to event (action, dataset, router, interfaces), and each set re-encodes the term to UTF-8.
   */
  private static void setString(StringField f, String value) {
    if (!value.equals(f.stringValue())) {
      f.setStringValue(value);
    }
  }

  private static void add(Document doc, IndexableField f) {
    doc.add(f);
  }

  /**
   * The format a line was written in, from what the parser recorded about its clock and the line's
   * first character; it is stored so the reader can re-parse the line with the right parser.
   */
  static LogFormat datasetOf(LogEvent ev, String line) {
    char first = firstChar(line);
    if (ev instanceof ConntrackEvent) {
      return first == '{' ? LogFormat.ULOGD_JSON : LogFormat.CONNTRACK;
    }
    EventTime t = ev.time();
    if (first == '{') {
      boolean journal =
          t != null && (t.source() == ClockSource.JOURNAL || t.source() == ClockSource.KERNEL);
      return journal ? LogFormat.JOURNAL_JSON : LogFormat.ULOGD_JSON;
    }
    if (t != null) {
      switch (t.source()) {
        case SYSLOG:
          return t.precision() == TimePrecision.SECOND && Character.isLetter(first)
              ? LogFormat.SYSLOG
              : LogFormat.SYSLOG_RFC3339;
        case JOURNAL:
          return LogFormat.JOURNAL_SHORT_ISO;
        case KERNEL:
          if (first == '[') {
            return LogFormat.DMESG_RAW;
          }
          if (Character.isDigit(first)) {
            return LogFormat.DMESG_ISO;
          }
          break;
        case NFLOG:
        case ULOGD_WRITE:
        case FLOW:
          return LogFormat.ULOGD_JSON;
        default:
          break;
      }
    }
    return FormatDetector.detect(java.util.List.of(line)).orElse(LogFormat.SYSLOG);
  }

  private static char firstChar(String line) {
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c != ' ' && c != '\t') {
        return c;
      }
    }
    return ' ';
  }

  /**
   * A {@code NumericDocValuesField} whose value is set without boxing: {@code Field.setLongValue}
   * allocates a {@code Long} per call, three per event. The indexing chain reads the value through
   * {@link #numericValue()} while it indexes the document, before the next {@link #set}.
   */
  static final class LongValue extends Field {
    private final MutableLong value;

    LongValue(String name) {
      super(name, NumericDocValuesField.TYPE);
      value = new MutableLong();
      fieldsData = value;
    }

    void set(long v) {
      value.v = v;
    }
  }

  /** A reused {@link Number}: read by the indexing chain only while the document is indexed. */
  private static final class MutableLong extends Number {
    private static final long serialVersionUID = 1L;
    long v;

    @Override
    public long longValue() {
      return v;
    }

    @Override
    public int intValue() {
      return (int) v;
    }

    @Override
    public float floatValue() {
      return v;
    }

    @Override
    public double doubleValue() {
      return v;
    }
  }

  /**
   * An {@link InetAddressPoint} (same field type, same 16 bytes: IPv4 as IPv4-mapped IPv6) that
   * encodes into one reused array, and not at all when the address object is the one of the last
   * event (the parser hands out cached address objects): {@code setInetAddressValue} allocates the
   * address copy, a 16-byte array and a {@code BytesRef} per call.
   */
  static final class AddressPoint extends Field {
    private static final FieldType TYPE = new FieldType();

    static {
      TYPE.setDimensions(1, InetAddressPoint.BYTES);
      TYPE.freeze();
    }

    private final byte[] bytes = new byte[InetAddressPoint.BYTES];
    private InetAddress last;

    AddressPoint(String name) {
      super(name, TYPE);
      fieldsData = new BytesRef(bytes);
    }

    void set(InetAddress a) {
      if (a == last) {
        return;
      }
      byte[] raw = a.getAddress();
      if (raw.length == 4) {
        java.util.Arrays.fill(bytes, 0, 10, (byte) 0);
        bytes[10] = (byte) 0xff;
        bytes[11] = (byte) 0xff;
        System.arraycopy(raw, 0, bytes, 12, 4);
      } else {
        System.arraycopy(raw, 0, bytes, 0, InetAddressPoint.BYTES);
      }
      last = a;
    }
  }
}
