package org.mobilessh.simulate;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * A log file as logrotate leaves it with {@code weekly, compress, delaycompress, notifempty}: the
 * live {@code NAME}, the last rotation {@code NAME.1} uncompressed, older ones {@code NAME.k.gz}.
 * Lines arrive in time order; one at or after a rotation time starts the next segment (an empty
 * segment is not rotated). Every file's mtime is its last line's time. Enough rotations are kept
 * for the whole month.
 */
final class RotatingLog implements AutoCloseable {
  private final Path dir;
  private final String name;
  private final long[] rotations;
  private final List<Path> segments = new ArrayList<>();
  private final List<Long> lastTimes = new ArrayList<>();
  private int next;
  private BufferedWriter out;
  private Path current;
  private long lastTime = -1;
  private long lines;

  RotatingLog(Path dir, String name, long[] rotationTimes) {
    this.dir = dir;
    this.name = name;
    this.rotations = rotationTimes;
  }

  /** Whether the next line at {@code micros} would start a new file (logrotate ran before it). */
  boolean rotatesBefore(long micros) {
    return next < rotations.length && micros >= rotations[next] && lastTime >= 0;
  }

  void write(long micros, String line) {
    try {
      while (next < rotations.length && micros >= rotations[next]) {
        next++;
        if (lastTime >= 0) { // notifempty
          finishSegment();
        }
      }
      if (out == null) {
        current = dir.resolve(name + ".part" + segments.size());
        out =
            new BufferedWriter(
                new OutputStreamWriter(Files.newOutputStream(current), StandardCharsets.UTF_8),
                1 << 16);
      }
      out.write(line);
      out.write('\n');
      lastTime = micros;
      lines++;
    } catch (IOException e) {
      throw new SimulateException("cannot write " + current + ": " + e.getMessage(), e);
    }
  }

  long lines() {
    return lines;
  }

  private void finishSegment() throws IOException {
    out.close();
    out = null;
    segments.add(current);
    lastTimes.add(lastTime);
    lastTime = -1;
  }

  /** Renames the segments to their logrotate names, compresses the old ones, sets mtimes. */
  @Override
  public void close() {
    try {
      if (out != null) {
        finishSegment();
      }
      int n = segments.size();
      for (int i = 0; i < n; i++) {
        int age = n - 1 - i;
        Path part = segments.get(i);
        Path target;
        if (age == 0) {
          target = dir.resolve(name);
          Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
        } else if (age == 1) {
          target = dir.resolve(name + ".1");
          Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
        } else {
          target = dir.resolve(name + "." + age + ".gz");
          gzip(part, target);
          Files.delete(part);
        }
        Files.setLastModifiedTime(target, FileTime.from(lastTimes.get(i), TimeUnit.MICROSECONDS));
      }
    } catch (IOException e) {
      throw new SimulateException("cannot finish " + dir.resolve(name) + ": " + e.getMessage(), e);
    }
  }

  // GZIPOutputStream writes mtime 0 in the header: the output stays byte-identical across runs
  private static void gzip(Path from, Path to) throws IOException {
    try (InputStream in = Files.newInputStream(from);
        OutputStream os = Files.newOutputStream(to);
        GZIPOutputStream gz =
            new GZIPOutputStream(os, 1 << 16) {
              {
                def.setLevel(Deflater.DEFAULT_COMPRESSION);
              }
            }) {
      in.transferTo(gz);
    }
  }
}
