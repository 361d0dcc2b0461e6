package org.mobilessh.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mobilessh.audit.Anomaly;
import org.mobilessh.audit.CloseReason;
import org.mobilessh.audit.Window;
import org.mobilessh.ingest.Ingester;
import org.mobilessh.parse.Diagnostic;

/**
 * Every machine code the report prints — close reasons, window openings, anomaly kinds, quarantine
 * reasons — has a label of its own in every bundled language: a new code without one fails here
 * instead of printing as a bare identifier in a Japanese report.
 */
class MessagesLabelTest {
  private static final Path BUNDLES = Path.of("report-templates", "default");

  /** Every code of each group, from the enums and constants that define them. */
  static Map<Messages.Codes, List<String>> codes() throws IllegalAccessException {
    List<String> quarantine = new ArrayList<>();
    for (Diagnostic.Reason r : Diagnostic.Reason.values()) {
      // the ingest stage's reasonCode(): NOT_THIS_FORMAT -> not-this-format
      quarantine.add(r.name().toLowerCase(Locale.ROOT).replace('_', '-'));
    }
    for (Field f : Ingester.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers())
          && f.getType() == String.class
          && ((String) f.get(null)).matches("[a-z0-9]+(-[a-z0-9]+)*")) {
        quarantine.add((String) f.get(null));
      }
    }
    return Map.of(
        Messages.Codes.CLOSE_REASON,
        Stream.of(CloseReason.values()).map(CloseReason::id).toList(),
        Messages.Codes.OPENING,
        Stream.of(Window.Opening.values()).map(Window.Opening::id).toList(),
        Messages.Codes.ANOMALY,
        Stream.of(Anomaly.Kind.values()).map(Anomaly.Kind::id).toList(),
        Messages.Codes.ANOMALY_ABOUT,
        Stream.of(Anomaly.Kind.values()).map(Anomaly.Kind::id).toList(),
        Messages.Codes.QUARANTINE,
        quarantine);
  }

  private static Properties bundle(String lang) throws IOException {
    Properties p = new Properties();
    try (Reader r =
        Files.newBufferedReader(BUNDLES.resolve(Messages.fileName(lang)), StandardCharsets.UTF_8)) {
      p.load(r);
    }
    return p;
  }

  @ParameterizedTest
  @ValueSource(strings = {"en", "ja"})
  void everyCodeHasALabelInTheBundle(String lang) throws Exception {
    Properties own = bundle(lang);
    Properties en = bundle("en");
    List<String> missing = new ArrayList<>();
    List<String> untranslated = new ArrayList<>();
    for (Map.Entry<Messages.Codes, List<String>> e : codes().entrySet()) {
      assertThat(e.getValue()).as(e.getKey().name()).isNotEmpty();
      for (String code : e.getValue()) {
        String key = e.getKey().key(code);
        String label = own.getProperty(key);
        if (label == null || label.isBlank()) {
          missing.add(key);
        } else if (!lang.equals("en") && label.equals(en.getProperty(key))) {
          untranslated.add(key);
        }
      }
    }
    assertThat(missing).as("codes without a label in messages_" + lang).isEmpty();
    assertThat(untranslated).as("labels of messages_" + lang + " still in English").isEmpty();
    // the quarantine group found the ingest stage's own constants, not only the parse reasons
    assertThat(codes().get(Messages.Codes.QUARANTINE))
        .contains(Ingester.SNAPSHOT_HASH_MISMATCH, Ingester.UNKNOWN_FORMAT, "needs-boot-time");
  }

  @Test
  void aLabelLooksUpItsGroupAndACodeWithoutOneStaysTheCode() {
    Messages ja =
        Messages.of(
            "ja", Map.of("label.closeReason.expired", "期限切れ", "label.anomaly.expired", "x"));
    assertThat(ja.label(Messages.Codes.CLOSE_REASON, "expired")).isEqualTo("期限切れ");
    assertThat(ja.label(Messages.Codes.CLOSE_REASON, "brand-new-reason"))
        .isEqualTo("brand-new-reason");
    assertThat(ja.label(Messages.Codes.OPENING, "expired")).isEqualTo("expired");
  }
}
