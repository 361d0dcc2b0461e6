package org.mobilessh.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** poppler-utils (installed by .ci/run): the PDF as a reader sees it. */
final class Poppler {
  private Poppler() {}

  /** Fails in CI and skips elsewhere when poppler-utils is missing. */
  static void require() {
    boolean present = Files.isExecutable(Path.of("/usr/bin/pdftotext"));
    if ("true".equals(System.getenv("CI"))) {
      assertThat(present).as("poppler-utils (pdftotext) must be installed in CI").isTrue();
    }
    assumeTrue(present, "poppler-utils is not installed");
  }

  static String run(String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
      byte[] out;
      try (InputStream in = p.getInputStream()) {
        out = in.readAllBytes();
      }
      String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      int code = p.waitFor();
      assertThat(code).as("%s: %s", String.join(" ", cmd), err).isZero();
      return new String(out, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The text of every page, whitespace collapsed to single spaces. */
  static String text(Path pdf) {
    return run("pdftotext", "-enc", "UTF-8", pdf.toString(), "-").replaceAll("\\s+", " ");
  }

  /** The text of each page (form feeds separate pages). */
  static List<String> pages(Path pdf) {
    String all = run("pdftotext", "-enc", "UTF-8", pdf.toString(), "-");
    List<String> pages = new ArrayList<>();
    for (String p : all.split("\f")) {
      pages.add(p.replaceAll("\\s+", " "));
    }
    return pages;
  }

  static int pageCount(Path pdf) {
    for (String line : run("pdfinfo", pdf.toString()).split("\n")) {
      if (line.startsWith("Pages:")) {
        return Integer.parseInt(line.substring(6).trim());
      }
    }
    throw new AssertionError("pdfinfo printed no page count");
  }

  /**
   * Share of non-white pixels of one page rendered in gray at {@code dpi} by pdftoppm (a binary
   * PGM, parsed here).
   */
  static double ink(Path pdf, int page, int dpi) {
    try {
      Process p =
          new ProcessBuilder(
                  "pdftoppm",
                  "-gray",
                  "-r",
                  Integer.toString(dpi),
                  "-f",
                  Integer.toString(page),
                  "-l",
                  Integer.toString(page),
                  pdf.toString())
              .start();
      byte[] pgm;
      try (InputStream in = p.getInputStream()) {
        pgm = in.readAllBytes();
      }
      assertThat(p.waitFor()).isZero();
      // header: P5 <w> <h> <max>, each separated by whitespace, then the pixels
      int pos = 0;
      String[] head = new String[4];
      for (int i = 0; i < 4; i++) {
        while (Character.isWhitespace(pgm[pos])) {
          pos++;
        }
        StringBuilder b = new StringBuilder();
        while (!Character.isWhitespace(pgm[pos])) {
          b.append((char) pgm[pos++]);
        }
        head[i] = b.toString();
      }
      pos++;
      assertThat(head[0]).isEqualTo("P5");
      int n = Integer.parseInt(head[1]) * Integer.parseInt(head[2]);
      long dark = 0;
      for (int i = 0; i < n; i++) {
        if ((pgm[pos + i] & 0xff) < 200) {
          dark++;
        }
      }
      return dark / (double) n;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
