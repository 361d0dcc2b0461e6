import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.PointValues;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.MMapDirectory;
import org.apache.lucene.util.BytesRef;

/**
 * A floor for issue 4's open target (a cold {@code windows --month} under 5 s on 10 M events), NOT
 * the audit: the whole cold run of a lean design, in one fresh JVM. It reads the time, action,
 * router, source address and line number of every document from the index's columns (doc values,
 * postings, points; no stored field, no re-parse) on two threads, runs per router on two threads
 * the deliberately minimal window machine of session 10's {@code ColumnProbe} over primitive arrays
 * (a {@code set} opens a window when the address has none or its last refresh is over 60 s old, a
 * {@code remove} closes it), merges the routers' windows by their opening and prints them as CSV
 * rows of the windows command's shape and size (13 columns, addresses, three ISO-8601 times in µs,
 * the evidence pointers) to stdout, formatted on two threads. None of the engine's exact rules is
 * there (clock precision, conntrack flows, sessions, reject SYNs, rejections, list changes,
 * evictions, copies, clipping, anomalies, the cache entry): its rows are NOT the engine's, only as
 * many and as long; what it gives is the cost a columnar redesign starts from. Compile it against
 * the shaded jar and run it as the launcher runs the read commands, under GNU time:
 *
 * <pre>javac -d DIR -cp target/mobilessh-VERSION.jar bench/ColdFloor.java
 * /usr/bin/time java -XX:+UseParallelGC -XX:MaxNewSize=1g -XX:FreqInlineSize=100 \
 *   -XX:InlineSmallCode=1000 -cp target/mobilessh-VERSION.jar:DIR ColdFloor INDEX > OUT.csv</pre>
 *
 * Results: docs/performance-log.md, "Session 14: a cold floor".
 */
public final class ColdFloor {
  /** A stand-in for the source path of a window's evidence lines: the bench data's, as long. */
  private static final String EVIDENCE_PATH = "/work/benchdata/big-r1.log:";

  private long[] time;
  private byte[] action;
  private byte[] router;
  private long[] hi, lo;
  private long[] origin;
  private int set, remove;

  public static void main(String[] args) throws Exception {
    new ColdFloor().run(Path.of(args[0]));
  }

  private void run(Path index) throws Exception {
    try (Directory dir = MMapDirectory.open(index);
        DirectoryReader reader = DirectoryReader.open(dir)) {
      int total = reader.maxDoc();
      time = new long[total];
      action = new byte[total];
      router = new byte[total];
      hi = new long[total];
      lo = new long[total];
      origin = new long[total];
      Map<String, Integer> actions = new HashMap<>();
      Map<String, Integer> routers = new HashMap<>();
      ExecutorService pool = Executors.newFixedThreadPool(2);
      List<Future<?>> fs = new ArrayList<>();
      for (LeafReaderContext leaf : reader.leaves()) {
        fs.add(
            pool.submit(
                () -> {
                  readLeaf(leaf, actions, routers);
                  return null;
                }));
      }
      for (Future<?> f : fs) f.get();
      set = actions.getOrDefault("set", -1);
      remove = actions.getOrDefault("remove", -1);
      String[] names = new String[routers.size() + 1];
      routers.forEach((k, v) -> names[v] = k);
      List<Future<long[][]>> per = new ArrayList<>();
      for (int o = 1; o < names.length; o++) {
        final int oo = o;
        per.add(pool.submit(() -> machine(oo, total)));
      }
      List<long[][]> res = new ArrayList<>();
      for (Future<long[][]> f : per) res.add(f.get());
      // merge by open time: per router already in open order
      int[] at = new int[res.size()];
      int n = 0;
      for (long[][] r : res) n += r[0].length;
      int[] whichR = new int[n];
      int[] whichI = new int[n];
      for (int k = 0; k < n; k++) {
        int best = -1;
        long bt = Long.MAX_VALUE;
        for (int r = 0; r < res.size(); r++) {
          if (at[r] < res.get(r)[0].length && res.get(r)[1][at[r]] < bt) {
            bt = res.get(r)[1][at[r]];
            best = r;
          }
        }
        whichR[k] = best;
        whichI[k] = at[best]++;
      }
      // print on 2 threads in chunks, written in order
      OutputStream out =
          new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16);
      out.write(
          "source_ip,opened_at,closed_at,close_reason,close_precision_s,duration_s,ssh_sessions,observer,closed_at_earliest,open_precision_s,clipped,opened_by,evidence\n"
              .getBytes(StandardCharsets.US_ASCII));
      int chunk = 20000;
      List<Future<byte[]>> parts = new ArrayList<>();
      for (int s = 0; s < n; s += chunk) {
        final int from = s, to = Math.min(n, s + chunk);
        parts.add(pool.submit(() -> format(res, names, whichR, whichI, from, to)));
      }
      for (Future<byte[]> p : parts) out.write(p.get());
      out.flush();
      pool.shutdown();
      System.err.printf("%,d windows%n", n);
    }
  }

  void readLeaf(LeafReaderContext leaf, Map<String, Integer> actions, Map<String, Integer> routers)
      throws Exception {
    LeafReader lr = leaf.reader();
    int base = leaf.docBase;
    NumericDocValues t = lr.getNumericDocValues("@timestamp");
    for (int d = t.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = t.nextDoc())
      time[base + d] = t.longValue();
    NumericDocValues og = lr.getNumericDocValues("event.origin");
    if (og != null)
      for (int d = og.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = og.nextDoc())
        origin[base + d] = og.longValue();
    codes(lr, "event.action", actions, action, base);
    codes(lr, "observer.hostname", routers, router, base);
    PointValues points = lr.getPointValues("source.ip");
    if (points != null) {
      points.intersect(
          new PointValues.IntersectVisitor() {
            public void visit(int doc) {}

            public void visit(int doc, byte[] v) {
              hi[base + doc] = longAt(v, 0);
              lo[base + doc] = longAt(v, 8);
            }

            public PointValues.Relation compare(byte[] min, byte[] max) {
              return PointValues.Relation.CELL_CROSSES_QUERY;
            }
          });
    }
  }

  /** windows of one router: [hi, openUs, lastUs, closeUs(-1 expired), openLine, closeLine, lo] */
  long[][] machine(int o, int total) {
    int n = 0;
    long min = Long.MAX_VALUE;
    for (int i = 0; i < total; i++)
      if (router[i] == o) {
        n++;
        min = Math.min(min, time[i]);
      }
    long[] keys = new long[n];
    int k = 0;
    for (int i = 0; i < total; i++)
      if (router[i] == o) keys[k++] = ((time[i] - min) / 1000) << 24 | i;
    Arrays.sort(keys);
    int cap = Integer.highestOneBit(Math.max(n, 1)) << 2;
    long[] keyHi = new long[cap], keyLo = new long[cap];
    int[] open = new int[cap];
    boolean[] used = new boolean[cap];
    Arrays.fill(open, -1);
    int w = 0;
    long[] wHi = new long[n],
        wLo = new long[n],
        wOpen = new long[n],
        wLast = new long[n],
        wClose = new long[n],
        wL1 = new long[n],
        wL2 = new long[n];
    for (long key : keys) {
      int i = (int) (key & 0xFFFFFF);
      int a = action[i];
      if (a != set && a != remove) continue;
      long h = hi[i], l = lo[i];
      int s = (int) (mix(h, l) & (cap - 1));
      while (used[s] && (keyHi[s] != h || keyLo[s] != l)) s = (s + 1) & (cap - 1);
      int cur = used[s] ? open[s] : -1;
      if (cur >= 0 && time[i] - wLast[cur] > 60_000_000L) {
        wClose[cur] = -1;
        cur = -1;
        open[s] = -1;
      }
      if (a == set) {
        if (cur < 0) {
          cur = w++;
          wHi[cur] = h;
          wLo[cur] = l;
          wOpen[cur] = time[i];
          wL1[cur] = origin[i] & 0x0FFFFFFFL;
          open[s] = cur;
        }
        wLast[cur] = time[i];
        wL2[cur] = origin[i] & 0x0FFFFFFFL;
        used[s] = true;
        keyHi[s] = h;
        keyLo[s] = l;
      } else if (cur >= 0) {
        wClose[cur] = time[i];
        wL2[cur] = origin[i] & 0x0FFFFFFFL;
        open[s] = -1;
      }
    }
    for (int c = 0; c < w; c++) if (wClose[c] == 0) wClose[c] = -1;
    return new long[][] {
      Arrays.copyOf(wHi, w),
      Arrays.copyOf(wOpen, w),
      Arrays.copyOf(wLast, w),
      Arrays.copyOf(wClose, w),
      Arrays.copyOf(wL1, w),
      Arrays.copyOf(wL2, w),
      Arrays.copyOf(wLo, w),
      {o}
    };
  }

  static byte[] format(List<long[][]> res, String[] names, int[] wr, int[] wi, int from, int to) {
    Buf b = new Buf();
    for (int k = from; k < to; k++) {
      long[][] r = res.get(wr[k]);
      int i = wi[k];
      long h = r[0][i], l = r[6][i];
      b.address(h, l);
      b.c(',');
      b.time(r[1][i]);
      b.c(',');
      long close = r[3][i] < 0 ? r[2][i] + 60_000_000L : r[3][i];
      b.time(close);
      b.c(',');
      b.s(r[3][i] < 0 ? "expired" : "fin-remove");
      b.c(',');
      b.num(r[3][i] < 0 ? 61 : 0);
      b.c(',');
      b.num((close - r[1][i]) / 1_000_000);
      b.c(',');
      b.num(0);
      b.c(',');
      b.s(names[(int) r[7][0]]);
      b.c(',');
      b.time(r[2][i]);
      b.c(',');
      b.num(2);
      b.c(',');
      b.c(',');
      b.s("set");
      b.c(',');
      b.s(EVIDENCE_PATH);
      b.num(r[4][i]);
      b.c(' ');
      b.s(EVIDENCE_PATH);
      b.num(r[5][i]);
      b.c('\n');
    }
    return Arrays.copyOf(b.a, b.n);
  }

  static final class Buf {
    byte[] a = new byte[1 << 22];
    int n;
    long day = Long.MIN_VALUE;
    byte[] dayText;

    void c(char ch) {
      if (n == a.length) a = Arrays.copyOf(a, n * 2);
      a[n++] = (byte) ch;
    }

    void s(String s) {
      for (int i = 0; i < s.length(); i++) c(s.charAt(i));
    }

    void num(long v) {
      s(Long.toString(v));
    }

    void two(long v) {
      c((char) ('0' + v / 10));
      c((char) ('0' + v % 10));
    }

    void time(long us) {
      long sec = Math.floorDiv(us, 1_000_000L);
      long micro = Math.floorMod(us, 1_000_000L);
      long d = Math.floorDiv(sec, 86400);
      if (d != day) {
        day = d;
        dayText = (LocalDate.ofEpochDay(d) + "T").getBytes(StandardCharsets.US_ASCII);
      }
      for (byte x : dayText) c((char) x);
      long sd = sec - d * 86400;
      two(sd / 3600);
      c(':');
      two(sd / 60 % 60);
      c(':');
      two(sd % 60);
      c('.');
      String m = Long.toString(1_000_000 + micro);
      s(m.substring(1));
      c('Z');
    }

    void address(long h, long l) {
      if (h == 0 && (l >>> 32) == 0xFFFFL) {
        num((l >>> 24) & 255);
        c('.');
        num((l >>> 16) & 255);
        c('.');
        num((l >>> 8) & 255);
        c('.');
        num(l & 255);
        return;
      }
      for (int g = 0; g < 8; g++) {
        long v = g < 4 ? h >>> (48 - 16 * g) & 0xFFFF : l >>> (48 - 16 * (g - 4)) & 0xFFFF;
        if (g > 0) c(':');
        s(Long.toHexString(v));
      }
    }
  }

  static long mix(long h, long l) {
    long x = h * 0x9E3779B97F4A7C15L ^ l;
    x ^= x >>> 29;
    x *= 0xBF58476D1CE4E5B9L;
    return x ^ (x >>> 32);
  }

  static long longAt(byte[] b, int at) {
    long v = 0;
    for (int i = 0; i < 8; i++) v = v << 8 | (b[at + i] & 0xFF);
    return v;
  }

  synchronized void codes(
      LeafReader lr, String field, Map<String, Integer> codes, byte[] into, int base)
      throws java.io.IOException {
    Terms terms = lr.terms(field);
    if (terms == null) return;
    TermsEnum te = terms.iterator();
    PostingsEnum pe = null;
    for (BytesRef b = te.next(); b != null; b = te.next()) {
      int c = codes.computeIfAbsent(b.utf8ToString(), x -> codes.size() + 1);
      pe = te.postings(pe, PostingsEnum.NONE);
      for (int d = pe.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = pe.nextDoc())
        into[base + d] = (byte) c;
    }
  }
}
