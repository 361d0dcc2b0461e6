package org.mobilessh.index;

/**
 * Every field name of the index, in one place (ECS names where ECS has one). How each field is
 * indexed is documented in {@code docs/index-schema.md}; {@link DocumentMapper} writes them and
 * {@link QueryTranslator} knows their types.
 */
public final class Fields {
  /** Event time, UTC µs since the epoch: {@code LongPoint} + {@code NumericDocValues} (sorting). */
  public static final String TIMESTAMP = "@timestamp";

  /** {@code set}, {@code remove}, ..., {@code conntrack-destroy}, or {@link #QUARANTINE}. */
  public static final String ACTION = "event.action";

  /** The source format ({@code syslog}, {@code dmesg-iso}, ...), also stored for re-parsing. */
  public static final String DATASET = "event.dataset";

  /**
   * 64-bit event identity (observer + content), {@code NumericDocValues} only: see EventIdentity.
   */
  public static final String HASH = "event.hash";

  /**
   * Where an event was first read (source path hash and line), {@code NumericDocValues} only: lets
   * the dedupe cache recognise a re-read line, see Deduplicator.
   */
  public static final String ORIGIN = "event.origin";

  /** Why a quarantined line was rejected (quarantine documents only). */
  public static final String REASON = "event.reason";

  public static final String SOURCE_IP = "source.ip";
  public static final String DESTINATION_IP = "destination.ip";
  public static final String SOURCE_PORT = "source.port";
  public static final String DESTINATION_PORT = "destination.port";

  /** {@code tcp}, {@code udp}, {@code icmp}, {@code ipv6-icmp}, ... (IANA keyword). */
  public static final String TRANSPORT = "network.transport";

  /** {@code ipv4} or {@code ipv6}. */
  public static final String NETWORK_TYPE = "network.type";

  /** Total bytes of a conntrack flow (both directions), when accounting was on. */
  public static final String NETWORK_BYTES = "network.bytes";

  /**
   * Schema 3: the event's ports, transport and format packed into one {@code NumericDocValues}
   * value (see PackedColumn); schema 2 indexes them as {@link #SOURCE_PORT}, {@link
   * #DESTINATION_PORT}, {@link #TRANSPORT} and {@link #DATASET}.
   */
  public static final String PACKED = "mobilessh.packed";

  public static final String OBSERVER = "observer.hostname";
  public static final String INGRESS_INTERFACE = "observer.ingress.interface.name";
  public static final String EGRESS_INTERFACE = "observer.egress.interface.name";

  /** The original line, stored (the only copy of the event's details). */
  public static final String ORIGINAL = "event.original";

  /**
   * An event's stored fields in one binary value (schema 2): line, source pointer, action, format
   * and router; see {@link StoredEvent}. Quarantined lines and snapshots keep separate fields.
   */
  public static final String STORED = "event.stored";

  /** The raw bytes of a quarantined line, stored, when its text is lossy. */
  public static final String ORIGINAL_RAW = "event.original.raw";

  public static final String FILE_PATH = "log.file.path";
  public static final String OFFSET = "log.offset";
  public static final String LINE_NUMBER = "log.file.line";

  /** conntrack's own id ({@code id=}, {@code ct.id}). */
  public static final String CONNTRACK_ID = "conntrack.id";

  /** conntrack protocol state ({@code ESTABLISHED}, {@code TIME_WAIT}, ...). */
  public static final String CONNTRACK_STATE = "conntrack.state";

  /** {@code path:offset} of a quarantined line, so quarantining it again replaces it. */
  public static final String QUARANTINE_ID = "quarantine.id";

  /** The {@link #ACTION} value of quarantined lines. */
  public static final String QUARANTINE = "quarantine";

  /** The {@link #ACTION} value of {@code rules snapshot} files. */
  public static final String SNAPSHOT = "snapshot";

  /**
   * A snapshot's {@code timestamp:} header, UTC µs: {@code LongPoint} + stored. Not {@link
   * #TIMESTAMP}, so time-range queries over events never meet a snapshot.
   */
  public static final String SNAPSHOT_TIME = "snapshot.timestamp";

  /** A snapshot's recorded SHA-256 (its {@code sha256:} line): its identity. */
  public static final String SNAPSHOT_ID = "snapshot.sha256";

  private Fields() {}
}
