package org.mobilessh.index;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.util.BytesRef;

/**
 * What an event document stores, decoded: the line and its source pointer plus the indexed action,
 * format and router the re-parse needs.
 *
 * <p>Schema 2 stores all of it in one binary field ({@link Fields#STORED}): a layout byte, the
 * string-table ids of action, dataset, observer and path, offset and line number as variable-length
 * integers, then the line's UTF-8 bytes to the end. The strings (a handful of actions, formats,
 * routers and source files) live once per index in the commit user data ({@link #TABLE_PREFIX}
 * {@code id} = string), committed with the documents that use them. One stored field instead of
 * seven: each stored field costs Lucene a header, a type switch and, for strings, a UTF-16 to UTF-8
 * pass into a buffer three times the line's length (docs/performance-log.md, "Session 3: ingest").
 *
 * <p>Schema 1 documents (stored string and number fields, as quarantined lines and snapshots still
 * are) decode too: {@link Decoder#decode} takes whichever the document has.
 *
 * @param action {@code event.action}
 * @param dataset the source format id, {@code null} for quarantined lines and snapshots
 * @param observer the router, or {@code null}
 * @param originalLine the line as read
 * @param sourcePath {@code log.file.path}, or {@code null}
 * @param byteOffset {@code log.offset}, -1 if not stored
 * @param lineNumber {@code log.file.line}, -1 if not stored
 */
public record StoredEvent(
    String action,
    String dataset,
    String observer,
    String originalLine,
    String sourcePath,
    long byteOffset,
    long lineNumber) {

  /** Commit user data keys of the string table: {@code mobilessh.index.string.ID} = string. */
  static final String TABLE_PREFIX = "mobilessh.index.string.";

  /** The first byte of the stored field: its layout, so that a later one can be told apart. */
  private static final byte LAYOUT = 1;

  /**
   * Decodes event documents of one index commit (the string table is the commit's). Immutable:
   * share it freely.
   */
  public static final class Decoder {
    private final String[] strings;

    private Decoder(String[] strings) {
      this.strings = strings;
    }

    /** The decoder for the documents of the commit whose user data this is. */
    public static Decoder of(Map<String, String> commitUserData) {
      return new Decoder(StringTable.load(commitUserData).snapshot());
    }

    /** The stored fields to load for {@link #decode}: both schemas' (a field set for visitors). */
    public static java.util.Set<String> fields() {
      return FIELDS;
    }

    private static final java.util.Set<String> FIELDS =
        java.util.Set.of(
            Fields.STORED,
            Fields.ACTION,
            Fields.DATASET,
            Fields.OBSERVER,
            Fields.ORIGINAL,
            Fields.FILE_PATH,
            Fields.OFFSET,
            Fields.LINE_NUMBER);

    /**
     * Reads a stored document of either schema.
     *
     * @throws IndexException if the document refers to a string the table does not have (an index
     *     whose commit data was tampered with)
     */
    public StoredEvent decode(Document doc) {
      IndexableField f = doc.getField(Fields.STORED);
      BytesRef b = f == null ? null : f.binaryValue();
      if (b == null) {
        return new StoredEvent(
            doc.get(Fields.ACTION),
            doc.get(Fields.DATASET),
            doc.get(Fields.OBSERVER),
            doc.get(Fields.ORIGINAL),
            doc.get(Fields.FILE_PATH),
            number(doc, Fields.OFFSET),
            number(doc, Fields.LINE_NUMBER));
      }
      return decode(b.bytes, b.offset, b.length);
    }

    StoredEvent decode(byte[] bytes, int offset, int length) {
      int[] pos = {offset};
      if (bytes[pos[0]++] != LAYOUT) {
        throw new IndexException(
            "unknown stored event layout " + bytes[offset] + "; re-ingest with this mobilessh");
      }
      String action = string(readVLong(bytes, pos));
      String dataset = string(readVLong(bytes, pos));
      String observer = string(readVLong(bytes, pos));
      String path = string(readVLong(bytes, pos));
      long off = unZigZag(readVLong(bytes, pos));
      long line = unZigZag(readVLong(bytes, pos));
      String original = new String(bytes, pos[0], offset + length - pos[0], StandardCharsets.UTF_8);
      return new StoredEvent(action, dataset, observer, original, path, off, line);
    }

    private String string(long id) {
      if (id == 0) {
        return null;
      }
      if (id >= strings.length || strings[(int) id] == null) {
        throw new IndexException(
            "the index refers to string "
                + id
                + " that its commit data does not hold; re-ingest into a new --index directory");
      }
      return strings[(int) id];
    }

    private static long number(Document doc, String field) {
      IndexableField f = doc.getField(field);
      return f == null || f.numericValue() == null ? -1 : f.numericValue().longValue();
    }
  }

  /**
   * The writer's string table: ids from 1 (0 means "none"), assigned on first use by any indexing
   * thread, written into every commit's user data. Strings are few (actions, formats, routers,
   * files), so the whole table goes into each commit.
   */
  static final class StringTable {
    private final Map<String, Integer> ids = new HashMap<>();
    private final List<String> strings = new ArrayList<>();

    StringTable() {
      strings.add(null);
    }

    /** The table of a commit's user data (empty for none). */
    static StringTable load(Map<String, String> userData) {
      StringTable t = new StringTable();
      Map<Integer, String> byId = new HashMap<>();
      int max = 0;
      for (Map.Entry<String, String> e : userData.entrySet()) {
        if (e.getKey().startsWith(TABLE_PREFIX)) {
          int id;
          try {
            id = Integer.parseInt(e.getKey().substring(TABLE_PREFIX.length()));
          } catch (NumberFormatException ex) {
            continue;
          }
          if (id > 0) {
            byId.put(id, e.getValue());
            max = Math.max(max, id);
          }
        }
      }
      for (int i = 1; i <= max; i++) {
        String s = byId.get(i);
        t.strings.add(s);
        if (s != null) {
          t.ids.put(s, i);
        }
      }
      return t;
    }

    /** Removes the table's keys from a user data map (what is left are checkpoints). */
    static void strip(Map<String, String> userData) {
      for (Iterator<String> it = userData.keySet().iterator(); it.hasNext(); ) {
        if (it.next().startsWith(TABLE_PREFIX)) {
          it.remove();
        }
      }
    }

    synchronized int id(String s) {
      Integer id = ids.get(s);
      if (id == null) {
        id = strings.size();
        strings.add(s);
        ids.put(s, id);
      }
      return id;
    }

    /** Adds the whole table to the user data of a commit. */
    synchronized void putInto(Map<String, String> userData) {
      for (int i = 1; i < strings.size(); i++) {
        if (strings.get(i) != null) {
          userData.put(TABLE_PREFIX + i, strings.get(i));
        }
      }
    }

    synchronized String[] snapshot() {
      return strings.toArray(new String[0]);
    }
  }

  /**
   * Builds the stored field's bytes for one document in a reused buffer; one per indexing thread.
   */
  static final class Encoder {
    private byte[] buf = new byte[512];
    private int len;

    /** The encoded bytes, valid until the next call. */
    BytesRef encode(
        int action, int dataset, int observer, int path, long offset, long line, String original) {
      return encode(action, dataset, observer, path, offset, line, original, false);
    }

    /**
     * {@link #encode(int, int, int, int, long, long, String)}; {@code ascii} says that every
     * character of {@code original} is below 0x80 (see {@link SourcedEvent#asciiLine()}).
     */
    @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int): see below
    BytesRef encode(
        int action,
        int dataset,
        int observer,
        int path,
        long offset,
        long line,
        String original,
        boolean ascii) {
      len = 0;
      ensure(6 * 10 + 1);
      buf[len++] = LAYOUT;
      writeVLong(action);
      writeVLong(dataset);
      writeVLong(observer);
      writeVLong(path);
      writeVLong(zigZag(offset));
      writeVLong(zigZag(line));
      if (ascii) {
        // An ASCII line's UTF-8 bytes are its characters' low bytes, which this (deprecated for
        // being wrong on other text) method copies straight into the buffer: for a compact
        // Latin-1 string one arraycopy, where getBytes(UTF_8) allocates a copy (a tenth of the
        // reading thread's allocation on a month's ingest) that is then copied again.
        int n = original.length();
        ensure(n);
        original.getBytes(0, n, buf, len);
        len += n;
        return new BytesRef(buf, 0, len);
      }
      // String.getBytes is a copy for ASCII text (a compact Latin-1 string with no byte >= 0x80)
      // and a vectorised encoder otherwise; Lucene's string path goes char by char
      byte[] utf8 = original.getBytes(StandardCharsets.UTF_8);
      ensure(utf8.length);
      System.arraycopy(utf8, 0, buf, len, utf8.length);
      len += utf8.length;
      return new BytesRef(buf, 0, len);
    }

    private void ensure(int more) {
      if (len + more > buf.length) {
        buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
      }
    }

    private static long zigZag(long v) {
      return (v << 1) ^ (v >> 63);
    }

    private void writeVLong(long v) {
      while ((v & ~0x7FL) != 0) {
        buf[len++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      buf[len++] = (byte) v;
    }
  }

  private static long unZigZag(long v) {
    return (v >>> 1) ^ -(v & 1);
  }

  private static long readVLong(byte[] b, int[] pos) {
    long v = 0;
    int shift = 0;
    int p = pos[0];
    while (true) {
      byte x = b[p++];
      v |= (long) (x & 0x7F) << shift;
      if (x >= 0) {
        break;
      }
      shift += 7;
      if (shift > 63) {
        throw new IndexException("corrupt stored event (bad number); re-ingest");
      }
    }
    pos[0] = p;
    return v;
  }
}
