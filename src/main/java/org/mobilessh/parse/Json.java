package org.mobilessh.parse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;

/** JSON-lines helpers shared by the journald and ulogd2 parsers. */
final class Json {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  static JsonNode object(String line) {
    JsonNode n;
    try {
      n = MAPPER.readTree(line);
    } catch (JsonProcessingException e) {
      String why = e.getOriginalMessage();
      throw new ParseException(Diagnostic.Reason.BAD_JSON, "invalid JSON: " + why);
    }
    if (n == null || !n.isObject()) {
      throw new ParseException(Diagnostic.Reason.BAD_JSON, "not a JSON object");
    }
    return n;
  }

  /** A text value, or {@code null} if missing or JSON null. */
  static String text(JsonNode n, String key) {
    JsonNode v = n.get(key);
    return v == null || v.isNull() ? null : v.asText();
  }

  /**
   * A number given as a JSON number or as a string of digits (journald writes every value as a
   * string), or {@code null} if missing.
   */
  static Long number(JsonNode n, String key) {
    JsonNode v = n.get(key);
    if (v == null || v.isNull()) {
      return null;
    }
    if (v.isIntegralNumber()) {
      return v.asLong();
    }
    if (v.isTextual()) {
      String t = v.asText();
      return Text.decimal(t, 0, t.length(), key);
    }
    throw new ParseException(Diagnostic.Reason.BAD_FIELD, key + " is not a number: " + v);
  }

  static Integer integer(JsonNode n, String key) {
    Long v = number(n, key);
    if (v == null) {
      return null;
    }
    if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
      throw new ParseException(Diagnostic.Reason.BAD_FIELD, key + " is out of range: " + v);
    }
    return v.intValue();
  }

  /**
   * journald's {@code MESSAGE}: a string, or an array of byte values when the message is not valid
   * UTF-8 (decoded here with replacement characters; netfilter fields are ASCII).
   */
  static String message(JsonNode n, String key) {
    JsonNode v = n.get(key);
    if (v == null || v.isNull()) {
      return null;
    }
    if (v.isArray()) {
      byte[] bytes = new byte[v.size()];
      for (int i = 0; i < bytes.length; i++) {
        JsonNode b = v.get(i);
        if (!b.isIntegralNumber() || b.asInt() < 0 || b.asInt() > 255) {
          throw new ParseException(Diagnostic.Reason.BAD_FIELD, key + " byte array has " + b);
        }
        bytes[i] = (byte) b.asInt();
      }
      return new String(bytes, StandardCharsets.UTF_8);
    }
    return v.asText();
  }
}
