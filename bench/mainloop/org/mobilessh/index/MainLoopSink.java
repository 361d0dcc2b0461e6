package org.mobilessh.index;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import org.mobilessh.parse.LogEvent;

/**
 * What EventIndex.add does on the reading thread (identity, dedupe against an empty index,
 * DocumentMapper.prepare into a reused batch), without the indexing thread: for
 * bench/main-ab.sh. Works with jars before and after SourcedEvent got its asciiLine flag.
 */
public final class MainLoopSink {
  private static final MethodHandle SIX = constructor(true);
  private static final MethodHandle FIVE = SIX == null ? constructor(false) : null;

  private static MethodHandle constructor(boolean ascii) {
    MethodType t =
        ascii
            ? MethodType.methodType(
                void.class,
                LogEvent.class,
                String.class,
                String.class,
                long.class,
                long.class,
                boolean.class)
            : MethodType.methodType(
                void.class, LogEvent.class, String.class, String.class, long.class, long.class);
    try {
      return MethodHandles.publicLookup().findConstructor(SourcedEvent.class, t);
    } catch (ReflectiveOperationException e) {
      return null;
    }
  }

  private static final int BATCH = 512;
  private final EventIdentity.Memo memo = new EventIdentity.Memo();
  private final Deduplicator dedupe =
      new Deduplicator(
          new Deduplicator.Store() {
            @Override
            public void refresh() {}

            @Override
            public void load(
                String observer, long bucket, long from, long to, OccurrenceTable into) {}
          },
          EventIndex.DEFAULT_CACHE_ENTRIES);
  private final DocumentMapper mapper = mapper();
  private final DocumentMapper.Prepared prepared = new DocumentMapper.Prepared(BATCH);
  private int slot;
  private long sum;

  /** DocumentMapper(StringTable), or (StringTable, int schema) with the newest schema. */
  private static DocumentMapper mapper() {
    StoredEvent.StringTable table = new StoredEvent.StringTable();
    try {
      for (Constructor<?> c : DocumentMapper.class.getDeclaredConstructors()) {
        Class<?>[] p = c.getParameterTypes();
        if (p.length == 1 && p[0] == StoredEvent.StringTable.class) {
          return (DocumentMapper) c.newInstance(table);
        }
        if (p.length == 2 && p[0] == StoredEvent.StringTable.class && p[1] == int.class) {
          return (DocumentMapper) c.newInstance(table, Integer.getInteger("schema", 3));
        }
      }
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
    throw new IllegalStateException("no DocumentMapper constructor this bench knows");
  }

  public void add(LogEvent ev, String text, String path, long off, long no, boolean ascii)
      throws Throwable {
    SourcedEvent e =
        SIX != null
            ? (SourcedEvent) SIX.invokeExact(ev, text, path, off, no, ascii)
            : (SourcedEvent) FIVE.invokeExact(ev, text, path, off, no);
    String observer = ev.hostname() == null ? "" : ev.hostname();
    long hash = memo.of(ev, observer);
    long time = ev.time() == null ? Deduplicator.TIMELESS : ev.time().epochMicros();
    int outcome = dedupe.admit(observer, path, no, hash, time, EventIndex.quality(ev.time()));
    sum = sum * 31 + hash + outcome;
    if (outcome == Deduplicator.NEW) {
      mapper.prepare(e, observer, prepared, slot++);
      if (slot == BATCH) {
        sum = sum * 31 + prepared.storedLength;
        prepared.clear();
        slot = 0;
      }
    }
  }

  public long result() {
    return sum;
  }
}
