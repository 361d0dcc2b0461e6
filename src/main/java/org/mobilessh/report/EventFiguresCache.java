package org.mobilessh.report;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.CodeSource;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.mobilessh.index.EventSearcher;

/**
 * The report's {@link EventFigures} kept with the index, beside the audit's results cache: the
 * figures are a pure function of the documents the report reads, the month and the program, so a
 * report asked again of the same data takes them from here instead of reading and sorting every
 * event again.
 *
 * <p>An entry is found by its key, a text holding everything the figures depend on: the index query
 * (router and read range), the month, the program build (a digest of every class and resource of
 * the running jar or class directory with the Java and Lucene versions: the parser that re-reads
 * the lines, the reader and this stage's own counting) and {@link EventSearcher#digest} of the
 * query, the same fingerprint of exactly the documents read that the audit cache uses (count, sum
 * and xor of each document's content hash, source pointer and time). So an ingest that adds,
 * replaces or deletes a document read, another month or range, or a rebuilt program gives another
 * key; an entry is never updated in place. The file name is the key's SHA-256, the file holds the
 * key itself (compared in full) and a CRC-32C of its content, checked before any of it is used: a
 * damaged entry is reported, removed and computed again.
 *
 * <p>Entries are small (sources, days × routers, silences): the cache keeps the {@value
 * #MAX_ENTRIES} used most recently. It lives in {@value #DIRECTORY} inside the index directory;
 * Lucene neither lists nor deletes it, and removing it loses nothing but time.
 */
final class EventFiguresCache {
  /** The cache's directory inside the index directory. */
  static final String DIRECTORY = "mobilessh-report-cache";

  /** Entries kept; older ones (by last use) are removed. */
  static final int MAX_ENTRIES = 64;

  private static final String SUFFIX = ".figures";
  private static final String TEMP = ".tmp-";
  private static final Duration STALE_TEMP = Duration.ofDays(1);
  private static final byte[] MAGIC =
      "mobilessh event figures 1\n".getBytes(StandardCharsets.UTF_8);
  private static volatile String build;

  private final Path dir;
  private final Consumer<String> progress;

  EventFiguresCache(Path index, Consumer<String> progress) {
    this.dir = directory(index);
    this.progress = progress;
  }

  /** Where the cache of the index in {@code index} lives. */
  static Path directory(Path index) {
    return index.resolve(DIRECTORY);
  }

  /**
   * The key of the figures of one read.
   *
   * @param query what is read, as text (its Lucene query)
   * @param readFrom first instant read
   * @param readTo last instant read
   * @param month the month counted
   * @param data {@link EventSearcher#digest} of the query
   */
  static String key(
      String query,
      Instant readFrom,
      Instant readTo,
      java.time.YearMonth month,
      String build,
      EventSearcher.Digest data) {
    return "mobilessh report event figures 1\n"
        + ("query: " + query + '\n')
        + ("read: " + readFrom + ' ' + readTo + '\n')
        + ("month: " + month + '\n')
        + ("gap: " + ReportModel.GAP.getSeconds() + '\n')
        + ("build: " + build + '\n')
        + ("events: "
            + data.count()
            + ' '
            + Long.toHexString(data.sum())
            + ' '
            + Long.toHexString(data.xor())
            + '\n');
  }

  private Path entry(String key) {
    return dir.resolve(sha256(key) + SUFFIX);
  }

  /** The figures kept under {@code key}, checked, or {@code null} (none, or a damaged entry). */
  EventFigures lookup(String key) {
    Path e = entry(key);
    if (!Files.isRegularFile(e)) {
      return null;
    }
    EventFigures f;
    try {
      f = decode(Files.readAllBytes(e), key);
    } catch (IOException | RuntimeException ex) {
      progress.accept(
          "report cache: entry "
              + e.getFileName()
              + " is damaged ("
              + (ex.getMessage() == null ? ex.toString() : ex.getMessage())
              + "): not used, computing it again");
      delete(e);
      return null;
    }
    if (f == null) {
      progress.accept(
          "report cache: entry " + e.getFileName() + " holds another key: computing it again");
      return null;
    }
    try {
      Files.setLastModifiedTime(e, FileTime.from(Instant.now()));
    } catch (IOException ex) {
      // the use time only orders eviction
    }
    return f;
  }

  /**
   * Keeps {@code f} under {@code key}: written to a temporary file and renamed into place, so a
   * reader sees a whole entry or none. A cache that cannot be written is reported, never fatal.
   */
  void store(String key, EventFigures f) {
    Path tmp = null;
    try {
      Files.createDirectories(dir);
      tmp = dir.resolve(TEMP + UUID.randomUUID());
      Files.write(tmp, encode(key, f));
      Files.move(tmp, entry(key), StandardCopyOption.ATOMIC_MOVE);
      evict();
    } catch (IOException | RuntimeException e) {
      progress.accept("report cache: cannot keep the event figures in " + dir + ": " + e);
    } finally {
      if (tmp != null) {
        delete(tmp);
      }
    }
  }

  /** Removes the entries used least recently beyond {@link #MAX_ENTRIES}, and stale temp files. */
  private void evict() throws IOException {
    record E(Path path, long used) {}
    List<E> entries = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.toList()) {
        String name = p.getFileName().toString();
        FileTime t = Files.getLastModifiedTime(p);
        if (name.startsWith(TEMP)) {
          if (t.toInstant().isBefore(Instant.now().minus(STALE_TEMP))) {
            delete(p);
          }
        } else if (name.endsWith(SUFFIX)) {
          entries.add(new E(p, t.toMillis()));
        }
      }
    }
    entries.sort(Comparator.comparingLong(E::used).reversed());
    for (E e : entries.subList(Math.min(MAX_ENTRIES, entries.size()), entries.size())) {
      delete(e.path());
    }
  }

  private static void delete(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // what is left is checked again before use, never trusted
    }
  }

  // ------------------------------------------------------------------ the file

  // MAGIC, the content's length (int), the content, its CRC-32C (int); the content is the key
  // followed by the figures
  static byte[] encode(String key, EventFigures f) throws IOException {
    ByteArrayOutputStream content = new ByteArrayOutputStream();
    DataOutputStream o = new DataOutputStream(content);
    writeString(o, key);
    o.writeLong(f.read());
    writeInstant(o, f.lastRead());
    o.writeLong(f.inMonth());
    o.writeInt(f.sources().size());
    for (var e : f.sources().entrySet()) {
      writeString(o, e.getKey());
      o.writeLong(e.getValue().events());
      writeInstant(o, e.getValue().first());
      writeInstant(o, e.getValue().last());
    }
    o.writeInt(f.routers().size());
    for (String r : f.routers()) {
      writeString(o, r);
    }
    o.writeInt(f.perDay().size());
    for (var d : f.perDay().entrySet()) {
      o.writeLong(d.getKey().toEpochDay());
      o.writeInt(d.getValue().size());
      for (var r : d.getValue().entrySet()) {
        writeString(o, r.getKey());
        o.writeLong(r.getValue());
      }
    }
    o.writeInt(f.gaps().size());
    for (EventFigures.Gap g : f.gaps()) {
      writeString(o, g.router());
      writeInstant(o, g.from());
      writeInstant(o, g.to());
      o.writeLong(g.seconds());
    }
    writeString(o, f.digest());
    o.flush();
    byte[] c = content.toByteArray();
    CRC32C crc = new CRC32C();
    crc.update(c);
    ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 4 + c.length + 4);
    b.put(MAGIC).putInt(c.length).put(c).putInt((int) crc.getValue());
    return b.array();
  }

  /** The figures in {@code file}, {@code null} if it holds another key; damage throws. */
  static EventFigures decode(byte[] file, String key) throws IOException {
    if (file.length < MAGIC.length + 8
        || !Arrays.equals(file, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      throw new IOException("not an entry of this cache");
    }
    ByteBuffer b = ByteBuffer.wrap(file);
    b.position(MAGIC.length);
    int length = b.getInt();
    if (length < 0 || length != file.length - MAGIC.length - 8) {
      throw new IOException("truncated or extended: " + file.length + " bytes");
    }
    CRC32C crc = new CRC32C();
    crc.update(file, MAGIC.length + 4, length);
    if ((int) crc.getValue() != b.getInt(MAGIC.length + 4 + length)) {
      throw new IOException("CRC-32C mismatch");
    }
    DataInputStream in =
        new DataInputStream(new ByteArrayInputStream(file, MAGIC.length + 4, length));
    if (!readString(in).equals(key)) {
      return null;
    }
    long read = in.readLong();
    Instant lastRead = readInstant(in);
    long inMonth = in.readLong();
    TreeMap<String, EventFigures.Source> sources = new TreeMap<>();
    for (int i = count(in); i > 0; i--) {
      sources.put(
          readString(in), new EventFigures.Source(in.readLong(), readInstant(in), readInstant(in)));
    }
    TreeSet<String> routers = new TreeSet<>();
    for (int i = count(in); i > 0; i--) {
      routers.add(readString(in));
    }
    TreeMap<LocalDate, SortedMap<String, Long>> perDay = new TreeMap<>();
    for (int i = count(in); i > 0; i--) {
      LocalDate d = LocalDate.ofEpochDay(in.readLong());
      TreeMap<String, Long> per = new TreeMap<>();
      for (int j = count(in); j > 0; j--) {
        per.put(readString(in), in.readLong());
      }
      perDay.put(d, per);
    }
    List<EventFigures.Gap> gaps = new ArrayList<>();
    for (int i = count(in); i > 0; i--) {
      gaps.add(
          new EventFigures.Gap(readString(in), readInstant(in), readInstant(in), in.readLong()));
    }
    String digest = readString(in);
    if (in.available() != 0) {
      throw new IOException(in.available() + " bytes after the figures");
    }
    return new EventFigures(read, lastRead, inMonth, sources, routers, perDay, gaps, digest);
  }

  private static int count(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > in.available()) {
      throw new IOException("bad count " + n);
    }
    return n;
  }

  // modified UTF-8: any String (lone surrogates too) comes back exactly; one past 64 KiB of it
  // throws, and store() reports that nothing was kept
  private static void writeString(DataOutputStream o, String s) throws IOException {
    o.writeUTF(s);
  }

  private static String readString(DataInputStream in) throws IOException {
    return in.readUTF();
  }

  private static void writeInstant(DataOutputStream o, Instant t) throws IOException {
    o.writeBoolean(t != null);
    if (t != null) {
      o.writeLong(t.getEpochSecond());
      o.writeInt(t.getNano());
    }
  }

  private static Instant readInstant(DataInputStream in) throws IOException {
    return in.readBoolean() ? Instant.ofEpochSecond(in.readLong(), in.readInt()) : null;
  }

  // ------------------------------------------------------------------ the build

  /**
   * The program: a SHA-256 over the name, size and CRC of every entry of the running jar (or the
   * name and content of every file of the class directory), with the Java and Lucene versions. Any
   * rebuilt class or library gives another value.
   */
  static String build() {
    String b = build;
    if (b == null) {
      b = computeBuild();
      build = b;
    }
    return b;
  }

  private static String computeBuild() {
    MessageDigest md = sha();
    md.update(Runtime.version().toString().getBytes(StandardCharsets.UTF_8));
    md.update(org.apache.lucene.util.Version.LATEST.toString().getBytes(StandardCharsets.UTF_8));
    try {
      CodeSource cs = EventFiguresCache.class.getProtectionDomain().getCodeSource();
      Path p = Path.of(cs.getLocation().toURI());
      if (Files.isRegularFile(p)) {
        try (ZipFile z = new ZipFile(p.toFile())) {
          for (ZipEntry e : z.stream().sorted(Comparator.comparing(ZipEntry::getName)).toList()) {
            md.update(
                (e.getName() + '\0' + e.getSize() + '\0' + e.getCrc() + '\n')
                    .getBytes(StandardCharsets.UTF_8));
          }
        }
      } else {
        List<Path> files;
        try (Stream<Path> s = Files.walk(p)) {
          files = s.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path f : files) {
          md.update(p.relativize(f).toString().getBytes(StandardCharsets.UTF_8));
          md.update((byte) 0);
          try (InputStream in = Files.newInputStream(f)) {
            md.update(in.readAllBytes());
          }
        }
      }
    } catch (IOException | URISyntaxException | RuntimeException e) {
      // nothing to pin the figures to: a key of its own per run, so nothing is ever reused
      md.update(UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
    }
    return HexFormat.of().formatHex(md.digest());
  }

  static String sha256(String text) {
    return HexFormat.of().formatHex(sha().digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  private static MessageDigest sha() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
