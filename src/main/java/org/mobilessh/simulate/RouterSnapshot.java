package org.mobilessh.simulate;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mobilessh.rules.Cidr;
import org.mobilessh.rules.Family;
import org.mobilessh.rules.KernelClock;
import org.mobilessh.rules.RecentEntry;
import org.mobilessh.rules.SectionedFile;
import org.mobilessh.rules.Snapshots;

/**
 * What {@code mobilessh rules snapshot} would record on a simulated router, written by the same
 * code ({@link Snapshots#write}) as a real one.
 *
 * <p>The {@code iptables-save -c} text is not rendered from the ruleset template: it is the text a
 * real kernel printed — {@value #CAPTURE}, a {@code rules snapshot} taken in a network namespace
 * right after {@code rules install} with router 1's options (see {@link #INSTALL_OPTIONS}) — with
 * router 1's addresses and N replaced by this router's and the counters filled in from {@link
 * GateCounters}. {@code SimulatedSnapshotIT} re-captures that text from the kernel for other
 * routers and N and compares.
 */
final class RouterSnapshot {
  /** The captured snapshot, a resource next to this class. */
  static final String CAPTURE = "captured-ruleset.snap";

  /** The options the capture was installed with, for router {@code n} and N seconds. */
  static List<String> installOptions(Router r, int seconds) {
    return List.of(
        "--mail-server",
        r.mail4.text(),
        "--mail-server",
        r.mail6.text(),
        "--seconds",
        Integer.toString(seconds),
        "--protect",
        "local",
        "--protect",
        r.host4.text(),
        "--protect",
        r.host6.text());
  }

  /** Router 1 and N = 60: what the capture was taken with. */
  static final String INSTALL_OPTIONS = String.join(" ", installOptions(new Router(1), 60));

  /** Debian 12's kernel: HZ 250 ({@code CONFIG_HZ_250}), 64-bit. */
  static final int HZ = 250;

  static final String HZ_SOURCE = "/boot/config-6.1.0-26-amd64";

  private static final Router CAPTURED_ROUTER = new Router(1);
  private static final int CAPTURED_SECONDS = 60;
  private static final Pattern RULE = Pattern.compile("^\\[(\\d+):(\\d+)\\] -A (\\S+) (.*)$");
  private static final DateTimeFormatter CTIME =
      DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss uuuu", Locale.ENGLISH);

  private static final Map<Family, List<String>> CAPTURED = load();

  private RouterSnapshot() {}

  /**
   * The snapshot file of {@code router} at {@code at}.
   *
   * @param counters the rules' counters at that moment
   * @param list the xt_recent list at that moment
   * @param boot the kernel's boot time (jiffies start at {@code INITIAL_JIFFIES} then)
   * @param seed orders the list like the kernel's seeded hash
   */
  static SectionedFile snapshot(
      Router router,
      int seconds,
      ZoneId zone,
      Instant at,
      GateCounters counters,
      RecentList list,
      Instant boot,
      long seed) {
    Map<Family, String> saves = new EnumMap<>(Family.class);
    for (Family f : Family.values()) {
      saves.put(f, save(router, seconds, f, counters, at.atZone(zone).format(CTIME)));
    }
    KernelClock clock = new KernelClock(KernelClock.initialJiffies(HZ), HZ, HZ_SOURCE, boot).at(at);
    StringBuilder entries = new StringBuilder();
    for (RecentList.Entry e : list.kernelOrder(seed)) {
      List<Long> stamps = new ArrayList<>(e.nstamps);
      for (int i = 0; i < e.nstamps; i++) {
        stamps.add(clock.jiffiesAt(instant(e.stamps[i])));
      }
      entries
          .append(
              new RecentEntry(
                      Cidr.parseAddress(e.addr.text()),
                      e.ttl,
                      clock.jiffiesAt(instant(e.last)),
                      e.index,
                      stamps)
                  .kernelLine())
          .append('\n');
    }
    Map<String, String> lists = new LinkedHashMap<>();
    lists.put("MOBILE", entries.toString());
    return Snapshots.write(
        new Snapshots.Capture(
            at,
            router.hostname,
            "-",
            "auto",
            OptionalInt.of(Simulator.LIST_CAPACITY),
            saves,
            Map.of(),
            lists,
            Optional.of(clock)));
  }

  /**
   * One family's {@code iptables-save -c} output: the captured text for this router and N, with
   * these counters and the {@code # Generated}/{@code # Completed} lines dated {@code ctime}.
   */
  static String save(Router router, int seconds, Family f, GateCounters counters, String ctime) {
    StringBuilder out = new StringBuilder(4096);
    for (String line : CAPTURED.get(f)) {
      if (line.startsWith("# Generated by ") || line.startsWith("# Completed on ")) {
        out.append(line, 0, line.indexOf(" on ") + 4).append(ctime).append('\n');
        continue;
      }
      Matcher m = RULE.matcher(line);
      if (!m.matches()) {
        out.append(line).append('\n');
        continue;
      }
      String spec = adapt(m.group(4), router, seconds);
      GateCounters.Rule rule = GateCounters.Rule.of(m.group(3), spec);
      int family = f == Family.IPV4 ? 4 : 6;
      out.append('[')
          .append(counters == null ? 0 : counters.packets(family, rule))
          .append(':')
          .append(counters == null ? 0 : counters.bytes(family, rule))
          .append("] -A ")
          .append(m.group(3))
          .append(' ')
          .append(spec)
          .append('\n');
    }
    return out.toString();
  }

  static Instant instant(long micros) {
    return Instant.ofEpochSecond(
        Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000);
  }

  /** Router 1's addresses and N in a captured rule, replaced by {@code router}'s and {@code n}. */
  private static String adapt(String spec, Router router, int n) {
    String s = spec + " ";
    s = s.replace("--seconds " + CAPTURED_SECONDS + " ", "--seconds " + n + " ");
    s = s.replace(dest(CAPTURED_ROUTER.mail4, 32), dest(router.mail4, 32));
    s = s.replace(dest(CAPTURED_ROUTER.host4, 32), dest(router.host4, 32));
    s = s.replace(dest(CAPTURED_ROUTER.mail6, 128), dest(router.mail6, 128));
    s = s.replace(dest(CAPTURED_ROUTER.host6, 128), dest(router.host6, 128));
    return s.substring(0, s.length() - 1);
  }

  private static String dest(Addr a, int bits) {
    return "-d " + a.text() + "/" + bits + " ";
  }

  /**
   * The capture's two save sections, checked: its hash matches, and every rule is one the model
   * counts, once.
   */
  private static Map<Family, List<String>> load() {
    byte[] bytes;
    try (InputStream in = RouterSnapshot.class.getResourceAsStream(CAPTURE)) {
      if (in == null) {
        throw new SimulateException("resource " + CAPTURE + " is missing from the jar");
      }
      bytes = in.readAllBytes();
    } catch (IOException e) {
      throw new SimulateException("cannot read resource " + CAPTURE + ": " + e.getMessage(), e);
    }
    if (!SectionedFile.verify(bytes).ok()) {
      throw new SimulateException("resource " + CAPTURE + " fails its sha256 check");
    }
    SectionedFile file = SectionedFile.parse(new String(bytes, StandardCharsets.UTF_8));
    Map<Family, List<String>> out = new EnumMap<>(Family.class);
    for (Family f : Family.values()) {
      String body = file.sections().get(f.tool() + "-save -c");
      if (body == null || body.startsWith("# unavailable")) {
        throw new SimulateException("resource " + CAPTURE + " has no " + f.tool() + "-save -c");
      }
      List<String> lines = List.of(body.split("\n"));
      Set<GateCounters.Rule> seen = EnumSet.noneOf(GateCounters.Rule.class);
      for (String line : lines) {
        Matcher m = RULE.matcher(line);
        if (m.matches()) {
          GateCounters.Rule r = GateCounters.Rule.of(m.group(3), m.group(4));
          if (r == null || !seen.add(r)) {
            throw new SimulateException(
                "resource " + CAPTURE + ": the model does not replay the rule '" + line + "'");
          }
        }
      }
      out.put(f, lines);
    }
    return out;
  }
}
