package org.mobilessh.ingest;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.zip.ZipException;
import org.mobilessh.index.EventIndex;
import org.mobilessh.index.QuarantinedLine;
import org.mobilessh.index.SourcedEvent;
import org.mobilessh.index.StoredSnapshot;
import org.mobilessh.parse.Diagnostic;
import org.mobilessh.parse.EventTime;
import org.mobilessh.parse.FormatDetector;
import org.mobilessh.parse.LineParser;
import org.mobilessh.parse.LogEvent;
import org.mobilessh.parse.LogFormat;
import org.mobilessh.parse.ParseContext;
import org.mobilessh.parse.ParseResult;
import org.mobilessh.parse.SyslogClock;
import org.mobilessh.rules.RulesException;
import org.mobilessh.rules.SectionedFile;
import org.mobilessh.rules.Snapshots;

/**
 * The batch ingest pipeline: for each source, detect its format, find its checkpoint by content
 * fingerprint, read lines from there, parse, add events to the index, quarantine what cannot be
 * used, and commit data and checkpoints together every so many lines or seconds and at the end. Bad
 * input never stops the run; an unreadable input is reported and the others continue.
 */
public final class Ingester {

  /** Hears what happens, for the progress bar and messages; everything is optional. */
  public interface Listener {
    /** Raw (on-disk) bytes and lines read since the last call. */
    default void progress(long rawBytes, long lines) {}

    /** A message for the user (an unreadable file, a cut line, the first diagnostics). */
    default void notice(String message) {}
  }

  /** Quarantine reason codes produced here (the parse stage adds its own). */
  public static final String LINE_TOO_LONG = "line-too-long";

  public static final String INVALID_UTF8 = "invalid-utf8";
  public static final String NUL_BYTES = "nul-bytes";
  public static final String GZIP_TRUNCATED = "gzip-truncated";
  public static final String GZIP_CORRUPT = "gzip-corrupt";
  public static final String UNKNOWN_FORMAT = "unknown-format";
  public static final String FUTURE_TIMESTAMP = "future-timestamp";
  public static final String SNAPSHOT_HASH_MISMATCH = "snapshot-hash-mismatch";
  public static final String SNAPSHOT_BAD_HEADER = "snapshot-bad-header";

  /** The first line of a {@code rules snapshot} file, which makes a source one. */
  static final String SNAPSHOT_FIRST_LINE = "# " + Snapshots.TITLE + "\n";

  /** How many diagnostics are shown as notices before they are only counted. */
  static final int SHOWN_DIAGNOSTICS = 10;

  private final EventIndex index;
  private final IngestOptions options;
  private final Listener listener;
  private final IngestStats stats = new IngestStats();
  private Map<String, String> userData;
  private String defaultHost;
  private String defaultHostOrigin;
  private long linesSinceCommit;
  private Instant futureLimit;
  private long lastCommitNanos;
  private long shownDiagnostics;
  private boolean ioFailure;

  // the source being read, for periodic commits
  private Checkpoint current;
  private String replacedKey;

  // follow mode
  private boolean following;
  private final List<Tail> tails = new ArrayList<>();
  private final List<Tail> retiring = new ArrayList<>();

  public Ingester(EventIndex index, IngestOptions options, Listener listener) {
    this.index = index;
    this.options = options;
    this.listener = listener == null ? new Listener() {} : listener;
  }

  /** What was done so far. */
  public IngestStats stats() {
    return stats;
  }

  /** Whether an input could not be opened or read (exit code 1). */
  public boolean ioFailure() {
    return ioFailure;
  }

  /** The observer name given to events of sources without one, and where it came from. */
  public String defaultHostDescription() {
    return defaultHost == null ? "none" : defaultHost + " (" + defaultHostOrigin + ")";
  }

  /** Reads every source once, in the given order, and commits. */
  public IngestStats run(List<Source> sources) {
    long start = System.nanoTime();
    lastCommitNanos = start;
    refreshFutureLimit();
    userData = new HashMap<>(index.checkpoints());
    List<Plan> plans = plan(sources);
    inferYears(plans);
    chooseDefaultHost(plans);
    try {
      for (Plan p : plans) {
        if (p.source.isCommand()) {
          drain(p);
        } else {
          ingest(p);
        }
      }
    } finally {
      for (Plan p : plans) {
        p.closeQuietly();
      }
    }
    commit();
    stats.elapsedNanos = System.nanoTime() - start;
    return stats;
  }

  /**
   * Batch read of a command's output (a journal without {@code -f}): from its cursor to the end,
   * committed like a file.
   */
  private void drain(Plan p) {
    Tail t = new Tail(p);
    tails.add(t);
    try {
      while (!t.finished) {
        if (!t.pump() && !t.finished) {
          try {
            Thread.sleep(10);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            break;
          }
        }
      }
    } finally {
      t.remember();
      t.close();
      tails.remove(t);
    }
  }

  /** One source and what was learnt from its head before reading it. */
  static final class Plan {
    final Source source;
    OpenedInput keptOpen; // stdin cannot be opened twice
    LogFormat format;
    YearInference.Span span;
    Instant mtime;
    int year;
    final Set<String> hosts = new LinkedHashSet<>();
    boolean unreadable;
    IOException error; // why it is unreadable, when known

    Plan(Source source) {
      this.source = source;
    }

    void closeQuietly() {
      if (keptOpen != null) {
        try {
          keptOpen.close();
        } catch (IOException e) {
          // stdin: nothing to do
        }
        keptOpen = null;
      }
    }
  }

  private List<Plan> plan(List<Source> sources) {
    List<Plan> plans = new ArrayList<>();
    for (Source s : sources) {
      Plan p = new Plan(s);
      plans.add(p);
      if (s.isCommand() || (s.isStdin() && following)) {
        p.format = options.format() != null ? options.format() : LiveSources.formatOf(s);
        continue;
      }
      OpenedInput in = null;
      try {
        in = OpenedInput.open(s, options.stdin(), n -> {});
        List<String> lines = headLines(in.head(), in.headLength());
        p.format = options.format() != null ? options.format() : detect(lines).orElse(null);
        p.mtime = in.mtime() == null ? null : in.mtime().toInstant();
        if (p.format == LogFormat.SYSLOG) {
          p.span = span(s, in, lines);
        }
        if (p.format == LogFormat.SYSLOG
            || p.format == LogFormat.SYSLOG_RFC3339
            || p.format == LogFormat.JOURNAL_SHORT_ISO) {
          collectHosts(lines, p.format == LogFormat.SYSLOG, p.hosts);
        }
        if (s.isStdin()) {
          p.keptOpen = in;
          in = null;
        }
      } catch (IOException e) {
        p.unreadable = true;
        p.error = e;
      } finally {
        if (in != null) {
          try {
            in.close();
          } catch (IOException e) {
            // read-only; nothing lost
          }
        }
      }
    }
    return plans;
  }

  private static Optional<LogFormat> detect(List<String> lines) {
    return FormatDetector.detect(
        lines.subList(0, Math.min(lines.size(), FormatDetector.SAMPLE_LINES * 4)));
  }

  /** Complete lines of the head, decoded leniently (for detection and stamps only). */
  static List<String> headLines(byte[] head, int length) {
    List<String> lines = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < length; i++) {
      if (head[i] == '\n' || head[i] == '\r') {
        lines.add(new String(head, start, i - start, StandardCharsets.UTF_8));
        start = i + 1;
      }
    }
    if (start < length && length < OpenedInput.HEAD_READ) {
      lines.add(new String(head, start, length - start, StandardCharsets.UTF_8));
    }
    return lines;
  }

  private static void collectHosts(List<String> lines, boolean traditional, Set<String> hosts) {
    int n = 0;
    for (String l : lines) {
      if (++n > 50) {
        break;
      }
      int from = traditional ? 16 : l.indexOf(' ') + 1;
      if (from <= 0 || from >= l.length()) {
        continue;
      }
      int end = l.indexOf(' ', from);
      if (end > from && l.startsWith("kernel:", end + 1)) {
        hosts.add(l.substring(from, end));
      }
    }
  }

  /** First and last traditional stamps of a file: the head, then its tail (or all of a .gz). */
  private YearInference.Span span(Source s, OpenedInput in, List<String> headLines)
      throws IOException {
    YearInference.Stamp first = null;
    YearInference.Stamp last = null;
    for (String l : headLines) {
      YearInference.Stamp st = YearInference.stampOf(l);
      if (st != null) {
        if (first == null) {
          first = st;
        }
        last = st;
      }
    }
    if (first == null || s.isStdin() || in.headLength() < OpenedInput.HEAD_READ) {
      return first == null ? null : new YearInference.Span(first, last);
    }
    if (!in.gzip()) {
      long size = Files.size(s.path());
      try (var ch = Files.newByteChannel(s.path())) {
        int n = (int) Math.min(size, OpenedInput.HEAD_READ);
        ch.position(size - n);
        ByteBuffer bb = ByteBuffer.allocate(n);
        while (bb.hasRemaining() && ch.read(bb) > 0) {}
        List<String> tail = headLines(bb.array(), bb.position());
        for (int i = tail.size() - 1; i >= 0; i--) {
          YearInference.Stamp st = YearInference.stampOf(tail.get(i));
          if (st != null) {
            return new YearInference.Span(first, st);
          }
        }
      }
      return new YearInference.Span(first, last);
    }
    // compressed: the only way to its last line is through all of it
    try (OpenedInput again = OpenedInput.open(s, null, n -> {})) {
      LineReader r = new LineReader(again.contentFrom(0), 0, 0, options.maxLineBytes());
      try {
        while (r.next()) {
          if (r.length() >= 16 && !r.tooLong()) {
            YearInference.Stamp st =
                YearInference.stampOf(
                    new String(r.bytes(), r.start(), 16, StandardCharsets.ISO_8859_1));
            if (st != null) {
              last = st;
            }
          }
        }
      } catch (IOException e) {
        // a truncated .gz: the last good line is as far as it goes; reading it reports the error
      }
    }
    return new YearInference.Span(first, last);
  }

  /**
   * Traditional syslog years: newest file of each rotation chain first, each bounded by its mtime,
   * by now, and by the first line of the next newer file.
   */
  private void inferYears(List<Plan> plans) {
    Instant now = options.clock().instant();
    Map<String, List<Plan>> chains = new LinkedHashMap<>();
    for (Plan p : plans) {
      p.year = options.year() != null ? options.year() : now.atZone(options.zone()).getYear();
      if (p.format == LogFormat.SYSLOG && p.span != null && options.year() == null) {
        chains.computeIfAbsent(p.source.rotationBase(), k -> new ArrayList<>()).add(p);
      }
    }
    for (List<Plan> chain : chains.values()) {
      chain.sort(Comparator.comparingLong(p -> p.source.rotationIndex()));
      Instant bound = now;
      for (Plan p : chain) {
        Instant notAfter = bound;
        if (p.mtime != null && p.mtime.isBefore(notAfter)) {
          notAfter = p.mtime;
        }
        p.year = YearInference.firstLineYear(p.span, options.zone(), notAfter);
        Instant first = YearInference.firstInstant(p.span, p.year, options.zone());
        bound = first.plusSeconds(YearInference.ROTATION_SLACK_SECONDS);
        if (bound.isAfter(now)) {
          bound = now;
        }
      }
    }
  }

  private void chooseDefaultHost(List<Plan> plans) {
    if (options.host() != null) {
      defaultHost = options.host();
      defaultHostOrigin = "--host";
      return;
    }
    Set<String> hosts = new LinkedHashSet<>();
    for (Plan p : plans) {
      hosts.addAll(p.hosts);
    }
    if (hosts.size() == 1) {
      defaultHost = hosts.iterator().next();
      defaultHostOrigin = "the only host named by this run's syslog lines";
      return;
    }
    defaultHost = LocalHost.name();
    defaultHostOrigin =
        hosts.isEmpty()
            ? "this machine: no syslog input names a host"
            : "this machine: the syslog inputs name several hosts " + hosts;
  }

  private void ingest(Plan p) {
    Source s = p.source;
    if (p.unreadable) {
      unreadable(s, p.error);
      return;
    }
    OpenedInput in = p.keptOpen;
    p.keptOpen = null;
    try {
      if (in == null) {
        in = OpenedInput.open(s, options.stdin(), n -> listener.progress(n, 0));
      }
      try {
        read(p, in);
      } finally {
        in.close();
      }
    } catch (IOException e) {
      unreadable(s, e);
    }
  }

  private void unreadable(Source s, IOException e) {
    ioFailure = true;
    stats.unreadableFiles++;
    String why;
    if (SourceResolver.isUnmatchedPattern(s)) {
      why = "no file matches this pattern";
    } else if (e == null) {
      why = Files.isDirectory(s.path()) ? "is a directory" : describe(s);
    } else if (e instanceof NoSuchFileException) {
      why = "no such file";
    } else if (e instanceof AccessDeniedException) {
      why = "permission denied";
    } else {
      why = e.getMessage() == null ? e.toString() : e.getMessage();
    }
    listener.notice("cannot read " + s.name() + ": " + why);
  }

  private static String describe(Source s) {
    if (SourceResolver.isUnmatchedPattern(s)) {
      return "no file matches this pattern";
    }
    if (!Files.exists(s.path())) {
      return "no such file";
    }
    if (!Files.isReadable(s.path())) {
      return "permission denied";
    }
    return "read error";
  }

  private void read(Plan p, OpenedInput in) throws IOException {
    Source s = p.source;
    stats.files++;
    if (in.headLength() == 0 && in.headError() == null) {
      stats.emptyFiles++;
      listener.notice(s.name() + ": empty, nothing to read");
      return;
    }
    if (isSnapshot(in)) {
      snapshot(s, in);
      return;
    }
    if (in.headError() != null && !in.gzip()) {
      throw in.headError(); // a plain file that cannot be read: an I/O failure, not bad data
    }
    if (p.format == null && in.headError() != null) {
      boolean truncated = in.headError() instanceof EOFException;
      quarantine(
          s,
          1,
          0,
          truncated ? GZIP_TRUNCATED : GZIP_CORRUPT,
          lenient(in.head(), 0, Math.min(in.headLength(), 2048)),
          Arrays.copyOf(in.head(), Math.min(in.headLength(), LineReader.KEPT_HEAD)));
      listener.notice(
          s.name()
              + ": "
              + (truncated ? "compressed data ends early" : "corrupt compressed data")
              + " before a whole line could be read: "
              + in.headError().getMessage());
      return;
    }
    if (p.format == null) {
      String first = headLines(in.head(), in.headLength()).stream().findFirst().orElse("");
      quarantine(s, 1, 0, UNKNOWN_FORMAT, first, null);
      listener.notice(
          s.name()
              + ": unknown log format (known: "
              + knownFormats()
              + "); use --format to force one");
      return;
    }
    int fpLength = Math.min(Fingerprint.HEAD_BYTES, in.headLength());
    String fp = Fingerprint.sha256(in.head(), fpLength);
    Checkpoint cp = Fingerprint.match(in.head(), in.headLength(), checkpoints());
    long offset = cp == null ? 0 : cp.offset();
    long line = cp == null ? 0 : cp.lineNumber();
    int year = cp != null && cp.year() > 0 ? cp.year() : p.year;
    InputStream content;
    try {
      content = in.contentFrom(offset);
    } catch (EOFException e) {
      listener.notice(
          s.name()
              + ": shorter than where the last run stopped ("
              + offset
              + " bytes); reading it again from the start");
      in.close();
      in = OpenedInput.open(s, options.stdin(), n -> listener.progress(n, 0));
      content = in.contentFrom(0);
      offset = 0;
      line = 0;
    }
    if (offset > 0) {
      stats.resumedFiles++;
    }
    boolean finalContent = s.isStdin() || in.gzip();
    String path = pathOf(s);
    replacedKey = cp != null && !cp.fingerprint().equals(fp) ? cp.key() : null;
    current = new Checkpoint(fp, fpLength, offset, line, in.inode(), year, path);
    ParseContext ctx =
        new ParseContext(
            s.name(),
            options.prefixes(),
            new SyslogClock(year, options.zone()),
            options.bootTime(),
            defaultHost,
            options.zone());
    LineParser parser = p.format.newParser(ctx);
    LineReader r = new LineReader(content, offset, line, options.maxLineBytes());
    SourceState st = new SourceState(s, parser, year);
    // the checkpoint after the last line done; made into a Checkpoint only when a commit takes it
    // (or the loop ends, also by an exception), not for every line
    int lineYear = year;
    try {
      while (true) {
        boolean has;
        try {
          has = r.next();
        } catch (ZipException | EOFException e) {
          gzipError(s, r, e);
          offset = r.pendingOffset() + Math.max(0, r.pendingBytes().length);
          line = r.lastLineNumber() + 1;
          lineYear = st.year;
          break;
        }
        if (!has) {
          break;
        }
        if (r.terminator() == LineReader.Terminator.NONE && !finalContent) {
          stats.heldBackLines++;
          listener.notice(
              s.name()
                  + ":"
                  + r.lineNumber()
                  + ": last line has no newline yet; left for the next run");
          break;
        }
        line(st, r);
        offset = r.endOffset();
        line = r.lineNumber();
        lineYear = st.year;
        if (++linesSinceCommit >= options.commitEveryLines()
            || ((linesSinceCommit & 1023) == 0 && commitDue())) {
          current = new Checkpoint(fp, fpLength, offset, line, in.inode(), lineYear, path);
          commitInBackground();
        }
      }
    } finally {
      current = new Checkpoint(fp, fpLength, offset, line, in.inode(), lineYear, path);
    }
    remember();
  }

  private static boolean isSnapshot(OpenedInput in) {
    byte[] first = SNAPSHOT_FIRST_LINE.getBytes(StandardCharsets.US_ASCII);
    return in.headLength() >= first.length
        && Arrays.equals(in.head(), 0, first.length, first, 0, first.length);
  }

  /**
   * Stores a {@code rules snapshot} file whole, as one document identified by its SHA-256. A file
   * whose hash does not match (changed or cut short) is quarantined whole: its counters cannot be
   * trusted, and the evidence is kept for the auditor.
   */
  private void snapshot(Source s, OpenedInput in) throws IOException {
    byte[] bytes = in.contentFrom(0).readAllBytes();
    stats.bytesRead += bytes.length;
    String text = lenient(bytes, 0, bytes.length);
    SectionedFile.Verification v = SectionedFile.verify(bytes);
    if (!v.ok()) {
      quarantine(s, 1, 0, SNAPSHOT_HASH_MISMATCH, text, bytes);
      listener.notice(s.name() + ": snapshot not stored: " + v.problem());
      return;
    }
    Instant taken;
    String host;
    try {
      SectionedFile file = SectionedFile.parse(text);
      taken = Instant.parse(file.headers().getOrDefault("timestamp", ""));
      host = file.headers().get("hostname");
    } catch (RulesException | java.time.DateTimeException e) {
      quarantine(s, 1, 0, SNAPSHOT_BAD_HEADER, text, null);
      listener.notice(s.name() + ": snapshot not stored: no valid timestamp header");
      return;
    }
    String observer =
        options.host() != null
            ? options.host()
            : host == null || host.isBlank() ? defaultHost : host;
    index.snapshot(new StoredSnapshot(v.expected(), taken, observer, pathOf(s), text));
    stats.snapshots++;
  }

  private static String knownFormats() {
    StringBuilder b = new StringBuilder();
    for (LogFormat f : LogFormat.values()) {
      b.append(b.length() == 0 ? "" : ", ").append(f.id());
    }
    return b.toString();
  }

  private void gzipError(Source s, LineReader r, IOException e) {
    String reason = e instanceof EOFException ? GZIP_TRUNCATED : GZIP_CORRUPT;
    byte[] pending = r.pendingBytes();
    quarantine(
        s,
        r.lastLineNumber() + 1,
        r.pendingOffset(),
        reason,
        new String(pending, StandardCharsets.UTF_8),
        pending);
    listener.notice(
        s.name()
            + ": "
            + (e instanceof EOFException ? "compressed data ends early" : "corrupt compressed data")
            + " after line "
            + r.lastLineNumber()
            + " (byte "
            + r.pendingOffset()
            + "): "
            + e.getMessage()
            + "; the lines before it were kept");
  }

  /** Per-source parsing state. */
  private static final class SourceState {
    final Source source;
    final String path;
    final LineParser parser;
    int year;

    SourceState(Source source, LineParser parser, int year) {
      this.source = source;
      this.path = pathOf(source);
      this.parser = parser;
      this.year = year;
    }
  }

  private void line(SourceState st, LineReader r) {
    stats.linesRead++;
    listener.progress(0, 1);
    Source s = st.source;
    long no = r.lineNumber();
    long off = r.offset();
    if (r.terminator() == LineReader.Terminator.CR) {
      stats.crOnlyLines++;
    }
    stats.bytesRead += r.endOffset() - r.offset();
    if (r.tooLong()) {
      byte[] head = Arrays.copyOfRange(r.bytes(), r.start(), r.start() + r.length());
      quarantine(s, no, off, LINE_TOO_LONG, new String(head, StandardCharsets.UTF_8), head);
      diagnostic(s, no, "line of " + r.fullLength() + " bytes is longer than the limit; cut");
      return;
    }
    byte[] b = r.bytes();
    int from = r.start();
    int len = r.length();
    if (r.hasNul()) {
      byte[] raw = Arrays.copyOfRange(b, from, from + len);
      quarantine(s, no, off, NUL_BYTES, lenient(raw, 0, raw.length).replace('\0', ' '), raw);
      diagnostic(s, no, "NUL bytes in line");
      int lastNul = -1;
      for (int i = 0; i < raw.length; i++) {
        if (raw[i] == 0) {
          lastNul = i;
        }
      }
      int rest = lastNul + 1;
      if (rest < raw.length && !isBlank(raw, rest)) {
        // logs written after a crash often continue right after the zero-filled hole
        String text = decode(raw, rest, raw.length - rest);
        if (text != null) {
          stats.recoveredAfterNul++;
          parse(st, text, no, off + rest);
        }
      }
      return;
    }
    String text;
    boolean ascii = !r.nonAscii();
    if (!ascii) {
      text = decode(b, from, len);
      if (text == null) {
        byte[] raw = Arrays.copyOfRange(b, from, from + len);
        quarantine(s, no, off, INVALID_UTF8, lenient(raw, 0, raw.length), raw);
        diagnostic(s, no, "invalid UTF-8");
        return;
      }
    } else {
      text = new String(b, from, len, StandardCharsets.ISO_8859_1);
    }
    parse(st, text, no, off, ascii);
  }

  private void parse(SourceState st, String text, long no, long off) {
    parse(st, text, no, off, false);
  }

  /** {@code ascii}: every character of {@code text} is below 0x80 ({@link LineReader#nonAscii}). */
  private void parse(SourceState st, String text, long no, long off, boolean ascii) {
    Source s = st.source;
    ParseResult res = st.parser.parse(text, no);
    if (res instanceof ParseResult.Parsed parsed) {
      LogEvent ev = parsed.event();
      EventTime t = ev.time();
      if (t != null) {
        if (t.instant().isAfter(futureLimit)) {
          quarantine(s, no, off, FUTURE_TIMESTAMP, text, null);
          diagnostic(s, no, "time " + t.instant() + " is in the future");
          return;
        }
        if (t.zoneResolution() == EventTime.ZoneResolution.AMBIGUOUS) {
          stats.ambiguousDstTimes++;
        }
        if (st.parser.format() == LogFormat.SYSLOG) {
          st.year = year(t.instant());
        }
      }
      if (index.add(new SourcedEvent(ev, text, st.path, off, no, ascii))) {
        stats.eventsIndexed++;
        stats.indexedByAction[ev.action().ordinal()]++;
      } else {
        stats.duplicates++;
      }
    } else if (res instanceof ParseResult.Skipped sk) {
      stats.skipped.merge(sk.reason(), 1L, Long::sum);
    } else {
      Diagnostic d = ((ParseResult.Rejected) res).diagnostic();
      quarantine(s, no, off, reasonCode(d.reason()), text, null);
      diagnostic(d.toString());
    }
  }

  // year(): the local epoch day it last looked at, and that day's year
  private long yearDay = Long.MIN_VALUE;
  private int yearOfDay;

  /**
   * {@code instant.atZone(options.zone()).getYear()} without a ZonedDateTime per line: the same
   * offset (the zone rules' offset at the instant) and the same local epoch day, whose year is
   * looked up only when the day changes.
   */
  private int year(Instant instant) {
    long epochSecond = instant.getEpochSecond();
    int offset = options.zone().getRules().getOffset(instant).getTotalSeconds();
    long day = Math.floorDiv(epochSecond + offset, 86_400L);
    if (day != yearDay) {
      yearOfDay = java.time.LocalDate.ofEpochDay(day).getYear();
      yearDay = day;
    }
    return yearOfDay;
  }

  /** What the index records as the line's file: absolute, so reruns from elsewhere agree. */
  static String pathOf(Source s) {
    return s.path() == null ? s.name() : s.path().toAbsolutePath().normalize().toString();
  }

  /** {@code BAD_TIMESTAMP} becomes {@code bad-timestamp}. */
  static String reasonCode(Diagnostic.Reason reason) {
    return reason.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  private void quarantine(Source s, long no, long off, String reason, String text, byte[] raw) {
    index.quarantine(new QuarantinedLine(pathOf(s), no, off, reason, text, raw));
    stats.quarantined.merge(reason, 1L, Long::sum);
  }

  private void diagnostic(Source s, long no, String message) {
    diagnostic(s.name() + ":" + no + ": " + message);
  }

  private void diagnostic(String message) {
    if (++shownDiagnostics <= SHOWN_DIAGNOSTICS) {
      listener.notice(message);
    } else if (shownDiagnostics == SHOWN_DIAGNOSTICS + 1) {
      listener.notice("(further bad lines are only counted; see the summary)");
    }
  }

  private static boolean isBlank(byte[] b, int from) {
    for (int i = from; i < b.length; i++) {
      if ((b[i] & 0xff) > ' ') {
        return false;
      }
    }
    return true;
  }

  /** Strict UTF-8, or {@code null} if the bytes are not valid UTF-8. */
  private static String decode(byte[] b, int from, int len) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b, from, len))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private static String lenient(byte[] b, int from, int len) {
    return new String(b, from, len, StandardCharsets.UTF_8);
  }

  /** Events later than this are "in the future"; refreshed at every commit and poll. */
  private void refreshFutureLimit() {
    futureLimit = options.clock().instant().plus(IngestOptions.FUTURE_SLACK);
  }

  private boolean commitDue() {
    return System.nanoTime() - lastCommitNanos >= options.commitEvery().toNanos();
  }

  private List<Checkpoint> checkpoints() {
    List<Checkpoint> list = new ArrayList<>();
    for (Map.Entry<String, String> e : userData.entrySet()) {
      Checkpoint c = Checkpoint.parse(e.getKey(), e.getValue());
      if (c != null) {
        list.add(c);
      }
    }
    return list;
  }

  /** Puts the current source's checkpoint into the user data of the next commit. */
  private void remember() {
    if (current == null) {
      return;
    }
    if (replacedKey != null) {
      userData.remove(replacedKey);
    }
    userData.put(current.key(), current.value());
  }

  /** Commits the events added so far together with every source's checkpoint. */
  void commit() {
    commit(true);
  }

  /**
   * A commit in the middle of a batch read: the reading goes on while the writer flushes and syncs
   * (EventIndex#commitInBackground); the next commit waits for it.
   */
  private void commitInBackground() {
    commit(false);
  }

  private void commit(boolean wait) {
    remember();
    for (Tail t : tails) {
      t.remember();
    }
    for (Tail t : retiring) {
      t.remember();
    }
    if (wait) {
      index.commit(new HashMap<>(userData));
    } else {
      index.commitInBackground(new HashMap<>(userData));
    }
    linesSinceCommit = 0;
    lastCommitNanos = System.nanoTime();
    refreshFutureLimit();
  }

  // ---------------------------------------------------------------- follow mode

  /** How long a rotated-away file is still read after its last growth (the daemon's HUP). */
  static final Duration RETIRE_AFTER_QUIET = Duration.ofSeconds(5);

  /**
   * Follows the sources until {@code stop} says so: files are tailed across rotation (rename and
   * create: the old file is drained until it stays quiet; copytruncate: read again from the start;
   * compression of the rotated file does not matter, the open descriptor still reads it), pipes and
   * commands are read as lines arrive. Compressed files are read once. Commits every {@link
   * IngestOptions#commitEvery()} when something is new, and once more at the end.
   */
  public IngestStats follow(List<Source> sources, BooleanSupplier stop, Duration poll) {
    return follow(sources, List.of(), stop, poll);
  }

  /** How often followed directories and patterns are listed again for new files. */
  static final Duration RESCAN_EVERY = Duration.ofSeconds(1);

  /** A snapshot file is read when it has not changed for this long (a copy may be under way). */
  static final Duration SNAPSHOT_QUIET = Duration.ofSeconds(1);

  /**
   * Like {@link #follow(List, BooleanSupplier, Duration)}, and also lists {@code watches}
   * (directories and patterns) again every {@link #RESCAN_EVERY} for files that appear later: a new
   * live file (not a rotated name) is followed, a new rotated or compressed file is read once from
   * its checkpoint, a {@code rules snapshot} file is stored; a new name for a file that is already
   * being read (logrotate's rename, or its compressed copy) is left alone.
   */
  public IngestStats follow(
      List<Source> sources,
      List<SourceResolver.Watch> watches,
      BooleanSupplier stop,
      Duration poll) {
    long start = System.nanoTime();
    lastCommitNanos = start;
    following = true;
    refreshFutureLimit();
    userData = new HashMap<>(index.checkpoints());
    List<Plan> plans = plan(sources);
    inferYears(plans);
    chooseDefaultHost(plans);
    Set<Path> known = new java.util.HashSet<>();
    for (Source s : sources) {
      if (s.path() != null) {
        known.add(s.path().toAbsolutePath().normalize());
      }
    }
    long lastScan = System.nanoTime();
    try {
      for (Plan p : plans) {
        if (SourceResolver.isUnmatchedPattern(p.source)) {
          listener.notice(p.source.name() + ": no file matches yet; watching for one");
        } else if (p.unreadable && !p.source.isCommand() && !Files.exists(p.source.path())) {
          tails.add(new Tail(p)); // may appear later
        } else if (p.unreadable) {
          unreadable(p.source, p.error);
        } else if (!p.source.isCommand() && !p.source.isStdin() && isGzip(p.source.path())) {
          ingest(p);
        } else {
          tails.add(new Tail(p));
        }
      }
      while (!stop.getAsBoolean()) {
        refreshFutureLimit();
        boolean progressed = false;
        for (Tail t : new ArrayList<>(tails)) {
          progressed |= t.pump();
          if (t.source.path() != null) {
            t.checkRotation();
          }
        }
        for (Tail t : new ArrayList<>(retiring)) {
          progressed |= t.pump();
          if (System.nanoTime() - t.lastGrowthNanos > RETIRE_AFTER_QUIET.toNanos()) {
            t.remember();
            t.close();
            retiring.remove(t);
          }
        }
        tails.removeIf(t -> t.finished);
        if (!watches.isEmpty() && System.nanoTime() - lastScan >= RESCAN_EVERY.toNanos()) {
          lastScan = System.nanoTime();
          progressed |= rescan(watches, known);
        }
        if (linesSinceCommit >= options.commitEveryLines()
            || (linesSinceCommit > 0 && commitDue())) {
          commit();
        }
        if (tails.isEmpty() && retiring.isEmpty() && watches.isEmpty()) {
          break;
        }
        if (!progressed) {
          try {
            Thread.sleep(poll.toMillis());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            break;
          }
        }
      }
    } finally {
      commit();
      for (Tail t : tails) {
        t.close();
      }
      for (Tail t : retiring) {
        t.close();
      }
      for (Plan p : plans) {
        p.closeQuietly();
      }
      stats.elapsedNanos = System.nanoTime() - start;
    }
    return stats;
  }

  /** Files that appeared in a followed directory or pattern since the last look. */
  private boolean rescan(List<SourceResolver.Watch> watches, Set<Path> known) {
    boolean found = false;
    for (SourceResolver.Watch w : watches) {
      List<Source> files;
      try {
        files = w.files();
      } catch (IngestException e) {
        continue; // the directory went away for a moment (or for good); look again later
      }
      for (Source s : files) {
        if (known.add(s.path().toAbsolutePath().normalize())) {
          found |= discovered(s);
        }
      }
    }
    return found;
  }

  private boolean discovered(Source s) {
    long ino;
    try {
      ino =
          OpenedInput.inodeOf(Files.readAttributes(s.path(), BasicFileAttributes.class).fileKey());
    } catch (IOException e) {
      return false; // gone again
    }
    List<Tail> reading = new ArrayList<>(tails);
    reading.addAll(retiring);
    for (Tail t : reading) {
      if (ino != -1 && t.inode == ino) {
        return false; // a new name (logrotate's rename) for a file that is being read
      }
    }
    // A copy of a file that is being read (copytruncate's copy, the compressed rotated file) is
    // read from where its tail is now, found by content like any checkpoint: skipping it would
    // lose what copytruncate copied after the tail's last look and then truncated away.
    for (Tail t : reading) {
      t.remember();
    }
    List<Plan> one = plan(List.of(s));
    inferYears(one);
    Plan p = one.get(0);
    if (isGzip(s.path()) || s.rotationIndex() > 0) {
      listener.notice(s.name() + ": new rotated file; reading it once");
      ingest(p);
      remember();
      current = null;
      replacedKey = null;
    } else {
      listener.notice(s.name() + ": new file; following it");
      tails.add(new Tail(p));
    }
    return true;
  }

  private static boolean isGzip(Path path) {
    try (InputStream in = Files.newInputStream(path)) {
      return in.read() == 0x1f && in.read() == 0x8b;
    } catch (IOException e) {
      return false;
    }
  }

  /** One followed input: a file by name (its inode may change), a pipe or a command. */
  private final class Tail {
    final Plan plan;
    final Source source;
    boolean firstOpen = true;
    OpenedInput in;
    Process process;
    InputStream pipe;
    LineReader reader;
    SourceState state;
    String fp;
    int fpLength;
    long inode = -1;
    long offset;
    long line;
    int year;
    String replaced;
    long lastGrowthNanos = System.nanoTime();
    long unknownInode = Long.MIN_VALUE;
    boolean finished;
    // a rules snapshot file: stored whole whenever it is replaced, never tailed
    boolean snapshot;
    String snapshotSeen;
    // a journal: its identity and the cursor of the last consumed entry
    final String journal;
    String cursor;
    long journalEntries;
    CommandErrors errors;

    Tail(Plan plan) {
      this.plan = plan;
      this.source = plan.source;
      this.journal = LiveSources.isJournal(source) ? LiveSources.journalId(source) : null;
    }

    /** Reads what has arrived; true if any line was read. */
    boolean pump() {
      if (finished) {
        return false;
      }
      if (snapshot) {
        return pollSnapshot();
      }
      if (reader == null && !open()) {
        return false;
      }
      long before = line;
      try {
        while (line - before < 50_000) {
          if (!reader.next()) {
            reader.clearEof();
            break;
          }
          if (reader.terminator() == LineReader.Terminator.NONE && !reader.tooLong()) {
            reader.unreadTorn();
            break;
          }
          if (state == null && !startParser()) {
            break;
          }
          if (journal != null) {
            String c = JournalCursor.extract(reader.bytes(), reader.start(), reader.length());
            if (c != null) {
              cursor = c;
              journalEntries++;
            }
          }
          line(state, reader);
          offset = reader.endOffset();
          line = reader.lineNumber();
          if (++linesSinceCommit >= options.commitEveryLines()) {
            commitInBackground();
          }
        }
      } catch (IOException e) {
        listener.notice("cannot read " + source.name() + ": " + e.getMessage());
        ioFailure = true;
        close();
        finished = source.path() == null;
        return line != before;
      }
      if (line != before) {
        lastGrowthNanos = System.nanoTime();
      }
      if (pipe != null && process != null && !process.isAlive() && line == before) {
        try {
          if (pipe.available() == 0) {
            ended();
          }
        } catch (IOException e) {
          finished = true;
          close();
        }
      }
      return line != before;
    }

    /** The command has ended and all it wrote has been read. */
    private void ended() {
      int code = process.exitValue();
      finished = true;
      String why = errors == null ? "" : errors.text();
      close();
      if (code != 0) {
        ioFailure = true;
        listener.notice(
            source.name()
                + ": command ended with exit code "
                + code
                + (why.isEmpty() ? "" : ": " + why));
      } else if (following) {
        listener.notice(source.name() + ": command ended");
      }
    }

    private boolean open() {
      try {
        if (source.isCommand() || source.isStdin()) {
          if (source.isCommand()) {
            if (journal != null) {
              JournalCursor jc =
                  JournalCursor.parse(
                      JournalCursor.key(journal), userData.get(JournalCursor.key(journal)));
              cursor = jc == null ? null : jc.cursor();
              journalEntries = jc == null ? 0 : jc.entries();
              if (jc != null) {
                stats.resumedFiles++;
              }
            }
            process = LiveSources.start(LiveSources.command(source, following, cursor));
            errors = new CommandErrors(process.getErrorStream());
            pipe = new NonBlocking(process.getInputStream());
          } else {
            pipe = new NonBlocking(options.stdin());
          }
          reader = new LineReader(pipe, 0, 0, options.maxLineBytes());
          stats.files++;
          return true;
        }
        if (!Files.exists(source.path())) {
          return false;
        }
        OpenedInput o = OpenedInput.open(source, null, n -> listener.progress(n, 0));
        List<String> lines = headLines(o.head(), o.headLength());
        boolean complete = o.headLength() > 0 && lines.size() > (endsTorn(o) ? 1 : 0);
        if (!complete || o.inode() == unknownInode) {
          o.close();
          return false;
        }
        if (isSnapshot(o)) {
          o.close();
          snapshot = true;
          pollSnapshot();
          return false; // nothing to tail
        }
        LogFormat format = plan.format;
        if (!firstOpen || format == null) {
          format = options.format() != null ? options.format() : detect(lines).orElse(null);
        }
        if (format == null) {
          unknownInode = o.inode();
          listener.notice(source.name() + ": unknown log format; waiting for a new file");
          o.close();
          return false;
        }
        plan.format = format;
        fpLength = Math.min(Fingerprint.HEAD_BYTES, o.headLength());
        fp = Fingerprint.sha256(o.head(), fpLength);
        Checkpoint cp = Fingerprint.match(o.head(), o.headLength(), checkpoints());
        offset = cp == null ? 0 : cp.offset();
        line = cp == null ? 0 : cp.lineNumber();
        replaced = cp != null && !cp.fingerprint().equals(fp) ? cp.key() : null;
        year = cp != null && cp.year() > 0 ? cp.year() : firstOpen ? plan.year : yearNow(lines);
        InputStream content;
        try {
          content = o.contentFrom(offset);
        } catch (EOFException e) {
          o.close();
          o = OpenedInput.open(source, null, n -> listener.progress(n, 0));
          content = o.contentFrom(0);
          offset = 0;
          line = 0;
        }
        in = o;
        inode = o.inode();
        firstOpen = false;
        stats.files++;
        if (offset > 0) {
          stats.resumedFiles++;
        }
        reader = new LineReader(content, offset, line, options.maxLineBytes());
        state = new SourceState(source, format.newParser(context(year)), year);
        return true;
      } catch (IOException e) {
        listener.notice("cannot read " + source.name() + ": " + e.getMessage());
        return false;
      }
    }

    private boolean endsTorn(OpenedInput o) {
      byte last = o.head()[o.headLength() - 1];
      return last != '\n' && last != '\r' && o.headLength() < OpenedInput.HEAD_READ;
    }

    /**
     * Stores the snapshot file when it is new or has been replaced (same name, new content: a
     * periodic {@code rules snapshot --out}), once it has been quiet for {@link #SNAPSHOT_QUIET}.
     * Its SHA-256 is its identity, so storing it again adds nothing.
     */
    private boolean pollSnapshot() {
      BasicFileAttributes a;
      try {
        a = Files.readAttributes(source.path(), BasicFileAttributes.class);
      } catch (IOException e) {
        return false; // replaced this very moment, or deleted: look again later
      }
      String seen = OpenedInput.inodeOf(a.fileKey()) + ":" + a.size() + ":" + a.lastModifiedTime();
      if (seen.equals(snapshotSeen)
          || a.lastModifiedTime().toInstant().isAfter(Instant.now().minus(SNAPSHOT_QUIET))) {
        return false;
      }
      try (OpenedInput o = OpenedInput.open(source, null, n -> listener.progress(n, 0))) {
        snapshotSeen = seen;
        if (!isSnapshot(o)) {
          snapshot = false; // replaced by something else: read it as a log from now on
          return false;
        }
        stats.files++;
        snapshot(source, o);
        linesSinceCommit++; // so the next periodic commit makes it durable
        return true;
      } catch (IOException e) {
        listener.notice("cannot read " + source.name() + ": " + e.getMessage());
        return false;
      }
    }

    /** Pipes: the format comes from the first complete line unless forced or implied. */
    private boolean startParser() {
      LogFormat format = plan.format;
      if (format == null) {
        String first =
            new String(reader.bytes(), reader.start(), reader.length(), StandardCharsets.UTF_8);
        format = detect(List.of(first)).orElse(null);
        if (format == null) {
          listener.notice(source.name() + ": unknown log format; use --format");
          finished = true;
          close();
          return false;
        }
        plan.format = format;
      }
      int y =
          options.year() != null
              ? options.year()
              : options.clock().instant().atZone(options.zone()).getYear();
      state = new SourceState(source, format.newParser(context(y)), y);
      return true;
    }

    private int yearNow(List<String> lines) {
      if (options.year() != null) {
        return options.year();
      }
      for (String l : lines) {
        YearInference.Stamp st = YearInference.stampOf(l);
        if (st != null) {
          return YearInference.firstLineYear(
              new YearInference.Span(st, st), options.zone(), options.clock().instant());
        }
      }
      return options.clock().instant().atZone(options.zone()).getYear();
    }

    /** Rename+create: drain the old file until quiet; copytruncate: read again from the start. */
    void checkRotation() {
      if (reader == null || in == null) {
        return;
      }
      BasicFileAttributes a;
      try {
        a = Files.readAttributes(source.path(), BasicFileAttributes.class);
      } catch (IOException e) {
        return; // renamed away, not yet re-created: keep reading the old one
      }
      long ino = OpenedInput.inodeOf(a.fileKey());
      if (ino != inode) {
        listener.notice(source.name() + ": rotated (new file); reading the old one to its end");
        Tail old = this.copyForRetiring();
        retiring.add(old);
        reset();
        return;
      }
      if (a.size() < offset || !sameHead()) {
        listener.notice(source.name() + ": truncated (copytruncate); reading it from the start");
        remember();
        close();
        reset();
      }
    }

    private boolean sameHead() {
      try (InputStream s = Files.newInputStream(source.path())) {
        byte[] h = s.readNBytes(fpLength);
        return h.length == fpLength && Fingerprint.sha256(h, fpLength).equals(fp);
      } catch (IOException e) {
        return true;
      }
    }

    private Tail copyForRetiring() {
      Tail t = new Tail(plan);
      t.in = in;
      t.reader = reader;
      t.state = state;
      t.fp = fp;
      t.fpLength = fpLength;
      t.inode = inode;
      t.offset = offset;
      t.line = line;
      t.year = year;
      t.replaced = replaced;
      t.firstOpen = false;
      return t;
    }

    private void reset() {
      in = null;
      reader = null;
      state = null;
      fp = null;
      replaced = null;
      inode = -1;
      offset = 0;
      line = 0;
      lastGrowthNanos = System.nanoTime();
    }

    void remember() {
      if (journal != null && cursor != null) {
        JournalCursor jc = new JournalCursor(journal, cursor, journalEntries);
        userData.put(jc.key(), jc.value());
        return;
      }
      if (fp == null || state == null) {
        return; // pipes and conntrack have no stable identity: the index dedupes them
      }
      if (replaced != null) {
        userData.remove(replaced);
      }
      Checkpoint c = new Checkpoint(fp, fpLength, offset, line, inode, state.year, pathOf(source));
      userData.put(c.key(), c.value());
    }

    void close() {
      try {
        if (in != null) {
          in.close();
        }
      } catch (IOException e) {
        // read-only
      }
      if (process != null) {
        process.destroy();
      }
    }
  }

  private ParseContext context(int year) {
    return new ParseContext(
        "follow",
        options.prefixes(),
        new SyslogClock(year, options.zone()),
        options.bootTime(),
        defaultHost,
        options.zone());
  }

  /** The last few KiB a command wrote to stderr, for the message when it fails. */
  private static final class CommandErrors {
    private final StringBuilder text = new StringBuilder();
    private final Thread reader;

    CommandErrors(InputStream err) {
      Thread t =
          new Thread(
              () -> {
                byte[] buf = new byte[1024];
                try {
                  int n;
                  while ((n = err.read(buf)) > 0) {
                    synchronized (text) {
                      text.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                      if (text.length() > 4096) {
                        text.delete(0, text.length() - 4096);
                      }
                    }
                  }
                } catch (IOException e) {
                  // the command is gone
                }
              },
              "mobilessh-command-stderr");
      t.setDaemon(true);
      t.start();
      reader = t;
    }

    /** What it wrote; called when the command has ended, so its stderr is at its end too. */
    String text() {
      try {
        reader.join(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      synchronized (text) {
        return text.toString().strip().replace('\n', ' ');
      }
    }
  }

  /** Reads only what is already there; "end of input" otherwise, so the tail loop can go on. */
  private static final class NonBlocking extends java.io.FilterInputStream {
    NonBlocking(InputStream in) {
      super(in);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int avail = in.available();
      if (avail <= 0) {
        return -1;
      }
      return in.read(b, off, Math.min(len, avail));
    }
  }
}
