package org.mobilessh.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The reorder buffer gives every record once, in the order of key, tie, then the order they were
 * added, whatever order they come in: from its heap, from run files it spilled to (a small limit
 * makes it spill and merge), and, split, as sequences each in that order which merged by (key, tie,
 * place) give the same one order. Its heap works on slots in arrays, so this is checked against a
 * plain sort of the same records.
 */
class ReorderOrderTest {
  /** The routers of the records: one instance each, as a ranked tie's groups are compared. */
  private static final String[] ROUTERS = {"router1-1", "router1-2"};

  /** A record: its key, its router and address (what its ties compare), and which one it is. */
  record Rec(Instant at, int router, String address, int id) {
    String tie() {
      return ROUTERS[router] + "\0" + address;
    }
  }

  private static final Reorder.Codec<Rec> CODEC =
      new Reorder.Codec<>() {
        @Override
        public void write(DataOutput out, Rec r) throws IOException {
          out.writeLong(r.at().getEpochSecond());
          out.writeInt(r.at().getNano());
          out.writeByte(r.router());
          out.writeUTF(r.address());
          out.writeInt(r.id());
        }

        @Override
        public Rec read(DataInput in) throws IOException {
          return new Rec(
              Instant.ofEpochSecond(in.readLong(), in.readInt()),
              in.readByte(),
              in.readUTF(),
              in.readInt());
        }
      };

  private static final Comparator<Rec> TIE_ORDER = Comparator.comparing(Rec::tie);

  /**
   * The tie as the windows' buffer compares it: the router by instance, then the address's bytes.
   */
  private static final Reorder.RankedTie<Rec> RANKED_TIE =
      new Reorder.RankedTie<>() {
        @Override
        public int compare(Rec a, Rec b) {
          return TIE_ORDER.compare(a, b);
        }

        @Override
        public Object group(Rec t) {
          return ROUTERS[t.router()];
        }

        @Override
        public int rest(Rec t, byte[] b) {
          byte[] a = t.address().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
          System.arraycopy(a, 0, b, 0, a.length);
          return a.length;
        }
      };

  /** How a buffer compares ties: their strings, a comparator, or a ranked tie. */
  private static Comparator<Rec> tieOrder(int how) {
    return how == 0 ? null : how == 1 ? TIE_ORDER : RANKED_TIE;
  }

  /** Records with few distinct keys (ties are the point) and few distinct tie texts. */
  private static List<Rec> records(Random r, int n) {
    List<Rec> l = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Instant at = Instant.ofEpochSecond(1_790_000_000L + r.nextInt(60), r.nextInt(3) * 250_000L);
      String address =
          r.nextBoolean() ? "203.0.113." + r.nextInt(12) : "2001:db8::" + r.nextInt(12);
      l.add(new Rec(at, r.nextInt(ROUTERS.length), address, i));
    }
    return l;
  }

  /** The order they come in: roughly by key, each a little late or early. */
  private static List<Rec> arrivals(Random r, List<Rec> records, int jitterSeconds) {
    long[] comes = new long[records.size()];
    for (Rec x : records) {
      comes[x.id()] = x.at().getEpochSecond() + r.nextInt(jitterSeconds + 1) - jitterSeconds / 2;
    }
    List<Rec> l = new ArrayList<>(records);
    l.sort(Comparator.comparingLong((Rec x) -> comes[x.id()]));
    return l;
  }

  /** Per position of {@code arrivals}, the earliest key of it and every record after it. */
  private static Instant[] stillToCome(List<Rec> arrivals) {
    Instant[] min = new Instant[arrivals.size() + 1];
    for (int i = arrivals.size() - 1; i >= 0; i--) {
      Instant k = arrivals.get(i).at();
      min[i] = min[i + 1] == null || k.isBefore(min[i + 1]) ? k : min[i + 1];
    }
    return min;
  }

  private static List<Integer> sortedIds(List<Rec> arrivals) {
    List<Integer> place = new ArrayList<>();
    for (int i = 0; i < arrivals.size(); i++) {
      place.add(0);
    }
    for (int i = 0; i < arrivals.size(); i++) {
      place.set(arrivals.get(i).id(), i);
    }
    List<Rec> sorted = new ArrayList<>(arrivals);
    sorted.sort(
        Comparator.comparing(Rec::at)
            .thenComparing(Rec::tie)
            .thenComparingInt(x -> place.get(x.id())));
    return sorted.stream().map(Rec::id).toList();
  }

  /**
   * Adds the records in their order of arrival, releasing now and then: {@code all} the earliest
   * key still to come, {@code settled} up to {@code settledAhead} s after it (the records that then
   * come with a key it passed are a split buffer's late ones); then everything.
   */
  private static void feed(Reorder<Rec> buffer, Random r, List<Rec> arrivals, int settledAhead) {
    Instant[] min = stillToCome(arrivals);
    for (int i = 0; i < arrivals.size(); i++) {
      buffer.add(arrivals.get(i));
      if (r.nextInt(4) == 0) {
        Instant all = min[i + 1];
        Instant settled = all == null ? null : all.plusSeconds(r.nextInt(settledAhead + 1));
        buffer.release(settled, all);
      }
    }
    buffer.release(null, null);
  }

  /** A record as a split buffer gave it. */
  private record Given(Rec rec, long place, int sequence) {}

  @Property(tries = 80)
  void givesEveryRecordOnceInKeyTieThenArrivalOrderSplitOrNot(
      @ForAll long seed,
      @ForAll @IntRange(min = 1, max = 3000) int n,
      @ForAll @IntRange(min = 0, max = 40) int jitter,
      @ForAll @IntRange(min = 1, max = 200) int limit,
      @ForAll @IntRange(min = 0, max = 30) int settledAhead,
      @ForAll @IntRange(min = 0, max = 2) int ties) {
    Random r = new Random(seed);
    List<Rec> arrivals = arrivals(r, records(r, n), jitter);
    List<Integer> want = sortedIds(arrivals);

    List<Integer> got = new ArrayList<>();
    try (Reorder<Rec> buffer =
        new Reorder<>(Rec::at, Rec::tie, tieOrder(ties), CODEC, limit, x -> got.add(x.id()))) {
      feed(buffer, r, arrivals, 0);
    }
    assertThat(got).isEqualTo(want);

    List<Given> given = new ArrayList<>();
    try (Reorder<Rec> buffer =
        new Reorder<>(Rec::at, Rec::tie, tieOrder(ties), CODEC, limit, x -> {})
            .split((x, place, sequence) -> given.add(new Given(x, place, sequence)))) {
      feed(buffer, r, arrivals, settledAhead);
    }
    Comparator<Given> order =
        Comparator.comparing((Given g) -> g.rec().at())
            .thenComparing(g -> g.rec().tie())
            .thenComparingLong(Given::place);
    List<Integer> sequences = given.stream().map(Given::sequence).distinct().sorted().toList();
    assertThat(sequences.size()).isLessThanOrEqualTo(Reorder.SEQUENCES + 1);
    for (int s : sequences) {
      List<Given> one = given.stream().filter(g -> g.sequence() == s).toList();
      assertThat(one).as("sequence %d in order", s).isSortedAccordingTo(order);
    }
    List<Given> merged = new ArrayList<>(given);
    merged.sort(order);
    assertThat(merged.stream().map(g -> g.rec().id()).toList()).isEqualTo(want);
  }
}
