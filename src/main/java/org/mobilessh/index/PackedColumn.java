package org.mobilessh.index;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.lucene.index.DocValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.search.AutomatonQuery;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.ConstantScoreScorer;
import org.apache.lucene.search.ConstantScoreWeight;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TermRangeQuery;
import org.apache.lucene.search.TwoPhaseIterator;
import org.apache.lucene.search.Weight;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.automaton.CharacterRunAutomaton;
import org.mobilessh.parse.LogFormat;
import org.mobilessh.parse.Protocol;

/**
 * Schema 3's {@link Fields#PACKED} column: an event's ports, transport, format and interfaces in
 * one {@code NumericDocValues} value instead of two {@code IntPoint} and four keyword fields. These
 * six are only ever queried by {@code search} (nothing sorts or scans by them), and indexing them
 * as points and postings was a fifth of the indexing thread's work and a sixth of the flusher's
 * (docs/performance-log.md, "Session 9: ingest-index"); a query over them scans the column ({@link
 * SliceQuery}), a few tens of milliseconds for 10 M events, and is a cheap second phase when an
 * address or time query leads.
 *
 * <p>Layout, low bits first: the source port slot (17 bits: bit 16 set when the event has the port,
 * bits 0-15 the port), the destination port slot (17 bits, the same), the egress and the ingress
 * interface (7 bits each: the name's id in the index's string table, see {@link StoredEvent}, 0 for
 * none), the transport (4 bits: {@link #TRANSPORTS} index + 1, 0 for none), the format (6 bits:
 * {@link #DATASETS} index + 1). What changes more often from event to event lies lower, so a block
 * of Lucene's doc values (which stores each value's difference to the block's least) needs fewer
 * bits per value. The codes are part of the index format and never change. A value that has no code
 * (a port outside 0-65535 from a JSON source; a format or protocol added later; an interface whose
 * id is above {@link #MAX_INTERFACE_ID}) is indexed in the schema-2 field instead ({@code
 * IntPoint}, keyword), so the translator asks both: {@link #either}.
 */
final class PackedColumn {
  static final int PORT_BITS = 17;
  static final int SOURCE_PORT_SHIFT = 0;
  static final int DESTINATION_PORT_SHIFT = 17;
  static final int EGRESS_SHIFT = 34;
  static final int INGRESS_SHIFT = 41;
  static final int INTERFACE_BITS = 7;
  static final int TRANSPORT_SHIFT = 48;
  static final int TRANSPORT_BITS = 4;
  static final int DATASET_SHIFT = 52;
  static final int DATASET_BITS = 6;

  /** The largest string-table id an interface slot holds. */
  static final int MAX_INTERFACE_ID = (1 << INTERFACE_BITS) - 1;

  private static final int PORT_PRESENT = 1 << 16;

  /** Format ids by code - 1: the order is part of the index format, append only. */
  static final List<String> DATASETS =
      List.of(
          "syslog",
          "syslog-rfc3339",
          "journal-short-iso-precise",
          "journal-json",
          "dmesg-iso",
          "dmesg-raw",
          "conntrack",
          "ulogd-json");

  /** Transport names by code - 1: the order is part of the index format, append only. */
  static final List<String> TRANSPORTS =
      List.of(
          "icmp",
          "tcp",
          "udp",
          "dccp",
          "gre",
          "esp",
          "ah",
          "ipv6-icmp",
          "sctp",
          "udplite",
          "other");

  private static final int[] DATASET_CODES = new int[LogFormat.values().length];
  private static final int[] TRANSPORT_CODES = new int[Protocol.values().length];

  static {
    for (LogFormat f : LogFormat.values()) {
      DATASET_CODES[f.ordinal()] = DATASETS.indexOf(f.id()) + 1;
    }
    for (Protocol p : Protocol.values()) {
      TRANSPORT_CODES[p.ordinal()] = TRANSPORTS.indexOf(p.ecsName()) + 1;
    }
  }

  private PackedColumn() {}

  /** The format's code, 0 if it has none (then it is indexed as a keyword). */
  static int datasetCode(LogFormat f) {
    return DATASET_CODES[f.ordinal()];
  }

  /** The transport's code, 0 for none or one without a code (then indexed as a keyword). */
  static int transportCode(Protocol p) {
    return p == null ? 0 : TRANSPORT_CODES[p.ordinal()];
  }

  /** Whether a port fits its slot; one that does not is indexed as a point. */
  static boolean fits(int port) {
    return port >= 0 && port <= 0xFFFF;
  }

  /** A port's slot value (present bit + port); the port must {@link #fits fit}. */
  static long portSlot(int port) {
    return PORT_PRESENT | port;
  }

  /**
   * {@code schema2} OR the column's query for the same values: exactly one of them has the values
   * of any one event (schema 2 indexes only the field, schema 3 the column and, for values without
   * a code, the field), so the disjunction is the answer on indexes of either schema.
   */
  static Query either(Query schema2, Query column) {
    if (column instanceof MatchNoDocsQuery) {
      return schema2;
    }
    return new BooleanQuery.Builder()
        .add(schema2, BooleanClause.Occur.SHOULD)
        .add(column, BooleanClause.Occur.SHOULD)
        .build();
  }

  /**
   * The column's query for a port range (inclusive) of {@link Fields#SOURCE_PORT} or {@link
   * Fields#DESTINATION_PORT}; ports outside 0-65535 are never in the column.
   */
  static Query portRange(String field, int from, int to) {
    int shift = field.equals(Fields.SOURCE_PORT) ? SOURCE_PORT_SHIFT : DESTINATION_PORT_SHIFT;
    int a = Math.max(from, 0);
    int b = Math.min(to, 0xFFFF);
    if (a > b) {
      return new MatchNoDocsQuery();
    }
    return new SliceQuery(shift, PORT_BITS, PORT_PRESENT | a, PORT_PRESENT | b, null);
  }

  /**
   * The column's query for what a keyword query of the schema-2 field ({@link Fields#DATASET} or
   * {@link Fields#TRANSPORT}: a {@link TermQuery}, {@link TermRangeQuery} or wildcard/regexp {@link
   * AutomatonQuery}, as the translator builds them) matches: the values are a closed set, so the
   * query is evaluated on each of them and becomes the set of their codes.
   */
  static Query keyword(String field, Query schema2) {
    boolean dataset = field.equals(Fields.DATASET);
    int bits = dataset ? DATASET_BITS : TRANSPORT_BITS;
    long[] set = new long[Math.max(1, (1 << bits) / 64)];
    boolean any = false;
    if (dataset) {
      for (int i = 0; i < DATASETS.size(); i++) {
        if (matches(schema2, DATASETS.get(i))) {
          set[(i + 1) >>> 6] |= 1L << (i + 1);
          any = true;
        }
      }
    } else {
      for (Protocol p : Protocol.values()) {
        int code = transportCode(p);
        if (code != 0 && matches(schema2, p.ecsName())) {
          set[code >>> 6] |= 1L << code;
          any = true;
        }
      }
    }
    if (!any) {
      return new MatchNoDocsQuery();
    }
    return new SliceQuery(dataset ? DATASET_SHIFT : TRANSPORT_SHIFT, bits, 0, 0, set);
  }

  /**
   * The column's query for what a keyword query of {@link Fields#INGRESS_INTERFACE} or {@link
   * Fields#EGRESS_INTERFACE} matches: the names are the index's own, so the query becomes a set of
   * ids when it meets the index ({@link InterfaceQuery#rewrite}).
   */
  static Query iface(String field, Query schema2) {
    return new InterfaceQuery(
        field.equals(Fields.INGRESS_INTERFACE) ? INGRESS_SHIFT : EGRESS_SHIFT, schema2);
  }

  /** Whether a keyword query of the translator's kinds matches a document with this term. */
  static boolean matches(Query q, String value) {
    BytesRef term = new BytesRef(value);
    if (q instanceof TermQuery t) {
      return t.getTerm().bytes().bytesEquals(term);
    }
    if (q instanceof TermRangeQuery r) {
      BytesRef lo = r.getLowerTerm();
      BytesRef hi = r.getUpperTerm();
      if (lo != null) {
        int c = term.compareTo(lo);
        if (c < 0 || c == 0 && !r.includesLower()) {
          return false;
        }
      }
      if (hi != null) {
        int c = term.compareTo(hi);
        return c < 0 || c == 0 && r.includesUpper();
      }
      return true;
    }
    if (q instanceof AutomatonQuery a) {
      return new CharacterRunAutomaton(a.getAutomaton()).run(value);
    }
    throw new IllegalArgumentException("not a keyword query: " + q);
  }

  /**
   * An interface keyword query on the column: at rewrite, the strings of the index's string table
   * (the last commit's, which holds every string its documents use) that the keyword query matches
   * become a {@link SliceQuery} over their ids. Ids of strings that are not interface names (paths,
   * routers) are harmless in the set: a slot holds an interface's id only.
   */
  static final class InterfaceQuery extends Query {
    private final int shift;
    private final Query keyword;

    InterfaceQuery(int shift, Query keyword) {
      this.shift = shift;
      this.keyword = keyword;
    }

    @Override
    public Query rewrite(IndexSearcher searcher) throws IOException {
      if (!(searcher.getIndexReader() instanceof org.apache.lucene.index.DirectoryReader r)) {
        // not an index of ours (no commit, no string table): nothing in the column
        return new MatchNoDocsQuery();
      }
      String[] strings = StoredEvent.StringTable.load(r.getIndexCommit().getUserData()).snapshot();
      long[] set = new long[Math.max(1, (1 << INTERFACE_BITS) / 64)];
      boolean any = false;
      for (int id = 1; id < Math.min(strings.length, MAX_INTERFACE_ID + 1); id++) {
        if (strings[id] != null && matches(keyword, strings[id])) {
          set[id >>> 6] |= 1L << id;
          any = true;
        }
      }
      return any ? new SliceQuery(shift, INTERFACE_BITS, 0, 0, set) : new MatchNoDocsQuery();
    }

    @Override
    public String toString(String field) {
      return Fields.PACKED + "[" + shift + "+" + INTERFACE_BITS + "]:(" + keyword + ")";
    }

    @Override
    public void visit(QueryVisitor visitor) {
      if (visitor.acceptField(Fields.PACKED)) {
        visitor.visitLeaf(this);
      }
    }

    @Override
    public boolean equals(Object o) {
      return sameClassAs(o)
          && shift == ((InterfaceQuery) o).shift
          && keyword.equals(((InterfaceQuery) o).keyword);
    }

    @Override
    public int hashCode() {
      return Objects.hash(classHash(), shift, keyword);
    }
  }

  /**
   * Documents whose column value has, in {@code bits} bits from {@code shift}, a value in {@code
   * [from, to]} or, with a {@code set}, a value whose bit is set there. A scan of the column with
   * the test as a two-phase check, so a leading query (an address, a time range) checks only its
   * own candidates.
   */
  static final class SliceQuery extends Query {
    private final int shift;
    private final int bits;
    private final long from;
    private final long to;
    private final long[] set;

    SliceQuery(int shift, int bits, long from, long to, long[] set) {
      this.shift = shift;
      this.bits = bits;
      this.from = from;
      this.to = to;
      this.set = set;
    }

    @Override
    public Weight createWeight(IndexSearcher searcher, ScoreMode scoreMode, float boost) {
      return new ConstantScoreWeight(this, boost) {
        @Override
        public Scorer scorer(LeafReaderContext context) throws IOException {
          NumericDocValues values = context.reader().getNumericDocValues(Fields.PACKED);
          if (values == null) {
            return null;
          }
          long mask = (1L << bits) - 1;
          TwoPhaseIterator check =
              new TwoPhaseIterator(values) {
                @Override
                public boolean matches() throws IOException {
                  long v = (values.longValue() >>> shift) & mask;
                  if (set != null) {
                    return (set[(int) (v >>> 6)] & (1L << v)) != 0;
                  }
                  return v >= from && v <= to;
                }

                @Override
                public float matchCost() {
                  return 4;
                }
              };
          return new ConstantScoreScorer(this, score(), scoreMode, check);
        }

        @Override
        public boolean isCacheable(LeafReaderContext ctx) {
          return DocValues.isCacheable(ctx, Fields.PACKED);
        }
      };
    }

    @Override
    public String toString(String field) {
      String what = set == null ? "[" + from + " TO " + to + "]" : Arrays.toString(set);
      return Fields.PACKED + "[" + shift + "+" + bits + "]:" + what;
    }

    @Override
    public void visit(QueryVisitor visitor) {
      if (visitor.acceptField(Fields.PACKED)) {
        visitor.visitLeaf(this);
      }
    }

    @Override
    public boolean equals(Object o) {
      return sameClassAs(o)
          && shift == ((SliceQuery) o).shift
          && bits == ((SliceQuery) o).bits
          && from == ((SliceQuery) o).from
          && to == ((SliceQuery) o).to
          && Arrays.equals(set, ((SliceQuery) o).set);
    }

    @Override
    public int hashCode() {
      return Objects.hash(classHash(), shift, bits, from, to, Arrays.hashCode(set));
    }
  }
}
