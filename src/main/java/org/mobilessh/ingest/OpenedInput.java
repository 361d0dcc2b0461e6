package org.mobilessh.ingest;

import java.io.Closeable;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.function.LongConsumer;
import java.util.zip.GZIPInputStream;

/**
 * An input opened for reading: gzip detected by its magic bytes (not the name), the head of the
 * decompressed content read for format detection and the fingerprint, and the raw bytes counted for
 * progress. A gzip error while reading the head keeps what was decoded and remembers the error.
 */
final class OpenedInput implements Closeable {
  /** How much of the head is read up front (format detection looks at the first lines). */
  static final int HEAD_READ = 64 * 1024;

  private final InputStream raw;
  private final InputStream content;
  private final boolean gzip;
  private final byte[] head;
  private final int headLength;
  private final IOException headError;
  private final long inode;
  private final FileTime mtime;
  private final long size;
  private boolean positioned;

  private OpenedInput(InputStream rawIn, Path path, LongConsumer rawBytes) throws IOException {
    long ino = -1;
    FileTime mt = null;
    long sz = -1;
    if (path != null) {
      BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
      mt = a.lastModifiedTime();
      sz = a.size();
      Object key = a.fileKey();
      ino = inodeOf(key);
    }
    this.inode = ino;
    this.mtime = mt;
    this.size = sz;
    this.raw = new Counting(rawIn, rawBytes);
    PushbackInputStream pb = new PushbackInputStream(raw, 2);
    byte[] magic = pb.readNBytes(2);
    pb.unread(magic);
    this.gzip = magic.length == 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b;
    this.content = gzip ? new SmallReads(new GZIPInputStream(pb, 64 * 1024)) : pb;
    byte[] h = new byte[HEAD_READ];
    int n = 0;
    IOException err = null;
    try {
      while (n < h.length) {
        int r = content.read(h, n, h.length - n);
        if (r < 0) {
          break;
        }
        n += r;
      }
    } catch (IOException e) {
      err = e;
    }
    this.head = h;
    this.headLength = n;
    this.headError = err;
  }

  static OpenedInput open(Source source, InputStream stdin, LongConsumer rawBytes)
      throws IOException {
    if (source.isStdin()) {
      return new OpenedInput(stdin, null, rawBytes);
    }
    if (source.isCommand()) {
      throw new IllegalArgumentException(source.name() + " is a command, not a file");
    }
    InputStream in = Files.newInputStream(source.path());
    try {
      return new OpenedInput(in, source.path(), rawBytes);
    } catch (IOException | RuntimeException e) {
      in.close();
      throw e;
    }
  }

  static long inodeOf(Object fileKey) {
    // UnixFileKey prints "(dev=803,ino=1234)"; there is no public accessor
    if (fileKey == null) {
      return -1;
    }
    String s = fileKey.toString();
    int at = s.indexOf("ino=");
    if (at < 0) {
      return -1;
    }
    int end = at + 4;
    while (end < s.length() && Character.isDigit(s.charAt(end))) {
      end++;
    }
    try {
      return Long.parseLong(s.substring(at + 4, end));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * The content from {@code offset} on (decompressed); call once. Skipping past the end of the
   * content (the file shrank) throws {@link EOFException}.
   */
  InputStream contentFrom(long offset) throws IOException {
    if (positioned) {
      throw new IllegalStateException("contentFrom called twice");
    }
    positioned = true;
    if (headError != null) {
      int from = (int) Math.min(offset, headLength);
      return new HeadThenRest(head, from, headLength, new FailingStream(headError));
    }
    if (offset <= headLength) {
      return new HeadThenRest(head, (int) offset, headLength, content);
    }
    content.skipNBytes(offset - headLength);
    return content;
  }

  byte[] head() {
    return head;
  }

  int headLength() {
    return headLength;
  }

  /** The gzip (or read) error met while reading the head, or {@code null}. */
  IOException headError() {
    return headError;
  }

  boolean gzip() {
    return gzip;
  }

  long inode() {
    return inode;
  }

  /** {@code null} for stdin. */
  FileTime mtime() {
    return mtime;
  }

  /** On-disk size, -1 for stdin. */
  long size() {
    return size;
  }

  @Override
  public void close() throws IOException {
    raw.close();
  }

  /** Counts raw (on-disk) bytes for the progress bar. */
  private static final class Counting extends FilterInputStream {
    private final LongConsumer sink;

    Counting(InputStream in, LongConsumer sink) {
      super(in);
      this.sink = sink;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        sink.accept(1);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) {
        sink.accept(n);
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long s = in.skip(n);
      if (s > 0) {
        sink.accept(s);
      }
      return s;
    }
  }

  /**
   * Inflater loses the output of a call that ends in a data error, so reading compressed data in
   * small pieces keeps all but the last few KiB before a corruption.
   */
  private static final class SmallReads extends FilterInputStream {
    static final int MAX = 4096;

    SmallReads(InputStream in) {
      super(in);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return in.read(b, off, Math.min(len, MAX));
    }
  }

  /**
   * The already-read head, then the stream. Unlike {@link java.io.SequenceInputStream} it neither
   * closes the stream nor gives up after its first end of input: a tailed file grows.
   */
  private static final class HeadThenRest extends InputStream {
    private final byte[] head;
    private int pos;
    private final int end;
    private final InputStream rest;

    HeadThenRest(byte[] head, int from, int end, InputStream rest) {
      this.head = head;
      this.pos = from;
      this.end = end;
      this.rest = rest;
    }

    @Override
    public int read() throws IOException {
      return pos < end ? head[pos++] & 0xff : rest.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (pos < end) {
        int n = Math.min(len, end - pos);
        System.arraycopy(head, pos, b, off, n);
        pos += n;
        return n;
      }
      return rest.read(b, off, len);
    }

    @Override
    public int available() throws IOException {
      return pos < end ? end - pos : rest.available();
    }
  }

  /** Replays an error that already happened while reading the head. */
  private static final class FailingStream extends InputStream {
    private final IOException error;

    FailingStream(IOException error) {
      this.error = error;
    }

    @Override
    public int read() throws IOException {
      throw error;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      throw error;
    }
  }
}
