package org.mobilessh.audit;

import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;

/**
 * What one engine stream delivered, on disk: a directory with two files per record kind and a
 * {@code manifest} written last.
 *
 * <ul>
 *   <li>{@code KIND.run}: the records in the order the stream gave, in {@link AuditRecordCodec}'s
 *       form, except that each evidence line is only its source (a number into the manifest's table
 *       of paths) and line number;
 *   <li>{@code KIND.text}: the texts of those evidence lines, in the same order.
 * </ul>
 *
 * A reader that prints {@code path:line} pointers (CSV) reads the records alone; one that needs the
 * lines themselves (JSON, report, export, evidence bundle) reads both files side by side. The
 * manifest holds what the stream was asked (the cache key's text), the paths, the records' counts,
 * each file's length and CRC-32C, the end figures, and a CRC-32C of its own. {@link #read} checks
 * the manifest, {@link Checked#verifyRecords} a record file before a record of it is handed out,
 * and {@link Checked#verifyText} a text file before its first line is: a truncated or altered file
 * is refused, never half used. An entry may also hold the rows a printer made of a kind ({@link
 * PrintedRun}), checked on their own.
 */
final class AuditRunFile {
  static final String MANIFEST = "manifest";
  private static final int MAGIC = 0x4d534152; // "MSAR"
  private static final int VERSION = 2;

  /** The record kinds, in the order their files are listed in the manifest. */
  enum Kind {
    WINDOWS("windows"),
    SESSIONS("sessions"),
    REJECTIONS("rejections"),
    ANOMALIES("anomalies");

    final String file;
    final String text;

    Kind(String name) {
      this.file = name + ".run";
      this.text = name + ".text";
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

  /** The codec of one kind with its evidence lines written or read by {@code lines}. */
  @SuppressWarnings("unchecked")
  static <T> Reorder.Codec<T> codec(Kind k, AuditRecordCodec.LineCodec lines) {
    return codec(k, lines, null);
  }

  @SuppressWarnings("unchecked")
  static <T> Reorder.Codec<T> codec(
      Kind k, AuditRecordCodec.LineCodec lines, AuditRecordCodec.Repeats repeats) {
    return (Reorder.Codec<T>)
        switch (k) {
          case WINDOWS -> AuditRecordCodec.windows(lines, repeats);
          case SESSIONS -> AuditRecordCodec.sessions(lines, repeats);
          case REJECTIONS -> AuditRecordCodec.rejections(lines, repeats);
          case ANOMALIES -> AuditRecordCodec.anomalies(lines);
        };
  }

  /**
   * Evidence lines split off their records: the path's number in the entry's path table and the
   * line number in the record, the text in the kind's text file. One class for both directions, so
   * the two sides of the format stay together. A writer has the table's index and a text output; a
   * reader has the table and, when the texts are wanted, a text input (else each text is {@code
   * ""}).
   */
  private static final class SplitLines implements AuditRecordCodec.LineCodec {
    private final List<String> paths;
    private final Map<String, Integer> pathIds;
    private final DataOutput textOut;
    private final DataInput textIn;

    SplitLines(
        List<String> paths, Map<String, Integer> pathIds, DataOutput textOut, DataInput textIn) {
      this.paths = paths;
      this.pathIds = pathIds;
      this.textOut = textOut;
      this.textIn = textIn;
    }

    @Override
    public void write(DataOutput o, SourceLine l) throws IOException {
      Integer id = pathIds.get(l.sourcePath());
      if (id == null) {
        id = paths.size();
        pathIds.put(l.sourcePath(), id);
        paths.add(l.sourcePath());
      }
      o.writeInt(id);
      o.writeLong(l.lineNumber());
      AuditRecordCodec.writeString(textOut, l.line());
    }

    @Override
    public SourceLine read(DataInput in) throws IOException {
      int id = in.readInt();
      if (id < 0 || id >= paths.size()) {
        throw new IOException("evidence path " + id + " is not in the manifest");
      }
      long line = in.readLong();
      return new SourceLine(
          paths.get(id), line, textIn == null ? "" : AuditRecordCodec.readString(textIn));
    }
  }

  /** A file written through a CRC-32C. */
  private static final class Out {
    final CheckedOutputStream sum;
    final Reorder.RunOutput data;

    Out(Path file) throws IOException {
      sum = new CheckedOutputStream(Files.newOutputStream(file), new CRC32C());
      data = new Reorder.RunOutput(sum);
    }
  }

  /** Writes a stream's records into {@code dir} (which must exist and be empty). */
  static final class Writer implements AuditSink, AutoCloseable {
    private final Path dir;
    private final boolean rejections;
    private final Out[] records = new Out[Kind.values().length];
    private final Out[] texts = new Out[Kind.values().length];
    private final Reorder.Codec<?>[] codecs = new Reorder.Codec<?>[Kind.values().length];
    private final long[] counts = new long[Kind.values().length];
    private final Map<String, Integer> pathIds = new HashMap<>();
    private final List<String> paths = new ArrayList<>();
    private End end;

    Writer(Path dir, boolean rejections) throws IOException {
      this.dir = dir;
      this.rejections = rejections;
      for (Kind k : Kind.values()) {
        records[k.ordinal()] = new Out(dir.resolve(k.file));
        Out text = new Out(dir.resolve(k.text));
        texts[k.ordinal()] = text;
        codecs[k.ordinal()] = codec(k, split(text.data));
      }
    }

    /** Path and line number into the record, the text into the kind's text file. */
    private AuditRecordCodec.LineCodec split(DataOutput text) {
      return new SplitLines(paths, pathIds, text, null);
    }

    @SuppressWarnings("unchecked")
    private <T> void write(Kind k, T t) {
      try {
        ((Reorder.Codec<T>) codecs[k.ordinal()]).write(records[k.ordinal()].data, t);
        counts[k.ordinal()]++;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write audit records to " + dir, e);
      }
    }

    @Override
    public void window(Window w) {
      write(Kind.WINDOWS, w);
    }

    @Override
    public void session(Session s) {
      write(Kind.SESSIONS, s);
    }

    @Override
    public void rejection(Rejection r) {
      write(Kind.REJECTIONS, r);
    }

    @Override
    public void anomaly(Anomaly a) {
      write(Kind.ANOMALIES, a);
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
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream m = new DataOutputStream(bytes);
      m.writeInt(MAGIC);
      m.writeInt(VERSION);
      AuditRecordCodec.writeString(m, key);
      m.writeBoolean(end.rejections());
      m.writeInt(paths.size());
      for (String p : paths) {
        AuditRecordCodec.writeString(m, p);
      }
      for (Kind k : Kind.values()) {
        m.writeLong(counts[k.ordinal()]);
        for (Out o : new Out[] {records[k.ordinal()], texts[k.ordinal()]}) {
          o.data.close();
          m.writeLong(Files.size(dir.resolve(o == records[k.ordinal()] ? k.file : k.text)));
          m.writeInt((int) o.sum.getChecksum().getValue());
        }
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
      for (Out[] outs : List.of(records, texts)) {
        for (Out o : outs) {
          try {
            if (o != null) {
              o.data.close();
            }
          } catch (IOException e) {
            // closing after a failure: the first one is reported
          }
        }
      }
    }
  }

  /**
   * A checked run: its manifest read and every record file's length and CRC-32C verified.
   *
   * @param key the text it was made for
   * @param paths the source paths the evidence lines point into
   * @param lengths per kind, the record file's and the text file's length
   * @param crcs per kind, the record file's and the text file's CRC-32C
   */
  record Checked(
      Path dir, String key, String[] paths, long[] counts, long[] lengths, int[] crcs, End end) {
    long count(Kind k) {
      return counts[k.ordinal()];
    }

    /**
     * Verifies the record files of {@code kinds} (length and CRC-32C).
     *
     * @throws IOException with what is wrong, when anything is
     */
    void verifyRecords(Set<Kind> kinds) throws IOException {
      for (Kind k : kinds) {
        verify(dir.resolve(k.file), lengths[2 * k.ordinal()], crcs[2 * k.ordinal()]);
      }
    }

    /**
     * Verifies the text files of {@code kinds} (length and CRC-32C).
     *
     * @throws IOException with what is wrong, when anything is
     */
    void verifyText(Set<Kind> kinds) throws IOException {
      for (Kind k : kinds) {
        verify(dir.resolve(k.text), lengths[2 * k.ordinal() + 1], crcs[2 * k.ordinal() + 1]);
      }
    }

    /**
     * The records of one kind, read from the start: with the texts of their evidence lines (the
     * text file verified by {@link #verifyText} first), or with {@code ""} for each text.
     */
    <T> Records<T> open(Kind k, boolean text) throws IOException {
      Reorder.RunInput records = new Reorder.RunInput(Files.newInputStream(dir.resolve(k.file)));
      Reorder.RunInput texts =
          text ? new Reorder.RunInput(Files.newInputStream(dir.resolve(k.text))) : null;
      AuditRecordCodec.LineCodec lines = new SplitLines(List.of(paths), null, null, texts);
      return new Records<>(
          records, texts, count(k), codec(k, lines, new AuditRecordCodec.Repeats()));
    }
  }

  /** The records of one kind of a run, one after the other. */
  static final class Records<T> implements AutoCloseable {
    private final Reorder.RunInput records;
    private final Reorder.RunInput texts;
    private final Reorder.Codec<T> codec;
    private long left;

    Records(Reorder.RunInput records, Reorder.RunInput texts, long count, Reorder.Codec<T> codec) {
      this.records = records;
      this.texts = texts;
      this.left = count;
      this.codec = codec;
    }

    /** The next record, or {@code null} after the last. */
    T next() throws IOException {
      if (left == 0) {
        return null;
      }
      left--;
      return codec.read(records);
    }

    @Override
    public void close() {
      try {
        records.close();
        if (texts != null) {
          texts.close();
        }
      } catch (IOException e) {
        // read to the end already, or failing for a reason reported elsewhere
      }
    }
  }

  /**
   * Reads a run directory's manifest and checks it (the record and text files are checked by {@link
   * Checked#verifyRecords} and {@link Checked#verifyText}, for the kinds that are read).
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
    String[] paths = new String[m.readInt()];
    for (int i = 0; i < paths.length; i++) {
      paths[i] = AuditRecordCodec.readString(m);
    }
    int kinds = Kind.values().length;
    long[] counts = new long[kinds];
    long[] lengths = new long[2 * kinds];
    int[] crcs = new int[2 * kinds];
    for (Kind k : Kind.values()) {
      counts[k.ordinal()] = m.readLong();
      for (int f = 0; f < 2; f++) {
        lengths[2 * k.ordinal() + f] = m.readLong();
        crcs[2 * k.ordinal() + f] = m.readInt();
      }
    }
    int n = m.readInt();
    List<RejectTotals> totals = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      totals.add(AuditRecordCodec.TOTALS.read(m));
    }
    End end = new End(totals, m.readLong(), m.readLong(), m.readLong(), rejections);
    return new Checked(dir, key, paths, counts, lengths, crcs, end);
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
