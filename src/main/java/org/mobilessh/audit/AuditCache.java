package org.mobilessh.audit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.CodeSource;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.mobilessh.index.EventSearcher;
import org.mobilessh.index.StoredSnapshot;
import org.mobilessh.parse.PrefixMap;

/**
 * Audit results kept with the index: one entry per router and read range, the records one engine
 * stream delivered ({@link AuditRunFile}), reused when the same question is asked of the same data
 * by the same program.
 *
 * <p>An entry is found by its key, a text that holds everything the records depend on: the router,
 * the read range, every {@link AuditConfig} setting, the program build (a digest of the running
 * jar's class files or class directory, the Java and Lucene versions), a digest of exactly the
 * documents the router's stream reads ({@link EventSearcher#digest}: count, sum and xor of each
 * document's content hash, source pointer and time) and the {@code rules snapshot}s given to the
 * engine. So an ingest that adds, replaces or deletes a document the stream would read, another
 * setting, or a rebuilt program gives another key; an entry is never updated in place. The
 * directory name is the key's SHA-256; the manifest holds the key itself, compared in full.
 *
 * <p>Entries are written to a temporary directory and renamed into place; every file's length and
 * CRC-32C are checked before any record of it is used, so a truncated or altered entry is reported,
 * removed and computed again. The cache keeps at most {@code maxBytes}: the entries used least
 * recently go first. It lives in {@value #DIRECTORY} inside the index directory; Lucene neither
 * lists nor deletes it, and removing it loses nothing but time.
 */
public final class AuditCache {
  /** The cache's directory inside the index directory. */
  public static final String DIRECTORY = "mobilessh-audit-cache";

  /** The default bound on the cache's size: 8 GiB. */
  public static final long DEFAULT_MAX_BYTES = 8L << 30;

  /** Environment variable overriding the bound, in MiB. */
  public static final String MAX_ENV = "MOBILESSH_AUDIT_CACHE_MB";

  private static final String TEMP = ".tmp-";
  private static final Duration STALE_TEMP = Duration.ofDays(1);
  private static volatile String[] builds;

  private final Path dir;
  private final long maxBytes;
  private final Consumer<String> progress;

  AuditCache(Path dir, long maxBytes, Consumer<String> progress) {
    this.dir = dir;
    this.maxBytes = maxBytes;
    this.progress = progress;
  }

  /** The cache of the index in {@code index}, bounded by {@link #MAX_ENV} or the default. */
  static AuditCache of(Path index, Consumer<String> progress) {
    long max = DEFAULT_MAX_BYTES;
    String env = System.getenv(MAX_ENV);
    if (env != null && !env.isBlank()) {
      try {
        max = Long.parseLong(env.trim()) << 20;
      } catch (NumberFormatException e) {
        progress.accept("audit cache: ignoring " + MAX_ENV + "=" + env + " (not a number of MiB)");
      }
    }
    return new AuditCache(directory(index), max, progress);
  }

  /** Where the cache of the index in {@code index} lives. */
  public static Path directory(Path index) {
    return index.resolve(DIRECTORY);
  }

  /**
   * Removes every entry of the cache of {@code index}.
   *
   * @return the bytes freed
   */
  public static long clear(Path index) {
    Path d = directory(index);
    if (!Files.isDirectory(d)) {
      return 0;
    }
    long freed = 0;
    try (Stream<Path> s = Files.list(d)) {
      for (Path e : s.toList()) {
        freed += size(e);
        delete(e);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clear the audit cache " + d, e);
    }
    return freed;
  }

  Path dir() {
    return dir;
  }

  // ------------------------------------------------------------------ the key

  /**
   * The key of one router's stream.
   *
   * @param router the router, {@code ""} for events without one
   * @param query what the stream reads, as text (its Lucene query)
   * @param build {@link #build()}
   * @param data {@link EventSearcher#digest} of that query
   * @param snapshots the snapshots given to the engine
   */
  static String key(
      String router,
      String query,
      Instant from,
      Instant to,
      AuditConfig config,
      String build,
      EventSearcher.Digest data,
      List<StoredSnapshot> snapshots) {
    StringBuilder b = new StringBuilder("mobilessh audit cache 1\n");
    b.append("router: ").append(router).append('\n');
    b.append("query: ").append(query).append('\n');
    b.append("from: ").append(from == null ? "-" : from.toString()).append('\n');
    b.append("to: ").append(to == null ? "-" : to.toString()).append('\n');
    b.append("config: ").append(canonical(config)).append('\n');
    b.append("build: ").append(build).append('\n');
    b.append("events: ")
        .append(data.count())
        .append(' ')
        .append(Long.toHexString(data.sum()))
        .append(' ')
        .append(Long.toHexString(data.xor()))
        .append('\n');
    for (StoredSnapshot s : snapshots) {
      b.append("snapshot: ")
          .append(s.sha256())
          .append(' ')
          .append(s.timestamp())
          .append(' ')
          .append(s.observer())
          .append(' ')
          .append(s.sourcePath())
          .append(' ')
          .append(sha256(s.text()))
          .append('\n');
    }
    return b.toString();
  }

  /**
   * Every component of the configuration as text, in a stable order. A value whose text is not its
   * content (an object without {@code toString}) makes every key different, never equal.
   */
  static String canonical(AuditConfig config) {
    StringBuilder b = new StringBuilder("{");
    for (RecordComponent c : AuditConfig.class.getRecordComponents()) {
      try {
        b.append(c.getName()).append('=').append(value(c.getAccessor().invoke(config))).append(';');
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }
    return b.append('}').toString();
  }

  private static String value(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof Double d) {
      return Double.toString(d) + "/" + Long.toHexString(Double.doubleToLongBits(d));
    }
    if (v instanceof PrefixMap p) {
      return value(p.entries());
    }
    if (v instanceof Map<?, ?> m) {
      Map<String, String> sorted = new TreeMap<>();
      m.forEach((k, x) -> sorted.put(String.valueOf(k), value(x)));
      return sorted.toString();
    }
    if (v instanceof Collection<?> c) {
      List<String> l = new ArrayList<>();
      for (Object x : c) {
        l.add(value(x));
      }
      return l.toString();
    }
    String s = v.toString();
    if (s.equals(v.getClass().getName() + "@" + Integer.toHexString(System.identityHashCode(v)))) {
      return s + "/" + UUID.randomUUID(); // no content to compare: never equal
    }
    return s;
  }

  /**
   * The program that computes the results: a SHA-256 over the name, size and CRC of every entry of
   * the running jar (or the name and content of every file of the class directory) that {@link
   * #computes}, with the Java and Lucene versions. A rebuilt engine, parser or index reader (or any
   * library) gives another value.
   */
  static String build() {
    return builds()[0];
  }

  /**
   * The whole program, printers included: like {@link #build()} but over every entry (except {@code
   * META-INF/maven/}). Rows printed by a build are reused by that build only ({@link PrintedRun}).
   */
  static String program() {
    return builds()[1];
  }

  private static String[] builds() {
    String[] b = builds;
    if (b == null) {
      synchronized (AuditCache.class) {
        b = builds;
        if (b == null) {
          b = computeBuilds();
          builds = b;
        }
      }
    }
    return b;
  }

  /** Starts computing {@link #build()} on a thread of its own, if it is not known yet. */
  static void buildAhead() {
    if (builds == null) {
      Thread t = new Thread(AuditCache::builds, "mobilessh-build-digest");
      t.setDaemon(true);
      t.start();
    }
  }

  /** {@link #build()} and {@link #program()}, from one pass over the program's files. */
  private static String[] computeBuilds() {
    MessageDigest md = sha();
    MessageDigest all = sha();
    for (MessageDigest d : new MessageDigest[] {md, all}) {
      d.update(Runtime.version().toString().getBytes(StandardCharsets.UTF_8));
      d.update(org.apache.lucene.util.Version.LATEST.toString().getBytes(StandardCharsets.UTF_8));
    }
    try {
      CodeSource cs = AuditEngine.class.getProtectionDomain().getCodeSource();
      Path p = Path.of(cs.getLocation().toURI());
      if (Files.isRegularFile(p)) {
        try (ZipFile z = new ZipFile(p.toFile())) {
          List<? extends ZipEntry> entries =
              z.stream().sorted(Comparator.comparing(ZipEntry::getName)).toList();
          for (ZipEntry e : entries) {
            if (e.getName().startsWith(MAVEN)) {
              continue;
            }
            byte[] line =
                (e.getName() + '\0' + e.getSize() + '\0' + e.getCrc() + '\n')
                    .getBytes(StandardCharsets.UTF_8);
            all.update(line);
            if (computes(e.getName())) {
              md.update(line);
            }
          }
        }
      } else {
        List<Path> files;
        try (Stream<Path> s = Files.walk(p)) {
          files = s.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path f : files) {
          String name = p.relativize(f).toString().replace('\\', '/');
          if (name.startsWith(MAVEN)) {
            continue;
          }
          byte[] content;
          try (InputStream in = Files.newInputStream(f)) {
            content = in.readAllBytes();
          }
          for (MessageDigest d :
              computes(name) ? new MessageDigest[] {md, all} : new MessageDigest[] {all}) {
            d.update(p.relativize(f).toString().getBytes(StandardCharsets.UTF_8));
            d.update((byte) 0);
            d.update(content);
          }
        }
      }
    } catch (IOException | URISyntaxException | RuntimeException e) {
      // nothing to pin the results to: a key of its own per run, so nothing is ever reused
      byte[] once = UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8);
      md.update(once);
      all.update(once);
    }
    return new String[] {
      HexFormat.of().formatHex(md.digest()), HexFormat.of().formatHex(all.digest())
    };
  }

  /**
   * Whether a file of the program can change what the engine delivers: everything but the stages
   * that only print or render records (the command line, report, evidence bundle, simulator), so a
   * change to a printer does not throw the results away.
   */
  static boolean computes(String name) {
    for (String p : PRINTERS) {
      if (name.startsWith(p)) {
        return false;
      }
    }
    return true;
  }

  /** pom.properties differs between two builds of the same code. */
  private static final String MAVEN = "META-INF/maven/";

  private static final List<String> PRINTERS =
      List.of(
          MAVEN,
          "org/mobilessh/cli/",
          "org/mobilessh/report/",
          "org/mobilessh/evidence/",
          "org/mobilessh/simulate/");

  static String sha256(String text) {
    return HexFormat.of().formatHex(sha().digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  private static MessageDigest sha() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // ------------------------------------------------------------------ data digests

  private static final String DIGESTS = "digests";
  private static final String MEMO_HEADER = "mobilessh segment digests 1";

  /**
   * The per-segment parts of {@link EventSearcher#digest} of one query, as the last run left them:
   * a segment's part is only ever reused for the same segment key (same documents, deletions and
   * doc values), so the digest stays exactly what reading every document gives.
   */
  static final class Memo extends java.util.HashMap<String, EventSearcher.Digest> {
    private final String query;
    private final Set<String> used = new java.util.HashSet<>();
    private boolean changed;

    Memo(String query) {
      this.query = query;
    }

    @Override
    public EventSearcher.Digest get(Object segment) {
      used.add((String) segment);
      return super.get(segment);
    }

    @Override
    public EventSearcher.Digest put(String segment, EventSearcher.Digest d) {
      used.add(segment);
      changed = true;
      return super.put(segment, d);
    }

    void putKept(String segment, EventSearcher.Digest d) {
      super.put(segment, d);
    }

    EventSearcher.Digest getKept(String segment) {
      return super.get(segment);
    }
  }

  private Path memoFile(String query) {
    return dir.resolve(DIGESTS).resolve(sha256(query));
  }

  /** The memo of {@code query}'s segment digests: what was kept, or empty (none, or damaged). */
  Memo memo(String query) {
    Memo m = new Memo(query);
    Path f = memoFile(query);
    if (!Files.isRegularFile(f)) {
      return m;
    }
    try {
      List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
      int n = lines.size();
      if (n < 3
          || !lines.get(0).equals(MEMO_HEADER)
          || !lines.get(1).equals("query: " + query)
          || !lines.get(n - 1).equals("crc " + memoCrc(lines.subList(0, n - 1)))) {
        return m; // damaged or another query's: computed again, and rewritten
      }
      java.util.Map<String, EventSearcher.Digest> read = new java.util.HashMap<>();
      for (String l : lines.subList(2, n - 1)) {
        String[] v = l.split(" ");
        if (v.length != 5 || !v[0].equals("segment")) {
          return m;
        }
        read.put(
            v[1],
            new EventSearcher.Digest(
                Long.parseLong(v[2]),
                Long.parseUnsignedLong(v[3], 16),
                Long.parseUnsignedLong(v[4], 16)));
      }
      read.forEach(m::putKept);
    } catch (IOException | RuntimeException e) {
      return new Memo(query);
    }
    return m;
  }

  /** Keeps the memo when it changed or holds segments the index no longer has. */
  void keep(Memo m) {
    if (!m.changed && m.used.containsAll(m.keySet())) {
      return;
    }
    List<String> lines = new ArrayList<>();
    lines.add(MEMO_HEADER);
    lines.add("query: " + m.query);
    for (String seg : new java.util.TreeSet<>(m.used)) {
      EventSearcher.Digest d = m.getKept(seg);
      if (d != null) {
        lines.add(
            "segment "
                + seg
                + " "
                + d.count()
                + " "
                + Long.toHexString(d.sum())
                + " "
                + Long.toHexString(d.xor()));
      }
    }
    lines.add("crc " + memoCrc(lines));
    try {
      Path f = memoFile(m.query);
      Files.createDirectories(f.getParent());
      Path tmp = f.resolveSibling(ScratchNames.of(TEMP));
      Files.write(tmp, lines, StandardCharsets.UTF_8);
      Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      // only time is lost: the digest is computed again next time
    }
  }

  private static String memoCrc(List<String> lines) {
    java.util.zip.CRC32C c = new java.util.zip.CRC32C();
    for (String l : lines) {
      c.update((l + "\n").getBytes(StandardCharsets.UTF_8));
    }
    return Long.toHexString(c.getValue());
  }

  // ------------------------------------------------------------------ entries

  private Path entry(String key) {
    return dir.resolve(sha256(key));
  }

  /**
   * A checked entry.
   *
   * @param kept per kind, the rows kept for the form asked (checked), when there are
   */
  record Hit(AuditRunFile.Checked run, Map<AuditRunFile.Kind, PrintedRun.Reader> kept) {}

  /**
   * The entry for {@code key}, checked, or {@code null}: none, one without rejections when they are
   * wanted, or a damaged one (reported and removed).
   *
   * @param records the kinds whose records may be read (their record files are checked)
   * @param text of those, the kinds whose evidence texts will be read (their text files are
   *     checked)
   * @param forms per kind, the form of the rows wanted ({@link PrintedRun}): kept rows of that form
   *     are checked and used instead of the kind's records; damaged ones are removed
   */
  Hit lookup(
      String key,
      boolean wantsRejections,
      String router,
      Set<AuditRunFile.Kind> records,
      Set<AuditRunFile.Kind> text,
      Map<AuditRunFile.Kind, String> forms) {
    Path e = entry(key);
    if (!Files.isDirectory(e)) {
      return null;
    }
    AuditRunFile.Checked c;
    try {
      c = AuditRunFile.read(e);
    } catch (IOException | RuntimeException ex) {
      damaged(e, router, ex);
      return null;
    }
    if (!c.key().equals(key)) {
      progress.accept(
          "audit cache: entry " + e.getFileName() + " holds another key: computing it again");
      return null;
    }
    if (wantsRejections && !c.end().rejections()) {
      return null;
    }
    Map<AuditRunFile.Kind, PrintedRun.Reader> kept =
        new java.util.EnumMap<>(AuditRunFile.Kind.class);
    Set<AuditRunFile.Kind> read = java.util.EnumSet.noneOf(AuditRunFile.Kind.class);
    for (AuditRunFile.Kind k : records) {
      String form = forms.get(k);
      PrintedRun.Reader r = form == null || c.count(k) == 0 ? null : kept(c, form, router);
      if (r != null) {
        kept.put(k, r);
      } else {
        read.add(k);
      }
    }
    try {
      c.verifyRecords(read);
      Set<AuditRunFile.Kind> texts = java.util.EnumSet.copyOf(read);
      texts.retainAll(text);
      c.verifyText(texts);
    } catch (IOException | RuntimeException ex) {
      damaged(e, router, ex);
      return null;
    }
    try {
      Files.setLastModifiedTime(e.resolve(AuditRunFile.MANIFEST), FileTime.from(Instant.now()));
    } catch (IOException ex) {
      // the use time only orders eviction
    }
    return new Hit(c, kept);
  }

  private void damaged(Path e, String router, Exception ex) {
    progress.accept(
        "audit cache: entry "
            + e.getFileName()
            + " of router "
            + label(router)
            + " is damaged ("
            + (ex.getMessage() == null ? ex.toString() : ex.getMessage())
            + "): not used, computing it again");
    delete(e);
  }

  /** The rows of {@code form} kept in entry {@code c}, checked; {@code null} if none or damaged. */
  private PrintedRun.Reader kept(AuditRunFile.Checked c, String form, String router) {
    Path f = PrintedRun.file(c.dir(), c.key(), form);
    try {
      return PrintedRun.open(f, form);
    } catch (IOException | RuntimeException ex) {
      progress.accept(
          "audit cache: the printed rows "
              + f.getFileName()
              + " of router "
              + label(router)
              + " are damaged ("
              + (ex.getMessage() == null ? ex.toString() : ex.getMessage())
              + "): printing them again");
      try {
        Files.deleteIfExists(f);
      } catch (IOException gone) {
        // replaced by the rows printed now, or removed with the entry
      }
      return null;
    }
  }

  static String label(String router) {
    return router.isEmpty() ? "(none)" : router;
  }

  /** A new empty directory to write an entry into; {@link #commit} moves it into place. */
  Path temp() throws IOException {
    Files.createDirectories(dir);
    return Files.createDirectory(dir.resolve(ScratchNames.of(TEMP)));
  }

  /**
   * Moves a finished entry into place (replacing an entry of the same key that lacked rejections).
   * When another process put the same entry there first, the one written here stays where it is and
   * is returned: the caller removes it after use.
   *
   * @return where the entry is now
   */
  Path commit(String key, Path temp) {
    Path e = entry(key);
    if (Files.exists(e)) {
      // an entry of this key that lacked rejections (or one damaged): out of the way first
      Path old = dir.resolve(ScratchNames.of(TEMP));
      try {
        Files.move(e, old, StandardCopyOption.ATOMIC_MOVE);
        delete(old);
      } catch (IOException gone) {
        // removed or replaced meanwhile by another run
      }
    }
    try {
      Files.move(temp, e, StandardCopyOption.ATOMIC_MOVE);
      return e;
    } catch (IOException ex) {
      return temp; // another run put it there first, or no rename here: used once, then removed
    }
  }

  /**
   * Removes the entries used least recently until the cache is within its bound (never one in
   * {@code keep}), and temporary directories a stopped run left behind.
   */
  void evict(Set<Path> keep) {
    if (!Files.isDirectory(dir)) {
      return;
    }
    record E(Path path, long size, long used) {}
    List<E> entries = new ArrayList<>();
    long total = 0;
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.toList()) {
        String name = p.getFileName().toString();
        if (name.startsWith(TEMP)) {
          // a stopped run's entry at once; one of an older release's form (no process id) or of
          // a process id now reused by another program after a day
          if (ScratchNames.leftBehind(name, TEMP)
              || Files.getLastModifiedTime(p)
                  .toInstant()
                  .isBefore(Instant.now().minus(STALE_TEMP))) {
            delete(p);
          }
          continue;
        }
        PrintedRun.removeLeftBehind(p);
        long size = size(p);
        total += size;
        Path m = p.resolve(AuditRunFile.MANIFEST);
        long used = Files.exists(m) ? Files.getLastModifiedTime(m).toMillis() : 0;
        entries.add(new E(p, size, used));
      }
    } catch (IOException e) {
      progress.accept("audit cache: cannot list " + dir + ": " + e.getMessage());
      return;
    }
    entries.sort(Comparator.comparingLong(E::used));
    for (E e : entries) {
      if (total <= maxBytes) {
        break;
      }
      if (keep.contains(e.path())) {
        continue;
      }
      delete(e.path());
      total -= e.size();
      progress.accept(
          "audit cache: removed entry "
              + e.path().getFileName()
              + " ("
              + (e.size() >> 20)
              + " MiB, used least recently) to stay within "
              + (maxBytes >> 20)
              + " MiB");
    }
  }

  static long size(Path p) {
    try (Stream<Path> s = Files.walk(p)) {
      long n = 0;
      for (Path f : s.toList()) {
        if (Files.isRegularFile(f)) {
          n += Files.size(f);
        }
      }
      return n;
    } catch (IOException | UncheckedIOException e) {
      return 0;
    }
  }

  static void delete(Path p) {
    try (Stream<Path> s = Files.walk(p)) {
      for (Path f : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(f);
      }
    } catch (IOException | UncheckedIOException e) {
      // what is left is found again as damaged or stale, never trusted
    }
  }
}
