package org.mobilessh.report;

import java.io.IOException;
import java.io.StringReader;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The report's words in one language: one source of strings for the template (as {@code t}) and for
 * the Java side (chart titles and axis labels, table labels, durations). They live next to the
 * template as {@code messages_LANG.properties} (UTF-8); a branded copy may hold only the keys it
 * changes. Lookup, later wins: bundled English, bundled {@code LANG}, the copy's {@code LANG}; so a
 * key missing in a translation still prints in English instead of failing the report.
 *
 * <p>Texts may carry {@code {0}}, {@code {1}} ... placeholders. Texts the template prints with its
 * {@code m()} function may contain simple XHTML ({@code <b>}, {@code <code>}); those the Java side
 * uses are plain text.
 */
public final class Messages {
  private final String lang;
  private final Map<String, String> texts;

  private Messages(String lang, Map<String, String> texts) {
    this.lang = lang;
    this.texts = Collections.unmodifiableMap(texts);
  }

  /** The file name of a language's messages. */
  static String fileName(String lang) {
    return "messages_" + lang + ".properties";
  }

  /** The messages of {@code lang} as the template {@code templates} provides them. */
  static Messages load(Templates templates, String lang) {
    Map<String, String> all = new TreeMap<>();
    read(all, templates.bundledText(fileName("en")), "bundled " + fileName("en"));
    if (!lang.equals("en")) {
      read(all, templates.bundledText(fileName(lang)), "bundled " + fileName(lang));
    }
    read(all, templates.userText(fileName(lang)), templates.description() + "/" + fileName(lang));
    if (all.isEmpty()) {
      throw new ReportException("no report messages found for --lang " + lang);
    }
    return new Messages(lang, all);
  }

  /** Messages from a map, for tests and callers without a template. */
  static Messages of(String lang, Map<String, String> texts) {
    return new Messages(lang, new TreeMap<>(texts));
  }

  private static void read(Map<String, String> into, String text, String where) {
    if (text == null) {
      return;
    }
    Properties p = new Properties();
    try {
      p.load(new StringReader(text));
    } catch (IOException | IllegalArgumentException e) {
      throw new ReportException("cannot read " + where + ": " + e.getMessage(), e);
    }
    for (String k : p.stringPropertyNames()) {
      into.put(k, p.getProperty(k));
    }
  }

  /** {@code en} or {@code ja}. */
  public String lang() {
    return lang;
  }

  /** The locale for names of months and days. */
  Locale locale() {
    return lang.equals("ja") ? Locale.JAPANESE : Locale.ENGLISH;
  }

  /**
   * The text of {@code key}, its placeholders {@code {0}}, {@code {1}} ... replaced by {@code
   * args}.
   *
   * @throws ReportException when no file defines the key (a template or a translation is broken)
   */
  public String get(String key, Object... args) {
    String t = texts.get(key);
    if (t == null) {
      throw new ReportException("report message '" + key + "' is not defined");
    }
    for (int i = 0; i < args.length; i++) {
      t = t.replace("{" + i + "}", String.valueOf(args[i]));
    }
    return t;
  }

  /** The groups of machine codes the report prints with a label: close reasons, and so on. */
  enum Codes {
    /** {@link org.mobilessh.audit.CloseReason#id()}. */
    CLOSE_REASON("closeReason"),
    /** {@link org.mobilessh.audit.Window.Opening#id()} (CSV column {@code opened_by}). */
    OPENING("openedBy"),
    /** {@link org.mobilessh.audit.Anomaly.Kind#id()}. */
    ANOMALY("anomaly"),
    /** What an anomaly kind means, one sentence (the anomalies' own messages are English). */
    ANOMALY_ABOUT("anomalyAbout"),
    /** Quarantine reasons of the ingest and parse stages. */
    QUARANTINE("quarantine");

    final String group;

    Codes(String group) {
      this.group = group;
    }

    /** The message key of a code's label: {@code label.GROUP.CODE}. */
    String key(String code) {
      return "label." + group + "." + code;
    }
  }

  /**
   * The readable label of a machine code ({@code 期限切れ} for close reason {@code expired}), printed
   * beside the code itself, which stays what CSV, JSON and the commands use. A code without a label
   * (a branded template's older bundle, a quarantine reason added later) prints as the code; the
   * bundled messages label every code (tested).
   */
  String label(Codes group, String code) {
    String t = texts.get(group.key(code));
    return t == null ? code : t;
  }

  /**
   * An anomaly's message in this language: the audit writes it in English from a few sentence
   * shapes, the bundled English messages give each shape as {@code anomalyPattern.KIND.N} with
   * {@code {0}}, {@code {1}} ... where the message has its own values (addresses, times, counts),
   * and a translation gives {@code anomalyText.KIND.N}. The first pattern (in key order) that
   * matches the whole message is filled into its translation with those values unchanged; a message
   * no pattern matches, or one without a translation (English), is returned as it is.
   */
  String anomaly(String kind, String message) {
    String prefix = "anomalyPattern." + kind + ".";
    for (Map.Entry<String, String> e : texts.entrySet()) {
      if (!e.getKey().startsWith(prefix)) {
        continue;
      }
      String translation =
          texts.get("anomalyText." + kind + "." + e.getKey().substring(prefix.length()));
      if (translation == null) {
        continue;
      }
      java.util.List<Integer> order = new java.util.ArrayList<>();
      java.util.regex.Matcher m = shape(e.getValue(), order).matcher(message);
      if (m.matches()) {
        java.util.Map<Integer, String> values = new java.util.HashMap<>();
        for (int g = 1; g <= m.groupCount(); g++) {
          values.put(order.get(g - 1), m.group(g));
        }
        // one pass, so a value that itself reads like {1} is not replaced again
        return SLOT.matcher(translation)
            .replaceAll(
                r ->
                    java.util.regex.Matcher.quoteReplacement(
                        values.getOrDefault(Integer.parseInt(r.group(1)), r.group())));
      }
    }
    return message;
  }

  private static final java.util.regex.Pattern SLOT =
      java.util.regex.Pattern.compile("\\{(\\d+)\\}");

  /** A pattern text as a regular expression; {@code order} gets each group's placeholder number. */
  private static java.util.regex.Pattern shape(String pattern, java.util.List<Integer> order) {
    StringBuilder re = new StringBuilder();
    java.util.regex.Matcher m = SLOT.matcher(pattern);
    int at = 0;
    while (m.find()) {
      re.append(java.util.regex.Pattern.quote(pattern.substring(at, m.start()))).append("(.*?)");
      order.add(Integer.parseInt(m.group(1)));
      at = m.end();
    }
    re.append(java.util.regex.Pattern.quote(pattern.substring(at)));
    return java.util.regex.Pattern.compile(re.toString(), java.util.regex.Pattern.DOTALL);
  }

  /** Every text by key, for the template. */
  public Map<String, String> all() {
    return texts;
  }
}
