package org.mobilessh.audit;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.apache.lucene.util.BitUtil;
import org.mobilessh.parse.Protocol;
import org.mobilessh.parse.TcpFlag;
import org.mobilessh.rules.Family;

/**
 * The binary form of the audit's records, for files the audit writes and reads back itself (the
 * reorder buffer's spilled runs). Records written by one build are read by the same build only: the
 * format has no version of its own.
 */
final class AuditRecordCodec {
  private AuditRecordCodec() {}

  static void writeInstant(DataOutput o, Instant t) throws IOException {
    o.writeBoolean(t != null);
    if (t != null) {
      o.writeLong(t.getEpochSecond());
      o.writeInt(t.getNano());
    }
  }

  static Instant readInstant(DataInput in) throws IOException {
    return in.readBoolean() ? Instant.ofEpochSecond(in.readLong(), in.readInt()) : null;
  }

  static void writeAddress(DataOutput o, InetAddress a) throws IOException {
    if (a == null) {
      o.writeByte(0);
      return;
    }
    if (a instanceof java.net.Inet4Address) {
      o.writeByte(4);
      o.writeInt(AddressMap.ipv4(a)); // the same bytes, without the copy getAddress() makes
      return;
    }
    byte[] b = a.getAddress();
    o.writeByte(b.length);
    o.write(b);
  }

  static InetAddress readAddress(DataInput in) throws IOException {
    int n = in.readByte();
    if (n == 0) {
      return null;
    }
    byte[] b = new byte[n];
    in.readFully(b);
    try {
      return InetAddress.getByAddress(b);
    } catch (UnknownHostException e) {
      throw new IOException(e);
    }
  }

  /** Strings of any length (writeUTF stops at 64 KB). */
  static void writeString(DataOutput o, String s) throws IOException {
    if (s == null) {
      o.writeInt(-1);
      return;
    }
    if (o instanceof Reorder.RunOutput run) {
      run.writeString(s); // the same bytes, without an array per string
      return;
    }
    byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    o.writeInt(b.length);
    o.write(b);
  }

  static String readString(DataInput in) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      return null;
    }
    if (in instanceof Reorder.RunInput run) {
      return run.readString(n); // decoded in place, without an array per string
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return new String(b, java.nio.charset.StandardCharsets.UTF_8);
  }

  /**
   * A string that repeats across records (a router name, a source path): as a number when the
   * output keeps a table of them ({@link Reorder.RunOutput} of the reorder buffer, whose runs are
   * read back by the same buffer), else as {@link #writeString}. A month of one router names a few
   * paths millions of times: writing, reading and allocating each again cost more than the lookup.
   */
  static void writeName(DataOutput o, String s) throws IOException {
    if (o instanceof Reorder.RunOutput run && run.names != null) {
      run.writeInt(run.names.id(s));
      return;
    }
    writeString(o, s);
  }

  /** What {@link #writeName} wrote: the table's string itself when the input has the table. */
  static String readName(DataInput in) throws IOException {
    if (in instanceof Reorder.RunInput run && run.names != null) {
      return run.names.name(in.readInt());
    }
    return readString(in);
  }

  /**
   * The router names and addresses a reader met last, so that records of one router share one
   * instance of each (less to allocate and collect, and identity says "the same" to a printer's
   * caches). Not thread-safe.
   */
  static final class Repeats {
    private final byte[] scratch = new byte[64];
    private byte[] lastString = new byte[0];
    private String last;
    // the addresses met last, by a hash of their bytes: the bytes as two longs (and the length)
    // beside the address, so that a hit compares numbers and touches no other object
    private static final int SLOT_BITS = 13;
    private final long[] keyHigh = new long[1 << SLOT_BITS];
    private final long[] keyLow = new long[keyHigh.length];
    private final byte[] keyLength = new byte[keyHigh.length];
    private final InetAddress[] addresses = new InetAddress[keyHigh.length];

    String string(DataInput in) throws IOException {
      int n = in.readInt();
      if (n < 0) {
        return null;
      }
      if (n > scratch.length) {
        byte[] b = new byte[n];
        in.readFully(b);
        return new String(b, java.nio.charset.StandardCharsets.UTF_8);
      }
      in.readFully(scratch, 0, n);
      if (last == null
          || !java.util.Arrays.equals(scratch, 0, n, lastString, 0, lastString.length)) {
        lastString = java.util.Arrays.copyOf(scratch, n);
        last = new String(lastString, java.nio.charset.StandardCharsets.UTF_8);
      }
      return last;
    }

    InetAddress address(DataInput in) throws IOException {
      int n = in.readByte();
      if (n == 0) {
        return null;
      }
      if (n < 0 || n > 16) {
        throw new IOException("an address of " + n + " bytes");
      }
      in.readFully(scratch, 0, n);
      long high;
      long low;
      if (n == 16) {
        high = (long) LONGS.get(scratch, 0);
        low = (long) LONGS.get(scratch, 8);
      } else {
        high = 0;
        low = 0;
        for (int i = 0; i < n; i++) {
          if (i < 8) {
            high = high << 8 | (scratch[i] & 0xff);
          } else {
            low = low << 8 | (scratch[i] & 0xff);
          }
        }
      }
      long h = (high * 0x9E3779B97F4A7C15L) ^ (low * 0xC2B2AE3D27D4EB4FL) ^ n;
      int slot = (int) (h >>> (64 - SLOT_BITS));
      if (keyLength[slot] == n && keyHigh[slot] == high && keyLow[slot] == low) {
        return addresses[slot];
      }
      InetAddress a;
      try {
        a = InetAddress.getByAddress(java.util.Arrays.copyOf(scratch, n));
      } catch (UnknownHostException e) {
        throw new IOException(e);
      }
      keyHigh[slot] = high;
      keyLow[slot] = low;
      keyLength[slot] = (byte) n;
      addresses[slot] = a;
      return a;
    }

    private static final java.lang.invoke.VarHandle LONGS =
        java.lang.invoke.MethodHandles.byteArrayViewVarHandle(
            long[].class, java.nio.ByteOrder.BIG_ENDIAN);
  }

  static String string(Repeats r, DataInput in) throws IOException {
    return r == null ? readName(in) : r.string(in);
  }

  static InetAddress address(Repeats r, DataInput in) throws IOException {
    return r == null ? readAddress(in) : r.address(in);
  }

  static void writeDouble(DataOutput o, Double d) throws IOException {
    o.writeBoolean(d != null);
    if (d != null) {
      o.writeDouble(d);
    }
  }

  static Double readDouble(DataInput in) throws IOException {
    return in.readBoolean() ? in.readDouble() : null;
  }

  static void writeLong(DataOutput o, Long l) throws IOException {
    o.writeBoolean(l != null);
    if (l != null) {
      o.writeLong(l);
    }
  }

  static Long readLong(DataInput in) throws IOException {
    return in.readBoolean() ? in.readLong() : null;
  }

  /**
   * How a record's evidence lines are written and read: {@link #INLINE} beside the record's other
   * fields (the reorder buffer's runs), or split off by the results cache ({@link AuditRunFile}),
   * which keeps the texts apart so that a reader that prints only {@code path:line} never decodes
   * them. A line is its path, line number and time (in the record) and its text (wherever the codec
   * keeps texts); a record codec may write the number and time itself ({@link #rejections}).
   */
  interface LineCodec {
    void writePath(DataOutput o, String path) throws IOException;

    String readPath(DataInput in) throws IOException;

    /** The line's text, after its pointer. */
    void writeText(DataOutput o, SourceLine l) throws IOException;

    /** The line of this pointer, with its text read after it. */
    SourceLine line(DataInput in, String path, long lineNumber, long micros) throws IOException;

    /** Path, line number, time and text. */
    default void write(DataOutput o, SourceLine l) throws IOException {
      writePath(o, l.sourcePath());
      o.writeLong(l.lineNumber());
      o.writeLong(l.micros());
      writeText(o, l);
    }

    default SourceLine read(DataInput in) throws IOException {
      String path = readPath(in);
      long line = in.readLong();
      return line(in, path, line, in.readLong());
    }
  }

  /** Path, line number, time and text, in the record. */
  static final LineCodec INLINE =
      new LineCodec() {
        @Override
        public void writePath(DataOutput o, String path) throws IOException {
          writeName(o, path);
        }

        @Override
        public String readPath(DataInput in) throws IOException {
          return readName(in);
        }

        @Override
        public void writeText(DataOutput o, SourceLine l) throws IOException {
          writeString(o, l.line());
        }

        @Override
        public SourceLine line(DataInput in, String path, long lineNumber, long micros)
            throws IOException {
          return new SourceLine(path, lineNumber, readString(in), micros);
        }
      };

  static void writeLines(DataOutput o, List<SourceLine> lines, LineCodec c) throws IOException {
    o.writeInt(lines.size());
    for (SourceLine l : lines) {
      c.write(o, l);
    }
  }

  static List<SourceLine> readLines(DataInput in, LineCodec c) throws IOException {
    int n = in.readInt();
    if (n == 1) {
      return List.of(c.read(in));
    }
    SourceLine[] l = new SourceLine[n];
    for (int i = 0; i < n; i++) {
      l[i] = c.read(in);
    }
    return List.of(l);
  }

  static final Reorder.Codec<Window> WINDOWS = windows(INLINE);

  static Reorder.Codec<Window> windows(LineCodec lines) {
    return windows(lines, null);
  }

  /**
   * With {@code repeats}: a reader's codec that hands out one instance for a router name or address
   * met again (one per thread).
   */
  static Reorder.Codec<Window> windows(LineCodec lines, Repeats repeats) {
    return new Reorder.Codec<>() {
      @Override
      public void write(DataOutput o, Window w) throws IOException {
        writeName(o, w.observer());
        writeAddress(o, w.source());
        writeInstant(o, w.openedAt());
        o.writeDouble(w.openPrecisionS());
        writeInstant(o, w.closedAt());
        writeInstant(o, w.closedAtEarliest());
        o.writeByte(w.closeReason().ordinal());
        writeDouble(o, w.closePrecisionS());
        o.writeInt(w.sshSessions());
        o.writeBoolean(w.clippedStart());
        o.writeBoolean(w.clippedEnd());
        writeLines(o, w.evidence(), lines);
        o.writeByte(w.openedBy().ordinal());
      }

      @Override
      public Window read(DataInput in) throws IOException {
        return new Window(
            string(repeats, in),
            address(repeats, in),
            readInstant(in),
            in.readDouble(),
            readInstant(in),
            readInstant(in),
            CLOSE_REASONS[in.readByte()],
            readDouble(in),
            in.readInt(),
            in.readBoolean(),
            in.readBoolean(),
            readLines(in, lines),
            OPENINGS[in.readByte()]);
      }
    };
  }

  static final Reorder.Codec<Session> SESSIONS = sessions(INLINE);

  static Reorder.Codec<Session> sessions(LineCodec lines) {
    return sessions(lines, null);
  }

  /**
   * With {@code repeats}: a reader's codec that hands out one instance for a router name or address
   * met again (one per thread).
   */
  static Reorder.Codec<Session> sessions(LineCodec lines, Repeats repeats) {
    return new Reorder.Codec<>() {
      @Override
      public void write(DataOutput o, Session s) throws IOException {
        writeName(o, s.observer());
        writeAddress(o, s.source());
        o.writeInt(s.sourcePort());
        writeAddress(o, s.destination());
        o.writeInt(s.destinationPort());
        writeInstant(o, s.acceptedAt());
        o.writeDouble(s.acceptPrecisionS());
        writeInstant(o, s.endedAt());
        writeDouble(o, s.endPrecisionS());
        writeLong(o, s.bytesIn());
        writeLong(o, s.bytesOut());
        writeLong(o, s.packetsIn());
        writeLong(o, s.packetsOut());
        writeLong(o, s.conntrackId());
        writeInstant(o, s.windowOpenedAt());
        o.writeBoolean(s.outlivesWindow());
        writeLines(o, s.evidence(), lines);
      }

      @Override
      public Session read(DataInput in) throws IOException {
        return new Session(
            string(repeats, in),
            address(repeats, in),
            in.readInt(),
            address(repeats, in),
            in.readInt(),
            readInstant(in),
            in.readDouble(),
            readInstant(in),
            readDouble(in),
            readLong(in),
            readLong(in),
            readLong(in),
            readLong(in),
            readLong(in),
            readInstant(in),
            in.readBoolean(),
            readLines(in, lines));
      }
    };
  }

  static final Reorder.Codec<Anomaly> ANOMALIES = anomalies(INLINE);

  static Reorder.Codec<Anomaly> anomalies(LineCodec lines) {
    return new Reorder.Codec<>() {
      @Override
      public void write(DataOutput o, Anomaly a) throws IOException {
        o.writeByte(a.kind().ordinal());
        writeName(o, a.observer());
        writeAddress(o, a.address());
        writeInstant(o, a.at());
        writeString(o, a.message());
        writeLines(o, a.evidence(), lines);
      }

      @Override
      public Anomaly read(DataInput in) throws IOException {
        return new Anomaly(
            ANOMALY_KINDS[in.readByte()],
            readName(in),
            readAddress(in),
            readInstant(in),
            readString(in),
            readLines(in, lines));
      }
    };
  }

  /** A fresh codec of rejections (each keeps what its record before held: one per file). */
  static Reorder.Codec<Rejection> rejections(LineCodec lines) {
    return rejections(lines, null);
  }

  /**
   * Rejections, each written against the one before it in the same file: a month of one router has
   * hundreds of thousands, most from the same router, clock, target and source file a second or
   * less after the one before. A header byte says which fields repeat the record before (and the
   * two booleans); the time is the seconds since the record before and the µs (or ns), the port and
   * the line number as varints, the evidence line's time not at all when it is the rejection's
   * ({@link SourceLine#micros(Instant)}). About 18 bytes a record instead of 80: less to encode,
   * write and read back. So a codec writes, and reads, one file from its start: each file has its
   * own (the engine's reorder buffer has no rejections). With {@code repeats}: a reader's codec
   * that hands out one instance for an address met again (one per thread).
   */
  static Reorder.Codec<Rejection> rejections(LineCodec lines, Repeats repeats) {
    return new Reorder.Codec<>() {
      // the record before, as both sides saw it
      private String observer;
      private long second;
      private double precision;
      private InetAddress destination;
      private Integer destinationPort;
      private String path;
      private long lineNumber;

      @Override
      public void write(DataOutput o, Rejection r) throws IOException {
        SourceLine l = r.evidence();
        Instant at = r.at();
        int header = 0;
        boolean sameObserver = r.observer().equals(observer);
        boolean samePrecision =
            Double.doubleToRawLongBits(r.precisionS()) == Double.doubleToRawLongBits(precision);
        boolean sameDestination = r.destination().equals(destination);
        boolean samePort = java.util.Objects.equals(r.destinationPort(), destinationPort);
        boolean samePath = l.sourcePath().equals(path);
        boolean microsOfAt = l.micros() == SourceLine.micros(at);
        header |= sameObserver ? SAME_OBSERVER : 0;
        header |= samePrecision ? SAME_PRECISION : 0;
        header |= sameDestination ? SAME_DESTINATION : 0;
        header |= samePort ? SAME_DESTINATION_PORT : 0;
        header |= r.sourcePort() != null ? SOURCE_PORT : 0;
        header |= r.sampled() ? SAMPLED : 0;
        header |= samePath ? SAME_PATH : 0;
        header |= microsOfAt ? MICROS_OF_AT : 0;
        o.writeByte(header);
        if (!sameObserver) {
          writeString(o, r.observer());
          observer = r.observer();
        }
        writeVarLong(o, BitUtil.zigZagEncode(at.getEpochSecond() - second));
        second = at.getEpochSecond();
        int nano = at.getNano();
        writeVarLong(o, nano % 1000 == 0 ? (nano / 1000L) << 1 : (long) nano << 1 | 1);
        if (!samePrecision) {
          o.writeDouble(r.precisionS());
          precision = r.precisionS();
        }
        writeAddress(o, r.source());
        if (r.sourcePort() != null) {
          writeVarLong(o, BitUtil.zigZagEncode((long) r.sourcePort()));
        }
        if (!sameDestination) {
          writeAddress(o, r.destination());
          destination = r.destination();
        }
        if (!samePort) {
          writeInteger(o, r.destinationPort());
          destinationPort = r.destinationPort();
        }
        o.writeByte(r.protocol().ordinal());
        int flags = 0;
        for (TcpFlag f : r.tcpFlags()) {
          flags |= 1 << f.ordinal();
        }
        o.writeByte(flags);
        if (!samePath) {
          lines.writePath(o, l.sourcePath());
          path = l.sourcePath();
        }
        writeVarLong(o, BitUtil.zigZagEncode(l.lineNumber() - lineNumber));
        lineNumber = l.lineNumber();
        if (!microsOfAt) {
          o.writeLong(l.micros());
        }
        lines.writeText(o, l);
      }

      @Override
      public Rejection read(DataInput in) throws IOException {
        int header = in.readUnsignedByte();
        if ((header & SAME_OBSERVER) == 0) {
          observer = readString(in);
        }
        second += BitUtil.zigZagDecode(readVarLong(in));
        long nanoCode = readVarLong(in);
        Instant at =
            Instant.ofEpochSecond(
                second, (nanoCode & 1) == 0 ? (nanoCode >>> 1) * 1000 : nanoCode >>> 1);
        if ((header & SAME_PRECISION) == 0) {
          precision = in.readDouble();
        }
        InetAddress source = address(repeats, in);
        Integer sourcePort =
            (header & SOURCE_PORT) == 0 ? null : (int) BitUtil.zigZagDecode(readVarLong(in));
        if ((header & SAME_DESTINATION) == 0) {
          destination = address(repeats, in);
        }
        if ((header & SAME_DESTINATION_PORT) == 0) {
          destinationPort = readInteger(in);
        }
        Protocol protocol = PROTOCOLS[in.readByte()];
        Set<TcpFlag> flags = AuditEngine.flagSet(in.readUnsignedByte());
        if ((header & SAME_PATH) == 0) {
          path = lines.readPath(in);
        }
        lineNumber += BitUtil.zigZagDecode(readVarLong(in));
        long micros = (header & MICROS_OF_AT) != 0 ? SourceLine.micros(at) : in.readLong();
        return new Rejection(
            observer,
            at,
            precision,
            source,
            sourcePort,
            destination,
            destinationPort,
            protocol,
            flags,
            (header & SAMPLED) != 0,
            lines.line(in, path, lineNumber, micros));
      }
    };
  }

  // the bits of a rejection's header: which fields are the record before's, and two booleans
  private static final int SAME_OBSERVER = 1;
  private static final int SAME_PRECISION = 1 << 1;
  private static final int SAME_DESTINATION = 1 << 2;
  private static final int SAME_DESTINATION_PORT = 1 << 3;
  private static final int SOURCE_PORT = 1 << 4;
  private static final int SAMPLED = 1 << 5;
  private static final int SAME_PATH = 1 << 6;
  private static final int MICROS_OF_AT = 1 << 7;

  /** Seven bits a byte, low first, the high bit set on all but the last. */
  static void writeVarLong(DataOutput o, long v) throws IOException {
    while ((v & ~0x7FL) != 0) {
      o.writeByte((int) (v & 0x7F) | 0x80);
      v >>>= 7;
    }
    o.writeByte((int) v);
  }

  static long readVarLong(DataInput in) throws IOException {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = in.readUnsignedByte();
      v |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return v;
      }
    }
    throw new IOException("a varint of more than ten bytes");
  }

  static final Reorder.Codec<RejectTotals> TOTALS =
      new Reorder.Codec<>() {
        @Override
        public void write(DataOutput o, RejectTotals t) throws IOException {
          writeString(o, t.observer());
          o.writeByte(t.family().ordinal());
          writeInstant(o, t.from());
          writeInstant(o, t.to());
          o.writeLong(t.rejected());
          o.writeLong(t.logged());
          o.writeLong(t.linesSeen());
        }

        @Override
        public RejectTotals read(DataInput in) throws IOException {
          return new RejectTotals(
              readString(in),
              FAMILIES[in.readByte()],
              readInstant(in),
              readInstant(in),
              in.readLong(),
              in.readLong(),
              in.readLong());
        }
      };

  // values() copies its array at every call: once per record read, for a byte
  private static final CloseReason[] CLOSE_REASONS = CloseReason.values();
  private static final Window.Opening[] OPENINGS = Window.Opening.values();
  private static final Anomaly.Kind[] ANOMALY_KINDS = Anomaly.Kind.values();
  private static final Protocol[] PROTOCOLS = Protocol.values();
  private static final Family[] FAMILIES = Family.values();

  static void writeInteger(DataOutput o, Integer i) throws IOException {
    o.writeBoolean(i != null);
    if (i != null) {
      o.writeInt(i);
    }
  }

  static Integer readInteger(DataInput in) throws IOException {
    return in.readBoolean() ? in.readInt() : null;
  }
}
