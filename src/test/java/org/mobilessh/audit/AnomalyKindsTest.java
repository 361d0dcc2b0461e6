package org.mobilessh.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The anomaly kinds no other test raises on purpose, each with a control that does not raise it.
 */
class AnomalyKindsTest {
  private static final String PHONE = "203.0.113.10";
  private static final String OTHER = "203.0.113.99";

  private static List<Anomaly> of(Lines l, Anomaly.Kind kind) {
    return new AuditEngine(AuditConfig.defaults())
        .reconstruct(AuditInput.of(l.events())).anomalies().stream()
            .filter(a -> a.kind() == kind)
            .toList();
  }

  /** conntrack covers the time from 1 s on. */
  private static Lines covered() {
    return new Lines("r1").imaps(1, OTHER, 50000, 2).set(1.0005, OTHER, 50000);
  }

  @Test
  void aSetLineWithoutItsImapsFlowWhereConntrackCoversTheTime() {
    assertThat(of(covered().set(10, PHONE, 40000), Anomaly.Kind.WINDOW_WITHOUT_IMAPS_FLOW))
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.at()).isEqualTo(Lines.at(10));
              assertThat(a.evidence())
                  .singleElement()
                  .satisfies(e -> assertThat(e.line()).contains("mobilessh-set:"));
            });
    Lines withFlow = covered().imaps(10, PHONE, 40000, 10.5).set(10.0005, PHONE, 40000);
    assertThat(of(withFlow, Anomaly.Kind.WINDOW_WITHOUT_IMAPS_FLOW)).isEmpty();
    // without conntrack at the time nothing is expected of it
    assertThat(of(new Lines("r1").set(10, PHONE, 40000), Anomaly.Kind.WINDOW_WITHOUT_IMAPS_FLOW))
        .isEmpty();
  }

  @Test
  void aRemoveLineWithNoWindowOpen() {
    assertThat(of(new Lines("r1").remove(10, PHONE, 40001), Anomaly.Kind.REMOVE_WITHOUT_WINDOW))
        .singleElement()
        .satisfies(a -> assertThat(a.message()).contains("no window open"));
    Lines opened = new Lines("r1").set(5, PHONE, 40000).remove(10, PHONE, 40001);
    assertThat(of(opened, Anomaly.Kind.REMOVE_WITHOUT_WINDOW)).isEmpty();
  }

  @Test
  void anAcceptAfterEveryKnownRefreshHadExpired() {
    Lines late =
        covered()
            .imaps(10, PHONE, 40000, 10.5)
            .set(10.0005, PHONE, 40000)
            .accept(100, PHONE, 40001)
            .imaps(200, OTHER, 50001, 201);
    assertThat(of(late, Anomaly.Kind.UNEXPLAINED_REFRESH))
        .singleElement()
        .satisfies(a -> assertThat(a.at()).isEqualTo(Lines.at(100)));
    Lines inTime =
        covered()
            .imaps(10, PHONE, 40000, 10.5)
            .set(10.0005, PHONE, 40000)
            .accept(50, PHONE, 40001)
            .imaps(200, OTHER, 50001, 201);
    assertThat(of(inTime, Anomaly.Kind.UNEXPLAINED_REFRESH)).isEmpty();
  }
}
