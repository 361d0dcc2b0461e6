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

  @Test
  void dottedNumbersCompareAsTheTexts() throws Exception {
    // every length of every part (1, 2, 3 digits), the digits that order differently as text
    // (9 > 10, 2 > 199) and the separator against a digit ("1.2" vs "12.")
    int[] parts = {0, 1, 2, 9, 10, 11, 19, 20, 25, 99, 100, 101, 109, 110, 199, 200, 201, 250, 255};
    Random r = new Random(11);
    List<Integer> xs = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      int x = 0;
      for (int k = 0; k < 4; k++) {
        x = x << 8 | (r.nextInt(4) == 0 ? r.nextInt(256) : parts[r.nextInt(parts.length)]);
      }
      xs.add(x);
    }
    for (int x : xs.subList(0, 600)) {
      for (int y : xs) {
        String a = text(x);
        String b = text(y);
        assertEquals(
            Integer.signum(a.compareTo(b)),
            Integer.signum(
                Long.compareUnsigned(
                    AuditEngine.WindowTieOrder.dotted(x), AuditEngine.WindowTieOrder.dotted(y))),
            a + " vs " + b);
      }
    }
  }

  private static String text(int x) throws Exception {
    return InetAddress.getByAddress(
            new byte[] {(byte) (x >>> 24), (byte) (x >>> 16), (byte) (x >>> 8), (byte) x})
        .getHostAddress();
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
