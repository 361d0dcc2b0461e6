package org.mobilessh.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import me.tongfei.progressbar.InteractiveConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import org.mobilessh.index.EventIndex;
import org.mobilessh.ingest.IngestOptions;
import org.mobilessh.ingest.IngestStats;
import org.mobilessh.ingest.Ingester;
import org.mobilessh.ingest.LiveSources;
import org.mobilessh.ingest.Source;
import org.mobilessh.ingest.SourceResolver;
import org.mobilessh.parse.Action;
import org.mobilessh.parse.LogFormat;
import org.mobilessh.parse.ParseException;
import org.mobilessh.parse.PrefixMap;
import org.mobilessh.parse.SkipReason;
import org.mobilessh.rules.RulesetSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mobilessh ingest}: reads log files into the event index. */
@Command(
    name = "ingest",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Read kernel (netfilter LOG) and conntrack logs into the event index, exactly once.",
      "PATH is a file (.gz read transparently), a directory (its files), a glob (wildcards in"
          + " any component, e.g. '/var/log/*/kern.log*'), - (stdin), journal: (the system"
          + " journal) or journal:FILE|DIR (a journal file or directory; resumed by cursor), or"
          + " conntrack:[NETNS] (with --follow)."
          + " The format of each input is detected (--format forces it). Each input's"
          + " position is committed with the data, so a re-run (also after kill -9 or log"
          + " rotation) reads only what is new. Bad lines are quarantined and counted."
    })
final class IngestCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin IndexOption index;

  @Option(
      names = "--tz",
      paramLabel = "ZONE",
      description =
          "Zone of traditional syslog times (no offset in the line). Default: the system zone.")
  String tz;

  @Option(
      names = "--year",
      paramLabel = "YYYY",
      description =
          "Year of the first line of each traditional syslog input. Default: inferred from the"
              + " file's mtime and rotation order.")
  Integer year;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      description = "Force the input format: ${COMPLETION-CANDIDATES}.",
      completionCandidates = FormatIds.class)
  String format;

  @Option(
      names = "--host",
      paramLabel = "NAME",
      description =
          "Router name for inputs without one (dmesg, conntrack, ulogd). Default: the one host"
              + " named by this run's syslog lines, else this machine's name.")
  String host;

  @Option(
      names = "--boot-time",
      paramLabel = "INSTANT",
      description =
          "Boot time (ISO 8601, e.g. 2026-11-27T00:51:31.042423Z) for raw dmesg [seconds] stamps.")
  String bootTime;

  @Option(
      names = "--follow",
      description =
          "Keep reading: tail the files across rotation (rename+create, copytruncate,"
              + " compression of the rotated file), commit every few seconds, stop on SIGTERM.")
  boolean follow;

  @Option(
      names = "--commit-lines",
      paramLabel = "N",
      defaultValue = "5000000",
      description =
          "Commit at least every N lines (and every 30 s; with --follow every 5 s)."
              + " Default: ${DEFAULT-VALUE}.")
  long commitLines;

  /**
   * A batch run commits rarely: a commit flushes the writer's partial buffer while the indexing
   * thread waits, and each commit's small segment is merged again later (10 M lines, one run each
   * side by side: commits 2.9 against 0.7 CPU-s, merges 8.3 against 4.9 at 1,000,000 lines a commit
   * rather than 5,000,000; docs/performance-log.md, "Session 7: ingest-fast"). A kill -9 costs at
   * most this much re-reading, and never more than 30 s of it. Followed sources are committed
   * often, so new lines become searchable.
   */
  static final Duration BATCH_COMMIT_EVERY = Duration.ofSeconds(30);

  static final Duration FOLLOW_COMMIT_EVERY = Duration.ofSeconds(5);

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "The ruleset config file the logs were written under, for its LOG prefixes."
              + " Default: $MOBILESSH_CONFIG, else /etc/mobilessh/mobilessh.conf if it exists.")
  Path config;

  @Mixin LogPrefixOptions logPrefixes;

  @Parameters(arity = "1..*", paramLabel = "PATH", description = "Inputs; - reads stdin.")
  List<String> paths;

  /**
   * The LOG prefixes the ruleset was installed with (config file, then the options): a line's step,
   * {@code event.action}, is read with them, so {@code search action:set} finds the lines of a
   * ruleset with its own prefixes, as the audit commands (which re-read every prefix with the same
   * settings) do.
   */
  private PrefixMap prefixes() {
    RulesetSettings settings = RulesetOptions.fileSettings(config);
    logPrefixes.applyTo(settings);
    return AuditRulesetOptions.auditConfig(settings).prefixes();
  }

  /** Picocli completion candidates: the format ids. */
  static final class FormatIds extends ArrayList<String> {
    private static final long serialVersionUID = 1L;

    FormatIds() {
      for (LogFormat f : LogFormat.values()) {
        add(f.id());
      }
    }
  }

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    ZoneId zone = zone();
    if (commitLines < 1) {
      // the options' own message named their field, commitEveryLines
      throw new IllegalArgumentException("--commit-lines must be 1 or more, not " + commitLines);
    }
    IngestOptions options =
        IngestOptions.defaults(zone)
            .withYear(year)
            .withFormat(format())
            .withHost(host)
            .withBootTime(bootTime())
            .withCommitEvery(commitLines, follow ? FOLLOW_COMMIT_EVERY : BATCH_COMMIT_EVERY)
            .withPrefixes(prefixes());
    if (year != null && (year < 1970 || year > 9999)) {
      throw new IllegalArgumentException("--year " + year + " is out of range 1970-9999");
    }
    Path where = index.path();
    if (Files.exists(where) && !Files.isDirectory(where)) {
      // opening it said only "cannot open index X: X"
      throw new IllegalArgumentException(
          "the index " + where + " is a file; the index is a directory (--index DIR)");
    }
    List<Source> sources = SourceResolver.resolve(paths);
    boolean live = sources.stream().anyMatch(s -> s.isCommand() && !LiveSources.isJournal(s));
    if (live && !follow) {
      throw new IllegalArgumentException("conntrack: sources need --follow");
    }
    if (follow) {
      return follow(err, options, sources, zone);
    }
    List<String> emptyDirectories = emptyDirectories(paths);
    for (String dir : emptyDirectories) {
      err.println(
          "ingest: "
              + dir
              + ": no files to read in this directory (hidden files and subdirectories are not"
              + " read)");
    }
    long total = 0;
    for (Source s : sources) {
      try {
        total += s.path() == null ? 0 : Files.size(s.path());
      } catch (IOException e) {
        // reported when it is read
      }
    }
    try (EventIndex idx = EventIndex.open(index.path());
        Progress progress = Progress.create(err, total)) {
      Ingester ingester = new Ingester(idx, options, progress);
      IngestStats stats = ingester.run(sources);
      progress.close();
      printSummary(err, stats, zone, ingester.defaultHostDescription(), idx);
      if (ingester.ioFailure() || !emptyDirectories.isEmpty()) {
        return ExitCodes.FAILURE;
      }
      return stats.quarantinedTotal() > 0 ? ExitCodes.BAD_INPUT : ExitCodes.OK;
    }
  }

  /**
   * The directory operands with no file to read, which a batch run reports as it does a pattern
   * that matches nothing (exit 1): {@code ingest /var/log/router1/} with the logs one level deeper
   * read nothing and exited 0. {@code --follow} waits for files to appear instead.
   */
  private static List<String> emptyDirectories(List<String> operands) {
    List<String> empty = new ArrayList<>();
    for (String op : operands) {
      if (!op.equals("-")
          && !LiveSources.isLive(op)
          && Files.isDirectory(Path.of(op))
          && new SourceResolver.Watch(op).files().isEmpty()) {
        empty.add(op);
      }
    }
    return empty;
  }

  /**
   * Follows until SIGTERM/SIGINT: the shutdown hook asks the loop to stop and waits until it has
   * committed and closed the index, so an orderly stop loses nothing and needs no re-read.
   */
  private int follow(PrintWriter err, IngestOptions options, List<Source> sources, ZoneId zone) {
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch done = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              stop.set(true);
              try {
                done.await(30, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "mobilessh-ingest-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    try (EventIndex idx = EventIndex.open(index.path());
        Progress progress = Progress.following(err)) {
      err.println("ingest: following " + sources.size() + " input(s); stop with SIGTERM or Ctrl-C");
      err.flush();
      Ingester ingester = new Ingester(idx, options, progress);
      IngestStats stats =
          ingester.follow(
              sources, SourceResolver.watches(paths), stop::get, Duration.ofMillis(200));
      progress.close();
      printSummary(err, stats, zone, ingester.defaultHostDescription(), idx);
      return ingester.ioFailure()
          ? ExitCodes.FAILURE
          : stats.quarantinedTotal() > 0 ? ExitCodes.BAD_INPUT : ExitCodes.OK;
    } finally {
      done.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // already shutting down: the hook is running and has been released
      }
    }
  }

  private LogFormat format() {
    if (format == null) {
      return null;
    }
    try {
      return LogFormat.ofId(format);
    } catch (ParseException e) {
      throw new IllegalArgumentException("--format: " + e.getMessage());
    }
  }

  private ZoneId zone() {
    if (tz == null) {
      return ZoneId.systemDefault();
    }
    try {
      return ZoneId.of(tz);
    } catch (DateTimeException e) {
      throw new IllegalArgumentException("--tz: unknown time zone '" + tz + "'");
    }
  }

  private Instant bootTime() {
    if (bootTime == null) {
      return null;
    }
    try {
      return Instant.parse(bootTime);
    } catch (DateTimeException e) {
      throw new IllegalArgumentException(
          "--boot-time: '" + bootTime + "' is not an ISO 8601 instant like 2026-11-27T00:51:31Z");
    }
  }

  static void printSummary(
      PrintWriter err, IngestStats s, ZoneId zone, String hostDescription, EventIndex idx) {
    err.println("ingest summary (index " + idx.path() + ")");
    err.printf(
        Locale.ROOT,
        "  files:               %d (%d resumed from a checkpoint, %d empty, %d unreadable)%n",
        s.files(),
        s.resumedFiles(),
        s.emptyFiles(),
        s.unreadableFiles());
    err.printf(Locale.ROOT, "  lines read:          %d%n", s.linesRead());
    StringBuilder byAction = new StringBuilder();
    for (Map.Entry<Action, Long> e : s.indexedByAction().entrySet()) {
      byAction.append(byAction.length() == 0 ? "" : ", ");
      byAction.append(e.getKey().ecsName()).append(' ').append(e.getValue());
    }
    err.printf(
        Locale.ROOT,
        "  events indexed:      %d%s%n",
        s.eventsIndexed(),
        byAction.length() == 0 ? "" : " (" + byAction + ")");
    err.printf(Locale.ROOT, "  duplicates skipped:  %d%n", s.duplicates());
    err.printf(Locale.ROOT, "  snapshots stored:    %d%n", s.snapshots());
    err.printf(
        Locale.ROOT, "  lines skipped:       %d%s%n", s.skippedTotal(), skipDetail(s.skipped()));
    StringBuilder q = new StringBuilder();
    for (Map.Entry<String, Long> e : s.quarantined().entrySet()) {
      q.append(q.length() == 0 ? "" : ", ").append(e.getKey()).append(' ').append(e.getValue());
    }
    err.printf(
        Locale.ROOT,
        "  quarantined:         %d%s%n",
        s.quarantinedTotal(),
        q.length() == 0 ? "" : " (" + q + ")");
    if (s.heldBackLines() > 0) {
      err.printf(
          Locale.ROOT, "  held back:           %d unterminated last line(s)%n", s.heldBackLines());
    }
    if (s.crOnlyLines() > 0) {
      err.printf(Locale.ROOT, "  bare-CR line ends:   %d (split there)%n", s.crOnlyLines());
    }
    if (s.recoveredAfterNul() > 0) {
      err.printf(Locale.ROOT, "  recovered after NUL: %d line(s)%n", s.recoveredAfterNul());
    }
    if (s.ambiguousDstTimes() > 0) {
      err.printf(
          Locale.ROOT,
          "  ambiguous DST times: %d (fall-back hour; offset chosen from line order)%n",
          s.ambiguousDstTimes());
    }
    err.printf(
        Locale.ROOT,
        "  rate:                %.0f lines/s (%.2f s)%n",
        s.linesPerSecond(),
        s.elapsedNanos() / 1e9);
    err.println("  time zone:           " + zone + " (for syslog times without an offset)");
    err.println("  default observer:    " + hostDescription);
    err.flush();
  }

  private static String skipDetail(Map<SkipReason, Long> skipped) {
    StringBuilder b = new StringBuilder();
    for (Map.Entry<SkipReason, Long> e : skipped.entrySet()) {
      b.append(b.length() == 0 ? "" : ", ")
          .append(e.getKey().name().toLowerCase(Locale.ROOT).replace('_', '-'))
          .append(' ')
          .append(e.getValue());
    }
    return b.length() == 0 ? "" : " (" + b + ")";
  }

  /**
   * A progress bar on stderr when it is a terminal; otherwise, for a batch run, a plain line every
   * {@link WorkProgress#PLAIN_EVERY} (as {@code export} and {@code evidence} do), so that a log
   * file of a long run shows it is alive. A {@code --follow} run prints no such lines: it is a
   * service, and its log would fill with them.
   */
  static final class Progress implements Ingester.Listener, AutoCloseable {
    private final PrintWriter err;
    private final ProgressBar bar;
    private final long totalBytes;
    // plain lines: how often (0: never), the clock, when the next is due
    private final long everyNanos;
    private final LongSupplier clock;
    private final long started;
    private long next;
    private long bytes;
    private long lines;
    private boolean closed;

    private Progress(
        PrintWriter err, ProgressBar bar, long totalBytes, Duration every, LongSupplier clock) {
      this.err = err;
      this.bar = bar;
      this.totalBytes = totalBytes;
      this.everyNanos = every.toNanos();
      this.clock = clock;
      this.started = clock.getAsLong();
      this.next = started + everyNanos;
    }

    /** For a batch run over {@code totalBytes} of files (0 or less: unknown). */
    static Progress create(PrintWriter err, long totalBytes) {
      // stderr, where the bar goes: System.console() also wants stdin and stdout to be terminals,
      // so "zcat kern.log.2.gz | mobilessh ingest -" drew no bar on a terminal
      return create(err, totalBytes, WorkProgress.stderrIsTerminal());
    }

    /** For {@code --follow}: the bar on a terminal, nothing otherwise. */
    static Progress following(PrintWriter err) {
      return following(err, WorkProgress.stderrIsTerminal());
    }

    static Progress following(PrintWriter err, boolean terminal) {
      return terminal
          ? create(err, -1, true)
          : new Progress(err, null, -1, Duration.ZERO, System::nanoTime);
    }

    /**
     * A bar (MiB read of the total, rate, elapsed / ETA, lines) on a terminal, else plain lines
     * every {@link WorkProgress#PLAIN_EVERY}.
     */
    static Progress create(PrintWriter err, long totalBytes, boolean terminal) {
      return create(err, totalBytes, terminal, WorkProgress.PLAIN_EVERY, System::nanoTime);
    }

    static Progress create(
        PrintWriter err, long totalBytes, boolean terminal, Duration every, LongSupplier clock) {
      if (!terminal) {
        return new Progress(err, null, totalBytes, every, clock);
      }
      PrintStream stream = new PrintStream(new WriterStream(err), true, StandardCharsets.UTF_8);
      ProgressBar bar =
          new ProgressBarBuilder()
              .setTaskName("ingest")
              .setInitialMax(totalBytes > 0 ? totalBytes : -1)
              .setUnit(" MiB", 1 << 20)
              .showSpeed()
              .setUpdateIntervalMillis(250)
              .setConsumer(new InteractiveConsoleProgressBarConsumer(stream))
              .build();
      return new Progress(err, bar, totalBytes, Duration.ZERO, clock);
    }

    @Override
    public void progress(long rawBytes, long lineCount) {
      if (bar == null) {
        if (everyNanos > 0) {
          bytes += rawBytes;
          lines += lineCount;
          // the clock is asked once per 64 Ki lines: this runs for every line
          if (lineCount > 0 && (lines & 0xffff) == 0) {
            plainLine();
          }
        }
        return;
      }
      if (rawBytes > 0) {
        bar.stepBy(rawBytes);
      }
      lines += lineCount;
      if (lineCount > 0 && (lines & 0x3fff) == 0) {
        bar.setExtraMessage(" " + lines + " lines");
      }
    }

    private void plainLine() {
      long now = clock.getAsLong();
      if (now - next < 0) {
        return;
      }
      next = now + everyNanos;
      double s = (now - started) / 1e9;
      err.println(
          String.format(
              Locale.ROOT,
              "ingest: %,d lines, %,.1f%s MiB read in %.0f s (%,.0f lines/s)",
              lines,
              bytes / 1048576.0,
              totalBytes > 0 ? String.format(Locale.ROOT, " of %,.1f", totalBytes / 1048576.0) : "",
              s,
              lines / Math.max(s, 1e-9)));
      err.flush();
    }

    @Override
    public void notice(String message) {
      err.println("ingest: " + message);
      err.flush();
    }

    @Override
    public void close() {
      if (bar != null && !closed) {
        closed = true;
        bar.setExtraMessage(" " + lines + " lines");
        bar.close();
      }
    }
  }

  /** Bytes to the command's error writer (the progress bar wants a PrintStream). */
  private static final class WriterStream extends OutputStream {
    private final PrintWriter w;

    WriterStream(PrintWriter w) {
      this.w = w;
    }

    @Override
    public void write(int b) {
      w.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      w.write(new String(b, off, len, StandardCharsets.UTF_8));
    }

    @Override
    public void flush() {
      w.flush();
    }
  }
}
