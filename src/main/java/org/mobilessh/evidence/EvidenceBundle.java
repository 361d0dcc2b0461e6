package org.mobilessh.evidence;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.mobilessh.audit.AuditFormat;
import org.mobilessh.audit.AuditResult;
import org.mobilessh.index.StoredSnapshot;
import org.mobilessh.report.Attachments;
import org.mobilessh.report.ScratchFiles;
import org.mobilessh.rules.SectionedFile;

/**
 * The evidence bundle of one month: a BagIt bag whose payload is
 *
 * <ul>
 *   <li>{@code data/report/report.pdf}: the rendered report, when the caller has one;
 *   <li>{@code data/csv/}: the five CSV files of {@link CsvExport} (raw variant);
 *   <li>{@code data/raw/NN-NAME.txt}: per source file, the lines behind every row, byte for byte as
 *       read, in line order; {@code data/raw/index.csv} says for each of them where it came from
 *       (path, line number, byte offset) and its SHA-256, so it can be checked against the original
 *       log;
 *   <li>{@code data/snapshots/index/}: the {@code rules snapshot} files the index holds for the
 *       month, byte for byte as ingested and checked against their own SHA-256 line, with {@code
 *       index.csv} naming each one's router, time, hash and original path;
 *   <li>{@code data/snapshots/}: ruleset snapshots the caller adds.
 * </ul>
 *
 * Deterministic: the same index, month, options and tool version give the same bytes.
 */
public final class EvidenceBundle {
  /** Columns of {@code data/snapshots/index/index.csv}. */
  public static final List<String> SNAPSHOT_INDEX_COLUMNS =
      List.of("bundle_file", "observer.hostname", "taken_at", "sha256", "log.file.path");

  /** Columns of {@code data/raw/index.csv}. */
  public static final List<String> RAW_INDEX_COLUMNS =
      List.of(
          "bundle_file",
          "bundle_line",
          "log.file.path",
          "log.file.line",
          "log.offset",
          "line_sha256",
          "event.hash");

  /**
   * What goes into the bundle besides the audit.
   *
   * @param toolVersion written to {@code bag-info.txt} ({@code Bag-Software-Agent})
   * @param report the rendered PDF report, or {@code null} when there is none
   * @param snapshots ruleset snapshot files to include (regular files, not links)
   */
  public record Options(String toolVersion, byte[] report, List<Path> snapshots) {
    public Options {
      snapshots = List.copyOf(snapshots);
    }
  }

  private EvidenceBundle() {}

  /** The base directory inside the zip: {@code mobilessh-evidence-2026-10[-HOST]}. */
  public static String baseName(YearMonth month, String host) {
    return "mobilessh-evidence-" + month + (host == null ? "" : "-" + BagPaths.segment(host));
  }

  /**
   * The time every zip entry carries: the first instant after the month (UTC), so the bundle says
   * which period it closes and not when it happened to be built.
   */
  public static LocalDateTime entryTime(YearMonth month) {
    return month.plusMonths(1).atDay(1).atStartOfDay();
  }

  /** The payload, by path under {@code data/}. */
  public static SortedMap<String, byte[]> payload(MonthAudit audit, Options options) {
    SortedMap<String, byte[]> p = new TreeMap<>();
    if (options.report() != null) {
      p.put("report/report.pdf", options.report());
    }
    for (Map.Entry<String, byte[]> e : CsvExport.render(audit, CsvExport.Variant.RAW).entrySet()) {
      p.put("csv/" + e.getKey(), e.getValue());
    }
    raw(audit, p);
    indexedSnapshots(audit, p);
    for (Path s : options.snapshots()) {
      if (!Files.isRegularFile(s, LinkOption.NOFOLLOW_LINKS)) {
        throw new EvidenceException("snapshot " + s + " is not a regular file (links are refused)");
      }
      String name = "snapshots/" + BagPaths.segment(s.getFileName().toString());
      try {
        if (name.equals("snapshots/index") || p.put(name, Files.readAllBytes(s)) != null) {
          throw new EvidenceException("two snapshots would both be named " + name + "; rename one");
        }
      } catch (IOException e) {
        throw new EvidenceException("cannot read snapshot " + s + ": " + e.getMessage(), e);
      }
    }
    return p;
  }

  /**
   * The fingerprint a report cover can print before the report itself is in the bundle: the SHA-256
   * of the lines {@code manifest-sha256.txt} has for every payload file except {@code
   * data/report/}, in their order. An auditor recomputes it with {@code grep -v ' data/report/'
   * manifest-sha256.txt | sha256sum}.
   */
  public static String payloadDigest(MonthAudit audit, Options options) {
    SortedMap<String, byte[]> data = new TreeMap<>();
    for (Map.Entry<String, byte[]> e :
        payload(audit, new Options(options.toolVersion(), null, options.snapshots())).entrySet()) {
      data.put("data/" + e.getKey(), e.getValue());
    }
    return BagWriter.sha256(BagWriter.manifest(data));
  }

  /** Renders the report of a bundle into a file, with the bundle's CSV files attached. */
  public interface ReportWriter {
    /**
     * @param evidenceHash the {@link #payloadDigest} of the bundle, for the cover
     * @param csv the five CSV files, to attach (as far as the report's bound allows), each with its
     *     SHA-256 and its path in the bundle ({@code csv/windows.csv}) for those left out
     * @param pdf where to write the PDF
     */
    void write(String evidenceHash, List<Attachments.File> csv, Path pdf);
  }

  /**
   * What {@link #write} wrote.
   *
   * @param export the month's rows and files
   * @param bytes the zip's size
   * @param sha256 the zip's SHA-256
   */
  public record Written(MonthExport.Written export, long bytes, String sha256) {}

  /**
   * Writes the bundle of a month to {@code out} without holding the month: the CSV and raw files
   * are written by {@link MonthExport} into a temporary directory beside {@code out} as the audit
   * streams, the report (when {@code report} is given) is rendered into it with those CSVs attached
   * from their files, every file is hashed as it is read, and the zip is written from the files.
   * The same bytes as {@link #zip} of the collected month.
   *
   * <p>The sorts' run files and the PDF's scratch file go to that work directory too, so nothing of
   * the run is left in the JVM's temporary directory.
   *
   * @param report renders the report, or {@code null} for none
   * @param signer signs the tag manifest, or {@code null}
   * @param progress told each step
   */
  public static Written write(
      Path index,
      YearMonth month,
      String host,
      org.mobilessh.audit.AuditConfig config,
      java.time.Duration lookback,
      String toolVersion,
      List<Path> snapshots,
      ReportWriter report,
      ManifestSignature.Signer signer,
      Path out,
      boolean cache,
      Progress progress) {
    Path parent = out.toAbsolutePath().getParent();
    // named .OUT.PID.work so that the next run removes it should this process be killed
    Path work = ScratchFiles.beside(out, "work");
    Path spill;
    try {
      Files.createDirectories(parent);
      ScratchFiles.removeStale(out, "work");
      ScratchFiles.deleteTree(work);
      Files.createDirectory(work);
      spill = Files.createDirectory(work.resolve("spill"));
    } catch (IOException e) {
      throw new EvidenceException("cannot write " + out + ": " + e.getMessage(), e);
    }
    try {
      Path data = work.resolve("data");
      MonthExport.Written w =
          MonthExport.write(
              index,
              month,
              host,
              config,
              lookback,
              CsvExport.Variant.RAW,
              data.resolve("csv"),
              data.resolve("raw"),
              cache,
              spill,
              progress);
      SortedMap<String, Object> payload = new TreeMap<>();
      for (String f : CsvExport.FILES) {
        payload.put("csv/" + f, data.resolve("csv").resolve(f));
      }
      for (String f : w.rawFiles()) {
        payload.put("raw/" + f, data.resolve("raw").resolve(f));
      }
      SortedMap<String, byte[]> small = new TreeMap<>();
      indexedSnapshots(w.snapshots(), small);
      payload.putAll(small);
      for (Path s : snapshots) {
        if (!Files.isRegularFile(s, LinkOption.NOFOLLOW_LINKS)) {
          throw new EvidenceException(
              "snapshot " + s + " is not a regular file (links are refused)");
        }
        String name = "snapshots/" + BagPaths.segment(s.getFileName().toString());
        if (name.equals("snapshots/index") || payload.put(name, s) != null) {
          throw new EvidenceException("two snapshots would both be named " + name + "; rename one");
        }
      }
      SortedMap<String, String> sums = new TreeMap<>();
      long octets = 0;
      long t0 = System.nanoTime();
      java.util.concurrent.atomic.AtomicLong hashed =
          progress.phase("SHA-256 of the files", "bytes");
      for (Map.Entry<String, Object> e : payload.entrySet()) {
        BagPaths.problem(e.getKey())
            .ifPresent(
                pr -> {
                  throw new EvidenceException("unsafe payload name " + e.getKey() + ": " + pr);
                });
        sums.put("data/" + e.getKey(), sha256(e.getValue(), hashed));
        octets += size(e.getValue());
      }
      progress.step(
          "SHA-256 of "
              + payload.size()
              + " files ("
              + Progress.count(octets)
              + " bytes) in "
              + Progress.since(t0));
      if (report != null) {
        String digest = BagWriter.sha256(BagWriter.manifestOf(sums));
        List<Attachments.File> csv = new ArrayList<>();
        for (String f : CsvExport.FILES) {
          csv.add(
              new Attachments.File(
                  f, data.resolve("csv").resolve(f), sums.get("data/csv/" + f), "csv/" + f));
        }
        Path pdf = data.resolve("report").resolve("report.pdf");
        t0 = System.nanoTime();
        progress.phase("report", "");
        report.write(digest, csv, pdf);
        payload.put("report/report.pdf", pdf);
        sums.put("data/report/report.pdf", BagWriter.sha256(pdf));
        octets += size(pdf);
        progress.step(
            "report.pdf: " + Progress.count(size(pdf)) + " bytes in " + Progress.since(t0));
      }
      Map<String, String> info =
          info(
              month,
              host,
              toolVersion,
              report != null,
              w.windows(),
              w.sessions(),
              w.rejections(),
              w.anomalies());
      String base = baseName(month, host);
      if (base.contains("/") || BagPaths.problem(base).isPresent()) {
        throw new EvidenceException("unsafe bag base directory name: " + base);
      }
      SortedMap<String, byte[]> tags = sign(BagWriter.tags(base, sums, octets, info), signer);
      SortedMap<String, Object> entries = new TreeMap<>();
      payload.forEach((k, v) -> entries.put(base + "/data/" + k, v));
      entries.putAll(tags);
      t0 = System.nanoTime();
      BagWriter.zip(entries, entryTime(month), out, progress.phase("zip", "bytes"));
      progress.step(
          "zip: " + Progress.count(size(out)) + " bytes written in " + Progress.since(t0));
      return new Written(w, size(out), BagWriter.sha256(out));
    } finally {
      ScratchFiles.deleteTree(work);
    }
  }

  private static String sha256(Object content, java.util.concurrent.atomic.AtomicLong done) {
    if (content instanceof byte[] b) {
      done.addAndGet(b.length);
      return BagWriter.sha256(b);
    }
    return BagWriter.sha256((Path) content, done);
  }

  private static long size(Object content) {
    if (content instanceof byte[] b) {
      return b.length;
    }
    try {
      return Files.size((Path) content);
    } catch (IOException e) {
      throw new EvidenceException("cannot read " + content + ": " + e.getMessage(), e);
    }
  }

  private static Map<String, String> info(
      YearMonth month,
      String host,
      String toolVersion,
      boolean withReport,
      long windows,
      long sessions,
      long rejections,
      long anomalies) {
    Map<String, String> info = new LinkedHashMap<>();
    info.put(
        "External-Description",
        "mobilessh audit evidence for "
            + month
            + (host == null ? " (all routers)" : " (router " + host + ")")
            + ": CSV exports, the source lines behind every row, ruleset snapshots"
            + (withReport ? ", the report" : ""));
    info.put("Bag-Software-Agent", "mobilessh " + toolVersion);
    info.put("Mobilessh-Month", month.toString());
    info.put("Mobilessh-Host", host == null ? "*" : host);
    info.put(
        "Mobilessh-Period-Start",
        AuditFormat.time(month.atDay(1).atStartOfDay().toInstant(java.time.ZoneOffset.UTC)));
    info.put(
        "Mobilessh-Period-End",
        AuditFormat.time(
            month.plusMonths(1).atDay(1).atStartOfDay().toInstant(java.time.ZoneOffset.UTC)));
    info.put("Mobilessh-Windows", Long.toString(windows));
    info.put("Mobilessh-Sessions", Long.toString(sessions));
    info.put("Mobilessh-Rejections", Long.toString(rejections));
    info.put("Mobilessh-Anomalies", Long.toString(anomalies));
    return info;
  }

  /** Every file of the bag (base directory included), in zip order. */
  public static SortedMap<String, byte[]> files(MonthAudit audit, Options options) {
    AuditResult r = audit.result();
    Map<String, String> info =
        info(
            audit.month(),
            audit.host(),
            options.toolVersion(),
            options.report() != null,
            r.windows().size(),
            r.sessions().size(),
            r.rejections().size(),
            r.anomalies().size());
    return BagWriter.files(baseName(audit.month(), audit.host()), payload(audit, options), info);
  }

  /** The bundle as zip bytes. */
  public static byte[] zip(MonthAudit audit, Options options) {
    return zip(audit, options, null);
  }

  /**
   * The bundle as zip bytes, with the tag manifest signed ({@link ManifestSignature#FILE}) when
   * {@code signer} is not null.
   */
  public static byte[] zip(MonthAudit audit, Options options, ManifestSignature.Signer signer) {
    return BagWriter.zip(sign(files(audit, options), signer), entryTime(audit.month()));
  }

  /**
   * Adds the detached signature of the bag's tag manifest beside it; {@code files} unchanged when
   * {@code signer} is null.
   */
  public static SortedMap<String, byte[]> sign(
      SortedMap<String, byte[]> files, ManifestSignature.Signer signer) {
    if (signer == null) {
      return files;
    }
    String tagManifest = "tagmanifest-" + BagWriter.ALGORITHM + ".txt";
    String key =
        files.keySet().stream()
            .filter(n -> n.endsWith("/" + tagManifest) && n.indexOf('/') == n.lastIndexOf('/'))
            .findFirst()
            .orElseThrow(() -> new EvidenceException("the bag has no " + tagManifest));
    SortedMap<String, byte[]> out = new TreeMap<>(files);
    out.put(
        key.substring(0, key.length() - tagManifest.length()) + ManifestSignature.FILE,
        ManifestSignature.sign(files.get(key), signer));
    return out;
  }

  /**
   * The index's snapshots of the month, as the bytes that were ingested: the stored text must still
   * carry a {@code sha256:} line that matches it and equals the hash the index recorded, else the
   * bundle is refused (the index was changed after ingest).
   */
  private static void indexedSnapshots(MonthAudit audit, SortedMap<String, byte[]> p) {
    indexedSnapshots(audit.snapshots(), p);
  }

  private static void indexedSnapshots(
      List<StoredSnapshot> snapshots, SortedMap<String, byte[]> p) {
    if (snapshots.isEmpty()) {
      return;
    }
    List<List<String>> index = new ArrayList<>();
    int width = Math.max(2, Integer.toString(snapshots.size()).length());
    int n = 0;
    for (StoredSnapshot s : snapshots) {
      byte[] bytes = s.text().getBytes(StandardCharsets.UTF_8);
      SectionedFile.Verification v = SectionedFile.verify(bytes);
      if (!v.ok() || !v.expected().equals(s.sha256())) {
        throw new EvidenceException(
            "the index's snapshot "
                + s.sourcePath()
                + " ("
                + s.sha256()
                + ") does not match its own hash: "
                + (v.ok() ? "the index records another" : v.problem())
                + "; re-ingest it");
      }
      n++;
      String name =
          String.format("%0" + width + "d", n)
              + "-"
              + BagPaths.segment(
                  s.observer() + "-" + AuditFormat.time(s.timestamp()).replace(':', '-'))
              + ".txt";
      p.put("snapshots/index/" + name, bytes);
      index.add(
          List.of(name, s.observer(), AuditFormat.time(s.timestamp()), s.sha256(), s.sourcePath()));
    }
    p.put(
        "snapshots/index/index.csv",
        CsvExport.csv(SNAPSHOT_INDEX_COLUMNS, index, CsvExport.Variant.RAW));
  }

  private static void raw(MonthAudit audit, SortedMap<String, byte[]> p) {
    Map<String, List<CsvExport.EvidenceLine>> bySource =
        CsvExport.bySource(CsvExport.evidence(audit));
    int width = Math.max(2, Integer.toString(bySource.size()).length());
    List<List<String>> index = new ArrayList<>();
    int n = 0;
    for (Map.Entry<String, List<CsvExport.EvidenceLine>> e : bySource.entrySet()) {
      n++;
      String file = e.getKey().substring(e.getKey().lastIndexOf('/') + 1);
      String name =
          "raw/" + String.format("%0" + width + "d", n) + "-" + BagPaths.segment(file) + ".txt";
      StringBuilder text = new StringBuilder();
      int line = 0;
      for (CsvExport.EvidenceLine l : e.getValue()) {
        line++;
        text.append(l.line().line()).append('\n');
        IndexedLine x = l.indexed();
        index.add(
            List.of(
                name.substring("raw/".length()),
                Integer.toString(line),
                l.line().sourcePath(),
                Long.toString(l.line().lineNumber()),
                x == null || x.offset() < 0 ? "" : Long.toString(x.offset()),
                BagWriter.sha256(l.line().line().getBytes(StandardCharsets.UTF_8)),
                x == null ? "" : x.hashText()));
      }
      p.put(name, text.toString().getBytes(StandardCharsets.UTF_8));
    }
    p.put("raw/index.csv", CsvExport.csv(RAW_INDEX_COLUMNS, index, CsvExport.Variant.RAW));
  }
}
