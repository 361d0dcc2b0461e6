package org.mobilessh.parse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.RecordComponent;
import java.net.InetAddress;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.TreeSet;
import org.mobilessh.rules.Addresses;

/**
 * Parse results as JSON for golden files. Record components are written generically, so a new field
 * shows up in every golden file's diff; nulls and {@code false} are left out to keep the files
 * readable. Addresses are written canonically (RFC 5952), instants as ISO-8601 UTC.
 */
final class GoldenJson {
  static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private GoldenJson() {}

  static ObjectNode result(long line, ParseResult r) {
    ObjectNode o = F.objectNode();
    o.put("line", line);
    if (r instanceof ParseResult.Parsed p) {
      o.set("event", event(p.event()));
    } else if (r instanceof ParseResult.Skipped s) {
      o.put("skipped", s.reason().name());
    } else {
      Diagnostic d = ((ParseResult.Rejected) r).diagnostic();
      ObjectNode rej = o.putObject("rejected");
      rej.put("reason", d.reason().name());
      rej.put("message", d.message());
      rej.put("where", d.source() + ":" + d.line());
    }
    return o;
  }

  static ObjectNode event(LogEvent e) {
    ObjectNode o = F.objectNode();
    o.put(
        "kind",
        e instanceof NetfilterEvent
            ? "netfilter"
            : e instanceof NoticeEvent ? "notice" : "conntrack");
    o.put("event.action", e.action().ecsName());
    if (e instanceof NetfilterEvent n) {
      o.put("direction", n.direction().name());
      if (n.macSource() != null) {
        o.put("mac.source", n.macSource());
        o.put("mac.destination", n.macDestination());
      }
    }
    ObjectNode fields = (ObjectNode) value(e);
    fields.remove("action");
    o.setAll(fields);
    return o;
  }

  private static JsonNode value(Object v) {
    if (v == null) {
      return null;
    }
    if (v instanceof InetAddress a) {
      return F.textNode(Addresses.format(a));
    }
    if (v instanceof Instant i) {
      return F.textNode(i.toString());
    }
    if (v instanceof Enum<?> en) {
      return F.textNode(en.name());
    }
    if (v instanceof String s) {
      return F.textNode(s);
    }
    if (v instanceof Integer i) {
      return F.numberNode(i);
    }
    if (v instanceof Long l) {
      return F.numberNode(l);
    }
    if (v instanceof Boolean b) {
      return b ? F.booleanNode(true) : null;
    }
    if (v instanceof Map<?, ?> m) {
      if (m.isEmpty()) {
        return null;
      }
      ObjectNode o = F.objectNode();
      m.forEach((k, x) -> o.set(k.toString(), value(x)));
      return o;
    }
    if (v instanceof Collection<?> c) {
      if (c.isEmpty()) {
        return null;
      }
      ArrayNode a = F.arrayNode();
      TreeSet<String> sorted = new TreeSet<>();
      for (Object x : c) {
        sorted.add(String.valueOf(x));
      }
      sorted.forEach(a::add);
      return a;
    }
    if (v instanceof Record rec) {
      ObjectNode o = F.objectNode();
      for (RecordComponent rc : rec.getClass().getRecordComponents()) {
        Object x;
        try {
          x = rc.getAccessor().invoke(rec);
        } catch (ReflectiveOperationException ex) {
          throw new IllegalStateException(ex);
        }
        if (rc.getName().equals("tcpFlagBits")) {
          x = ((IpPacket) rec).tcpFlags().stream().map(Enum::name).toList();
        }
        if (rc.getName().equals("repeated") && Integer.valueOf(1).equals(x)) {
          continue;
        }
        JsonNode j = value(x);
        if (j != null) {
          o.set(rc.getName().equals("tcpFlagBits") ? "tcpFlags" : rc.getName(), j);
        }
      }
      return o;
    }
    throw new IllegalArgumentException("no JSON mapping for " + v.getClass());
  }
}
