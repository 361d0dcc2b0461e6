package org.mobilessh.evidence;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Enumeration;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;

/**
 * The optional signature of an evidence bundle: a detached CMS (PKCS #7) {@code SignedData} over
 * the bytes of {@code tagmanifest-sha256.txt}, DER-encoded, in the tag file {@value #FILE}. The tag
 * manifest holds the SHA-256 of {@code manifest-sha256.txt}, which holds that of every payload
 * file, so the one signature covers the whole bag. The signer's certificate travels inside the
 * signature; {@code openssl cms -verify -binary -inform DER -in FILE -content
 * tagmanifest-sha256.txt -CAfile CERT} checks it without this tool.
 *
 * <p>BouncyCastle does the CMS work; the JDK's default providers do the cryptography (no provider
 * is registered). Keys: RSA, EC or Ed25519, signed with SHA-256 (Ed25519: pure EdDSA).
 */
public final class ManifestSignature {
  /** The signature's name in the bag, beside the tag manifest it signs. */
  public static final String FILE = "tagmanifest-" + BagWriter.ALGORITHM + ".txt.p7s";

  /**
   * For decrypting PEM keys only (openssl's PBES2 names AES/CBC/PKCS7Padding, which the JDK calls
   * PKCS5Padding); passed by object, never registered, so nothing else in the JVM changes.
   */
  private static final java.security.Provider BC =
      new org.bouncycastle.jce.provider.BouncyCastleProvider();

  private ManifestSignature() {}

  /**
   * A private key and the certificate that goes with it (first), plus any intermediate certificates
   * to embed.
   */
  public record Signer(PrivateKey key, List<X509Certificate> chain) {
    public Signer {
      Objects.requireNonNull(key, "key");
      chain = List.copyOf(chain);
      if (chain.isEmpty()) {
        throw new EvidenceException("a signing key needs its certificate");
      }
      if (!belongs(key, chain.get(0))) {
        throw new EvidenceException(
            "the certificate ("
                + chain.get(0).getSubjectX500Principal().getName()
                + ") does not belong to the signing key");
      }
    }

    /** The signer's certificate. */
    public X509Certificate certificate() {
      return chain.get(0);
    }
  }

  /**
   * The outcome of checking a signature.
   *
   * @param ok whether the signature is valid (and, with a trust anchor, made by it)
   * @param signer the signing certificate's subject, when it could be read
   * @param problem why not, for people; empty when ok
   */
  public record Verification(boolean ok, String signer, String problem) {}

  /**
   * Reads a signing key. A PKCS #12 file ({@code .p12}/{@code .pfx}, or anything that is not PEM)
   * holds key and certificate; a PEM key file may hold the certificate(s) too, otherwise {@code
   * certFile} gives them.
   *
   * @param keyFile PEM private key (PKCS #8, traditional, or encrypted) or PKCS #12
   * @param certFile PEM certificate(s), or {@code null}
   * @param password for an encrypted key or the PKCS #12 file, or {@code null}
   * @throws EvidenceException when the files cannot be read or do not fit together
   */
  public static Signer load(Path keyFile, Path certFile, char[] password) {
    byte[] bytes = read(keyFile);
    boolean pem = new String(bytes, StandardCharsets.US_ASCII).contains("-----BEGIN ");
    return pem
        ? pem(keyFile, bytes, certFile, password)
        : pkcs12(keyFile, bytes, certFile, password);
  }

  /** A detached CMS signature over {@code content}, DER-encoded. */
  public static byte[] sign(byte[] content, Signer signer) {
    try {
      String alg = algorithm(signer.key());
      ContentSigner cs = new JcaContentSignerBuilder(alg).build(signer.key());
      CMSSignedDataGenerator g = new CMSSignedDataGenerator();
      g.addSignerInfoGenerator(
          new JcaSignerInfoGeneratorBuilder(new JcaDigestCalculatorProviderBuilder().build())
              .build(cs, signer.certificate()));
      g.addCertificates(new JcaCertStore(signer.chain()));
      return g.generate(new CMSProcessableByteArray(content), false).getEncoded("DER");
    } catch (OperatorCreationException | GeneralSecurityException | CMSException | IOException e) {
      throw new EvidenceException("cannot sign the manifest: " + e.getMessage(), e);
    }
  }

  /**
   * Checks a detached signature over {@code content}. Every signer must verify with the certificate
   * the signature carries; with {@code anchor}, one signer's certificate must be the anchor itself
   * or be signed directly by it (no longer chains, no revocation, no validity dates: the anchor is
   * what the auditor was given to trust).
   */
  public static Verification verify(byte[] content, byte[] signature, X509Certificate anchor) {
    try {
      return check(content, signature, anchor);
    } catch (RuntimeException e) {
      // BouncyCastle reports some malformed structures with unchecked exceptions
      return new Verification(false, "", "a malformed CMS signature: " + e.getMessage());
    }
  }

  private static Verification check(byte[] content, byte[] signature, X509Certificate anchor) {
    CMSSignedData cms;
    try {
      cms = new CMSSignedData(new CMSProcessableByteArray(content), signature);
    } catch (CMSException | RuntimeException e) {
      return new Verification(false, "", "not a CMS signature: " + e.getMessage());
    }
    Collection<SignerInformation> signers = cms.getSignerInfos().getSigners();
    if (signers.isEmpty()) {
      return new Verification(false, "", "the signature has no signer");
    }
    JcaX509CertificateConverter conv = new JcaX509CertificateConverter();
    String names = "";
    boolean anchored = anchor == null;
    for (SignerInformation si : signers) {
      @SuppressWarnings("unchecked")
      Collection<X509CertificateHolder> match = cms.getCertificates().getMatches(si.getSID());
      if (match.isEmpty()) {
        return new Verification(false, names, "the signer's certificate is not in the signature");
      }
      X509Certificate cert;
      try {
        cert = conv.getCertificate(match.iterator().next());
      } catch (GeneralSecurityException e) {
        return new Verification(false, names, "unreadable signer certificate: " + e.getMessage());
      }
      String name = cert.getSubjectX500Principal().getName();
      names = names.isEmpty() ? name : names + "; " + name;
      try {
        if (!si.verify(new JcaSimpleSignerInfoVerifierBuilder().build(cert))) {
          return new Verification(
              false,
              names,
              "the signature does not match the tag manifest (the manifest or the signature was"
                  + " changed)");
        }
      } catch (CMSException | OperatorCreationException | RuntimeException e) {
        return new Verification(
            false,
            names,
            "the signature does not match the tag manifest (the manifest or the signature was"
                + " changed): "
                + e.getMessage());
      }
      anchored |= anchor != null && issuedByOrIs(cert, anchor);
    }
    if (!anchored) {
      return new Verification(
          false,
          names,
          "signed by "
              + names
              + ", not by the given certificate ("
              + anchor.getSubjectX500Principal().getName()
              + ") nor a certificate it issued");
    }
    return new Verification(true, names, "");
  }

  /** Reads PEM certificates (the trust anchor of {@code verify --cert}). */
  public static List<X509Certificate> certificates(Path file) {
    byte[] bytes = read(file);
    try {
      List<X509Certificate> out = new ArrayList<>();
      for (var c :
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(bytes))) {
        out.add((X509Certificate) c);
      }
      if (out.isEmpty()) {
        throw new EvidenceException(file + ": no certificate found");
      }
      return out;
    } catch (GeneralSecurityException e) {
      throw new EvidenceException(file + ": not a PEM or DER certificate: " + e.getMessage(), e);
    }
  }

  private static boolean issuedByOrIs(X509Certificate cert, X509Certificate anchor) {
    if (cert.equals(anchor)) {
      return true;
    }
    if (!cert.getIssuerX500Principal().equals(anchor.getSubjectX500Principal())) {
      return false;
    }
    try {
      cert.verify(anchor.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static Signer pem(Path keyFile, byte[] bytes, Path certFile, char[] password) {
    PrivateKey key = null;
    List<X509Certificate> certs = new ArrayList<>();
    JcaPEMKeyConverter keys = new JcaPEMKeyConverter();
    JcaX509CertificateConverter conv = new JcaX509CertificateConverter();
    try (Reader r = new java.io.InputStreamReader(new ByteArrayInputStream(bytes), "US-ASCII");
        PEMParser p = new PEMParser(r)) {
      for (Object o = p.readObject(); o != null; o = p.readObject()) {
        if (o instanceof X509CertificateHolder h) {
          certs.add(conv.getCertificate(h));
          continue;
        }
        if (key != null) {
          throw new EvidenceException(keyFile + ": more than one private key");
        }
        if (o instanceof PEMKeyPair kp) {
          key = keys.getPrivateKey(kp.getPrivateKeyInfo());
        } else if (o instanceof PrivateKeyInfo ki) {
          key = keys.getPrivateKey(ki);
        } else if (o instanceof PKCS8EncryptedPrivateKeyInfo enc) {
          key =
              keys.getPrivateKey(
                  enc.decryptPrivateKeyInfo(
                      new JceOpenSSLPKCS8DecryptorProviderBuilder()
                          .setProvider(BC)
                          .build(need(password, keyFile))));
        } else if (o instanceof PEMEncryptedKeyPair enc) {
          key =
              keys.getPrivateKey(
                  enc.decryptKeyPair(
                          new JcePEMDecryptorProviderBuilder()
                              .setProvider(BC)
                              .build(need(password, keyFile)))
                      .getPrivateKeyInfo());
        }
      }
    } catch (PKCSException e) {
      throw new EvidenceException(keyFile + ": cannot decrypt the key (wrong password?)", e);
    } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
      throw new EvidenceException(keyFile + ": not a usable PEM key: " + e.getMessage(), e);
    }
    if (key == null) {
      throw new EvidenceException(keyFile + ": no private key in it");
    }
    if (certFile != null) {
      certs.addAll(certificates(certFile));
    }
    if (certs.isEmpty()) {
      throw new EvidenceException(
          keyFile + " holds no certificate: give the signer's certificate (PEM) too");
    }
    return new Signer(key, ownFirst(key, certs, keyFile));
  }

  private static Signer pkcs12(Path file, byte[] bytes, Path certFile, char[] password) {
    try (InputStream in = new ByteArrayInputStream(bytes)) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, password);
      Enumeration<String> aliases = ks.aliases();
      while (aliases.hasMoreElements()) {
        String a = aliases.nextElement();
        if (ks.isKeyEntry(a)) {
          PrivateKey key = (PrivateKey) ks.getKey(a, password);
          List<X509Certificate> certs = new ArrayList<>();
          var chain = ks.getCertificateChain(a);
          if (chain != null) {
            for (var c : chain) {
              certs.add((X509Certificate) c);
            }
          }
          if (certFile != null) {
            certs.addAll(certificates(certFile));
          }
          return new Signer(key, ownFirst(key, certs, file));
        }
      }
      throw new EvidenceException(file + ": the PKCS #12 file holds no private key");
    } catch (IOException e) {
      throw new EvidenceException(
          file
              + ": neither a PEM key nor a readable PKCS #12 file (wrong password?): "
              + e.getMessage(),
          e);
    } catch (GeneralSecurityException e) {
      throw new EvidenceException(file + ": cannot read the PKCS #12 key: " + e.getMessage(), e);
    }
  }

  private static List<X509Certificate> ownFirst(
      PrivateKey key, List<X509Certificate> certs, Path keyFile) {
    List<X509Certificate> out = new ArrayList<>();
    for (X509Certificate c : certs) {
      if (belongs(key, c)) {
        out.add(0, c);
      } else {
        out.add(c);
      }
    }
    if (out.isEmpty() || !belongs(key, out.get(0))) {
      throw new EvidenceException(keyFile + ": no certificate given belongs to this private key");
    }
    return out;
  }

  /**
   * Whether {@code cert} certifies {@code key}'s public half, tested by signing a probe: private
   * keys do not all expose their public half.
   */
  private static boolean belongs(PrivateKey key, X509Certificate cert) {
    try {
      byte[] probe = "mobilessh key check".getBytes(StandardCharsets.US_ASCII);
      String alg = algorithm(key);
      java.security.Signature s = java.security.Signature.getInstance(alg);
      s.initSign(key);
      s.update(probe);
      byte[] sig = s.sign();
      java.security.Signature v = java.security.Signature.getInstance(alg);
      v.initVerify(cert.getPublicKey());
      v.update(probe);
      return v.verify(sig);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  private static String algorithm(PrivateKey key) {
    return switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC", "ECDSA" -> "SHA256withECDSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default ->
          throw new EvidenceException(
              "unsupported key type " + key.getAlgorithm() + " (use RSA, EC or Ed25519)");
    };
  }

  private static char[] need(char[] password, Path keyFile) {
    if (password == null) {
      throw new EvidenceException(
          keyFile + ": the key is encrypted; give its password (--sign-password-env/-file)");
    }
    return password;
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new EvidenceException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
