package org.mobilessh.audit;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
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
   * them.
   */
  interface LineCodec {
    void write(DataOutput o, SourceLine l) throws IOException;

    SourceLine read(DataInput in) throws IOException;
  }

  /** Path, line number, time and text, in the record. */
  static final LineCodec INLINE =
      new LineCodec() {
        @Override
        public void write(DataOutput o, SourceLine l) throws IOException {
          writeName(o, l.sourcePath());
          o.writeLong(l.lineNumber());
          o.writeLong(l.micros());
          writeString(o, l.line());
        }

        @Override
        public SourceLine read(DataInput in) throws IOException {
          String path = readName(in);
          long line = in.readLong();
          long micros = in.readLong();
          return new SourceLine(path, line, readString(in), micros);
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

  static final Reorder.Codec<Rejection> REJECTIONS = rejections(INLINE);

  static Reorder.Codec<Rejection> rejections(LineCodec lines) {
    return rejections(lines, null);
  }

  /**
   * With {@code repeats}: a reader's codec that hands out one instance for a router name or address
   * met again (one per thread).
   */
  static Reorder.Codec<Rejection> rejections(LineCodec lines, Repeats repeats) {
    return new Reorder.Codec<>() {
      @Override
      public void write(DataOutput o, Rejection r) throws IOException {
        writeName(o, r.observer());
        writeInstant(o, r.at());
        o.writeDouble(r.precisionS());
        writeAddress(o, r.source());
        writeInteger(o, r.sourcePort());
        writeAddress(o, r.destination());
        writeInteger(o, r.destinationPort());
        o.writeByte(r.protocol().ordinal());
        int flags = 0;
        for (TcpFlag f : r.tcpFlags()) {
          flags |= 1 << f.ordinal();
        }
        o.writeShort(flags);
        o.writeBoolean(r.sampled());
        lines.write(o, r.evidence());
      }

      @Override
      public Rejection read(DataInput in) throws IOException {
        String observer = string(repeats, in);
        Instant at = readInstant(in);
        double precision = in.readDouble();
        InetAddress source = address(repeats, in);
        Integer sourcePort = readInteger(in);
        InetAddress destination = address(repeats, in);
        Integer destinationPort = readInteger(in);
        Protocol protocol = PROTOCOLS[in.readByte()];
        int flags = in.readShort();
        EnumSet<TcpFlag> set = EnumSet.noneOf(TcpFlag.class);
        for (TcpFlag f : TCP_FLAGS) {
          if ((flags & (1 << f.ordinal())) != 0) {
            set.add(f);
          }
        }
        return new Rejection(
            observer,
            at,
            precision,
            source,
            sourcePort,
            destination,
            destinationPort,
            protocol,
            set,
            in.readBoolean(),
            lines.read(in));
      }
    };
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
  private static final TcpFlag[] TCP_FLAGS = TcpFlag.values();
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
