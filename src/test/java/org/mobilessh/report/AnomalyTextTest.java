package org.mobilessh.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.mobilessh.audit.Anomaly;

/**
 * Anomaly messages in the report's language: every English sentence shape has a Japanese one with
 * the same values, a message is translated with its values unchanged, and what no shape matches
 * prints as the audit wrote it.
 */
class AnomalyTextTest {
  private static final Pattern SLOT = Pattern.compile("\\{(\\d+)\\}");

  private static Set<String> slots(String text) {
    Set<String> s = new TreeSet<>();
    Matcher m = SLOT.matcher(text);
    while (m.find()) {
      s.add(m.group());
    }
    return s;
  }

  @Test
  void everyEnglishShapeHasAJapaneseTextWithTheSameValues() {
    Messages en = Messages.load(Templates.find(null), "en");
    Messages ja = Messages.load(Templates.find(null), "ja");
    Set<String> kinds =
        Stream.of(Anomaly.Kind.values()).map(Anomaly.Kind::id).collect(Collectors.toSet());
    int shapes = 0;
    for (Map.Entry<String, String> e : en.all().entrySet()) {
      if (!e.getKey().startsWith("anomalyPattern.")) {
        continue;
      }
      shapes++;
      String rest = e.getKey().substring("anomalyPattern.".length());
      assertThat(kinds).as(e.getKey()).contains(rest.substring(0, rest.lastIndexOf('.')));
      String text = ja.all().get("anomalyText." + rest);
      assertThat(text).as(e.getKey()).isNotNull();
      assertThat(slots(text)).as(e.getKey()).isEqualTo(slots(e.getValue()));
      // English has no translation of its own: its messages print as written
      assertThat(en.all()).doesNotContainKey("anomalyText." + rest);
    }
    assertThat(shapes).isGreaterThan(20);
  }

  @Test
  void aMessageIsTranslatedWithItsValuesUnchanged() {
    Messages ja = Messages.load(Templates.find(null), "ja");
    Messages en = Messages.load(Templates.find(null), "en");
    String msg =
        "the entry of 2001:db8::1 was refreshed at 2026-10-14T11:04:29Z yet gone at"
            + " 2026-10-14T11:04:50Z (window 60 s): evicted from a full list, deleted by hand, or a"
            + " remove line was lost";
    assertThat(ja.anomaly("evicted-while-fresh", msg))
        .isEqualTo(
            "2001:db8::1 のエントリは 2026-10-14T11:04:29Z に更新されたのに 2026-10-14T11:04:50Z"
                + " には消えていた（ウィンドウ 60 秒）：満杯のリストから追い出された、手動で削除された、"
                + "または remove 行が失われた");
    assertThat(en.anomaly("evicted-while-fresh", msg)).isEqualTo(msg);
    // the ruleset's own sentences (audit/RulesetChange, RulesetParity), their values unchanged
    assertThat(
            ja.anomaly(
                "ruleset-changed",
                "IPv6 N seconds changed from 60 to 120 between the snapshots of"
                    + " 2026-10-01T00:00:00Z and 2026-10-02T00:00:00Z"))
        .isEqualTo(
            "2026-10-01T00:00:00Z と 2026-10-02T00:00:00Z のスナップショットの間で IPv6 N seconds が 60"
                + " から 120 に変わった");
    assertThat(ja.anomaly("parity-broken", "IPv4 and IPv6 differ: seconds 60 / 120"))
        .isEqualTo("IPv4 と IPv6 でゲートが異なる：seconds 60 / 120");
    // the shapes are tried in order: "since the counters were zero" is not taken for a time
    assertThat(
            ja.anomaly(
                "log-lines-missing",
                "the reject LOG rule (iptables) counted 12 lines since the counters were zero but"
                    + " 10 arrived: 2 lost on the way (or the data starts after the counters did)"))
        .isEqualTo(
            "reject の LOG ルール（iptables）はカウンターがゼロになってから 12 行を数えたが、届いたのは 10"
                + " 行：2 行が途中で失われた（またはデータがカウンターより後に始まる）");
    assertThat(
            ja.anomaly(
                "log-lines-missing",
                "the reject LOG rule (ip6tables) counted 12 lines since 2026-10-01T00:00:00Z but"
                    + " 10 arrived: 2 lost on the way (or the data starts after the counters did)"))
        .startsWith("reject の LOG ルール（ip6tables）は 2026-10-01T00:00:00Z 以降に 12 行");
    // values are put in once: one that reads like a placeholder stays as it is
    assertThat(
            ja.anomaly(
                "rate-limit-marker",
                "the kernel suppressed {1} messages: LOG lines may be missing around this time"))
        .startsWith("カーネルが {1} 件のメッセージを抑制した");
  }

  @Test
  void aMessageOfAnotherShapeOrKindPrintsAsWritten() {
    Messages ja = Messages.load(Templates.find(null), "ja");
    String changed = "router1: IPv4 N changed from 60 s to 30 s";
    assertThat(ja.anomaly("ruleset-changed", changed)).isEqualTo(changed);
    String odd = "the kernel suppressed many messages";
    assertThat(ja.anomaly("rate-limit-marker", odd)).isEqualTo(odd);
    // a shape of another kind is not used
    assertThat(ja.anomaly("list-overflow", "time goes back 3 s from /var/log/a:1 to /var/log/b:2"))
        .isEqualTo("time goes back 3 s from /var/log/a:1 to /var/log/b:2");
  }
}
