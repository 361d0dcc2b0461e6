package org.mobilessh.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.concurrent.Callable;
import org.mobilessh.evidence.BagVerifier;
import org.mobilessh.evidence.EvidenceException;
import org.mobilessh.evidence.ManifestSignature;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mobilessh verify}: checks an evidence bundle without trusting whoever made it. */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Verify an evidence bundle (the zip 'mobilessh evidence' writes, or any BagIt bag with a"
          + " SHA-256 manifest, zipped or unpacked into a directory): recompute the SHA-256 of"
          + " every file and compare it with manifest-sha256.txt and tagmanifest-sha256.txt.",
      "Prints one line per altered, missing, extra or refused file (unsafe names such as"
          + " '../x' or absolute paths, links, duplicate entries) and exits 1 if there is any.",
      "A signed bundle (tagmanifest-sha256.txt.p7s, from 'evidence --sign-key') has its signature"
          + " checked too; with --cert, the bundle must be signed by that certificate (or one it"
          + " issued directly)."
    })
final class VerifyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "BUNDLE", description = "The bundle zip, or a directory holding a bag.")
  Path bundle;

  @Option(
      names = "--cert",
      paramLabel = "FILE",
      description =
          "The certificate (PEM or DER) you trust: the bundle must carry a valid signature made by"
              + " it or by a certificate it issued directly.")
  Path cert;

  @Override
  public Integer call() {
    X509Certificate anchor = null;
    if (cert != null) {
      FileOptions.existingFile("--cert " + cert, cert);
      try {
        anchor = ManifestSignature.certificates(cert).get(0);
      } catch (EvidenceException e) {
        throw new IllegalArgumentException("--cert " + e.getMessage(), e);
      }
    }
    BagVerifier.Report r = BagVerifier.verify(bundle, anchor);
    PrintWriter out = spec.commandLine().getOut();
    if (r.ok()) {
      out.println(
          bundle
              + ": OK: "
              + r.payloadFiles()
              + " payload files, "
              + r.payloadBytes()
              + " bytes; every SHA-256 matches the manifests"
              + (r.signedBy() == null
                  ? "; not signed"
                  : "; the tag manifest's signature is valid, signed by " + r.signedBy()));
      out.flush();
      return ExitCodes.OK;
    }
    for (BagVerifier.Problem p : r.problems()) {
      out.println(p);
    }
    out.flush();
    PrintWriter err = spec.commandLine().getErr();
    err.println(
        spec.qualifiedName(" ")
            + ": "
            + bundle
            + ": FAILED: "
            + r.problems().size()
            + (r.problems().size() == 1 ? " problem" : " problems"));
    err.flush();
    return ExitCodes.FAILURE;
  }
}
