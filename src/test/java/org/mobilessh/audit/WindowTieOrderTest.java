package org.mobilessh.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The reorder buffer orders windows of equal opening time with {@link AuditEngine.WindowTieOrder},
 * which must give the sign {@link AuditEngine#windowTie}'s strings give (the order the output had
 * when those strings were compared).
 */
class WindowTieOrderTest {
  @Test
  void comparesAsTheTieStringsDo() throws Exception {
    Random r = new Random(7);
    List<String> observers = List.of("router1", "router1-1", "router1-10", "router2", "r", "", "é");
    List<Window> ws = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      InetAddress a;
      switch (r.nextInt(4)) {
        case 0 ->
            a =
                InetAddress.getByAddress(
                    new byte[] {(byte) r.nextInt(256), 0, 2, (byte) r.nextInt(256)});
        case 1 ->
            a =
                InetAddress.getByAddress(
                    new byte[] {
                      (byte) (r.nextBoolean() ? 9 : 10),
                      (byte) r.nextInt(3),
                      (byte) (r.nextInt(3) * 50),
                      (byte) r.nextInt(120)
                    });
        case 2 -> {
          byte[] b = new byte[16];
          b[0] = 0x20;
          b[1] = 0x01;
          b[2] = 0x0d;
          b[3] = (byte) 0xb8;
          b[15] = (byte) r.nextInt(256);
          b[8] = (byte) (r.nextBoolean() ? 0 : r.nextInt(256));
          a = InetAddress.getByAddress(b);
        }
        default -> a = InetAddress.getByName("203.0.113." + r.nextInt(256));
      }
      ws.add(window(observers.get(r.nextInt(observers.size())), a));
    }
    AuditEngine.WindowTieOrder order = new AuditEngine.WindowTieOrder();
    int compared = 0;
    for (Window x : ws) {
      for (Window y : ws) {
        int want = Integer.signum(AuditEngine.windowTie(x).compareTo(AuditEngine.windowTie(y)));
        assertEquals(want, Integer.signum(order.compare(x, y)), x + " vs " + y);
        compared++;
      }
    }
    assertEquals(160_000, compared);
  }

  private static Window window(String observer, InetAddress a) {
    Instant t = Instant.parse("2026-10-01T00:00:00Z");
    return new Window(
        observer,
        a,
        t,
        1.0,
        null,
        t.plusSeconds(60),
        CloseReason.STILL_OPEN,
        null,
        0,
        false,
        false,
        List.of(new SourceLine("kern.log", 1, "x")),
        Window.Opening.SET);
  }
}
