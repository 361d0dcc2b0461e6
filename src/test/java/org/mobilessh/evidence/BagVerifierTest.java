package org.mobilessh.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** BagWriter and BagVerifier on a small synthetic bag: determinism, tampering, unsafe names. */
class BagVerifierTest {
  static final LocalDateTime TIME = LocalDateTime.of(2026, 11, 1, 0, 0);

  @TempDir Path tmp;

  static SortedMap<String, byte[]> bag() {
    Map<String, byte[]> payload = new LinkedHashMap<>();
    payload.put(
        "csv/windows.csv",
        utf8("source_ip,opened_at\r\n192.0.2.7,2026-10-01T00:00:00.000000Z\r\n"));
    payload.put(
        "raw/01-kern.log.txt",
        utf8("Oct  1 00:10:03 router1 kernel: mobilessh-set: SRC=192.0.2.7\n"));
    payload.put("weird name%.txt", utf8("x"));
    Map<String, String> info = new LinkedHashMap<>();
    info.put("Mobilessh-Month", "2026-10");
    return BagWriter.files("bag", payload, info);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  Path write(String name, byte[] bytes) throws IOException {
    Path p = tmp.resolve(name);
    Files.write(p, bytes);
    return p;
  }

  /** A zip of exactly these entries, whatever their names (the writer refuses unsafe ones). */
  static byte[] rawZip(Map<String, byte[]> entries) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(b)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        z.putNextEntry(new ZipEntry(e.getKey()));
        z.write(e.getValue());
        z.closeEntry();
      }
    }
    return b.toByteArray();
  }

  static List<String> problems(BagVerifier.Report r) {
    return r.problems().stream().map(Object::toString).toList();
  }

  @Test
  void sameInputsGiveTheSameBytesAndTheBagVerifies() throws IOException {
    byte[] a = BagWriter.zip(bag(), TIME);
    byte[] b = BagWriter.zip(bag(), TIME);
    assertThat(a).isEqualTo(b);
    BagVerifier.Report r = BagVerifier.verify(write("a.zip", a));
    assertThat(problems(r)).isEmpty();
    assertThat(r.payloadFiles()).isEqualTo(3);
    SortedMap<String, byte[]> files = bag();
    assertThat(new String(files.get("bag/bagit.txt"), StandardCharsets.UTF_8))
        .isEqualTo("BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n");
    assertThat(new String(files.get("bag/manifest-sha256.txt"), StandardCharsets.UTF_8))
        .contains("  data/weird name%25.txt\n")
        .contains(BagWriter.sha256(utf8("x")));
    assertThat(new String(files.get("bag/bag-info.txt"), StandardCharsets.UTF_8))
        .contains(
            "Payload-Oxum: "
                + (files.get("bag/data/csv/windows.csv").length
                    + files.get("bag/data/raw/01-kern.log.txt").length
                    + 1)
                + ".3");
  }

  @Test
  void entryTimesDoNotDependOnTheTimeZone() throws IOException {
    java.util.TimeZone saved = java.util.TimeZone.getDefault();
    try {
      java.util.TimeZone.setDefault(java.util.TimeZone.getTimeZone("Asia/Tokyo"));
      byte[] tokyo = BagWriter.zip(bag(), TIME);
      java.util.TimeZone.setDefault(java.util.TimeZone.getTimeZone("America/New_York"));
      assertThat(BagWriter.zip(bag(), TIME)).isEqualTo(tokyo);
    } finally {
      java.util.TimeZone.setDefault(saved);
    }
  }

  @Test
  void everySingleByteChangeOfEveryFileIsCaughtAndNamed() throws IOException {
    SortedMap<String, byte[]> good = bag();
    int tried = 0;
    for (String name : good.keySet()) {
      byte[] content = good.get(name);
      for (int i = 0; i < content.length; i++) {
        for (int flip : new int[] {0x01, 0x20, 0x80}) {
          SortedMap<String, byte[]> bad = new TreeMap<>(good);
          byte[] c = content.clone();
          c[i] ^= (byte) flip;
          bad.put(name, c);
          BagVerifier.Report r = BagVerifier.verify(write("t.zip", BagWriter.zip(bad, TIME)));
          assertThat(r.ok()).as("%s byte %d ^ %x", name, i, flip).isFalse();
          if (name.contains("/data/")) {
            assertThat(problems(r))
                .as("%s byte %d", name, i)
                .containsExactly(
                    "altered: "
                        + name
                        + ": SHA-256 "
                        + BagWriter.sha256(c)
                        + " but manifest-sha256.txt says "
                        + BagWriter.sha256(content)
                        + " (the file or the manifest was changed)");
          }
          tried++;
        }
      }
    }
    assertThat(tried).isGreaterThan(2000);
  }

  @Test
  void missingExtraAndEscapingEntriesAreNamed() throws IOException {
    SortedMap<String, byte[]> files = bag();
    files.remove("bag/data/csv/windows.csv");
    files.put("bag/data/extra.txt", utf8("not listed"));
    files.put("bag/../evil", utf8("escape"));
    files.put("/etc/cron.d/evil", utf8("absolute"));
    files.put("bag/extra-tag.txt", utf8("tag"));
    List<String> p = problems(BagVerifier.verify(write("t.zip", rawZip(files))));
    assertThat(p)
        .contains(
            "missing: bag/data/csv/windows.csv: listed in manifest-sha256.txt",
            "extra: bag/data/extra.txt: not in manifest-sha256.txt",
            "refused: bag/../evil: '..' leaves the bag",
            "refused: /etc/cron.d/evil: absolute path",
            "extra: bag/extra-tag.txt: a tag file not in tagmanifest-sha256.txt");
  }

  @Test
  void duplicateEntriesAreRefused() throws IOException {
    // ZipOutputStream refuses duplicates, so the second entry is spliced in under a twin name
    SortedMap<String, byte[]> files = bag();
    files.put("bag/data/csv/windowz.csv", utf8("other"));
    byte[] zip = rawZip(files);
    String text =
        new String(zip, StandardCharsets.ISO_8859_1).replace("windowz.csv", "windows.csv");
    List<String> p =
        problems(BagVerifier.verify(write("t.zip", text.getBytes(StandardCharsets.ISO_8859_1))));
    assertThat(p).contains("refused: bag/data/csv/windows.csv: a second zip entry of that name");
  }

  @Test
  void anUnpackedBagVerifiesAndItsLinksAreRefused() throws IOException {
    Path dir = tmp.resolve("unpacked");
    try (ZipInputStream z =
        new ZipInputStream(new ByteArrayInputStream(BagWriter.zip(bag(), TIME)))) {
      for (ZipEntry e = z.getNextEntry(); e != null; e = z.getNextEntry()) {
        Path p = dir.resolve(e.getName());
        Files.createDirectories(p.getParent());
        Files.write(p, z.readAllBytes());
      }
    }
    assertThat(problems(BagVerifier.verify(dir))).isEmpty();
    Path csv = dir.resolve("bag/data/csv/windows.csv");
    Files.writeString(csv, "source_ip,opened_at\r\n192.0.2.8,2026-10-01T00:00:00.000000Z\r\n");
    assertThat(problems(BagVerifier.verify(dir)))
        .singleElement()
        .asString()
        .startsWith("altered: bag/data/csv/windows.csv: SHA-256 ");
    Files.delete(csv);
    Files.createSymbolicLink(csv, Path.of("/etc/passwd"));
    assertThat(problems(BagVerifier.verify(dir)))
        .contains(
            "refused: bag/data/csv/windows.csv: a symbolic link",
            "missing: bag/data/csv/windows.csv: listed in manifest-sha256.txt");
  }

  @Test
  void theWriterRefusesUnsafeNames() {
    for (String bad : List.of("../x", "/abs", "a//b", "a/./b", "a\\b", "C:/x", "line\nbreak")) {
      assertThatThrownBy(() -> BagWriter.files("bag", Map.of(bad, new byte[0]), Map.of()))
          .as(bad)
          .isInstanceOf(EvidenceException.class)
          .hasMessageContaining("unsafe payload name");
    }
    assertThatThrownBy(() -> BagWriter.files("..", Map.of(), Map.of()))
        .isInstanceOf(EvidenceException.class);
    assertThat(BagPaths.segment("../..")).isEqualTo(".._..");
    assertThat(BagPaths.segment("..")).isEqualTo("_..");
    assertThat(BagPaths.segment("=cmd|' /C calc'!A0")).isEqualTo("_cmd____C_calc__A0");
  }

  @Test
  void aBrokenContainerIsReportedAsACorruptZip() throws IOException {
    byte[] zip = BagWriter.zip(bag(), TIME);
    // the first entry's compressed bytes start after its local header and name
    int nameLength = (zip[26] & 0xff) | (zip[27] & 0xff) << 8;
    int extraLength = (zip[28] & 0xff) | (zip[29] & 0xff) << 8;
    int data = 30 + nameLength + extraLength;
    for (int i = data; i < data + 8; i++) {
      byte[] bad = zip.clone();
      bad[i] ^= 0x55;
      assertThat(problems(BagVerifier.verify(write("c.zip", bad))))
          .as("byte %d", i)
          .isNotEmpty()
          .anyMatch(p -> p.startsWith("invalid: ") || p.startsWith("altered: "));
    }
  }

  /**
   * A ruleset snapshot carries its own hash: one changed before it was bundled (manifest and file
   * agreeing) is caught by that hash, and only by it.
   */
  @Test
  void aSnapshotChangedBeforeBundlingFailsItsOwnHash() throws IOException {
    byte[] snapshot = Files.readAllBytes(Path.of("sample-logs", "rules-snapshot.txt"));
    String text = new String(snapshot, StandardCharsets.UTF_8);
    assertThat(text).startsWith("# mobilessh snapshot v1\n").contains("[69:4146] -A INPUT");
    Map<String, byte[]> payload = new LinkedHashMap<>();
    payload.put("snapshots/rules-snapshot.txt", snapshot);
    byte[] good = BagWriter.zip(BagWriter.files("bag", payload, Map.of()), TIME);
    assertThat(problems(BagVerifier.verify(write("good.zip", good)))).isEmpty();

    // a counter edited by hand, the bag then written (and hashed) around the edited file
    payload.put("snapshots/rules-snapshot.txt", utf8(text.replace("[69:4146]", "[0:0]")));
    byte[] edited = BagWriter.zip(BagWriter.files("bag", payload, Map.of()), TIME);
    assertThat(problems(BagVerifier.verify(write("edited.zip", edited))))
        .containsExactly(
            "invalid: bag/data/snapshots/rules-snapshot.txt: ruleset snapshot: sha256 mismatch:"
                + " the file was changed after it was written");
  }

  /**
   * Replaces a tag file and its line in the tag manifest, as someone rewriting a bag consistently
   * would: what is left to catch it is the verifier's reading of the file itself.
   */
  static void replaceTagFile(SortedMap<String, byte[]> files, String name, byte[] bytes) {
    String tags = new String(files.get("bag/tagmanifest-sha256.txt"), StandardCharsets.UTF_8);
    String oldSum = BagWriter.sha256(files.get("bag/" + name));
    assertThat(tags).contains(oldSum + "  " + name + "\n");
    files.put("bag/" + name, bytes);
    files.put("bag/tagmanifest-sha256.txt", utf8(tags.replace(oldSum, BagWriter.sha256(bytes))));
  }

  @Test
  void aManifestListingAFileTwiceIsInvalid() throws IOException {
    SortedMap<String, byte[]> files = bag();
    String manifest = new String(files.get("bag/manifest-sha256.txt"), StandardCharsets.UTF_8);
    String line =
        manifest
            .lines()
            .filter(l -> l.endsWith("  data/csv/windows.csv"))
            .findFirst()
            .orElseThrow();
    replaceTagFile(files, "manifest-sha256.txt", utf8(manifest + line + "\n"));
    assertThat(problems(BagVerifier.verify(write("twice.zip", rawZip(files)))))
        .containsExactly(
            "invalid: bag/data/csv/windows.csv: manifest-sha256.txt lists it more than once");
  }

  /** Stricter than RFC 8493 (see BagVerifier): checksums are written lower-case, and so read. */
  @Test
  void anUpperCaseChecksumIsInvalidNotAMatch() throws IOException {
    SortedMap<String, byte[]> files = bag();
    String manifest = new String(files.get("bag/manifest-sha256.txt"), StandardCharsets.UTF_8);
    String sum = BagWriter.sha256(files.get("bag/data/csv/windows.csv"));
    assertThat(manifest).contains(sum + "  data/csv/windows.csv\n");
    String upper = sum.toUpperCase(java.util.Locale.ROOT);
    replaceTagFile(files, "manifest-sha256.txt", utf8(manifest.replace(sum, upper)));
    assertThat(problems(BagVerifier.verify(write("upper.zip", rawZip(files)))))
        .anyMatch(
            p ->
                p.startsWith("invalid: bag/manifest-sha256.txt: line ")
                    && p.endsWith(": not a lower-case hex SHA-256: " + upper))
        .contains("extra: bag/data/csv/windows.csv: not in manifest-sha256.txt");
  }

  @Test
  void aManifestListingAFileOutsideDataIsInvalid() throws IOException {
    SortedMap<String, byte[]> files = bag();
    byte[] notes = utf8("a note beside the payload\n");
    files.put("bag/notes.txt", notes);
    String manifest = new String(files.get("bag/manifest-sha256.txt"), StandardCharsets.UTF_8);
    replaceTagFile(
        files, "manifest-sha256.txt", utf8(manifest + BagWriter.sha256(notes) + "  notes.txt\n"));
    assertThat(problems(BagVerifier.verify(write("outside.zip", rawZip(files)))))
        .contains("invalid: bag/notes.txt: manifest-sha256.txt lists it outside data/");
  }

  @Test
  void aTagManifestListingAPayloadFileIsInvalid() throws IOException {
    SortedMap<String, byte[]> files = bag();
    String tags = new String(files.get("bag/tagmanifest-sha256.txt"), StandardCharsets.UTF_8);
    String sum = BagWriter.sha256(files.get("bag/data/csv/windows.csv"));
    files.put("bag/tagmanifest-sha256.txt", utf8(tags + sum + "  data/csv/windows.csv\n"));
    assertThat(problems(BagVerifier.verify(write("tags.zip", rawZip(files)))))
        .containsExactly(
            "invalid: bag/data/csv/windows.csv: tagmanifest-sha256.txt lists a payload file");
  }

  /** A bag whose bagit.txt (and tag manifest, consistently) claims another version is refused. */
  @Test
  void anUnknownBagitDeclarationIsInvalid() throws IOException {
    SortedMap<String, byte[]> files = bag();
    replaceTagFile(
        files, "bagit.txt", utf8("BagIt-Version: 2.0\nTag-File-Character-Encoding: UTF-8\n"));
    assertThat(problems(BagVerifier.verify(write("v2.zip", rawZip(files)))))
        .containsExactly(
            "invalid: bag/bagit.txt: expected 'BagIt-Version: 1.0' and"
                + " 'Tag-File-Character-Encoding: UTF-8'");
  }

  @Test
  void notABagIsInvalid() throws IOException {
    List<String> p =
        problems(BagVerifier.verify(write("t.zip", rawZip(Map.of("a/readme.txt", utf8("hi"))))));
    assertThat(p)
        .containsExactly("invalid: bagit.txt: not found at the root or in one base directory");
    assertThat(new ArrayList<>(problems(BagVerifier.verify(write("n.zip", utf8("no zip"))))))
        .singleElement()
        .asString()
        .contains("not a zip file");
  }
}
