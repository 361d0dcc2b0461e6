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
import org.mobilessh.parse.Protocol;
import org.mobilessh.parse.TimePrecision;

/**
 * Turns a {@link SourcedEvent} into a Lucene document with the lean schema of {@code
 * docs/index-schema.md}: index what users query, doc values only for sorting and the dedupe cache,
 * and store the original line once with its source pointer instead of storing every field (the
 * reader re-parses it). Field instances are reused between documents, so one mapper serves one
 * writing thread.
 *
 * <p>In two steps, so the reading thread can take part of the work off the indexing thread (the
 * longer of the two): {@link #prepare} encodes an event's bytes (the stored value, the addresses)
 * and the values derived from it (format, origin) into a batch's {@link Prepared} columns, and
 * {@link #map(SourcedEvent, String, long, long, Prepared, int)} only points the reused fields at
 * them. Each step keeps state of its own (string-table ids, the last address), so a mapper that
 * prepares and one that maps may live in two threads.
 */
final class DocumentMapper {
  // the time's point and doc value in one field instance: the same FieldInfo, point and value as
  // a LongPoint beside a NumericDocValuesField, for one pass of the indexing chain's per-field
  // bookkeeping instead of two
  private final TimePoint time = new TimePoint(Fields.TIMESTAMP);
  private final Keyword action = new Keyword(Fields.ACTION);
  private final Keyword dataset = new Keyword(Fields.DATASET);
  private final LongValue hash = new LongValue(Fields.HASH);
  private final LongValue origin = new LongValue(Fields.ORIGIN);
  private final Keyword observer = new Keyword(Fields.OBSERVER);
  private final AddressPoint sourceIp = new AddressPoint(Fields.SOURCE_IP);
  private final AddressPoint destinationIp = new AddressPoint(Fields.DESTINATION_IP);
  private final NumberPoint sourcePort = NumberPoint.ofInt(Fields.SOURCE_PORT);
  private final NumberPoint destinationPort = NumberPoint.ofInt(Fields.DESTINATION_PORT);
  private final Keyword transport = new Keyword(Fields.TRANSPORT);
  private final Keyword ingress = new Keyword(Fields.INGRESS_INTERFACE);
  private final Keyword egress = new Keyword(Fields.EGRESS_INTERFACE);
  private final NumberPoint conntrackId = NumberPoint.ofLong(Fields.CONNTRACK_ID);
  private final Keyword conntrackState = new Keyword(Fields.CONNTRACK_STATE);
  private final NumberPoint bytes = NumberPoint.ofLong(Fields.NETWORK_BYTES);
  private final LongValue packed = new LongValue(Fields.PACKED);
  // 3: ports, transport and format in the packed column; 2: as points and keywords
  private final int schema;
  private final StoredField stored = new StoredField(Fields.STORED, new BytesRef());
  private final BytesRef storedBytes = new BytesRef();
  private final StoredEvent.Encoder encoder = new StoredEvent.Encoder();
  // the last addresses prepared and their encoding: the parser hands out the same objects again
  private InetAddress lastSource;
  private InetAddress lastDestination;
  private final byte[] lastSourceBytes = new byte[InetAddressPoint.BYTES];
  private final byte[] lastDestinationBytes = new byte[InetAddressPoint.BYTES];
  private final AddressWords words = new AddressWords();
  // map(e, observer, hash, time): a batch of one
  private Prepared single;
  private final StoredEvent.StringTable table;
  // string-table ids of the last values seen (sources and routers repeat from line to line), and of
  // each action and format
  private final int[] actionIds = new int[Action.values().length];
  private final int[] datasetIds = new int[LogFormat.values().length];
  private String lastPath;
  private int lastPathId;
  private String lastObserver;
  private int lastObserverId;
  // one each: a router's log alternates the two (IN=eth0 OUT=eth1), and the table is synchronized
  private String lastIngress;
  private int lastIngressId;
  private String lastEgress;
  private int lastEgressId;
  // Reused too: IndexWriter is done with a document when addDocument returns, and a fresh one
  // regrows its field list for every event.
  private final Document doc = new Document();

  /** A mapper for indexes of the current schema ({@link EventIndex#SCHEMA_VERSION}). */
  DocumentMapper(StoredEvent.StringTable table) {
    this(table, EventIndex.SCHEMA_VERSION);
  }

  /**
   * A mapper writing documents of schema {@code schema}: "3" (the packed column) or "2" (the
   * schema-2 fields, for adding to an index written by an earlier mobilessh).
   */
  DocumentMapper(StoredEvent.StringTable table, String schema) {
    this.table = table;
    this.schema = schema.equals("2") ? 2 : 3;
  }

  /**
   * The document for one event; {@code time} is µs or {@link Deduplicator#TIMELESS}. The returned
   * document and its fields are this mapper's own and are overwritten by the next call: add it to
   * the writer before mapping the next event. Both steps in one.
   */
  Document map(SourcedEvent e, String observerName, long hashValue, long time) {
    if (single == null) {
      single = new Prepared(1);
    }
    single.clear();
    prepare(e, observerName, single, 0);
    return map(observerName, hashValue, time, single, 0);
  }

  /**
   * Columns of what {@link #prepare} worked out for a batch of events, read by {@link #map}: every
   * value a document needs, so the indexing thread does not touch the event objects at all (they
   * were built in the reading thread, and reading them again from another core cost about as much
   * as mapping them). The stored values lie one after the other in one array, the addresses take 32
   * bytes per event (source, then destination, 16 each as {@link InetAddressPoint} encodes them).
   */
  static final class Prepared {
    static final byte NETFILTER = 0;
    static final byte NOTICE = 1;
    static final byte CONNTRACK = 2;
    static final int SOURCE_IP = 1;
    static final int DESTINATION_IP = 2;
    static final int SOURCE_PORT = 4;
    static final int DESTINATION_PORT = 8;
    static final int CONNTRACK_ID = 16;
    static final int BYTES = 32;

    byte[] stored = new byte[64 * 1024];
    final int[] storedEnd;
    final byte[] addresses;
    final byte[] kinds;
    final byte[] actions;
    final byte[] formats;
    final int[] present;
    final long[] origins;
    final String[] ingress;
    final String[] egress;
    final String[] transports;
    final int[] sourcePorts;
    final int[] destinationPorts;
    final long[] conntrackIds;
    final String[] conntrackStates;
    final long[] byteCounts;
    // the schema-3 column value (PackedColumn), worked out for either schema
    final long[] packed;
    int storedLength;

    Prepared(int capacity) {
      storedEnd = new int[capacity];
      addresses = new byte[capacity * 2 * InetAddressPoint.BYTES];
      kinds = new byte[capacity];
      actions = new byte[capacity];
      formats = new byte[capacity];
      present = new int[capacity];
      origins = new long[capacity];
      ingress = new String[capacity];
      egress = new String[capacity];
      transports = new String[capacity];
      sourcePorts = new int[capacity];
      destinationPorts = new int[capacity];
      conntrackIds = new long[capacity];
      conntrackStates = new String[capacity];
      byteCounts = new long[capacity];
      packed = new long[capacity];
    }

    /** Empties it for the next batch (the arrays are kept; every slot is overwritten). */
    void clear() {
      storedLength = 0;
    }

    private int storedStart(int slot) {
      return slot == 0 ? 0 : storedEnd[slot - 1];
    }

    private void appendStored(int slot, BytesRef b) {
      if (storedLength + b.length > stored.length) {
        stored =
            java.util.Arrays.copyOf(stored, Math.max(stored.length * 2, storedLength + b.length));
      }
      System.arraycopy(b.bytes, b.offset, stored, storedLength, b.length);
      storedLength += b.length;
      storedEnd[slot] = storedLength;
    }
  }

  /**
   * Step one, for slot {@code slot} of a batch (slots in order from 0): every value of the event's
   * document, the stored value and the address bytes encoded.
   */
  void prepare(SourcedEvent e, String observerName, Prepared into, int slot) {
    LogEvent ev = e.event();
    int quality = EventIndex.quality(ev.time());
    into.origins[slot] = Deduplicator.origin(e.sourcePath(), e.lineNumber(), quality);
    LogFormat format = datasetOf(ev, e.originalLine());
    into.formats[slot] = (byte) format.ordinal();
    into.actions[slot] = (byte) ev.action().ordinal();
    long column = (long) PackedColumn.datasetCode(format) << PackedColumn.DATASET_SHIFT;
    int present = 0;
    InetAddress src = null;
    InetAddress dst = null;
    String in = null;
    String out = null;
    String proto = null;
    String state = null;
    if (ev instanceof NetfilterEvent n) {
      into.kinds[slot] = Prepared.NETFILTER;
      in = n.inInterface().isEmpty() ? null : n.inInterface();
      out = n.outInterface().isEmpty() ? null : n.outInterface();
      IpPacket p = n.packet();
      if (p != null) {
        src = p.source();
        dst = p.destination();
        present |= ports(into, slot, p.sourcePort(), p.destinationPort());
        proto = p.protocol() == null ? null : p.protocol().ecsName();
        column |= columnBits(p.protocol(), p.sourcePort(), p.destinationPort());
      }
    } else if (ev instanceof NoticeEvent n) {
      into.kinds[slot] = Prepared.NOTICE;
      src = n.address();
    } else {
      ConntrackEvent c = (ConntrackEvent) ev;
      into.kinds[slot] = Prepared.CONNTRACK;
      ConntrackTuple o = c.original();
      src = o.source();
      dst = o.destination();
      present |= ports(into, slot, o.sourcePort(), o.destinationPort());
      proto = c.protocol() == null ? null : c.protocol().ecsName();
      column |= columnBits(c.protocol(), o.sourcePort(), o.destinationPort());
      if (c.id() != null) {
        into.conntrackIds[slot] = c.id();
        present |= Prepared.CONNTRACK_ID;
      }
      state = c.state();
      long total = bytesOf(o) + bytesOf(c.reply());
      if (total >= 0 && (o.bytes() != null || (c.reply() != null && c.reply().bytes() != null))) {
        into.byteCounts[slot] = total;
        present |= Prepared.BYTES;
      }
    }
    into.ingress[slot] = in;
    into.egress[slot] = out;
    into.transports[slot] = proto;
    into.conntrackStates[slot] = state;
    int at = slot * 2 * InetAddressPoint.BYTES;
    if (src != null) {
      if (src != lastSource) {
        encodeAddress(src, lastSourceBytes);
        lastSource = src;
      }
      System.arraycopy(lastSourceBytes, 0, into.addresses, at, InetAddressPoint.BYTES);
      present |= Prepared.SOURCE_IP;
    }
    if (dst != null) {
      if (dst != lastDestination) {
        encodeAddress(dst, lastDestinationBytes);
        lastDestination = dst;
      }
      System.arraycopy(
          lastDestinationBytes,
          0,
          into.addresses,
          at + InetAddressPoint.BYTES,
          InetAddressPoint.BYTES);
      present |= Prepared.DESTINATION_IP;
    }
    into.present[slot] = present;
    into.appendStored(
        slot,
        encoder.encode(
            actionId(ev.action()),
            datasetId(format),
            observerName.isEmpty() ? 0 : observerId(observerName),
            pathId(e.sourcePath()),
            e.byteOffset(),
            e.lineNumber(),
            e.originalLine(),
            e.asciiLine()));
    // after the stored value's strings: the table gives ids in order of first use; a schema-2
    // index gets no interface strings in its table, as before
    if (in != null && schema == 3) {
      if (!in.equals(lastIngress)) {
        lastIngressId = table.id(in);
        lastIngress = in;
      }
      column |= interfaceBits(lastIngressId, PackedColumn.INGRESS_SHIFT);
    }
    if (out != null && schema == 3) {
      if (!out.equals(lastEgress)) {
        lastEgressId = table.id(out);
        lastEgress = out;
      }
      column |= interfaceBits(lastEgressId, PackedColumn.EGRESS_SHIFT);
    }
    into.packed[slot] = column;
  }

  /** An interface's id in its slot, or nothing if the id is too large for it. */
  private static long interfaceBits(int id, int shift) {
    return id <= PackedColumn.MAX_INTERFACE_ID ? (long) id << shift : 0;
  }

  private static int ports(Prepared into, int slot, Integer src, Integer dst) {
    int present = 0;
    if (src != null) {
      into.sourcePorts[slot] = src;
      present |= Prepared.SOURCE_PORT;
    }
    if (dst != null) {
      into.destinationPorts[slot] = dst;
      present |= Prepared.DESTINATION_PORT;
    }
    return present;
  }

  /** Transport and ports in the packed column, those that have a code there. */
  private static long columnBits(Protocol protocol, Integer src, Integer dst) {
    long bits = (long) PackedColumn.transportCode(protocol) << PackedColumn.TRANSPORT_SHIFT;
    if (src != null && PackedColumn.fits(src)) {
      bits |= PackedColumn.portSlot(src) << PackedColumn.SOURCE_PORT_SHIFT;
    }
    if (dst != null && PackedColumn.fits(dst)) {
      bits |= PackedColumn.portSlot(dst) << PackedColumn.DESTINATION_PORT_SHIFT;
    }
    return bits;
  }

  /** {@link InetAddressPoint}'s 16 bytes: IPv6 as is, IPv4 as IPv4-mapped IPv6. */
  private void encodeAddress(InetAddress a, byte[] into) {
    AddressWords w = words;
    w.of(a);
    if (w.ipv6) {
      BIG_ENDIAN_LONGS.set(into, 0, w.high);
      BIG_ENDIAN_LONGS.set(into, 8, w.low);
    } else {
      BIG_ENDIAN_LONGS.set(into, 0, 0L);
      BIG_ENDIAN_LONGS.set(into, 8, 0xffffL << 32 | w.high);
    }
  }

  private static final java.lang.invoke.VarHandle BIG_ENDIAN_LONGS =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(
          long[].class, java.nio.ByteOrder.BIG_ENDIAN);

  /**
   * Step two: the document for the event prepared in {@code from}'s slot {@code slot}, from the
   * columns alone. The returned document and its fields are this mapper's own and point into {@code
   * from}: add it to the writer before mapping the next event, and before {@code from} is reused.
   */
  Document map(String observerName, long hashValue, long time, Prepared from, int slot) {
    Document doc = this.doc;
    doc.clear();
    if (time != Deduplicator.TIMELESS) {
      this.time.set(time);
      add(doc, this.time);
    }
    action.set(ACTION_TERMS[from.actions[slot]]);
    add(doc, action);
    long column = from.packed[slot];
    boolean packing = schema == 3;
    if (packing) {
      packed.set(column);
      add(doc, packed);
    }
    // schema 3 indexes in the schema-2 fields only what has no code in the column
    if (!packing || (column >>> PackedColumn.DATASET_SHIFT) == 0) {
      dataset.set(FORMAT_TERMS[from.formats[slot]]);
      add(doc, dataset);
    }
    hash.set(hashValue);
    add(doc, hash);
    origin.set(from.origins[slot]);
    add(doc, origin);
    if (!observerName.isEmpty()) {
      observer.set(observerName);
      add(doc, observer);
    }
    int present = from.present[slot];
    byte kind = from.kinds[slot];
    if (kind == Prepared.NETFILTER) {
      if (from.ingress[slot] != null
          && (!packing || slot(column, PackedColumn.INGRESS_SHIFT) == 0)) {
        ingress.set(from.ingress[slot]);
        add(doc, ingress);
      }
      if (from.egress[slot] != null && (!packing || slot(column, PackedColumn.EGRESS_SHIFT) == 0)) {
        egress.set(from.egress[slot]);
        add(doc, egress);
      }
    }
    int at = slot * 2 * InetAddressPoint.BYTES;
    if ((present & Prepared.SOURCE_IP) != 0) {
      sourceIp.point(from.addresses, at);
      add(doc, sourceIp);
    }
    if ((present & Prepared.DESTINATION_IP) != 0) {
      destinationIp.point(from.addresses, at + InetAddressPoint.BYTES);
      add(doc, destinationIp);
    }
    if ((present & Prepared.SOURCE_PORT) != 0
        && (!packing || !PackedColumn.fits(from.sourcePorts[slot]))) {
      sourcePort.setInt(from.sourcePorts[slot]);
      add(doc, sourcePort);
    }
    if ((present & Prepared.DESTINATION_PORT) != 0
        && (!packing || !PackedColumn.fits(from.destinationPorts[slot]))) {
      destinationPort.setInt(from.destinationPorts[slot]);
      add(doc, destinationPort);
    }
    if (from.transports[slot] != null
        && (!packing
            || ((column >>> PackedColumn.TRANSPORT_SHIFT)
                    & ((1 << PackedColumn.TRANSPORT_BITS) - 1))
                == 0)) {
      transport.set(from.transports[slot]);
      add(doc, transport);
    }
    if (kind == Prepared.CONNTRACK) {
      if ((present & Prepared.CONNTRACK_ID) != 0) {
        conntrackId.setLong(from.conntrackIds[slot]);
        add(doc, conntrackId);
      }
      if (from.conntrackStates[slot] != null) {
        conntrackState.set(from.conntrackStates[slot]);
        add(doc, conntrackState);
      }
      if ((present & Prepared.BYTES) != 0) {
        bytes.setLong(from.byteCounts[slot]);
        add(doc, bytes);
      }
    }
    int start = from.storedStart(slot);
    storedBytes.bytes = from.stored;
    storedBytes.offset = start;
    storedBytes.length = from.storedEnd[slot] - start;
    stored.setBytesValue(storedBytes);
    add(doc, stored);
    return doc;
  }

  private static long slot(long column, int shift) {
    return (column >>> shift) & PackedColumn.MAX_INTERFACE_ID;
  }

  // the keyword terms of each action and format, UTF-8 once
  private static final BytesRef[] ACTION_TERMS =
      java.util.Arrays.stream(Action.values())
          .map(a -> new BytesRef(a.ecsName()))
          .toArray(BytesRef[]::new);
  private static final BytesRef[] FORMAT_TERMS =
      java.util.Arrays.stream(LogFormat.values())
          .map(f -> new BytesRef(f.id()))
          .toArray(BytesRef[]::new);

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

  private static long bytesOf(ConntrackTuple t) {
    return t == null || t.bytes() == null ? 0 : t.bytes();
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
   * An {@link InetAddressPoint} (same field type, same 16 bytes: IPv4 as IPv4-mapped IPv6) whose
   * value points at bytes encoded beforehand ({@link #prepare}): {@code setInetAddressValue}
   * allocates the address copy, a 16-byte array and a {@code BytesRef} per call.
   */
  static final class AddressPoint extends Field {
    private static final FieldType TYPE = new FieldType();

    static {
      TYPE.setDimensions(1, InetAddressPoint.BYTES);
      TYPE.freeze();
    }

    private final BytesRef value = new BytesRef(new byte[InetAddressPoint.BYTES]);

    AddressPoint(String name) {
      super(name, TYPE);
      fieldsData = value;
    }

    /** The 16 bytes at {@code offset}, read while the document is indexed. */
    void point(byte[] bytes, int offset) {
      value.bytes = bytes;
      value.offset = offset;
      value.length = InetAddressPoint.BYTES;
    }
  }

  /**
   * A {@link StringField} ({@code Store.NO}) whose term is given as UTF-8 bytes and indexed as
   * StringField's is (a single binary term, no token stream). StringField encodes its string again
   * whenever it is set to another one; the values here repeat and alternate from event to event
   * (actions, routers, interfaces, protocols), so each keeps the terms it has seen, up to {@link
   * #MAX_TERMS} of them, and each action and format has its own constant term.
   */
  static final class Keyword extends Field {
    private static final int MAX_TERMS = 256;
    private final java.util.HashMap<String, BytesRef> terms = new java.util.HashMap<>();
    private String last;

    Keyword(String name) {
      super(name, StringField.TYPE_NOT_STORED);
      fieldsData = new BytesRef();
    }

    @Override
    public org.apache.lucene.document.InvertableType invertableType() {
      return org.apache.lucene.document.InvertableType.BINARY;
    }

    /** The term of this constant: held, never modified. */
    void set(BytesRef term) {
      fieldsData = term;
      last = null;
    }

    void set(String value) {
      if (value == last) {
        return;
      }
      BytesRef term = terms.get(value);
      if (term == null) {
        if (terms.size() == MAX_TERMS) {
          terms.clear();
        }
        term = new BytesRef(value);
        terms.put(value, term);
      }
      fieldsData = term;
      last = value;
    }
  }

  /**
   * A {@link LongPoint} or {@link IntPoint} (same field type, same sortable bytes) whose value is
   * encoded into a reused array: their {@code setLongValue}/{@code setIntValue} allocate a value
   * array, a byte array and a {@code BytesRef} per call.
   */
  static final class NumberPoint extends Field {
    private static final FieldType INT = pointType(Integer.BYTES);
    private static final FieldType LONG = pointType(Long.BYTES);

    private final byte[] encoded;

    private NumberPoint(String name, FieldType type) {
      super(name, type);
      encoded = new byte[type.pointNumBytes()];
      fieldsData = new BytesRef(encoded);
    }

    static NumberPoint ofInt(String name) {
      return new NumberPoint(name, INT);
    }

    static NumberPoint ofLong(String name) {
      return new NumberPoint(name, LONG);
    }

    void setInt(int v) {
      org.apache.lucene.util.NumericUtils.intToSortableBytes(v, encoded, 0);
    }

    void setLong(long v) {
      org.apache.lucene.util.NumericUtils.longToSortableBytes(v, encoded, 0);
    }

    static FieldType pointType(int bytes) {
      FieldType t = new FieldType();
      t.setDimensions(1, bytes);
      t.freeze();
      return t;
    }
  }

  /**
   * The event time as a {@link LongPoint} and a {@link NumericDocValuesField} at once: one field
   * whose type has both the point dimension and the doc-values type, so the indexing chain looks
   * the field up, checks its schema and processes it once per document instead of twice. What it
   * indexes is the same: the point's 8 sortable bytes ({@link #binaryValue()}) and the value
   * ({@link #numericValue()}) under one field name, one FieldInfo with both.
   */
  static final class TimePoint extends Field {
    private static final FieldType TYPE = new FieldType();

    static {
      TYPE.setDimensions(1, Long.BYTES);
      TYPE.setDocValuesType(org.apache.lucene.index.DocValuesType.NUMERIC);
      TYPE.freeze();
    }

    private final byte[] encoded = new byte[Long.BYTES];
    private final MutableLong value = new MutableLong();

    TimePoint(String name) {
      super(name, TYPE);
      fieldsData = new BytesRef(encoded);
    }

    void set(long v) {
      org.apache.lucene.util.NumericUtils.longToSortableBytes(v, encoded, 0);
      value.v = v;
    }

    @Override
    public Number numericValue() {
      return value;
    }
  }
}
