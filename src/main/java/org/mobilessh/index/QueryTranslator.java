package org.mobilessh.index;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.apache.lucene.document.InetAddressPoint;
import org.apache.lucene.document.IntPoint;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.Term;
import org.apache.lucene.queryparser.classic.ParseException;
import org.apache.lucene.queryparser.classic.QueryParser;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;
import org.mobilessh.parse.Action;
import org.mobilessh.rules.Cidr;
import org.mobilessh.rules.InvalidConfigException;

/**
 * Lucene's classic query syntax over the index schema, with typed fields: addresses and CIDRs
 * ({@code src:2001:db8::/32}), ports and port ranges ({@code dport:[1 TO 1024]}), ISO-8601 times
 * and time ranges, keywords, and short aliases ({@code src dst ip sport dport port action host time
 * ...}). A bare address or CIDR means "source or destination", a bare action name means {@code
 * action:NAME}.
 *
 * <p>The classic grammar treats {@code :} and {@code /} as syntax, so before parsing, values of
 * address and time fields and bare addresses are escaped; the caret of an error message still
 * points into the text the user typed.
 */
public final class QueryTranslator {
  /** How a field's values are indexed, which decides how a query term becomes a Lucene query. */
  enum Type {
    IP,
    INT,
    LONG,
    TIME,
    KEYWORD,
    /** {@code network.type}: not indexed, answered from {@code source.ip} (see {@link #family}). */
    FAMILY
  }

  /** A user-facing field name: an ECS name or an alias, over one or two index fields. */
  record FieldSpec(Type type, String... indexFields) {}

  private static final Map<String, FieldSpec> FIELDS = new LinkedHashMap<>();

  static {
    ecs(Fields.TIMESTAMP, Type.TIME, "time");
    ecs(Fields.ACTION, Type.KEYWORD, "action");
    ecs(Fields.DATASET, Type.KEYWORD, "dataset");
    ecs(Fields.SOURCE_IP, Type.IP, "src");
    ecs(Fields.DESTINATION_IP, Type.IP, "dst");
    FIELDS.put("ip", new FieldSpec(Type.IP, Fields.SOURCE_IP, Fields.DESTINATION_IP));
    ecs(Fields.SOURCE_PORT, Type.INT, "sport");
    ecs(Fields.DESTINATION_PORT, Type.INT, "dport");
    FIELDS.put("port", new FieldSpec(Type.INT, Fields.SOURCE_PORT, Fields.DESTINATION_PORT));
    ecs(Fields.TRANSPORT, Type.KEYWORD, "proto");
    ecs(Fields.NETWORK_TYPE, Type.FAMILY, "family");
    ecs(Fields.OBSERVER, Type.KEYWORD, "host");
    ecs(Fields.INGRESS_INTERFACE, Type.KEYWORD, "in");
    ecs(Fields.EGRESS_INTERFACE, Type.KEYWORD, "out");
    ecs(Fields.CONNTRACK_ID, Type.LONG, "ctid");
    ecs(Fields.CONNTRACK_STATE, Type.KEYWORD, "state");
    ecs(Fields.NETWORK_BYTES, Type.LONG, "bytes");
    ecs(Fields.REASON, Type.KEYWORD, "reason");
  }

  private static void ecs(String field, Type type, String alias) {
    FieldSpec spec = new FieldSpec(type, field);
    FIELDS.put(field, spec);
    FIELDS.put(alias, spec);
  }

  /** The pseudo field of terms without a field. */
  private static final String BARE = "_bare";

  private static final Pattern ADDRESS_LIKE =
      Pattern.compile("[0-9A-Fa-f:.]*[:.][0-9A-Fa-f:.]*(/[0-9]+)?");
  private static final Pattern COLUMN = Pattern.compile("column (\\d+)");

  private QueryTranslator() {}

  /** Field names and aliases users may write, for help texts and error messages. */
  public static String knownFields() {
    StringJoiner j = new StringJoiner(", ");
    FIELDS.keySet().forEach(j::add);
    return j.toString();
  }

  /**
   * Translates a query; an empty or blank text matches every event.
   *
   * @throws QuerySyntaxException with a message pointing at the problem
   */
  public static Query parse(String text) {
    if (text.isBlank()) {
      return new MatchAllDocsQuery();
    }
    Escaped escaped = escape(text);
    Parser parser = new Parser();
    try {
      return parser.parse(escaped.text);
    } catch (ParseException e) {
      throw syntaxError(text, escaped, e);
    } catch (QuerySyntaxException e) {
      throw new QuerySyntaxException("invalid query: " + e.getMessage() + "\n  " + text);
    }
  }

  private static QuerySyntaxException syntaxError(
      String text, Escaped escaped, ParseException wrapped) {
    // QueryParser.parse wraps the grammar's exception, which knows the offending token
    ParseException e =
        wrapped.getCause() instanceof ParseException inner && inner.currentToken != null
            ? inner
            : wrapped;
    int column = -1;
    if (e.currentToken != null && e.currentToken.next != null) {
      column = e.currentToken.next.beginColumn;
    } else {
      Matcher m = COLUMN.matcher(String.valueOf(e.getMessage()));
      if (m.find()) {
        column = Integer.parseInt(m.group(1)) - 1;
      }
    }
    String what = firstLine(e.getMessage());
    if (e.currentToken != null && e.currentToken.next != null) {
      String token = e.currentToken.next.image;
      what =
          token == null || token.isEmpty()
              ? "unexpected end of query"
              : "unexpected '" + token + "'";
    } else {
      int colon = what.indexOf(": ");
      if (what.startsWith("Cannot parse") && colon > 0) {
        what = what.substring(what.indexOf("': ") + 3);
      }
    }
    StringBuilder msg = new StringBuilder("query syntax error: ").append(what);
    if (column >= 0) {
      if (e.currentToken != null && e.currentToken.next != null) {
        // JavaCC's columns are off by one or two around skipped whitespace: find the token itself
        String image = e.currentToken.next.image == null ? "" : e.currentToken.next.image.trim();
        int found = image.isEmpty() ? -1 : escaped.text().indexOf(image, Math.max(0, column - 2));
        column = found >= 0 ? found : column;
      }
      int at = escaped.originalColumn(column);
      msg.append(" at column ").append(at + 1).append("\n  ").append(text).append("\n  ");
      msg.append(" ".repeat(Math.min(at, text.length()))).append('^');
    } else {
      msg.append("\n  ").append(text);
    }
    return new QuerySyntaxException(msg.toString());
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "invalid query";
    }
    int nl = s.indexOf('\n');
    return (nl < 0 ? s : s.substring(0, nl)).trim();
  }

  /** The text handed to the classic parser, and where each of its characters came from. */
  private record Escaped(String text, int[] origin) {
    int originalColumn(int column) {
      if (column < 0) {
        return 0;
      }
      return column < origin.length ? origin[column] : origin[origin.length - 1] + 1;
    }
  }

  /**
   * Backslash-escapes {@code :} and {@code /} inside address and time values (and bare addresses),
   * leaving quoted phrases and ranges alone ({@code [a TO b]} takes colons as they are).
   */
  static Escaped escape(String q) {
    StringBuilder out = new StringBuilder(q.length() + 16);
    int[] origin = new int[q.length() * 2 + 1];
    int n = q.length();
    int i = 0;
    while (i < n) {
      char c = q.charAt(i);
      if (c == '"') {
        int end = q.indexOf('"', i + 1);
        end = end < 0 ? n : end + 1;
        for (; i < end; i++) {
          origin[out.length()] = i;
          out.append(q.charAt(i));
        }
        continue;
      }
      if (c == '[' || c == '{') {
        int end = i + 1;
        while (end < n && q.charAt(end) != ']' && q.charAt(end) != '}') {
          end++;
        }
        end = Math.min(n, end + 1);
        for (; i < end; i++) {
          origin[out.length()] = i;
          out.append(q.charAt(i));
        }
        continue;
      }
      if (Character.isWhitespace(c) || c == '(' || c == ')' || c == '+' || c == '-' || c == '!') {
        origin[out.length()] = i;
        out.append(c);
        i++;
        continue;
      }
      int end = i;
      while (end < n) {
        char d = q.charAt(end);
        if (Character.isWhitespace(d) || d == '(' || d == ')' || d == '"' || d == '[' || d == '{') {
          break;
        }
        if (d == '\\' && end + 1 < n) {
          end++;
        }
        end++;
      }
      String word = q.substring(i, end);
      int colon = word.indexOf(':');
      int valueFrom = -1;
      if (colon > 0) {
        FieldSpec spec = FIELDS.get(word.substring(0, colon));
        if (spec != null && (spec.type() == Type.IP || spec.type() == Type.TIME)) {
          valueFrom = colon + 1;
        } else if (spec == null && ADDRESS_LIKE.matcher(word).matches()) {
          valueFrom = 0;
        }
      } else if (ADDRESS_LIKE.matcher(word).matches()) {
        valueFrom = 0;
      }
      for (int k = 0; k < word.length(); k++) {
        char w = word.charAt(k);
        if (valueFrom >= 0 && k >= valueFrom && (w == ':' || w == '/')) {
          origin[out.length()] = i + k;
          out.append('\\');
        }
        origin[out.length()] = i + k;
        out.append(w);
      }
      i = end;
    }
    int[] trimmed = new int[out.length()];
    System.arraycopy(origin, 0, trimmed, 0, out.length());
    return new Escaped(out.toString(), trimmed.length == 0 ? new int[] {0} : trimmed);
  }

  private static FieldSpec spec(String field) {
    FieldSpec s = FIELDS.get(field);
    if (s == null) {
      throw new QuerySyntaxException(
          "unknown field '" + field + "' (known: " + knownFields() + ")");
    }
    return s;
  }

  /** The classic parser with per-type term and range handling. */
  private static final class Parser extends QueryParser {
    Parser() {
      super(BARE, new VerbatimAnalyzer());
      setAllowLeadingWildcard(true);
      setDefaultOperator(QueryParser.Operator.AND);
    }

    @Override
    protected Query getFieldQuery(String field, String text, boolean quoted) throws ParseException {
      if (field.equals(BARE)) {
        return bare(text);
      }
      FieldSpec s = spec(field);
      return switch (s.type()) {
        case IP -> either(s, f -> cidrQuery(f, text));
        case INT -> {
          int v = intValue(field, text);
          yield either(s, f -> port(f, IntPoint.newExactQuery(f, v), v, v));
        }
        case LONG -> LongPoint.newExactQuery(s.indexFields()[0], longValue(field, text));
        case TIME -> {
          long[] span = TimeValue.span(text);
          yield LongPoint.newRangeQuery(s.indexFields()[0], span[0], span[1] - 1);
        }
        case KEYWORD ->
            column(
                s.indexFields()[0], new TermQuery(new Term(s.indexFields()[0], keyword(s, text))));
        case FAMILY -> family(keyword(s, text));
      };
    }

    @Override
    protected Query getFieldQuery(String field, String text, int slop) throws ParseException {
      return getFieldQuery(field, text, true);
    }

    @Override
    protected Query getRangeQuery(
        String field, String part1, String part2, boolean startInclusive, boolean endInclusive)
        throws ParseException {
      if (field.equals(BARE)) {
        throw new QuerySyntaxException(
            "a range needs a field, e.g. dport:[1 TO 1024] or time:[2026-11-01 TO 2026-12-01]");
      }
      FieldSpec s = spec(field);
      String lo = open(part1) ? null : part1;
      String hi = open(part2) ? null : part2;
      return switch (s.type()) {
        case IP -> either(s, f -> ipRange(f, lo, hi, startInclusive, endInclusive));
        case INT -> {
          int a = lo == null ? Integer.MIN_VALUE : intValue(field, lo);
          int b = hi == null ? Integer.MAX_VALUE : intValue(field, hi);
          int from = startInclusive || lo == null ? a : a + 1;
          int to = endInclusive || hi == null ? b : b - 1;
          yield either(s, f -> port(f, IntPoint.newRangeQuery(f, from, to), from, to));
        }
        case LONG -> {
          long a = lo == null ? Long.MIN_VALUE : longValue(field, lo);
          long b = hi == null ? Long.MAX_VALUE : longValue(field, hi);
          yield LongPoint.newRangeQuery(
              s.indexFields()[0],
              startInclusive || lo == null ? a : a + 1,
              endInclusive || hi == null ? b : b - 1);
        }
        case TIME -> {
          long from = Long.MIN_VALUE;
          long to = Long.MAX_VALUE;
          if (lo != null) {
            long[] span = TimeValue.span(lo);
            from = startInclusive ? span[0] : span[1];
          }
          if (hi != null) {
            long[] span = TimeValue.span(hi);
            to = endInclusive ? span[1] - 1 : span[0] - 1;
          }
          yield LongPoint.newRangeQuery(s.indexFields()[0], from, to);
        }
        case KEYWORD ->
            column(
                s.indexFields()[0],
                super.getRangeQuery(s.indexFields()[0], lo, hi, startInclusive, endInclusive));
        case FAMILY -> {
          if (lo != null || hi != null) {
            throw new QuerySyntaxException(FAMILY_VALUES);
          }
          yield family(null);
        }
      };
    }

    @Override
    protected Query getWildcardQuery(String field, String text) throws ParseException {
      if (field.equals("*") && text.equals("*")) {
        return new MatchAllDocsQuery();
      }
      if (text.equals("*") && !field.equals(BARE)) {
        return getRangeQuery(field, null, null, true, true);
      }
      if (field.equals(BARE)) {
        throw new QuerySyntaxException(
            "wildcard '"
                + text
                + "' needs a field, e.g. host:router* (fields: "
                + knownFields()
                + ")");
      }
      FieldSpec s = spec(field);
      if (s.type() == Type.FAMILY) {
        throw new QuerySyntaxException(FAMILY_VALUES);
      }
      if (s.type() != Type.KEYWORD) {
        throw new QuerySyntaxException(
            "wildcards work on text fields only; for "
                + field
                + " use a CIDR or a range, e.g. src:203.0.113.0/24 or dport:[1 TO 1024]");
      }
      return column(s.indexFields()[0], super.getWildcardQuery(s.indexFields()[0], text));
    }

    @Override
    protected Query getPrefixQuery(String field, String text) throws ParseException {
      return getWildcardQuery(field, text + "*");
    }

    @Override
    protected Query getFuzzyQuery(String field, String text, float similarity)
        throws ParseException {
      throw new QuerySyntaxException("fuzzy queries ('" + text + "~') are not supported");
    }

    @Override
    protected Query getRegexpQuery(String field, String text) throws ParseException {
      FieldSpec s = field.equals(BARE) ? null : spec(field);
      if (s == null || s.type() != Type.KEYWORD) {
        throw new QuerySyntaxException(
            "regular expressions (/"
                + text
                + "/) work on text fields only; write CIDRs without slashes around them");
      }
      return column(s.indexFields()[0], super.getRegexpQuery(s.indexFields()[0], text));
    }

    private static boolean open(String part) {
      return part == null || part.equals("*");
    }

    private static String keyword(FieldSpec s, String text) {
      if (s.indexFields()[0].equals(Fields.ACTION)) {
        String a = text.toLowerCase(Locale.ROOT);
        if (!a.equals(Fields.QUARANTINE)) {
          try {
            Action.ofEcsName(a);
          } catch (IllegalArgumentException e) {
            throw new QuerySyntaxException(
                "unknown action '" + text + "' (known: " + actions() + ", quarantine)");
          }
        }
        return a;
      }
      if (s.type() == Type.FAMILY) {
        String t = text.toLowerCase(Locale.ROOT);
        return switch (t) {
          case "4", "ipv4", "inet" -> "ipv4";
          case "6", "ipv6", "inet6" -> "ipv6";
          default ->
              throw new QuerySyntaxException("family must be ipv4 or ipv6, not '" + text + "'");
        };
      }
      if (s.indexFields()[0].equals(Fields.TRANSPORT)) {
        return text.toLowerCase(Locale.ROOT);
      }
      return text;
    }

    private static Query bare(String text) {
      if (ADDRESS_LIKE.matcher(text).matches()) {
        FieldSpec ip = FIELDS.get("ip");
        return either(ip, f -> cidrQuery(f, text));
      }
      try {
        return new TermQuery(
            new Term(Fields.ACTION, Action.ofEcsName(text.toLowerCase(Locale.ROOT)).ecsName()));
      } catch (IllegalArgumentException e) {
        throw new QuerySyntaxException(
            "'"
                + text
                + "' is neither an address, a CIDR nor an action; write field:value (fields: "
                + knownFields()
                + ")");
      }
    }
  }

  private static String actions() {
    StringJoiner j = new StringJoiner(", ");
    for (Action a : Action.values()) {
      j.add(a.ecsName());
    }
    return j.toString();
  }

  /**
   * A port query: the schema-2 point query, and the same range in schema 3's packed column (the
   * translator does not know which schema the index has; each index answers from one of them).
   */
  private static Query port(String field, Query points, int from, int to) {
    return PackedColumn.either(points, PackedColumn.portRange(field, from, to));
  }

  /**
   * A keyword query, and for the fields schema 3 keeps in its packed column (format, transport,
   * interfaces) the column's query for the same values.
   */
  private static Query column(String field, Query keyword) {
    if (field.equals(Fields.DATASET) || field.equals(Fields.TRANSPORT)) {
      return PackedColumn.either(keyword, PackedColumn.keyword(field, keyword));
    }
    if (field.equals(Fields.INGRESS_INTERFACE) || field.equals(Fields.EGRESS_INTERFACE)) {
      return PackedColumn.either(keyword, PackedColumn.iface(field, keyword));
    }
    return keyword;
  }

  private interface FieldQuery {
    Query on(String indexField);
  }

  /** One query for one index field, or a disjunction over both (ip, port). */
  private static Query either(FieldSpec s, FieldQuery q) {
    if (s.indexFields().length == 1) {
      return q.on(s.indexFields()[0]);
    }
    BooleanQuery.Builder b = new BooleanQuery.Builder();
    for (String f : s.indexFields()) {
      b.add(q.on(f), BooleanClause.Occur.SHOULD);
    }
    return b.build();
  }

  private static Query cidrQuery(String field, String text) {
    Cidr cidr;
    try {
      cidr = Cidr.parse(text);
    } catch (InvalidConfigException e) {
      throw new QuerySyntaxException(field + ": " + e.getMessage());
    }
    // the prefix counts bits of the address as given (32 for IPv4), not of the mapped form
    return withoutMapped(
        field, InetAddressPoint.newPrefixQuery(field, cidr.address(), cidr.prefixLength()), cidr);
  }

  private static final Cidr MAPPED = new Cidr(mappedBase(), 96);

  private static InetAddress mappedBase() {
    byte[] b = new byte[16];
    b[10] = (byte) 0xff;
    b[11] = (byte) 0xff;
    try {
      // getByAddress would turn a mapped address into an Inet4Address: build it as IPv6
      return java.net.Inet6Address.getByAddress(null, b, -1);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final String FAMILY_VALUES =
      "family takes ipv4 or ipv6 (also 4, 6), or * for events with addresses";

  /**
   * {@code family:ipv4} / {@code ipv6} / {@code *} ({@code null}). The family is not indexed (one
   * keyword field less per event, docs/performance-log.md, "Session 3: ingest"): every event with a
   * family has a source address, indexed in IPv6 form with IPv4 as IPv4-mapped ({@code
   * ::ffff:0:0/96}), so the family is which part of the address space the source is in. An IPv6
   * packet whose source is itself an IPv4-mapped address counts as IPv4 here, as it does for CIDR
   * queries.
   */
  private static Query family(String family) {
    Query any =
        InetAddressPoint.newRangeQuery(
            Fields.SOURCE_IP,
            address(Fields.SOURCE_IP, "::"),
            address(Fields.SOURCE_IP, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
    Query v4 = InetAddressPoint.newPrefixQuery(Fields.SOURCE_IP, MAPPED.address(), 96);
    if (family == null) {
      return any;
    }
    if (family.equals("ipv4")) {
      return v4;
    }
    return new BooleanQuery.Builder()
        .add(any, BooleanClause.Occur.FILTER)
        .add(v4, BooleanClause.Occur.MUST_NOT)
        .build();
  }

  /**
   * InetAddressPoint indexes IPv4 addresses as IPv4-mapped IPv6 ({@code ::ffff:a.b.c.d}); an IPv6
   * network that contains that range ({@code ::/0}) must still not match IPv4 events.
   */
  private static Query withoutMapped(String field, Query q, Cidr cidr) {
    if (!(cidr.address() instanceof java.net.Inet6Address) || cidr.prefixLength() > 96) {
      return q;
    }
    byte[] a = cidr.address().getAddress();
    byte[] m = MAPPED.address().getAddress();
    for (int bit = 0; bit < cidr.prefixLength(); bit++) {
      int mask = 0x80 >>> (bit & 7);
      if ((a[bit >> 3] & mask) != (m[bit >> 3] & mask)) {
        return q;
      }
    }
    return new BooleanQuery.Builder()
        .add(q, BooleanClause.Occur.FILTER)
        .add(
            InetAddressPoint.newPrefixQuery(field, MAPPED.address(), 96),
            BooleanClause.Occur.MUST_NOT)
        .build();
  }

  /**
   * Leaves keyword terms exactly as typed (host names, interface names): every field query is built
   * by the parser above, the analyzer only normalises wildcard and range terms.
   */
  private static final class VerbatimAnalyzer extends Analyzer {
    @Override
    protected TokenStreamComponents createComponents(String fieldName) {
      return new TokenStreamComponents(new StandardTokenizer());
    }
  }

  private static Query ipRange(String field, String lo, String hi, boolean loInc, boolean hiInc) {
    InetAddress a = lo == null ? null : address(field, lo);
    InetAddress b = hi == null ? null : address(field, hi);
    boolean v4 = (a != null ? a : b) instanceof Inet4Address;
    if (a == null) {
      a = v4 ? address(field, "0.0.0.0") : address(field, "::");
    }
    if (b == null) {
      b =
          v4
              ? address(field, "255.255.255.255")
              : address(field, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
    }
    if ((a instanceof Inet4Address) != (b instanceof Inet4Address)) {
      throw new QuerySyntaxException(field + ": a range cannot mix IPv4 and IPv6 addresses");
    }
    if (!loInc) {
      a = InetAddressPoint.nextUp(a);
    }
    if (!hiInc) {
      b = InetAddressPoint.nextDown(b);
    }
    Query range = InetAddressPoint.newRangeQuery(field, a, b);
    if (a instanceof Inet4Address) {
      return range;
    }
    // an IPv6 range across ::ffff:0:0/96 must not match the IPv4 events indexed there
    return new BooleanQuery.Builder()
        .add(range, BooleanClause.Occur.FILTER)
        .add(
            InetAddressPoint.newPrefixQuery(field, MAPPED.address(), 96),
            BooleanClause.Occur.MUST_NOT)
        .build();
  }

  private static InetAddress address(String field, String text) {
    try {
      return Cidr.parseAddress(text.trim());
    } catch (InvalidConfigException e) {
      throw new QuerySyntaxException(field + ": " + e.getMessage());
    }
  }

  private static int intValue(String field, String text) {
    try {
      return Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      throw new QuerySyntaxException(field + ": '" + text + "' is not a number");
    }
  }

  private static long longValue(String field, String text) {
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw new QuerySyntaxException(field + ": '" + text + "' is not a number");
    }
  }

  /** ISO-8601 times at the precision written: a day, a minute, a second or an instant. */
  static final class TimeValue {
    private TimeValue() {}

    /** {@code [start, end)} in µs since the epoch; times without an offset are UTC. */
    static long[] span(String text) {
      String t = text.trim();
      try {
        if (t.length() == 10) {
          Instant day = LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant();
          return new long[] {micros(day), micros(day.plus(1, ChronoUnit.DAYS))};
        }
        if (t.length() == 7) {
          Instant month = LocalDate.parse(t + "-01").atStartOfDay(ZoneOffset.UTC).toInstant();
          Instant next =
              LocalDate.parse(t + "-01").plusMonths(1).atStartOfDay(ZoneOffset.UTC).toInstant();
          return new long[] {micros(month), micros(next)};
        }
        Instant start;
        String local = t;
        boolean hasOffset = t.endsWith("Z") || t.matches(".*[+-]\\d\\d:?\\d\\d$");
        if (hasOffset) {
          start =
              OffsetDateTime.parse(t.replaceFirst("([+-]\\d\\d)(\\d\\d)$", "$1:$2")).toInstant();
          local = t.replaceFirst("(Z|[+-]\\d\\d:?\\d\\d)$", "");
        } else {
          start = LocalDateTime.parse(t).toInstant(ZoneOffset.UTC);
        }
        ChronoUnit unit;
        int tIdx = local.indexOf('T');
        String clock = tIdx < 0 ? "" : local.substring(tIdx + 1);
        if (clock.length() <= 5) {
          unit = ChronoUnit.MINUTES;
        } else if (clock.length() <= 8) {
          unit = ChronoUnit.SECONDS;
        } else {
          return new long[] {micros(start), micros(start) + 1};
        }
        return new long[] {micros(start), micros(start.plus(1, unit))};
      } catch (DateTimeParseException e) {
        throw new QuerySyntaxException(
            "'"
                + text
                + "' is not an ISO-8601 time (e.g. 2026-11-27, 2026-11-27T01:10:25Z,"
                + " 2026-11-27T01:10:25.123456+01:00)");
      }
    }

    /** Microseconds since the epoch, whole (MICROS.between goes through nanoseconds: overflow). */
    private static long micros(Instant i) {
      return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000L), i.getNano() / 1000);
    }
  }
}
