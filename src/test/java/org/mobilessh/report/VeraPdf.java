package org.mobilessh.report;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.verapdf.gf.foundry.VeraGreenfieldFoundryProvider;
import org.verapdf.pdfa.Foundries;
import org.verapdf.pdfa.PDFAParser;
import org.verapdf.pdfa.PDFAValidator;
import org.verapdf.pdfa.flavours.PDFAFlavour;
import org.verapdf.pdfa.results.TestAssertion;
import org.verapdf.pdfa.results.ValidationResult;

/**
 * veraPDF, the reference PDF/A validator (Open Preservation Foundation), run in-process on a PDF:
 * the failed rules of one flavour, each with its clause, test number, description and where.
 */
public final class VeraPdf {
  static {
    VeraGreenfieldFoundryProvider.initialise();
  }

  private VeraPdf() {}

  /**
   * The failed rules of {@code flavour} ({@code "3b"}), one line per rule: {@code 6.2.11.4.1-1
   * (x3): message at context}; empty when the file complies.
   */
  public static List<String> failures(byte[] pdf, String flavour) {
    PDFAFlavour f = PDFAFlavour.fromString(flavour);
    try (PDFAParser parser =
        Foundries.defaultInstance().createParser(new ByteArrayInputStream(pdf), f)) {
      // all failures of a rule, not only the first: the message shows how widespread it is
      PDFAValidator validator =
          Foundries.defaultInstance().createValidator(f, 20, false, true, false);
      ValidationResult result = validator.validate(parser);
      Map<String, List<String>> byRule = new TreeMap<>();
      for (TestAssertion a : result.getTestAssertions()) {
        if (a.getStatus() != TestAssertion.Status.FAILED) {
          continue;
        }
        String rule = a.getRuleId().getClause() + "-" + a.getRuleId().getTestNumber();
        byRule
            .computeIfAbsent(rule, k -> new ArrayList<>())
            .add(
                (a.getErrorMessage() == null ? a.getMessage() : a.getErrorMessage())
                    + " at "
                    + a.getLocationContext());
      }
      List<String> out = new ArrayList<>();
      byRule.forEach((rule, msgs) -> out.add(rule + " (x" + msgs.size() + "): " + msgs.get(0)));
      if (out.isEmpty() && !result.isCompliant()) {
        out.add("not compliant, no failed assertion reported: " + result.getJobEndStatus());
      }
      return out;
    } catch (Exception e) {
      throw new AssertionError("veraPDF could not validate the PDF: " + e, e);
    }
  }
}
