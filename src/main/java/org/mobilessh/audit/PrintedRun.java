package org.mobilessh.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The rows a {@link RecordPrinter} printed of one kind of a cached run, kept beside the run in its
 * cache entry, so that the same question asked again is answered by copying bytes: no record is
 * decoded and none printed. They are kept on the form's second use of the entry ({@link
 * #askedBefore}): a question asked once, such as the cold run that computes the entry, writes none.
 *
 * <p>A file is kept for one <em>form</em>: a text that names everything the rows depend on besides
 * the records ({@link RecordPrinter#form()}: the command, format, columns, filters and period, plus
 * the whole program's digest, {@link AuditCache#program()}); the entry's directory pins the records
 * themselves. Its name is a SHA-256 of the entry key and the form, and the form's full text is in
 * the file and compared. It holds the rows in chunks as {@link PrintedMerge} makes them — each row
 * with its merge key — and ends with a CRC-32C of everything before it; the file is checked whole
 * (length, checksum, form, structure) before any row of it is used, and a damaged one is removed
 * and printed again from the records. Files are written to a temporary name and renamed into place
 * once complete.
 *
 * <pre>
 * "MSAP" version:int form:(length:int UTF-8)
 * { rows:int (1..) bytes:int  k1:long[rows] k2:long[rows] ends:int[rows] data:byte[bytes] }
 * 0:int totalRows:long totalBytes:long crc32c:int
 * </pre>
 */
final class PrintedRun {
  private static final int MAGIC = 0x4d534150; // "MSAP"
  private static final int VERSION = 1;
  private static final String PREFIX = "printed-";
  private static final String TEMP = ".tmp-printed-";
  private static final String ASKED = "asked-";

  /** Files larger than this are not kept (a bound on what one run's rows may take). */
  static final long MAX_BYTES = 1L << 40;

  private PrintedRun() {}

  /** Where the rows of {@code form} of the entry in {@code dir} made for {@code key} are kept. */
  static Path file(Path dir, String key, String form) {
    return dir.resolve(PREFIX + AuditCache.sha256(key + "\n" + form));
  }

  /**
   * Whether the rows of {@code file}'s form were asked of its entry before; if not, notes (an empty
   * file {@code asked-<same hash>} beside it) that they are now. Rows are kept on their second use:
   * a form asked once does not pay for writing a copy as large as the output (~1 GB for a month of
   * 10 M events) that nobody reads. A note that cannot be made (a read-only cache) says no: then
   * nothing could be kept either.
   */
  static boolean askedBefore(Path file) {
    Path mark =
        file.resolveSibling(ASKED + file.getFileName().toString().substring(PREFIX.length()));
    try {
      Files.createFile(mark);
      return false;
    } catch (java.nio.file.FileAlreadyExistsException e) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Removes from the entry in {@code dir} the temporary row files that runs stopped while writing
   * them left behind (the entry itself stays: its records are whole and checked).
   */
  static void removeLeftBehind(Path dir) {
    try (var all = Files.newDirectoryStream(dir, TEMP + "*")) {
      for (Path f : all) {
        if (ScratchNames.leftBehind(f.getFileName().toString(), TEMP)) {
          Files.deleteIfExists(f);
        }
      }
    } catch (IOException | java.nio.file.DirectoryIteratorException e) {
      // not a directory, or gone meanwhile: nothing of ours to remove
    }
  }

  /**
   * The rows kept in {@code file}, checked whole, or {@code null} if there is no such file.
   *
   * @throws IOException when the file is there but damaged (or of another form)
   */
  static Reader open(Path file, String form) throws IOException {
    FileChannel ch;
    try {
      ch = FileChannel.open(file, StandardOpenOption.READ);
    } catch (java.nio.file.NoSuchFileException e) {
      return null;
    }
    try {
      long size = ch.size();
      if (size < 16 || size > MAX_BYTES) {
        throw new IOException(file.getFileName() + " has an impossible length " + size);
      }
      ByteBuffer b = ByteBuffer.allocateDirect(1 << 20);
      CRC32C c = new CRC32C();
      long left = size - 4;
      ByteBuffer head = null;
      while (left > 0) {
        b.clear().limit((int) Math.min(b.capacity(), left));
        int n = ch.read(b);
        if (n < 0) {
          throw new IOException(file.getFileName() + " ends early");
        }
        left -= n;
        b.flip();
        if (head == null) {
          head = ByteBuffer.allocate(Math.min(b.remaining(), 1 << 16));
          head.put(b.duplicate().limit(head.capacity())).flip();
        }
        c.update(b);
      }
      b.clear().limit(4);
      while (b.hasRemaining() && ch.read(b) >= 0) {
        // the stored sum
      }
      if (b.hasRemaining() || (int) c.getValue() != b.flip().getInt()) {
        throw new IOException(file.getFileName() + " does not match its checksum");
      }
      if (head.remaining() < 12 || head.getInt() != MAGIC || head.getInt() != VERSION) {
        throw new IOException(file.getFileName() + " is not a printed run of this version");
      }
      byte[] f = form.getBytes(StandardCharsets.UTF_8);
      if (head.getInt() != f.length
          || head.remaining() < f.length
          || !head.slice().limit(f.length).equals(ByteBuffer.wrap(f))) {
        throw new IOException(file.getFileName() + " holds another form");
      }
      ch.position(12 + f.length);
      return new Reader(file, ch, size - 4);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /** The chunks of a checked file, one after the other. Not thread-safe. */
  static final class Reader implements AutoCloseable {
    private final Path file;
    private final FileChannel ch;
    private final long end;
    private ByteBuffer b = ByteBuffer.allocateDirect(1 << 16);
    private long rows;
    private long bytes;

    private Reader(Path file, FileChannel ch, long end) {
      this.file = file;
      this.ch = ch;
      this.end = end;
    }

    /** The next {@code n} bytes of the file in {@link #b}, from its start. */
    private ByteBuffer read(int n) throws IOException {
      if (n < 0 || ch.position() + n > end) {
        throw damaged("it ends early");
      }
      if (b.capacity() < n) {
        b = ByteBuffer.allocateDirect(Math.max(n, 2 * b.capacity()));
      }
      b.clear().limit(n);
      while (b.hasRemaining()) {
        if (ch.read(b) < 0) {
          throw damaged("it ends early");
        }
      }
      return b.flip();
    }

    /**
     * Fills {@code k1}, {@code k2}, {@code ends} and {@code data} with the next chunk.
     *
     * @return its rows, 0 after the last
     */
    int next(long[] k1, long[] k2, int[] ends, PrintBuffer data) throws IOException {
      int n = read(4).getInt();
      if (n == 0) {
        ByteBuffer e = read(16);
        if (e.getLong() != rows || e.getLong() != bytes || ch.position() != end) {
          throw damaged("its end does not match its rows");
        }
        return 0;
      }
      int len = read(4).getInt();
      if (n < 0 || n > k1.length || len < 0) {
        throw damaged("a chunk of " + n + " rows and " + len + " bytes");
      }
      ByteBuffer c = read(20 * n + len);
      c.asLongBuffer().get(k1, 0, n);
      c.position(8 * n);
      c.asLongBuffer().get(k2, 0, n);
      c.position(16 * n);
      c.asIntBuffer().get(ends, 0, n);
      c.position(20 * n);
      int last = 0;
      for (int i = 0; i < n; i++) {
        if (ends[i] <= last || ends[i] > len) {
          throw damaged("a row ends at " + ends[i]);
        }
        last = ends[i];
      }
      if (last != len) {
        throw damaged("a chunk's rows do not fill it");
      }
      data.setLength(0);
      int at = data.extend(len);
      c.get(data.array(), at, len);
      rows += n;
      bytes += len;
      return n;
    }

    private IOException damaged(String why) {
      return new IOException(file.getFileName() + " is damaged: " + why);
    }

    @Override
    public void close() {
      try {
        ch.close();
      } catch (IOException e) {
        // read to the end, or failed for a reason reported elsewhere
      }
    }
  }

  /** Writes the rows of one run as they are printed; {@link #commit} puts the file in place. */
  static final class Writer {
    private final Path target;
    private final Path temp;
    private final FileChannel ch;
    private final CRC32C crc = new CRC32C();
    private ByteBuffer head = ByteBuffer.allocate(1 << 16);
    private long written;
    private long rows;
    private long bytes;
    private boolean broken;

    /**
     * Starts writing beside {@code target}.
     *
     * @throws IOException when it cannot be written (then nothing is kept)
     */
    Writer(Path target, String form) throws IOException {
      this.target = target;
      this.temp = target.resolveSibling(ScratchNames.of(TEMP));
      ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      byte[] f = form.getBytes(StandardCharsets.UTF_8);
      ByteBuffer h = ByteBuffer.allocate(12 + f.length);
      h.putInt(MAGIC).putInt(VERSION).putInt(f.length).put(f).flip();
      write(h);
    }

    private void write(ByteBuffer b) throws IOException {
      crc.update(b.duplicate());
      written += b.remaining();
      while (b.hasRemaining()) {
        ch.write(b);
      }
    }

    /** Appends a chunk: {@code rows} rows (more than 0) ending at {@code ends} in {@code data}. */
    void chunk(long[] k1, long[] k2, int[] ends, int rows, byte[] data, int len) {
      if (broken) {
        return;
      }
      try {
        if (written + 8 + 20L * rows + len + 24 > MAX_BYTES) {
          throw new IOException("too large to keep");
        }
        int need = 8 + 20 * rows;
        if (head.capacity() < need) {
          head = ByteBuffer.allocate(need);
        }
        head.clear();
        head.putInt(rows).putInt(len);
        head.asLongBuffer().put(k1, 0, rows);
        head.position(head.position() + 8 * rows);
        head.asLongBuffer().put(k2, 0, rows);
        head.position(head.position() + 8 * rows);
        head.asIntBuffer().put(ends, 0, rows);
        head.position(head.position() + 4 * rows);
        head.flip();
        write(head);
        write(ByteBuffer.wrap(data, 0, len));
        this.rows += rows;
        this.bytes += len;
      } catch (IOException e) {
        abort();
      }
    }

    /** Ends the file and renames it into place; a file that cannot be finished is dropped. */
    void commit() {
      if (broken) {
        return;
      }
      try {
        ByteBuffer end = ByteBuffer.allocate(20);
        end.putInt(0).putLong(rows).putLong(bytes).flip();
        write(end);
        ByteBuffer sum = ByteBuffer.allocate(4);
        sum.putInt((int) crc.getValue()).flip();
        while (sum.hasRemaining()) {
          ch.write(sum);
        }
        ch.close();
        Files.move(
            temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException e) {
        abort(); // the entry was removed meanwhile, or the disk is full: only time is lost
      }
    }

    /** Drops what was written. */
    void abort() {
      broken = true;
      try {
        ch.close();
      } catch (IOException e) {
        // removed below either way
      }
      try {
        Files.deleteIfExists(temp);
      } catch (IOException e) {
        // a stale temporary file is removed with its entry
      }
    }
  }
}
