package org.mobilessh.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** Numbers and times written as bytes are the texts Long.toString and AuditFormat.time give. */
class PrintBufferTest {
  @Property(tries = 5000)
  void longsAreTheirDecimalText(@ForAll long v) {
    PrintBuffer b = new PrintBuffer(1);
    b.append("a").append(v).append("b");
    assertThat(b.toString()).isEqualTo("a" + v + "b");
  }

  @Test
  void edgesOfLongs() {
    for (long v :
        new long[] {
          0,
          9,
          10,
          99,
          100,
          101,
          999_999_999_999_999_999L,
          1_000_000_000_000_000_000L,
          Long.MAX_VALUE,
          Long.MIN_VALUE,
          -1,
          -10,
          Long.MIN_VALUE + 1
        }) {
      assertThat(new PrintBuffer(1).append(v).toString()).isEqualTo(Long.toString(v));
    }
  }

  @Property(tries = 5000)
  void timesAreTheirText(
      @ForAll @LongRange(min = -62_000_000_000L, max = 300_000_000_000L) long sec,
      @ForAll @LongRange(min = 0, max = 999_999_999) long nanos,
      @ForAll @LongRange(min = -200_000, max = 200_000) long step) {
    PrintBuffer b = new PrintBuffer(1);
    // two times close together: the second may reuse the first's day
    Instant t = Instant.ofEpochSecond(sec, nanos);
    Instant u = t.plusSeconds(step);
    AuditFormat.time(t, b);
    b.ascii(',');
    AuditFormat.time(u, b);
    AuditFormat.time(null, b);
    assertThat(b.toString()).isEqualTo(AuditFormat.time(t) + "," + AuditFormat.time(u));
  }
}
