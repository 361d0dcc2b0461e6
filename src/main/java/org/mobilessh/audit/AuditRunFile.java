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
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
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
 *       of paths), line number and event time;
 *   <li>{@code KIND.text}: the texts of those evidence lines, in the same order — or, in an entry
 *       that left them in the index ({@link Writer}, {@code textsInIndex}), only of the lines that
 *       are no indexed event's; {@link EvidenceTexts} reads the others from the index.
 * </ul>
 *
 * The windows may come in several such pairs ({@code windows.*}, {@code windows-1.*}, ...), each
 * record after its place in the stream: the stream gives them as sequences ({@link
 * AuditSink#windowSequences}), merged when they are read ({@link Records}).
 *
 * <p>A reader that prints {@code path:line} pointers (CSV) reads the records alone; one that needs
 * the lines themselves (JSON, report, export, evidence bundle) reads both files side by side. The
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

  /**
   * 5: each rejection written against the one before it ({@link AuditRecordCodec#rejections}). 4:
   * each evidence line with its event's time, and the texts of indexed events' lines left in the
   * index when the entry says so (3: every text in the entry; 2: the windows in one sequence,
   * without places). An entry of another version is refused as damaged, and computed again.
   */
  static final int VERSION = 5;

  /** The record kinds, in the order their files are listed in the manifest. */
  enum Kind {
    WINDOWS("windows", true),
    SESSIONS("sessions", false),
    REJECTIONS("rejections", false),
    ANOMALIES("anomalies", false);

    final String name;

    /**
     * Whether the records may come in several sequences ({@link AuditSink#windowSequences}), each
     * record after its place (a long).
     */
    final boolean placed;

    Kind(String name, boolean placed) {
      this.name = name;
      this.placed = placed;
    }

    /** The record file of sequence {@code q}: {@code windows.run}, {@code windows-1.run}, ... */
    String file(int q) {
      return (q == 0 ? name : name + "-" + q) + ".run";
    }

    /** The text file of sequence {@code q}. */
    String text(int q) {
      return (q == 0 ? name : name + "-" + q) + ".text";
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
   * Evidence lines split off their records: the path's number in the entry's path table, the line
   * number and the event's time ({@link SourceLine#micros}) in the record, the text in the kind's
   * text file — every text, or, when the entry leaves them in the index, only the texts of lines
   * that are not an indexed event's ({@link SourceLine#NOT_INDEXED}); {@link EvidenceTexts} finds
   * the others again. One class for both directions, so the two sides of the format stay together.
   * A writer has the table's index and a text output; a reader has the table and, when the texts
   * are wanted, a text input holding every text (else each text is {@code ""}).
   */
  static final class SplitLines implements AuditRecordCodec.LineCodec {
    private final List<String> paths;
    private final Map<String, Integer> pathIds;
    private final DataOutput textOut;
    private final boolean textsInIndex;
    private final DataInput textIn;

    /** The path written last and its number. */
    private String lastPath;

    private int lastId;

    private SplitLines(
        List<String> paths,
        Map<String, Integer> pathIds,
        DataOutput textOut,
        boolean textsInIndex,
        DataInput textIn) {
      this.paths = paths;
      this.pathIds = pathIds;
      this.textOut = textOut;
      this.textsInIndex = textsInIndex;
      this.textIn = textIn;
    }

    /** A reader of {@code paths}, with every text from {@code textIn} ({@code null}: none). */
    static SplitLines reader(List<String> paths, DataInput textIn) {
      return new SplitLines(paths, null, null, false, textIn);
    }

    @Override
    public void writePath(DataOutput o, String path) throws IOException {
      int id;
      if (path == lastPath) {
        id = lastId; // the lines of a stream share one instance of their file's path
      } else {
        Integer known = pathIds.get(path);
        if (known == null) {
          known = paths.size();
          pathIds.put(path, known);
          paths.add(path);
        }
        id = known;
        lastPath = path;
        lastId = id;
      }
      o.writeInt(id);
    }

    @Override
    public String readPath(DataInput in) throws IOException {
      int id = in.readInt();
      if (id < 0 || id >= paths.size()) {
        throw new IOException("evidence path " + id + " is not in the manifest");
      }
      return paths.get(id);
    }

    @Override
    public void writeText(DataOutput o, SourceLine l) throws IOException {
      if (!textsInIndex || l.micros() == SourceLine.NOT_INDEXED) {
        AuditRecordCodec.writeString(textOut, l.line());
      }
    }

    @Override
    public SourceLine line(DataInput in, String path, long lineNumber, long micros)
        throws IOException {
      return new SourceLine(
          path, lineNumber, textIn == null ? "" : AuditRecordCodec.readString(textIn), micros);
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
    private final boolean textsInIndex;

    /** Per kind, per sequence: the record file, the text file, the codec, the count. */
    private final List<List<Sequence>> kinds = new ArrayList<>();

    private final Map<String, Integer> pathIds = new HashMap<>();
    private final List<String> paths = new ArrayList<>();

    /** The place of the next window given in order ({@link #window(Window)}). */
    private long nextPlace;

    private End end;

    /** One sequence being written. */
    private final class Sequence {
      final Out records;
      final Out text;
      final Reorder.Codec<?> codec;
      long count;
      boolean closed;

      Sequence(Kind k, int q) throws IOException {
        records = new Out(dir.resolve(k.file(q)));
        text = new Out(dir.resolve(k.text(q)));
        codec = codec(k, new SplitLines(paths, pathIds, text.data, textsInIndex, null));
      }

      /** Writes out and closes both files (once): the sequence is complete. */
      void close() throws IOException {
        if (closed) {
          return;
        }
        closed = true;
        try {
          records.data.close();
        } finally {
          text.data.close();
        }
      }
    }

    /**
     * @param textsInIndex whether the texts of indexed events' lines are left in the index (the
     *     entry keeps their pointers only; {@link EvidenceTexts} reads them back)
     */
    Writer(Path dir, boolean rejections, boolean textsInIndex) throws IOException {
      this.dir = dir;
      this.rejections = rejections;
      this.textsInIndex = textsInIndex;
      for (Kind k : Kind.values()) {
        List<Sequence> l = new ArrayList<>();
        kinds.add(l);
        l.add(new Sequence(k, 0));
      }
    }

    private Sequence sequence(Kind k, int q) throws IOException {
      List<Sequence> l = kinds.get(k.ordinal());
      if (q < 0 || (q > 0 && !k.placed) || q > l.size()) {
        throw new IllegalArgumentException(
            "sequence " + q + " of " + k.name + " after " + l.size());
      }
      if (q == l.size()) {
        if (q > 1) {
          // a late sequence ends when the next begins: only two of a kind are open at a time
          l.get(q - 1).close();
        }
        l.add(new Sequence(k, q)); // sequences begin in their order
      }
      Sequence s = l.get(q);
      if (s.closed) {
        throw new IllegalStateException(
            "sequence " + q + " of " + k.name + " after sequence " + (l.size() - 1) + " began");
      }
      return s;
    }

    /** A record of a kind that comes in one sequence (sessions, rejections, anomalies). */
    @SuppressWarnings("unchecked")
    private <T> void write(Kind k, T t) {
      Sequence s = kinds.get(k.ordinal()).get(0);
      if (s.closed) {
        throw new IllegalStateException(k.name + " after the run was finished");
      }
      try {
        ((Reorder.Codec<T>) s.codec).write(s.records.data, t);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write audit records to " + dir, e);
      }
      s.count++;
    }

    @SuppressWarnings("unchecked")
    private <T> void write(Kind k, int q, T t) {
      try {
        Sequence s = sequence(k, q);
        ((Reorder.Codec<T>) s.codec).write(s.records.data, t);
        s.count++;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write audit records to " + dir, e);
      }
    }

    /** A window given in order: the first sequence, in the order given. */
    @Override
    public void window(Window w) {
      window(w, nextPlace, 0);
    }

    @Override
    public WindowSequences windowSequences() {
      return new Windows();
    }

    /**
     * The windows as sequences, also taken as the bytes this writer writes of them ({@link
     * Reorder.Placed#encode}): a late window is written when it comes, while fresh in the cache.
     */
    private final class Windows implements WindowSequences, Reorder.Placed<Window> {
      /** The texts output the codec below writes into, and the codec ({@link #encode}). */
      private Reorder.RunOutput texts;

      private Reorder.Codec<Window> codec;

      @Override
      public void window(Window w, long place, int sequence) {
        Writer.this.window(w, place, sequence);
      }

      @Override
      public void accept(Window w, long place, int sequence) {
        Writer.this.window(w, place, sequence);
      }

      @Override
      public boolean encode(Window w, Reorder.RunOutput record, Reorder.RunOutput texts)
          throws IOException {
        if (texts != this.texts) {
          this.texts = texts;
          this.codec =
              codec(Kind.WINDOWS, new SplitLines(paths, pathIds, texts, textsInIndex, null));
        }
        codec.write(record, w);
        return true;
      }

      @Override
      public void accept(
          byte[] record,
          int off,
          int len,
          byte[] textBytes,
          int textOff,
          int textLen,
          long place,
          int sequence) {
        try {
          Sequence s = sequence(Kind.WINDOWS, sequence);
          s.records.data.writeLong(place);
          s.records.data.write(record, off, len);
          s.text.data.write(textBytes, textOff, textLen);
          s.count++;
        } catch (IOException e) {
          throw new UncheckedIOException("cannot write audit records to " + dir, e);
        }
        nextPlace = Math.max(nextPlace, place + 1);
      }
    }

    private void window(Window w, long place, int sequence) {
      try {
        sequence(Kind.WINDOWS, sequence).records.data.writeLong(place);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write audit records to " + dir, e);
      }
      nextPlace = Math.max(nextPlace, place + 1);
      write(Kind.WINDOWS, sequence, w);
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
    public boolean wantsIndexedTexts() {
      return !textsInIndex;
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
      List<List<Listed>> listed = new ArrayList<>();
      for (Kind k : Kind.values()) {
        List<Sequence> l = kinds.get(k.ordinal());
        List<Listed> ls = new ArrayList<>(l.size());
        for (int q = 0; q < l.size(); q++) {
          Sequence s = l.get(q);
          s.close();
          ls.add(
              new Listed(
                  s.count,
                  Files.size(dir.resolve(k.file(q))),
                  (int) s.records.sum.getChecksum().getValue(),
                  Files.size(dir.resolve(k.text(q))),
                  (int) s.text.sum.getChecksum().getValue()));
        }
        listed.add(ls);
      }
      Files.write(
          dir.resolve(MANIFEST),
          manifest(
              key, textsInIndex ? TEXTS_IN_INDEX : TEXTS_HERE, List.copyOf(paths), listed, end));
    }

    @Override
    public void close() {
      for (List<Sequence> l : kinds) {
        for (Sequence s : l) {
          try {
            s.close();
          } catch (IOException e) {
            // closing after a failure: the first one is reported
          }
        }
      }
    }
  }

  /**
   * Where an entry's texts are (the manifest's byte): its text files, the index, or {@link #KEPT}.
   */
  private static final int TEXTS_HERE = 0;

  private static final int TEXTS_IN_INDEX = 1;
  private static final int TEXTS_KEPT = 2;

  /**
   * The directory of an entry that holds the texts {@link EvidenceTexts} read back from the index,
   * kept there by {@link #keepTexts}; the entry's own text files stay as they were, so a process
   * that read the manifest before still reads what it listed.
   */
  static final String KEPT = "texts";

  private static byte[] manifest(
      String key, int texts, List<String> paths, List<List<Listed>> listed, End end)
      throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream m = new DataOutputStream(bytes);
    m.writeInt(MAGIC);
    m.writeInt(VERSION);
    AuditRecordCodec.writeString(m, key);
    m.writeBoolean(end.rejections());
    m.writeByte(texts);
    m.writeInt(paths.size());
    for (String p : paths) {
      AuditRecordCodec.writeString(m, p);
    }
    for (List<Listed> l : listed) {
      m.writeInt(l.size());
      for (Listed s : l) {
        m.writeLong(s.count());
        m.writeLong(s.length());
        m.writeInt(s.crc());
        m.writeLong(s.textLength());
        m.writeInt(s.textCrc());
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
    return bytes.toByteArray();
  }

  /**
   * Keeps in entry {@code entry} (texts left in the index) every kind's texts, which {@link
   * EvidenceTexts} wrote into {@code texts}, a directory inside the entry: the text files are
   * forced to disk, the directory renamed to {@link #KEPT}, then the manifest, rewritten to list
   * them, is written beside and renamed over the old one. A process reading the entry meanwhile
   * sees either manifest, each naming complete files.
   *
   * @param resolved the entry with every kind's texts in {@code texts} ({@link EvidenceTexts})
   * @return the entry as its new manifest lists it
   * @throws IOException when it cannot be kept (read-only, or another process kept them first)
   */
  static Checked keepTexts(Checked resolved, Path texts) throws IOException {
    Path dir = resolved.dir();
    try (var files = Files.list(texts)) {
      for (Path f : files.toList()) {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
          ch.force(true);
        }
      }
    }
    Path kept = dir.resolve(KEPT);
    Files.move(texts, kept, StandardCopyOption.ATOMIC_MOVE); // fails if another process kept them
    Checked now =
        new Checked(
            dir,
            resolved.key(),
            resolved.paths(),
            resolved.sequences(),
            resolved.end(),
            false,
            kept);
    Path tmp = dir.resolve(ScratchNames.of(".tmp-manifest-"));
    try {
      try (FileChannel ch =
          FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer b =
            ByteBuffer.wrap(
                manifest(now.key(), TEXTS_KEPT, List.of(now.paths()), now.sequences(), now.end()));
        while (b.hasRemaining()) {
          ch.write(b);
        }
        ch.force(true);
      }
      Files.move(
          tmp,
          dir.resolve(MANIFEST),
          StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | RuntimeException e) {
      // the old manifest stands: the texts go back where the caller reads them from
      Files.deleteIfExists(tmp);
      Files.move(kept, texts, StandardCopyOption.ATOMIC_MOVE);
      throw e;
    }
    return now;
  }

  /**
   * One sequence of a kind's records as the manifest lists it.
   *
   * @param count its records
   * @param length the record file's length
   * @param crc the record file's CRC-32C
   * @param textLength the text file's length
   * @param textCrc the text file's CRC-32C
   */
  record Listed(long count, long length, int crc, long textLength, int textCrc) {}

  /**
   * A checked run: its manifest read and every record file's length and CRC-32C verified.
   *
   * @param key the text it was made for
   * @param paths the source paths the evidence lines point into
   * @param sequences per kind (in the kinds' order), its sequences
   * @param textsInIndex whether the texts of indexed events' lines were left in the index
   * @param texts the directory whose text files hold every text of the lines: {@code dir}, or where
   *     {@link EvidenceTexts} put them
   */
  record Checked(
      Path dir,
      String key,
      String[] paths,
      List<List<Listed>> sequences,
      End end,
      boolean textsInIndex,
      Path texts) {
    /** With every text in the text files of {@code texts}, of the lengths and CRCs listed. */
    Checked withTexts(Path texts, List<List<Listed>> sequences) {
      return new Checked(dir, key, paths, sequences, end, false, texts);
    }

    long count(Kind k) {
      long n = 0;
      for (Listed l : sequences.get(k.ordinal())) {
        n += l.count();
      }
      return n;
    }

    /**
     * Verifies the record files of {@code kinds} (length and CRC-32C).
     *
     * @throws IOException with what is wrong, when anything is
     */
    void verifyRecords(Set<Kind> kinds) throws IOException {
      for (Kind k : kinds) {
        List<Listed> l = sequences.get(k.ordinal());
        for (int q = 0; q < l.size(); q++) {
          verify(dir.resolve(k.file(q)), l.get(q).length(), l.get(q).crc());
        }
      }
    }

    /**
     * Verifies the text files of {@code kinds} (length and CRC-32C).
     *
     * @throws IOException with what is wrong, when anything is
     */
    void verifyText(Set<Kind> kinds) throws IOException {
      for (Kind k : kinds) {
        List<Listed> l = sequences.get(k.ordinal());
        for (int q = 0; q < l.size(); q++) {
          verify(texts.resolve(k.text(q)), l.get(q).textLength(), l.get(q).textCrc());
        }
      }
    }

    /**
     * The records of one kind, read from the start (the sequences of the windows merged): with the
     * texts of their evidence lines (the text files verified by {@link #verifyText} first), or with
     * {@code ""} for each text.
     */
    @SuppressWarnings("unchecked")
    <T> Records<T> open(Kind k, boolean text) throws IOException {
      if (text && textsInIndex) {
        throw new IllegalStateException("the texts of " + dir + " are in the index: resolve first");
      }
      List<Listed> listed = sequences.get(k.ordinal());
      List<Sequence<T>> open = new ArrayList<>();
      // one for every sequence: the records of a router share their names and addresses, as when
      // they were one sequence
      AuditRecordCodec.Repeats repeats = new AuditRecordCodec.Repeats();
      try {
        for (int q = 0; q < listed.size(); q++) {
          long n = listed.get(q).count();
          if (n == 0 && q > 0) {
            continue;
          }
          Reorder.RunInput records =
              new Reorder.RunInput(Files.newInputStream(dir.resolve(k.file(q))));
          Reorder.RunInput textIn;
          try {
            textIn =
                text ? new Reorder.RunInput(Files.newInputStream(texts.resolve(k.text(q)))) : null;
          } catch (IOException | RuntimeException e) {
            records.close();
            throw e;
          }
          AuditRecordCodec.LineCodec lines = SplitLines.reader(List.of(paths), textIn);
          open.add(new Sequence<>(records, textIn, n, k.placed, codec(k, lines, repeats)));
        }
      } catch (IOException | RuntimeException e) {
        for (Sequence<T> s : open) {
          s.close();
        }
        throw e;
      }
      return new Records<>(open, k.placed ? (Order<T>) WINDOW_ORDER : null);
    }
  }

  /** The order two records of one stream go out in: {@link Reorder}'s, with their places. */
  interface Order<T> {
    int compare(T a, long placeA, T b, long placeB);
  }

  /** The windows' order in the engine's buffer: opening, observer and address, then place. */
  static final Order<Window> WINDOW_ORDER =
      new Order<>() {
        private final AuditEngine.WindowTieOrder tie = new AuditEngine.WindowTieOrder();

        @Override
        public int compare(Window a, long placeA, Window b, long placeB) {
          int c = a.openedAt().compareTo(b.openedAt());
          if (c == 0) {
            c = tie.compare(a, b);
          }
          return c != 0 ? c : Long.compare(placeA, placeB);
        }
      };

  /** One sequence of a kind's records, read one after the other. */
  private static final class Sequence<T> {
    private final Reorder.RunInput records;
    private final Reorder.RunInput texts;
    private final Reorder.Codec<T> codec;
    private final boolean placed;
    private long left;

    /** The record read last and its place ({@link #advance}). */
    T head;

    long place;

    Sequence(
        Reorder.RunInput records,
        Reorder.RunInput texts,
        long count,
        boolean placed,
        Reorder.Codec<T> codec) {
      this.records = records;
      this.texts = texts;
      this.left = count;
      this.placed = placed;
      this.codec = codec;
    }

    /** The next record into {@link #head}, or {@code null} after the last. */
    T advance() throws IOException {
      if (left == 0) {
        head = null;
        return null;
      }
      left--;
      if (placed) {
        place = records.readLong();
      }
      head = codec.read(records);
      return head;
    }

    void close() {
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
   * The records of one kind of a run, one after the other: its sequences merged by their order (the
   * first sequence holds most records, the others a few runs of windows that came late).
   */
  static final class Records<T> implements AutoCloseable {
    private final List<Sequence<T>> all;

    /**
     * The sequences with a record left but {@link #top}, by their heads; filled at the first {@link
     * #next}.
     */
    private final PriorityQueue<Sequence<T>> heads;

    private final java.util.Comparator<Sequence<T>> order;

    /** The sequence whose head goes out next, kept out of {@link #heads}. */
    private Sequence<T> top;

    private boolean started;

    Records(List<Sequence<T>> sequences, Order<T> order) {
      this.all = sequences;
      this.order = (a, b) -> order.compare(a.head, a.place, b.head, b.place);
      this.heads = new PriorityQueue<>(Math.max(1, sequences.size()), this.order);
    }

    /** The next record, or {@code null} after the last. */
    T next() throws IOException {
      if (all.size() == 1) {
        return all.get(0).advance();
      }
      if (!started) {
        started = true;
        for (Sequence<T> s : all) {
          if (s.advance() != null) {
            heads.add(s);
          }
        }
        top = heads.poll();
      }
      if (top == null) {
        return null;
      }
      T t = top.head;
      if (top.advance() == null) {
        top = heads.poll();
      } else if (!heads.isEmpty() && order.compare(heads.peek(), top) < 0) {
        // another sequence's head comes first; most often the same sequence goes on, and then
        // one comparison does instead of taking it out of the queue and putting it back
        heads.add(top);
        top = heads.poll();
      }
      return t;
    }

    @Override
    public void close() {
      for (Sequence<T> s : all) {
        s.close();
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
    int texts = m.readByte();
    if (texts < TEXTS_HERE || texts > TEXTS_KEPT) {
      throw new IOException("texts in place " + texts + " in the manifest");
    }
    String[] paths = new String[m.readInt()];
    for (int i = 0; i < paths.length; i++) {
      paths[i] = AuditRecordCodec.readString(m);
    }
    List<List<Listed>> sequences = new ArrayList<>();
    for (Kind k : Kind.values()) {
      int n = m.readInt();
      if (n < 1 || (n > 1 && !k.placed)) {
        throw new IOException(n + " sequences of " + k.name + " in the manifest");
      }
      List<Listed> l = new ArrayList<>(n);
      for (int q = 0; q < n; q++) {
        l.add(new Listed(m.readLong(), m.readLong(), m.readInt(), m.readLong(), m.readInt()));
      }
      sequences.add(List.copyOf(l));
    }
    int n = m.readInt();
    List<RejectTotals> totals = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      totals.add(AuditRecordCodec.TOTALS.read(m));
    }
    End end = new End(totals, m.readLong(), m.readLong(), m.readLong(), rejections);
    return new Checked(
        dir,
        key,
        paths,
        List.copyOf(sequences),
        end,
        texts == TEXTS_IN_INDEX,
        texts == TEXTS_KEPT ? dir.resolve(KEPT) : dir);
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
