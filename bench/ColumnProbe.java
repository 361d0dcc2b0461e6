import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.PointValues;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.MMapDirectory;
import org.apache.lucene.util.BytesRef;

/**
 * A feasibility probe for issue 4's open target (cold {@code windows --month} under 5 s on 10 M
 * events), NOT the audit: how much CPU the bare minimum costs when it is read from the index's
 * columns instead of re-parsed from the stored lines. It reads, for every document of the index,
 * the time (doc values), the action and the router (postings of their keyword terms) and the
 * source address (a visit of the {@code source.ip} points), sorts each router's events by time,
 * and runs a deliberately minimal window machine (a {@code set} opens a window when the address
 * is absent or stale by 60 s, a {@code remove} closes it). It ignores everything the real engine
 * is exact about (clock precision, conntrack flows, sessions, reject SYNs, list changes,
 * evictions, copies of a line through several streams, month clipping), so its window count is
 * close to the engine's but not equal; the figure it gives is a floor, not a prediction. With
 * {@code evidence} it also loads the stored line of every {@code set} event (what a window keeps as
 * evidence), without parsing it. Java's single-file launcher, the shaded jar on the class path:
 *
 * <pre>java -Xmx3g -cp target/mobilessh-VERSION.jar bench/ColumnProbe.java INDEX ROUNDS [evidence]</pre>
 *
 * Results: docs/performance-log.md, "Session 10: a floor for the cold windows".
 */
public class ColumnProbe {
  public static void main(String[] args) throws Exception {
    Path index = Path.of(args[0]);
    int rounds = Integer.parseInt(args[1]);
    boolean evidence = args.length > 2 && args[2].equals("evidence");
    for (int r = 1; r <= rounds; r++) {
      long c0 = cpu();
      long w0 = System.nanoTime();
      try (Directory dir = MMapDirectory.open(index);
          DirectoryReader reader = DirectoryReader.open(dir)) {
        int total = reader.maxDoc();
        long[] time = new long[total];
        byte[] action = new byte[total];
        byte[] router = new byte[total];
        long[] hi = new long[total];
        long[] lo = new long[total];
        Map<String, Integer> actions = new HashMap<>();
        Map<String, Integer> routers = new HashMap<>();
        for (LeafReaderContext leaf : reader.leaves()) {
          LeafReader lr = leaf.reader();
          int base = leaf.docBase;
          NumericDocValues t = lr.getNumericDocValues("@timestamp");
          for (int d = t.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = t.nextDoc()) {
            time[base + d] = t.longValue();
          }
          codes(lr, "event.action", actions, action, base);
          codes(lr, "observer.hostname", routers, router, base);
          PointValues points = lr.getPointValues("source.ip");
          if (points != null) {
            points.intersect(
                new PointValues.IntersectVisitor() {
                  @Override
                  public void visit(int doc) {}

                  @Override
                  public void visit(int doc, byte[] v) {
                    hi[base + doc] = longAt(v, 0);
                    lo[base + doc] = longAt(v, 8);
                  }

                  @Override
                  public PointValues.Relation compare(byte[] min, byte[] max) {
                    return PointValues.Relation.CELL_CROSSES_QUERY;
                  }
                });
          }
        }
        long c1 = cpu();
        int set = actions.getOrDefault("set", -1);
        int remove = actions.getOrDefault("remove", -1);
        long windows = 0;
        long evidenceBytes = 0;
        StoredFields stored = evidence ? reader.storedFields() : null;
        for (int o : routers.values()) {
          int n = 0;
          long min = Long.MAX_VALUE;
          for (int i = 0; i < total; i++) {
            if (router[i] == o) {
              n++;
              min = Math.min(min, time[i]);
            }
          }
          // time (ms since the router's first event) and document in one sortable long
          long[] keys = new long[n];
          int k = 0;
          for (int i = 0; i < total; i++) {
            if (router[i] == o) {
              keys[k++] = ((time[i] - min) / 1000) << 24 | i;
            }
          }
          Arrays.sort(keys);
          int cap = Integer.highestOneBit(Math.max(n, 1)) << 2;
          long[] keyHi = new long[cap];
          long[] keyLo = new long[cap];
          long[] last = new long[cap];
          boolean[] used = new boolean[cap];
          for (long key : keys) {
            int i = (int) (key & 0xFFFFFF);
            int a = action[i];
            if (a != set && a != remove) {
              continue;
            }
            long h = hi[i];
            long l = lo[i];
            int s = (int) (mix(h, l) & (cap - 1));
            while (used[s] && (keyHi[s] != h || keyLo[s] != l)) {
              s = (s + 1) & (cap - 1);
            }
            if (a == set) {
              if (!used[s] || last[s] == Long.MIN_VALUE || time[i] - last[s] > 60_000_000L) {
                windows++;
                if (stored != null) {
                  evidenceBytes += stored.document(i).getBinaryValue("event.stored").length;
                }
              }
              used[s] = true;
              keyHi[s] = h;
              keyLo[s] = l;
              last[s] = time[i];
            } else if (used[s]) {
              last[s] = Long.MIN_VALUE;
            }
          }
        }
        long c2 = cpu();
        System.out.printf(
            "round %d: %,d documents, %d routers: columns %.2f CPU-s, sort + machine%s %.2f CPU-s,"
                + " wall %.2f s; %,d windows%s%n",
            r,
            total,
            routers.size(),
            (c1 - c0) / 1e9,
            evidence ? " + evidence lines" : "",
            (c2 - c1) / 1e9,
            (System.nanoTime() - w0) / 1e9,
            windows,
            evidence ? String.format(", %,d stored bytes", evidenceBytes) : "");
      }
    }
  }

  private static long cpu() {
    return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
  }

  private static long mix(long h, long l) {
    long x = h * 0x9E3779B97F4A7C15L ^ l;
    x ^= x >>> 29;
    x *= 0xBF58476D1CE4E5B9L;
    return x ^ (x >>> 32);
  }

  private static long longAt(byte[] b, int at) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = v << 8 | (b[at + i] & 0xFF);
    }
    return v;
  }

  /** The terms of a keyword field as small codes, per document. */
  private static void codes(
      LeafReader lr, String field, Map<String, Integer> codes, byte[] into, int base)
      throws java.io.IOException {
    Terms terms = lr.terms(field);
    if (terms == null) {
      return;
    }
    TermsEnum te = terms.iterator();
    PostingsEnum pe = null;
    for (BytesRef b = te.next(); b != null; b = te.next()) {
      int c = codes.computeIfAbsent(b.utf8ToString(), x -> codes.size() + 1);
      pe = te.postings(pe, PostingsEnum.NONE);
      for (int d = pe.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = pe.nextDoc()) {
        into[base + d] = (byte) c;
      }
    }
  }
}
