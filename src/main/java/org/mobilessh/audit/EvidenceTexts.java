package org.mobilessh.audit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;
import org.apache.lucene.search.Query;
import org.mobilessh.index.EventSearcher;

/**
 * The evidence texts a results-cache entry left in the index ({@link AuditRunFile.Checked#
 * textsInIndex}), read back for a command that prints them (JSON of windows, sessions and
 * rejections, timeline, report, export, evidence).
 *
 * <p>Each evidence line of such an entry is a pointer: its source path, line number and its event's
 * time (µs). The entry's key pins exactly the documents the router's stream read (their count and
 * the sums of their content hash, source pointer and time), so every line the stream saw is still
 * one of the documents its query finds. The texts are found in one pass over those documents, their
 * stored fields read segment by segment in index order and not re-parsed: first the record files
 * are read to list the pointers the records hold (each distinct one once), then the documents are
 * read and the texts of the listed pointers kept, then each kind's text files are written in the
 * records' order, as an entry that keeps its texts has them ({@link AuditRunFile}). Memory: the
 * distinct texts of one router's records, while its files are written.
 *
 * <p>A pointer that no document has, or that two documents with different texts share (two lines at
 * the same place of a file at the same microsecond), cannot be answered: {@link Unresolved}, and
 * the caller computes the entry again with its texts kept.
 */
final class EvidenceTexts {
  private EvidenceTexts() {}

  /** The index cannot give a text the entry points to. */
  static final class Unresolved extends Exception {
    Unresolved(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Writes into {@code into} (an empty directory) the text files of {@code kinds} of {@code run},
   * with the texts read from the documents {@code query} finds in {@code searcher}.
   *
   * @return the run, its texts read from {@code into}
   */
  static AuditRunFile.Checked resolve(
      AuditRunFile.Checked run,
      Set<AuditRunFile.Kind> kinds,
      EventSearcher searcher,
      Query query,
      Path into)
      throws IOException, Unresolved {
    Map<String, Integer> pathIds = new HashMap<>();
    String[] paths = run.paths();
    for (int i = 0; i < paths.length; i++) {
      pathIds.putIfAbsent(paths[i], i);
    }
    Pointers pointers = new Pointers();
    // per kind and sequence: the slot of each evidence line in the records' order (-1: its text
    // is in the entry's own text file)
    List<Slots> files = new ArrayList<>();
    for (AuditRunFile.Kind k : kinds) {
      List<AuditRunFile.Listed> listed = run.sequences().get(k.ordinal());
      for (int q = 0; q < listed.size(); q++) {
        Slots slots = new Slots(k, q);
        files.add(slots);
        list(run, k, q, listed.get(q).count(), pathIds, pointers, slots);
      }
    }
    String[] texts = new String[pointers.size()];
    String[] conflict = new String[1];
    searcher.forEachLine(
        query,
        (path, line, micros, text) -> {
          // the pointer as the read loop makes it (IndexedAuditInput.forEach)
          Integer id = pathIds.get(path == null ? "" : path);
          if (id == null) {
            return;
          }
          int s = pointers.find(id, Math.max(0, line), micros);
          if (s < 0) {
            return;
          }
          if (texts[s] == null) {
            texts[s] = text;
          } else if (!texts[s].equals(text) && conflict[0] == null) {
            conflict[0] = pointers.describe(s, paths) + " is two different lines in the index";
          }
        });
    if (conflict[0] != null) {
      throw new Unresolved(conflict[0]);
    }
    for (int s = 0; s < texts.length; s++) {
      if (texts[s] == null) {
        throw new Unresolved(pointers.describe(s, paths) + " is not in the index");
      }
    }
    List<List<AuditRunFile.Listed>> listed = new ArrayList<>();
    for (List<AuditRunFile.Listed> l : run.sequences()) {
      listed.add(new ArrayList<>(l));
    }
    for (Slots f : files) {
      List<AuditRunFile.Listed> l = listed.get(f.kind.ordinal());
      AuditRunFile.Listed was = l.get(f.sequence);
      int crc = write(run, f, texts, into);
      l.set(
          f.sequence,
          new AuditRunFile.Listed(
              was.count(),
              was.length(),
              was.crc(),
              Files.size(into.resolve(f.kind.text(f.sequence))),
              crc));
    }
    listed.replaceAll(List::copyOf);
    return run.withTexts(into, List.copyOf(listed));
  }

  /** Reads the records of one sequence, listing the pointers of their evidence lines. */
  private static void list(
      AuditRunFile.Checked run,
      AuditRunFile.Kind k,
      int q,
      long count,
      Map<String, Integer> pathIds,
      Pointers pointers,
      Slots slots)
      throws IOException {
    if (count == 0) {
      return;
    }
    AuditRunFile.SplitLines split = AuditRunFile.SplitLines.reader(List.of(run.paths()), null);
    AuditRecordCodec.LineCodec listing =
        new AuditRecordCodec.LineCodec() {
          @Override
          public void writePath(java.io.DataOutput o, String path) {
            throw new UnsupportedOperationException("the pointer listing only reads records");
          }

          @Override
          public void writeText(java.io.DataOutput o, SourceLine l) {
            throw new UnsupportedOperationException("the pointer listing only reads records");
          }

          @Override
          public String readPath(java.io.DataInput in) throws IOException {
            return split.readPath(in);
          }

          @Override
          public SourceLine line(java.io.DataInput in, String path, long lineNumber, long micros)
              throws IOException {
            SourceLine l = split.line(in, path, lineNumber, micros);
            slots.add(
                micros == SourceLine.NOT_INDEXED
                    ? -1
                    : pointers.slot(pathIds.get(path), lineNumber, micros));
            return l;
          }
        };
    Reorder.Codec<?> codec = AuditRunFile.codec(k, listing);
    try (Reorder.RunInput in =
        new Reorder.RunInput(Files.newInputStream(run.dir().resolve(k.file(q))))) {
      for (long i = 0; i < count; i++) {
        if (k.placed) {
          in.readLong();
        }
        codec.read(in);
      }
    }
  }

  /**
   * One text file: every line's text in the records' order.
   *
   * @return its CRC-32C (as the manifest lists it, for {@link AuditRunFile#keepTexts})
   */
  private static int write(AuditRunFile.Checked run, Slots f, String[] texts, Path into)
      throws IOException {
    Reorder.RunInput kept = null;
    CheckedOutputStream sum =
        new CheckedOutputStream(
            Files.newOutputStream(into.resolve(f.kind.text(f.sequence))), new CRC32C());
    try (Reorder.RunOutput out = new Reorder.RunOutput(sum)) {
      for (int i = 0; i < f.size; i++) {
        int s = f.slots[i];
        if (s >= 0) {
          out.writeString(texts[s]);
          continue;
        }
        if (kept == null) {
          kept =
              new Reorder.RunInput(
                  Files.newInputStream(run.dir().resolve(f.kind.text(f.sequence))));
        }
        AuditRecordCodec.writeString(out, AuditRecordCodec.readString(kept));
      }
    } finally {
      if (kept != null) {
        kept.close();
      }
    }
    return (int) sum.getChecksum().getValue();
  }

  /** The slots of one text file's lines, in order. */
  private static final class Slots {
    final AuditRunFile.Kind kind;
    final int sequence;
    int[] slots = new int[1024];
    int size;

    Slots(AuditRunFile.Kind kind, int sequence) {
      this.kind = kind;
      this.sequence = sequence;
    }

    void add(int slot) {
      if (size == slots.length) {
        slots = Arrays.copyOf(slots, size * 2);
      }
      slots[size++] = slot;
    }
  }

  /**
   * The distinct pointers (path number, line number, µs), each with a slot numbered in the order
   * first met: an open-addressing table without an object per pointer. A table entry is two longs
   * side by side, the µs and the slot + 1 (0: empty), so a probe reads one place in memory; the
   * path and line number are compared only when the µs match.
   */
  static final class Pointers {
    private long[] table = new long[2 << 12];
    private int[] path = new int[1 << 11];
    private long[] line = new long[1 << 11];
    private long[] micros = new long[1 << 11];
    private int size;

    int size() {
      return size;
    }

    /** The slot of a pointer, given one if it has none. */
    int slot(int p, long l, long t) {
      int i = probe(p, l, t);
      if (table[i + 1] != 0) {
        return (int) table[i + 1] - 1;
      }
      if (size == path.length) {
        path = Arrays.copyOf(path, size * 2);
        line = Arrays.copyOf(line, size * 2);
        micros = Arrays.copyOf(micros, size * 2);
      }
      path[size] = p;
      line[size] = l;
      micros[size] = t;
      table[i] = t;
      table[i + 1] = ++size;
      if (size * 4 > table.length) { // at most half the entries taken
        rehash();
      }
      return size - 1;
    }

    /** The slot of a pointer, or -1. */
    int find(int p, long l, long t) {
      return (int) table[probe(p, l, t) + 1] - 1;
    }

    /** Where the pointer's entry is in {@code table}, or the free place it would take. */
    private int probe(int p, long l, long t) {
      int mask = table.length - 2;
      int i = home(l, t) & mask;
      for (long e = table[i + 1]; e != 0; e = table[i + 1]) {
        if (table[i] == t && line[(int) e - 1] == l && path[(int) e - 1] == p) {
          return i;
        }
        i = (i + 2) & mask;
      }
      return i;
    }

    String describe(int s, String[] paths) {
      return "evidence line "
          + paths[path[s]]
          + ":"
          + line[s]
          + " (event time "
          + micros[s]
          + " µs)";
    }

    /** An even index into the table (the path is left out: a router's lines share a few). */
    private static int home(long l, long t) {
      long h = (t + l * 0xC2B2AE3D27D4EB4FL) * 0x9E3779B97F4A7C15L;
      return (int) (h >>> 32) << 1;
    }

    private void rehash() {
      table = new long[table.length * 2];
      int mask = table.length - 2;
      for (int s = 0; s < size; s++) {
        int i = home(line[s], micros[s]) & mask;
        while (table[i + 1] != 0) {
          i = (i + 2) & mask;
        }
        table[i] = micros[s];
        table[i + 1] = s + 1;
      }
    }
  }
}
