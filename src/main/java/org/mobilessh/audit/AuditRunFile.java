package org.mobilessh.audit;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;

/**
 * What one engine stream delivered, on disk: a directory with one file per record kind (each in the
 * order the stream gave, in {@link AuditRecordCodec}'s form) and a {@code manifest} written last,
 * holding what the stream was asked (the cache key's text), the records' counts, each file's length
 * and CRC-32C, the end figures, and a CRC-32C of its own. {@link #read} checks all of it before a
 * record is handed out: a truncated or altered file is refused, never half used.
 */
final class AuditRunFile {
  static final String MANIFEST = "manifest";
  private static final int MAGIC = 0x4d534152; // "MSAR"
  private static final int VERSION = 1;

  /** The record kinds, in the order their files are listed in the manifest. */
  enum Kind {
    WINDOWS("windows.run"),
    SESSIONS("sessions.run"),
    REJECTIONS("rejections.run"),
    ANOMALIES("anomalies.run");

    final String file;

    Kind(String file) {
      this.file = file;
    }
  }

  /**
   * The end figures of a stream ({@link AuditSink#end}).
   *
   * @param rejections whether the stream made rejections (a sink that wanted none spares them)
   */
  record End(
      List<RejectTotals> totals,
      long eventsUsed,
      long duplicatesDropped,
      long untimedEvents,
      boolean rejections) {}

  private AuditRunFile() {}

  /** Writes a stream's records into {@code dir} (which must exist and be empty). */
  static final class Writer implements AuditSink, AutoCloseable {
    private final Path dir;
    private final boolean rejections;
    private final DataOutputStream[] outs = new DataOutputStream[Kind.values().length];
    private final CheckedOutputStream[] sums = new CheckedOutputStream[Kind.values().length];
    private final long[] counts = new long[Kind.values().length];
    private End end;

    Writer(Path dir, boolean rejections) throws IOException {
      this.dir = dir;
      this.rejections = rejections;
      for (Kind k : Kind.values()) {
        OutputStream f =
            new BufferedOutputStream(Files.newOutputStream(dir.resolve(k.file)), 1 << 16);
        sums[k.ordinal()] = new CheckedOutputStream(f, new CRC32C());
        outs[k.ordinal()] = new DataOutputStream(sums[k.ordinal()]);
      }
    }

    private <T> void write(Kind k, Reorder.Codec<T> codec, T t) {
      try {
        codec.write(outs[k.ordinal()], t);
        counts[k.ordinal()]++;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write audit records to " + dir, e);
      }
    }

    @Override
    public void window(Window w) {
      write(Kind.WINDOWS, AuditRecordCodec.WINDOWS, w);
    }

    @Override
    public void session(Session s) {
      write(Kind.SESSIONS, AuditRecordCodec.SESSIONS, s);
    }

    @Override
    public void rejection(Rejection r) {
      write(Kind.REJECTIONS, AuditRecordCodec.REJECTIONS, r);
    }

    @Override
    public void anomaly(Anomaly a) {
      write(Kind.ANOMALIES, AuditRecordCodec.ANOMALIES, a);
    }

    @Override
    public boolean wantsRejections() {
      return rejections;
    }

    @Override
    public void end(
        List<RejectTotals> totals, long eventsUsed, long duplicatesDropped, long untimedEvents) {
      end = new End(totals, eventsUsed, duplicatesDropped, untimedEvents, rejections);
    }

    /** Closes the record files and writes the manifest: the run is complete. */
    void finish(String key) throws IOException {
      if (end == null) {
        throw new IllegalStateException("the stream has not ended");
      }
      long[] lengths = new long[outs.length];
      int[] crcs = new int[outs.length];
      for (int i = 0; i < outs.length; i++) {
        outs[i].close();
        crcs[i] = (int) sums[i].getChecksum().getValue();
        lengths[i] = Files.size(dir.resolve(Kind.values()[i].file));
      }
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream m = new DataOutputStream(bytes);
      m.writeInt(MAGIC);
      m.writeInt(VERSION);
      AuditRecordCodec.writeString(m, key);
      m.writeBoolean(end.rejections());
      for (int i = 0; i < outs.length; i++) {
        m.writeLong(counts[i]);
        m.writeLong(lengths[i]);
        m.writeInt(crcs[i]);
      }
      m.writeInt(end.totals().size());
      for (RejectTotals t : end.totals()) {
        AuditRecordCodec.TOTALS.write(m, t);
      }
      m.writeLong(end.eventsUsed());
      m.writeLong(end.duplicatesDropped());
      m.writeLong(end.untimedEvents());
      m.flush();
      CRC32C c = new CRC32C();
      c.update(bytes.toByteArray());
      m.writeInt((int) c.getValue());
      Files.write(dir.resolve(MANIFEST), bytes.toByteArray());
    }

    @Override
    public void close() {
      for (DataOutputStream o : outs) {
        try {
          o.close();
        } catch (IOException e) {
          // closing after a failure: the first one is reported
        }
      }
    }
  }

  /**
   * A checked run: its manifest read and every file's length and CRC-32C verified.
   *
   * @param key the text it was made for
   */
  record Checked(Path dir, String key, long[] counts, End end) {
    long count(Kind k) {
      return counts[k.ordinal()];
    }

    /** The records of one kind, read from the start. */
    DataInput open(Kind k) throws IOException {
      // the reorder buffer's reader: the same bytes, strings decoded in place
      return new Reorder.RunInput(Files.newInputStream(dir.resolve(k.file)));
    }
  }

  /**
   * Reads and verifies a run directory.
   *
   * @throws IOException with what is wrong, when anything is
   */
  static Checked read(Path dir) throws IOException {
    byte[] bytes = Files.readAllBytes(dir.resolve(MANIFEST));
    if (bytes.length < 12) {
      throw new IOException("manifest is truncated");
    }
    CRC32C c = new CRC32C();
    c.update(bytes, 0, bytes.length - 4);
    int stored = ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt();
    if ((int) c.getValue() != stored) {
      throw new IOException("manifest checksum does not match");
    }
    DataInputStream m = new DataInputStream(new java.io.ByteArrayInputStream(bytes));
    if (m.readInt() != MAGIC || m.readInt() != VERSION) {
      throw new IOException("not a run manifest of this version");
    }
    String key = AuditRecordCodec.readString(m);
    boolean rejections = m.readBoolean();
    long[] counts = new long[Kind.values().length];
    for (Kind k : Kind.values()) {
      counts[k.ordinal()] = m.readLong();
      long length = m.readLong();
      int crc = m.readInt();
      verify(dir.resolve(k.file), length, crc);
    }
    int n = m.readInt();
    List<RejectTotals> totals = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      totals.add(AuditRecordCodec.TOTALS.read(m));
    }
    End end = new End(totals, m.readLong(), m.readLong(), m.readLong(), rejections);
    return new Checked(dir, key, counts, end);
  }

  /** Only the key text of a manifest, unchecked (for listing). */
  static String keyOf(Path dir) throws IOException {
    byte[] bytes = Files.readAllBytes(dir.resolve(MANIFEST));
    DataInputStream m = new DataInputStream(new java.io.ByteArrayInputStream(bytes));
    m.readInt();
    m.readInt();
    return AuditRecordCodec.readString(m);
  }

  private static void verify(Path file, long length, int crc) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      if (ch.size() != length) {
        throw new IOException(
            file.getFileName() + " is " + ch.size() + " bytes, the manifest says " + length);
      }
      CRC32C c = new CRC32C();
      ByteBuffer b = ByteBuffer.allocateDirect(1 << 20);
      while (ch.read(b) >= 0) {
        b.flip();
        c.update(b);
        b.clear();
      }
      if ((int) c.getValue() != crc) {
        throw new IOException(file.getFileName() + " does not match its checksum");
      }
    }
  }
}
