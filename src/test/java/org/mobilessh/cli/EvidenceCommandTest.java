package org.mobilessh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mobilessh.evidence.BagVerifier;
import org.mobilessh.evidence.BagWriter;
import org.mobilessh.evidence.CsvExport;

/**
 * {@code mobilessh evidence} and {@code mobilessh verify} through {@code execute} over the sample
 * month: a deterministic bundle that verifies, holds the raw export and the source lines at their
 * offsets, and fails verification for every byte changed, file removed or added, and for escaping
 * names.
 */
class EvidenceCommandTest {
  static final String BASE = "mobilessh-evidence-2026-10/";

  @TempDir static Path tmp;
  static Path bundle;
  static byte[] bytes;
  static SortedMap<String, byte[]> entries;

  static String[] evidence(Path out) {
    return new String[] {
      "evidence",
      "--index",
      ExportCommandFixture.month().toString(),
      "--month",
      "2026-10",
      "--config",
      ExportCommandFixture.monthConfig(),
      "--snapshot",
      "sample-logs/rules-snapshot.txt",
      "--out",
      out.toString()
    };
  }

  @BeforeAll
  static void buildTwice() throws IOException {
    bundle = tmp.resolve("bundle.zip");
    CliResult a = CliResult.run(evidence(bundle));
    assertThat(a.exitCode()).as(a.err()).isZero();
    bytes = Files.readAllBytes(bundle);
    assertThat(a.out()).contains("wrote " + bundle).contains(BagWriter.sha256(bytes));
    entries = ExportCommandFixture.unzip(bytes);
  }

  @Test
  void twoRunsAreByteIdenticalAndVerify() throws IOException {
    Path again = tmp.resolve("again.zip");
    CliResult b = CliResult.run(evidence(again));
    assertThat(b.exitCode()).as(b.err()).isZero();
    assertThat(Files.readAllBytes(again)).isEqualTo(bytes);

    CliResult v = CliResult.run("verify", bundle.toString());
    assertThat(v.exitCode()).as(v.out() + v.err()).isZero();
    assertThat(v.out()).startsWith(bundle + ": OK: ").contains("every SHA-256 matches");
    assertThat(v.err()).isEmpty();
  }

  @Test
  void theReportIsInTheBagAndItsCoverNamesTheDigestOfTheRestOfThePayload() throws Exception {
    byte[] pdf = entries.get(BASE + "data/report/report.pdf");
    assertThat(pdf).isNotNull();
    assertThat(new String(pdf, 0, 8, StandardCharsets.ISO_8859_1)).startsWith("%PDF-");
    String manifest = new String(entries.get(BASE + "manifest-sha256.txt"), StandardCharsets.UTF_8);
    StringBuilder rest = new StringBuilder();
    for (String l : manifest.lines().toList()) {
      if (!l.contains(" data/report/")) {
        rest.append(l).append('\n');
      }
    }
    String digest = BagWriter.sha256(rest.toString().getBytes(StandardCharsets.UTF_8));
    Path file = tmp.resolve("report.pdf");
    Files.write(file, pdf);
    Process p =
        new ProcessBuilder("pdftotext", "-l", "2", file.toString(), "-")
            .redirectErrorStream(true)
            .start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(text).isZero();
    assertThat(text).contains(digest);
    // the bundle's report carries the five CSVs as associated files and is still PDF/A-3b
    Process d = new ProcessBuilder("pdfdetach", "-list", file.toString()).start();
    String attached = new String(d.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(d.waitFor()).isZero();
    assertThat(attached).contains(CsvExport.FILES.toArray(String[]::new));
    assertThat(org.mobilessh.report.VeraPdf.failures(pdf, "3b")).isEmpty();
  }

  @Test
  void aSmallAttachLimitLeavesTheLargeCsvsOutOfThePdfAndNamesThemWhereTheBundleHasThem()
      throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("limit"));
    Path small = dir.resolve("small.zip");
    String[] args = evidence(small);
    String[] withLimit = java.util.Arrays.copyOf(args, args.length + 2);
    withLimit[args.length] = "--attach-limit";
    withLimit[args.length + 1] = "100k";
    CliResult r = CliResult.run(withLimit);
    assertThat(r.exitCode()).as(r.err()).isZero();
    CliResult v = CliResult.run("verify", small.toString());
    assertThat(v.exitCode()).as(v.out() + v.err()).isZero();
    SortedMap<String, byte[]> bag = ExportCommandFixture.unzip(Files.readAllBytes(small));
    // which files fit: in name order, while the total stays within 100 KiB
    List<String> attached = new java.util.ArrayList<>();
    List<String> leftOut = new java.util.ArrayList<>();
    long total = 0;
    for (String f : new java.util.TreeSet<>(CsvExport.FILES)) {
      long size = bag.get(BASE + "data/csv/" + f).length;
      if (total + size <= 100 * 1024) {
        total += size;
        attached.add(f);
      } else {
        leftOut.add(f);
      }
    }
    // the sample month has both kinds, else this test would prove nothing
    assertThat(attached).isNotEmpty();
    assertThat(leftOut).contains("events.csv");
    Path pdf = dir.resolve("report.pdf");
    Files.write(pdf, bag.get(BASE + "data/report/report.pdf"));
    Process d = new ProcessBuilder("pdfdetach", "-list", pdf.toString()).start();
    String list = new String(d.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(d.waitFor()).isZero();
    assertThat(list).contains(attached.size() + " embedded files");
    assertThat(list).contains(attached.toArray(String[]::new));
    for (String f : leftOut) {
      assertThat(list).doesNotContain(f);
    }
    Process p =
        new ProcessBuilder("pdftotext", "-enc", "UTF-8", pdf.toString(), "-")
            .redirectErrorStream(true)
            .start();
    String text =
        new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
            .replace("\ufb01", "fi")
            .replaceAll("\\s+", " ");
    assertThat(p.waitFor()).isZero();
    assertThat(text).contains("Not attached to this PDF: " + leftOut.size() + " of the evidence");
    for (String f : leftOut) {
      byte[] b = bag.get(BASE + "data/csv/" + f);
      assertThat(text)
          .contains(f, String.format(java.util.Locale.ROOT, "%,d", b.length))
          .contains("in the evidence bundle as csv/" + f)
          .contains("SHA-256 " + BagWriter.sha256(b));
    }
    assertThat(org.mobilessh.report.VeraPdf.failures(Files.readAllBytes(pdf), "3b")).isEmpty();
    // an unbounded run attaches every file: the same bundle as the default for this month
    Path unlimited = dir.resolve("unlimited.zip");
    String[] noLimit = withLimit.clone();
    noLimit[noLimit.length - 1] = "unlimited";
    noLimit[java.util.Arrays.asList(noLimit).indexOf(small.toString())] = unlimited.toString();
    CliResult u = CliResult.run(noLimit);
    assertThat(u.exitCode()).as(u.err()).isZero();
    assertThat(Files.readAllBytes(unlimited)).isEqualTo(bytes);
    // nothing but the bundles is left beside them: no work directory, no PDF scratch file
    try (var s = Files.list(dir)) {
      assertThat(s.map(x -> x.getFileName().toString()))
          .containsExactlyInAnyOrder("small.zip", "report.pdf", "unlimited.zip");
    }
  }

  @Test
  void aMalformedAttachLimitIsAUsageError() {
    String[] args = evidence(tmp.resolve("never.zip"));
    String[] bad = java.util.Arrays.copyOf(args, args.length + 2);
    bad[args.length] = "--attach-limit";
    bad[args.length + 1] = "lots";
    CliResult r = CliResult.run(bad);
    assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--attach-limit must be a size");
    assertThat(tmp.resolve("never.zip")).doesNotExist();
  }

  /** A mistyped directory is refused before any work, not created to hold the bundle. */
  @Test
  void aBundleInADirectoryThatDoesNotExistIsAUsageError() {
    Path out = tmp.resolve("no-such-dir").resolve("b.zip");
    CliResult r = CliResult.run(evidence(out));
    assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.out()).isEmpty();
    assertThat(r.err())
        .isEqualTo(
            "mobilessh evidence: --out "
                + out
                + ": no directory "
                + out.getParent()
                + " (create it first: mkdir -p "
                + out.getParent()
                + ")"
                + System.lineSeparator());
    assertThat(out.getParent()).doesNotExist();
  }

  @Test
  void theBagHoldsTheRawExportTheSnapshotAndTheManifests() throws IOException {
    assertThat(entries.keySet())
        .allMatch(n -> n.startsWith(BASE))
        .contains(
            BASE + "bagit.txt",
            BASE + "bag-info.txt",
            BASE + "manifest-sha256.txt",
            BASE + "tagmanifest-sha256.txt",
            BASE + "data/raw/index.csv",
            BASE + "data/snapshots/rules-snapshot.txt");
    assertThat(entries.get(BASE + "data/snapshots/rules-snapshot.txt"))
        .isEqualTo(Files.readAllBytes(Path.of("sample-logs/rules-snapshot.txt")));
    CliResult e =
        CliResult.run(
            "export",
            "--index",
            ExportCommandFixture.month().toString(),
            "--month",
            "2026-10",
            "--config",
            ExportCommandFixture.monthConfig(),
            "--out",
            tmp.resolve("export").toString());
    assertThat(e.exitCode()).as(e.err()).isZero();
    for (String f : CsvExport.FILES) {
      assertThat(entries.get(BASE + "data/csv/" + f))
          .as(f)
          .isEqualTo(Files.readAllBytes(tmp.resolve("export").resolve(f)));
    }
    String manifest = new String(entries.get(BASE + "manifest-sha256.txt"), StandardCharsets.UTF_8);
    long payload = entries.keySet().stream().filter(n -> n.startsWith(BASE + "data/")).count();
    assertThat(manifest.lines()).hasSize((int) payload);
    for (Map.Entry<String, byte[]> x : entries.entrySet()) {
      if (x.getKey().startsWith(BASE + "data/")) {
        assertThat(manifest)
            .contains(BagWriter.sha256(x.getValue()) + "  " + x.getKey().substring(BASE.length()));
      }
    }
    assertThat(new String(entries.get(BASE + "bag-info.txt"), StandardCharsets.UTF_8))
        .contains("Mobilessh-Month: 2026-10\n")
        .contains("Payload-Oxum: ");
  }

  @Test
  void everyRawLineIsTheSourceLineAtItsOffset() throws IOException {
    List<CSVRecord> index =
        CSVFormat.RFC4180
            .parse(
                new StringReader(
                    new String(entries.get(BASE + "data/raw/index.csv"), StandardCharsets.UTF_8)))
            .getRecords();
    Map<String, byte[]> sources = new HashMap<>();
    Map<String, List<String>> rawFiles = new HashMap<>();
    assertThat(index.size()).isGreaterThan(1000);
    for (CSVRecord r : index.subList(1, index.size())) {
      List<String> raw =
          rawFiles.computeIfAbsent(
              r.get(0),
              f ->
                  new String(entries.get(BASE + "data/raw/" + f), StandardCharsets.UTF_8)
                      .lines()
                      .toList());
      String line = raw.get(Integer.parseInt(r.get(1)) - 1);
      byte[] lineBytes = line.getBytes(StandardCharsets.UTF_8);
      assertThat(BagWriter.sha256(lineBytes)).isEqualTo(r.get(5));
      byte[] source = sources.computeIfAbsent(r.get(2), EvidenceCommandTest::decompressed);
      int offset = Integer.parseInt(r.get(4));
      assertThat(java.util.Arrays.copyOfRange(source, offset, offset + lineBytes.length))
          .as("%s at %d", r.get(2), offset)
          .isEqualTo(lineBytes);
      assertThat(source[offset + lineBytes.length]).isEqualTo((byte) '\n');
      assertThat(r.get(6)).matches("[0-9a-f]{16}");
    }
  }

  static byte[] decompressed(String path) {
    try {
      byte[] b = Files.readAllBytes(Path.of(path));
      if (b.length > 2 && (b[0] & 0xff) == 0x1f && (b[1] & 0xff) == 0x8b) {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(b))) {
          return in.readAllBytes();
        }
      }
      return b;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void everySingleByteChangeTriedInThePayloadFailsAndIsNamed() throws IOException {
    Path t = tmp.resolve("tampered.zip");
    int tried = 0;
    for (Map.Entry<String, byte[]> e : entries.entrySet()) {
      if (!e.getKey().startsWith(BASE + "data/")) {
        continue;
      }
      byte[] content = e.getValue();
      // every byte of small files; of larger ones the ends and positions spread over the file
      int step = content.length <= 512 ? 1 : Math.max(1, content.length / 12);
      for (int i = 0; i < content.length; i += step) {
        for (int pos :
            i + step >= content.length ? new int[] {i, content.length - 1} : new int[] {i}) {
          SortedMap<String, byte[]> bad = new TreeMap<>(entries);
          byte[] c = content.clone();
          c[pos] ^= (byte) (1 << (pos % 8));
          bad.put(e.getKey(), c);
          Files.write(t, ExportCommandFixture.zip(bad));
          BagVerifier.Report r = BagVerifier.verify(t);
          // the file is named as altered; a ruleset snapshot is also named for its own hash
          assertThat(r.problems())
              .as("%s byte %d", e.getKey(), pos)
              .isNotEmpty()
              .allSatisfy(p -> assertThat(p.name()).isEqualTo(e.getKey()))
              .anySatisfy(p -> assertThat(p.kind()).isEqualTo(BagVerifier.Kind.ALTERED))
              .hasSizeLessThanOrEqualTo(e.getKey().contains("/snapshots/") ? 2 : 1);
          tried++;
        }
      }
    }
    assertThat(tried).isGreaterThan(200);
    // and once through the command line, as a user sees it
    SortedMap<String, byte[]> bad = new TreeMap<>(entries);
    byte[] csv = bad.get(BASE + "data/csv/rejects.csv").clone();
    csv[csv.length / 2] ^= 1;
    bad.put(BASE + "data/csv/rejects.csv", csv);
    Files.write(t, ExportCommandFixture.zip(bad));
    CliResult v = CliResult.run("verify", t.toString());
    assertThat(v.exitCode()).isEqualTo(ExitCodes.FAILURE);
    assertThat(v.out())
        .startsWith("altered: " + BASE + "data/csv/rejects.csv: SHA-256 " + BagWriter.sha256(csv));
    assertThat(v.err()).contains("verify: " + t + ": FAILED: 1 problem");
  }

  @Test
  void missingExtraAndEscapingFilesAreNamed() throws IOException {
    SortedMap<String, byte[]> bad = new TreeMap<>(entries);
    bad.remove(BASE + "data/csv/windows.csv");
    bad.put(BASE + "data/csv/extra.csv", "a,b\r\n".getBytes(StandardCharsets.UTF_8));
    bad.put("../evil", "x".getBytes(StandardCharsets.UTF_8));
    bad.put(BASE + "../../evil.sh", "x".getBytes(StandardCharsets.UTF_8));
    Path t = tmp.resolve("bad.zip");
    Files.write(t, ExportCommandFixture.zip(bad));
    CliResult v = CliResult.run("verify", t.toString());
    assertThat(v.exitCode()).isEqualTo(ExitCodes.FAILURE);
    assertThat(v.out().lines())
        .contains(
            "missing: " + BASE + "data/csv/windows.csv: listed in manifest-sha256.txt",
            "extra: " + BASE + "data/csv/extra.csv: not in manifest-sha256.txt",
            "refused: ../evil: '..' leaves the bag",
            "refused: " + BASE + "../../evil.sh: '..' leaves the bag");
    // and bag-info's Payload-Oxum no longer adds up
    assertThat(v.out().lines())
        .anyMatch(l -> l.startsWith("invalid: " + BASE + "bag-info.txt: Payload-Oxum "));
    assertThat(v.err()).contains("FAILED: 5 problems");
  }

  @Test
  void anUnpackedBundleVerifiesAndAChangedFileIsNamed() throws IOException {
    Path dir = tmp.resolve("unpacked");
    for (Map.Entry<String, byte[]> e : entries.entrySet()) {
      Path p = dir.resolve(e.getKey());
      Files.createDirectories(p.getParent());
      Files.write(p, e.getValue());
    }
    CliResult ok = CliResult.run("verify", dir.toString());
    assertThat(ok.exitCode()).as(ok.out()).isZero();
    Path events = dir.resolve(BASE + "data/csv/events.csv");
    Files.writeString(events, "\n", java.nio.file.StandardOpenOption.APPEND);
    CliResult v = CliResult.run("verify", dir.toString());
    assertThat(v.exitCode()).isEqualTo(ExitCodes.FAILURE);
    assertThat(v.out()).startsWith("altered: " + BASE + "data/csv/events.csv: ");
  }

  @Test
  void withoutTheReportTheBundleHoldsTheDataOnly() throws IOException {
    Path out = tmp.resolve("data-only.zip");
    CliResult r = CliResult.run(ExportCommandFixture.concat(evidence(out), "--no-report"));
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("no report (--no-report)");
    SortedMap<String, byte[]> e = ExportCommandFixture.unzip(Files.readAllBytes(out));
    assertThat(e.keySet()).noneMatch(n -> n.contains("/data/report/"));
    // the same data as the full bundle, byte for byte
    for (Map.Entry<String, byte[]> x : e.entrySet()) {
      if (x.getKey().startsWith(BASE + "data/")) {
        assertThat(x.getValue()).as(x.getKey()).isEqualTo(entries.get(x.getKey()));
      }
    }
    assertThat(CliResult.run("verify", out.toString()).exitCode()).isZero();
  }

  @Test
  void verifyOfNothingIsAClearFailure() {
    CliResult v = CliResult.run("verify", tmp.resolve("nothing.zip").toString());
    assertThat(v.exitCode()).isEqualTo(ExitCodes.FAILURE);
    assertThat(v.err()).contains("no such file or directory: ");
  }

  /** They said "cannot read F: F" (the exception's message is the bare path). */
  @Test
  void missingKeyCertificateAndPasswordFilesAreNamed() {
    String missing = tmp.resolve("missing.pem").toString();
    for (String[] extra :
        new String[][] {
          {"--sign-key", missing},
          {"--sign-key", "sample-logs/rules-snapshot.txt", "--sign-cert", missing},
          {"--sign-key", "sample-logs/rules-snapshot.txt", "--sign-password-file", missing}
        }) {
      String[] args = evidence(tmp.resolve("never.zip"));
      String[] all = java.util.Arrays.copyOf(args, args.length + extra.length);
      System.arraycopy(extra, 0, all, args.length, extra.length);
      CliResult r = CliResult.run(all);
      assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
      assertThat(r.err())
          .isEqualTo(
              "mobilessh evidence: "
                  + extra[extra.length - 2]
                  + " "
                  + missing
                  + ": no such file"
                  + System.lineSeparator());
    }
    CliResult v = CliResult.run("verify", "--cert", missing, bundle.toString());
    assertThat(v.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(v.err())
        .isEqualTo(
            "mobilessh verify: --cert " + missing + ": no such file" + System.lineSeparator());
    assertThat(tmp.resolve("never.zip")).doesNotExist();
  }

  @Test
  void aSnapshotThatIsALinkOrMissingIsRefused() throws IOException {
    Path link = tmp.resolve("snap-link");
    Files.createSymbolicLink(link, Path.of("sample-logs/rules-snapshot.txt").toAbsolutePath());
    String[] args = ExportCommandFixture.concat(evidence(tmp.resolve("x.zip")), "--no-report");
    args[8] = link.toString();
    CliResult r = CliResult.run(args);
    assertThat(r.exitCode()).isEqualTo(ExitCodes.FAILURE);
    assertThat(r.err()).contains("is not a regular file (links are refused)");
    args[8] = tmp.resolve("missing").toString();
    r = CliResult.run(args);
    assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--snapshot " + tmp.resolve("missing") + ": no such file");
    assertThat(tmp.resolve("x.zip")).doesNotExist();
  }

  @Test
  void aSignedBundleVerifiesAgainstItsCertificateAndFailsAgainstAnother() throws Exception {
    Path key = tmp.resolve("signer.p12");
    Path cert = tmp.resolve("signer.pem");
    Path keyPem = tmp.resolve("signer-key.pem");
    Path other = tmp.resolve("other.pem");
    Path pw = tmp.resolve("pw.txt");
    Files.writeString(pw, "bundle pw\n");
    openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        keyPem,
        "-out",
        cert,
        "-days",
        "30",
        "-subj",
        "/CN=Evidence Signer");
    openssl(
        "pkcs12",
        "-export",
        "-inkey",
        keyPem,
        "-in",
        cert,
        "-out",
        key,
        "-passout",
        "pass:bundle pw");
    openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        tmp.resolve("o.key"),
        "-out",
        other,
        "-days",
        "30",
        "-subj",
        "/CN=Not The Signer");
    Path out = tmp.resolve("signed.zip");
    CliResult r =
        CliResult.run(
            ExportCommandFixture.concat(
                evidence(out),
                "--no-report",
                "--sign-key",
                key.toString(),
                "--sign-password-file",
                pw.toString()));
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("tag manifest signed by CN=Evidence Signer");
    SortedMap<String, byte[]> e = ExportCommandFixture.unzip(Files.readAllBytes(out));
    assertThat(e).containsKey(BASE + "tagmanifest-sha256.txt.p7s");

    CliResult ok = CliResult.run("verify", "--cert", cert.toString(), out.toString());
    assertThat(ok.exitCode()).as(ok.out() + ok.err()).isZero();
    assertThat(ok.out()).contains("signature is valid, signed by CN=Evidence Signer");
    CliResult wrong = CliResult.run("verify", "--cert", other.toString(), out.toString());
    assertThat(wrong.exitCode()).isEqualTo(ExitCodes.FAILURE);
    assertThat(wrong.out())
        .startsWith(
            "bad-signature: "
                + BASE
                + "tagmanifest-sha256.txt.p7s: signed by CN=Evidence"
                + " Signer, not by the given certificate (CN=Not The Signer)");
    // the unsigned bundle of the fixture fails once a certificate is required
    CliResult unsigned = CliResult.run("verify", "--cert", cert.toString(), bundle.toString());
    assertThat(unsigned.exitCode()).isEqualTo(ExitCodes.FAILURE);
    assertThat(unsigned.out()).contains("missing: " + BASE + "tagmanifest-sha256.txt.p7s");
    // a payload file changed and both manifests recomputed to match: only the signature catches it
    SortedMap<String, byte[]> forged = new TreeMap<>(e);
    String csv = BASE + "data/csv/windows.csv";
    byte[] changed = e.get(csv).clone();
    changed[changed.length - 2] ^= 0x01;
    forged.put(csv, changed);
    String manifest =
        new String(e.get(BASE + "manifest-sha256.txt"), StandardCharsets.UTF_8)
            .replace(BagWriter.sha256(e.get(csv)), BagWriter.sha256(changed));
    forged.put(BASE + "manifest-sha256.txt", manifest.getBytes(StandardCharsets.UTF_8));
    String tags =
        new String(e.get(BASE + "tagmanifest-sha256.txt"), StandardCharsets.UTF_8)
            .replace(
                BagWriter.sha256(e.get(BASE + "manifest-sha256.txt")),
                BagWriter.sha256(forged.get(BASE + "manifest-sha256.txt")));
    forged.put(BASE + "tagmanifest-sha256.txt", tags.getBytes(StandardCharsets.UTF_8));
    Path f = tmp.resolve("forged.zip");
    Files.write(f, ExportCommandFixture.zip(forged));
    CliResult v = CliResult.run("verify", f.toString());
    assertThat(v.exitCode()).isEqualTo(ExitCodes.FAILURE);
    assertThat(v.out().lines())
        .singleElement()
        .asString()
        .startsWith("bad-signature: " + BASE + "tagmanifest-sha256.txt.p7s: ");
    // a wrong password is a usage error naming the file, and nothing is written
    Files.writeString(pw, "nope\n");
    Path none = tmp.resolve("none.zip");
    CliResult bad =
        CliResult.run(
            ExportCommandFixture.concat(
                evidence(none),
                "--no-report",
                "--sign-key",
                key.toString(),
                "--sign-password-file",
                pw.toString()));
    assertThat(bad.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(bad.err()).contains(key.toString(), "wrong password");
    assertThat(none).doesNotExist();
  }

  static void openssl(Object... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>();
    cmd.add("openssl");
    for (Object a : args) {
      cmd.add(a.toString());
    }
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    } catch (IOException ex) {
      org.junit.jupiter.api.Assumptions.assumeFalse(
          !"true".equals(System.getenv("CI")), "openssl not installed");
      throw new AssertionError("openssl is needed (CI=true)", ex);
    }
    p.getOutputStream().close();
    String o = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as("%s: %s", cmd, o).isZero();
  }
}
