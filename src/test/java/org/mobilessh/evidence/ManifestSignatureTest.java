package org.mobilessh.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Manifest signing with keys and certificates made by {@code openssl} (PEM, encrypted PEM, PKCS
 * #12, a small CA), checked by {@link BagVerifier} and, independently, by {@code openssl cms
 * -verify}.
 */
class ManifestSignatureTest {
  static final String BASE = "bag-2026-10";
  static final String TAG_MANIFEST = BASE + "/tagmanifest-sha256.txt";
  static final String SIGNATURE = BASE + "/" + ManifestSignature.FILE;

  @TempDir static Path tmp;
  static Path key;
  static Path cert;
  static Path otherKey;
  static Path otherCert;
  static Path caCert;
  static Path issuedKey;
  static Path issuedCert;

  @BeforeAll
  static void keys() throws Exception {
    boolean ci = "true".equals(System.getenv("CI"));
    boolean have = hasOpenssl();
    if (ci) {
      assertThat(have).as("openssl is needed (CI=true): apt-get install openssl").isTrue();
    }
    assumeThat(have).as("openssl not installed").isTrue();
    key = tmp.resolve("key.pem");
    cert = tmp.resolve("cert.pem");
    selfSigned(key, cert, "rsa:2048", "/CN=Auditor A");
    otherKey = tmp.resolve("other-key.pem");
    otherCert = tmp.resolve("other-cert.pem");
    selfSigned(otherKey, otherCert, "rsa:2048", "/CN=Someone Else");
    // a CA and an EC key it certifies
    Path caKey = tmp.resolve("ca-key.pem");
    caCert = tmp.resolve("ca.pem");
    selfSigned(caKey, caCert, "rsa:2048", "/CN=Company CA");
    issuedKey = tmp.resolve("ec-key.pem");
    openssl(
        "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", issuedKey);
    Path csr = tmp.resolve("ec.csr");
    openssl("req", "-new", "-key", issuedKey, "-subj", "/CN=Router Admin", "-out", csr);
    issuedCert = tmp.resolve("ec-cert.pem");
    openssl(
        "x509",
        "-req",
        "-in",
        csr,
        "-CA",
        caCert,
        "-CAkey",
        caKey,
        "-CAcreateserial",
        "-days",
        "30",
        "-out",
        issuedCert);
  }

  @Test
  void aSignedBagVerifiesAndNamesItsSigner() throws IOException {
    ManifestSignature.Signer s = ManifestSignature.load(key, cert, null);
    Path zip = write("signed.zip", EvidenceBundle.sign(bag(), s));
    BagVerifier.Report r = BagVerifier.verify(zip);
    assertThat(r.problems()).isEmpty();
    assertThat(r.signedBy()).isEqualTo("CN=Auditor A");
    BagVerifier.Report anchored = BagVerifier.verify(zip, cert(cert));
    assertThat(anchored.problems()).isEmpty();
    assertThat(anchored.signedBy()).isEqualTo("CN=Auditor A");
    // an unsigned bag still verifies, and says so
    assertThat(BagVerifier.verify(write("plain.zip", bag())).signedBy()).isNull();
  }

  @Test
  void aCertificateIssuedByTheTrustedCaIsAccepted() throws IOException {
    ManifestSignature.Signer s = ManifestSignature.load(issuedKey, issuedCert, null);
    Path zip = write("ca.zip", EvidenceBundle.sign(bag(), s));
    BagVerifier.Report r = BagVerifier.verify(zip, cert(caCert));
    assertThat(r.problems()).isEmpty();
    assertThat(r.signedBy()).isEqualTo("CN=Router Admin");
    assertThat(BagVerifier.verify(zip, cert(cert)).problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.kind()).isEqualTo(BagVerifier.Kind.BAD_SIGNATURE);
              assertThat(p.detail()).contains("signed by CN=Router Admin", "CN=Auditor A");
            });
  }

  @Test
  void everyByteOfTheTagManifestChangedFailsTheSignature() {
    ManifestSignature.Signer s = ManifestSignature.load(key, cert, null);
    SortedMap<String, byte[]> signed = EvidenceBundle.sign(bag(), s);
    byte[] tags = signed.get(TAG_MANIFEST);
    byte[] sig = signed.get(SIGNATURE);
    assertThat(ManifestSignature.verify(tags, sig, null).ok()).isTrue();
    for (int i = 0; i < tags.length; i++) {
      byte[] changed = tags.clone();
      changed[i] ^= 0x01;
      ManifestSignature.Verification v = ManifestSignature.verify(changed, sig, null);
      assertThat(v.ok()).as("byte %d changed", i).isFalse();
      assertThat(v.problem()).contains("does not match the tag manifest");
    }
    byte[] longer = java.util.Arrays.copyOf(tags, tags.length + 1);
    longer[tags.length] = '\n';
    assertThat(ManifestSignature.verify(longer, sig, null).ok()).isFalse();
  }

  @Test
  void aManifestRewrittenConsistentlyIsCaughtOnlyByTheSignature() throws IOException {
    ManifestSignature.Signer s = ManifestSignature.load(key, cert, null);
    SortedMap<String, byte[]> signed = EvidenceBundle.sign(bag(), s);
    // the forger changes a payload file and recomputes both manifests: hashes all agree
    Map<String, byte[]> payload = new TreeMap<>(payload());
    payload.put("csv/windows.csv", "id,opened\nw1,forged\n".getBytes(StandardCharsets.UTF_8));
    SortedMap<String, byte[]> forged = BagWriter.files(BASE, payload, info());
    forged.put(SIGNATURE, signed.get(SIGNATURE));
    BagVerifier.Report r = BagVerifier.verify(write("forged.zip", forged));
    assertThat(r.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.kind()).isEqualTo(BagVerifier.Kind.BAD_SIGNATURE);
              assertThat(p.name()).isEqualTo(SIGNATURE);
              assertThat(p.detail()).contains("the manifest or the signature was changed");
            });
    assertThat(r.signedBy()).isNull();
  }

  @Test
  void aChangedSignatureOrAMissingOneUnderACertFails() throws IOException {
    ManifestSignature.Signer s = ManifestSignature.load(key, cert, null);
    SortedMap<String, byte[]> signed = EvidenceBundle.sign(bag(), s);
    byte[] sig = signed.get(SIGNATURE);
    // the DER's header, and the RSA signature value (its last 256 bytes)
    for (int i : new int[] {0, 5, sig.length - 200, sig.length - 100, sig.length - 1}) {
      byte[] bad = sig.clone();
      bad[i] ^= 0x40;
      SortedMap<String, byte[]> b = new TreeMap<>(signed);
      b.put(SIGNATURE, bad);
      assertThat(BagVerifier.verify(write("badsig" + i + ".zip", b)).problems())
          .as("signature byte %d changed", i)
          .extracting(BagVerifier.Problem::kind)
          .containsExactly(BagVerifier.Kind.BAD_SIGNATURE);
    }
    // with the trust anchor, every byte of what the signature authenticates fails when changed:
    // the signed attributes (content type, signing time, the manifest's digest) and the signature
    // value. (Envelope fields such as the outer content-type OID or the informational
    // digestAlgorithms set are covered by no CMS signature, by the standard's design; changing
    // them does not change what is attested.)
    byte[] tags = signed.get(TAG_MANIFEST);
    byte[] attrs = signedAttributes(sig);
    int from = indexOf(sig, java.util.Arrays.copyOfRange(attrs, 1, attrs.length));
    assertThat(from).as("signed attributes inside the DER").isPositive();
    List<Integer> covered = new ArrayList<>();
    for (int i = from; i < from + attrs.length - 1; i++) {
      covered.add(i);
    }
    for (int i = sig.length - 256; i < sig.length; i++) {
      covered.add(i);
    }
    List<Integer> passed = new ArrayList<>();
    for (int i : covered) {
      byte[] bad = sig.clone();
      bad[i] ^= 0x01;
      if (ManifestSignature.verify(tags, bad, cert(cert)).ok()) {
        passed.add(i);
      }
    }
    assertThat(passed).as("bytes whose change still verified, of %d", covered.size()).isEmpty();
    assertThat(BagVerifier.verify(write("unsigned.zip", bag()), cert(cert)).problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.kind()).isEqualTo(BagVerifier.Kind.MISSING);
              assertThat(p.name()).isEqualTo(SIGNATURE);
            });
  }

  @Test
  void encryptedPemAndPkcs12KeysNeedTheirPassword() throws Exception {
    Path enc = tmp.resolve("enc-key.pem");
    openssl("pkcs8", "-topk8", "-in", key, "-out", enc, "-passout", "pass:s3cret pw");
    assertThatThrownBy(() -> ManifestSignature.load(enc, cert, null))
        .isInstanceOf(EvidenceException.class)
        .hasMessageContaining("encrypted");
    assertThatThrownBy(() -> ManifestSignature.load(enc, cert, "wrong".toCharArray()))
        .isInstanceOf(EvidenceException.class)
        .hasMessageContaining("wrong password");
    assertThat(ManifestSignature.load(enc, cert, "s3cret pw".toCharArray()).certificate())
        .isEqualTo(cert(cert));

    Path p12 = tmp.resolve("signer.p12");
    openssl(
        "pkcs12", "-export", "-inkey", key, "-in", cert, "-out", p12, "-passout", "pass:p12 pw");
    ManifestSignature.Signer s = ManifestSignature.load(p12, null, "p12 pw".toCharArray());
    assertThat(s.certificate()).isEqualTo(cert(cert));
    assertThatThrownBy(() -> ManifestSignature.load(p12, null, "nope".toCharArray()))
        .isInstanceOf(EvidenceException.class)
        .hasMessageContaining("wrong password");
    // a key with somebody else's certificate is refused before anything is signed
    assertThatThrownBy(() -> ManifestSignature.load(key, otherCert, null))
        .isInstanceOf(EvidenceException.class)
        .hasMessageContaining("belongs to this private key");
  }

  @Test
  void opensslCmsVerifyAcceptsTheSignatureAndRejectsAChangedManifest() throws Exception {
    for (Path[] signer : new Path[][] {{key, cert, cert}, {issuedKey, issuedCert, caCert}}) {
      ManifestSignature.Signer s = ManifestSignature.load(signer[0], signer[1], null);
      SortedMap<String, byte[]> signed = EvidenceBundle.sign(bag(), s);
      Path content = tmp.resolve("tagmanifest.txt");
      Path sig = tmp.resolve("tagmanifest.txt.p7s");
      Files.write(content, signed.get(TAG_MANIFEST));
      Files.write(sig, signed.get(SIGNATURE));
      String[] verify = {
        "cms",
        "-verify",
        "-binary",
        "-inform",
        "DER",
        "-in",
        sig.toString(),
        "-content",
        content.toString(),
        "-CAfile",
        signer[2].toString(),
        "-purpose",
        "any",
        "-out",
        "/dev/null"
      };
      Run ok = run(verify);
      assertThat(ok.code()).as(ok.output()).isZero();
      assertThat(ok.output()).contains("Verification successful");
      byte[] changed = signed.get(TAG_MANIFEST).clone();
      changed[3] ^= 0x01;
      Files.write(content, changed);
      Run bad = run(verify);
      assertThat(bad.code()).as(bad.output()).isNotZero();
      assertThat(bad.output()).containsIgnoringCase("verification failure");
      // the wrong trust anchor: openssl refuses the chain
      Files.write(content, signed.get(TAG_MANIFEST));
      verify[verify.length - 5] = otherCert.toString();
      Run untrusted = run(verify);
      assertThat(untrusted.code()).as(untrusted.output()).isNotZero();
    }
  }

  static byte[] signedAttributes(byte[] der) {
    try {
      return new org.bouncycastle.cms.CMSSignedData(der)
          .getSignerInfos()
          .getSigners()
          .iterator()
          .next()
          .getEncodedSignedAttributes();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  static Map<String, byte[]> payload() {
    Map<String, byte[]> p = new TreeMap<>();
    p.put(
        "csv/windows.csv", "id,opened\nw1,2026-10-01T00:00:00Z\n".getBytes(StandardCharsets.UTF_8));
    p.put("raw/01-kern.log.txt", "Oct  1 00:00:00 router1 kernel: x\n".getBytes());
    return p;
  }

  static Map<String, String> info() {
    Map<String, String> info = new LinkedHashMap<>();
    info.put("Mobilessh-Month", "2026-10");
    return info;
  }

  static SortedMap<String, byte[]> bag() {
    return BagWriter.files(BASE, payload(), info());
  }

  static Path write(String name, SortedMap<String, byte[]> files) throws IOException {
    Path zip = tmp.resolve(name);
    Files.write(zip, BagWriter.zip(files, LocalDateTime.of(2026, 11, 1, 0, 0)));
    return zip;
  }

  static java.security.cert.X509Certificate cert(Path pem) {
    return ManifestSignature.certificates(pem).get(0);
  }

  static void selfSigned(Path key, Path cert, String newkey, String subject) throws Exception {
    openssl(
        "req", "-x509", "-newkey", newkey, "-nodes", "-keyout", key, "-out", cert, "-days", "30",
        "-subj", subject);
  }

  static void openssl(Object... args) throws Exception {
    List<String> a = new ArrayList<>();
    for (Object o : args) {
      a.add(o.toString());
    }
    Run r = run(a.toArray(String[]::new));
    assertThat(r.code()).as("openssl %s: %s", a, r.output()).isZero();
  }

  record Run(int code, String output) {}

  static Run run(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add("openssl");
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), out);
  }

  static boolean hasOpenssl() {
    try {
      return new ProcessBuilder("openssl", "version").start().waitFor() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }
}
