package org.mobilessh.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The /proc/net/xt_recent format, with lines captured from a 6.18 kernel (HZ=250). */
class RecentListParseTest {
  // Captured: `echo +ADDR > /proc/net/xt_recent/MOBILE` for each, 192.0.2.10 twice.
  static final String CAPTURED =
      "src=2001:0db8:0000:0000:0001:0000:0000:0010 ttl: 0 last_seen: 4295002514 oldest_pkt: 1"
          + " 4295002514\n"
          + "src=192.0.2.10 ttl: 0 last_seen: 4295002590 oldest_pkt: 2 4295002514, 4295002590\n"
          + "src=2001:0db8:0000:0000:0000:0000:0000:0010 ttl: 0 last_seen: 4295002514"
          + " oldest_pkt: 1 4295002514\n";

  @Test
  void parsesIpv4WithSeveralStamps() {
    RecentEntry e =
        RecentEntry.parse(
            "src=192.0.2.10 ttl: 64 last_seen: 4295123456 oldest_pkt: 3 4295120000,"
                + " 4295121000, 4295123456");
    assertThat(e.text()).isEqualTo("192.0.2.10");
    assertThat(e.family()).isEqualTo(Family.IPV4);
    assertThat(e.ttl()).isEqualTo(64);
    assertThat(e.lastSeen()).isEqualTo(4_295_123_456L);
    assertThat(e.ringIndex()).isEqualTo(3);
    assertThat(e.stamps()).containsExactly(4_295_120_000L, 4_295_121_000L, 4_295_123_456L);
    assertThat(e.hits()).isEqualTo(3);
  }

  @Test
  void canonicalisesTheKernelsExpandedIpv6() {
    List<RecentEntry> entries = RecentEntry.parseAll(CAPTURED);
    assertThat(entries)
        .extracting(RecentEntry::text)
        .containsExactly("2001:db8::1:0:0:10", "192.0.2.10", "2001:db8::10");
    assertThat(entries)
        .extracting(RecentEntry::family)
        .containsExactly(Family.IPV6, Family.IPV4, Family.IPV6);
    assertThat(entries.get(1).hits()).isEqualTo(2);
    assertThat(entries.get(1).lastSeen()).isEqualTo(4_295_002_590L);
  }

  @Test
  void keepsTheRingOrderOfAFullRing() {
    // After 40 refreshes the 32-stamp ring has wrapped: oldest_pkt is the next write position.
    StringBuilder line =
        new StringBuilder("src=203.0.113.7 ttl: 0 last_seen: 4295022340 oldest_pkt: 9 ");
    for (int i = 0; i < 32; i++) {
      line.append(i == 0 ? "" : ", ").append(i == 8 ? 4_295_022_340L : 4_295_022_309L);
    }
    RecentEntry e = RecentEntry.parse(line.toString());
    assertThat(e.hits()).isEqualTo(32);
    assertThat(e.ringIndex()).isEqualTo(9);
    assertThat(e.stamps().get(8)).isEqualTo(e.lastSeen());
  }

  @Test
  void readsStampsAboveSignedLongAsUnsigned() {
    RecentEntry e =
        RecentEntry.parse(
            "src=192.0.2.1 ttl: 0 last_seen: 18446744073709551615 oldest_pkt: 1"
                + " 18446744073709551615");
    assertThat(Long.toUnsignedString(e.lastSeen())).isEqualTo("18446744073709551615");
  }

  @Test
  void emptyFileHasNoEntries() {
    assertThat(RecentEntry.parseAll("")).isEmpty();
    assertThat(RecentEntry.parseAll("\n")).isEmpty();
  }

  @Test
  void malformedLineIsNamedWithItsNumber() {
    assertThatThrownBy(() -> RecentEntry.parseAll(CAPTURED + "src=192.0.2.1 ttl: x last_seen: 1\n"))
        .isInstanceOf(RulesException.class)
        .hasMessageContaining("line 4")
        .hasMessageContaining("src=192.0.2.1 ttl: x");
  }

  @Test
  void refusesAHostNameWhereTheAddressBelongs() {
    assertThatThrownBy(() -> RecentEntry.parse("src=mail ttl: 0 last_seen: 1 oldest_pkt: 1 1"))
        .isInstanceOf(RulesException.class)
        .hasMessageContaining("not an xt_recent entry");
  }
}
