package org.mobilessh.audit;

import java.net.InetAddress;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.mobilessh.parse.ClockSource;
import org.mobilessh.parse.PrefixMap;
import org.mobilessh.rules.Cidr;
import org.mobilessh.rules.RateLimit;
import org.mobilessh.rules.RulesetConfig;

/**
 * What the audit needs to know about the ruleset that wrote the logs, and how far to trust each
 * clock. Build it from the installed {@link RulesetConfig} ({@link #of(RulesetConfig)}) or start
 * from {@link #defaults()}.
 *
 * @param seconds window length N ({@code --seconds})
 * @param sshPort SSH port of the protected targets
 * @param imapsPort IMAPS port of the mail servers
 * @param mailServers mail servers whose IMAPS flows refresh the list; empty means any destination
 *     on {@code imapsPort}
 * @param remove whether step 2 is installed (an SSH FIN removes the address)
 * @param strict strict-sessions mode: established SSH packets pass only while the address is in the
 *     list, so a removal cuts the address's other sessions (the connection whose FIN removed it may
 *     finish its close)
 * @param prefixes which LOG prefix means which step; the audit re-reads every line's prefix with
 *     these, whatever the parser was told
 * @param rejectLogPerSecond per-source rate of the reject LOG ({@code --reject-log-rate})
 * @param rejectLogGlobalPerSecond overall rate of the reject LOG
 * @param rejectLogBurst burst of both reject LOG limits
 * @param ipListTot xt_recent's {@code ip_list_tot}: entries the list holds before evicting
 * @param sourceSilence how long a log stream may stay silent while the observer's other streams go
 *     on before it counts as stopped
 * @param clockUncertainty seconds each clock may be off from the packet's true time
 */
public record AuditConfig(
    int seconds,
    int sshPort,
    int imapsPort,
    List<Cidr> mailServers,
    boolean remove,
    boolean strict,
    PrefixMap prefixes,
    double rejectLogPerSecond,
    double rejectLogGlobalPerSecond,
    int rejectLogBurst,
    int ipListTot,
    Duration sourceSilence,
    Map<ClockSource, Double> clockUncertainty) {

  /**
   * Default clock uncertainties in seconds. conntrack-tools stamps events when it reads them (ms
   * behind the packet); the kernel's printk time as dmesg maps it was measured 42 ms early in
   * sample-logs/ (0.1 s leaves room); rsyslog's imkmsg and journald receive times were measured up
   * to 0.96 s early; ulogd2's write time and traditional syslog stamps have whole seconds.
   */
  public static Map<ClockSource, Double> defaultClockUncertainty() {
    Map<ClockSource, Double> m = new EnumMap<>(ClockSource.class);
    m.put(ClockSource.CONNTRACK, 0.01);
    m.put(ClockSource.FLOW, 0.01);
    m.put(ClockSource.NFLOG, 0.01);
    m.put(ClockSource.KERNEL, 0.1);
    m.put(ClockSource.JOURNAL, 1.0);
    m.put(ClockSource.SYSLOG, 1.0);
    m.put(ClockSource.ULOGD_WRITE, 1.0);
    return m;
  }

  public AuditConfig {
    Objects.requireNonNull(prefixes, "prefixes");
    Objects.requireNonNull(sourceSilence, "sourceSilence");
    mailServers = List.copyOf(mailServers);
    if (seconds < 1) {
      throw new AuditException("window length must be at least 1 second, not " + seconds);
    }
    if (ipListTot < 1) {
      throw new AuditException("ip_list_tot must be at least 1, not " + ipListTot);
    }
    if (rejectLogBurst < 1 || rejectLogPerSecond <= 0 || rejectLogGlobalPerSecond <= 0) {
      throw new AuditException("reject LOG rates and burst must be positive");
    }
    Map<ClockSource, Double> clocks = defaultClockUncertainty();
    clocks.putAll(clockUncertainty);
    for (Map.Entry<ClockSource, Double> e : clocks.entrySet()) {
      if (e.getValue() == null || e.getValue() < 0) {
        throw new AuditException("clock uncertainty of " + e.getKey() + " must be >= 0");
      }
    }
    clockUncertainty = Map.copyOf(clocks);
  }

  /** The ruleset's defaults: N = 60, ports 22 and 993, any mail server, remove on, not strict. */
  public static AuditConfig defaults() {
    return new AuditConfig(
        RulesetConfig.DEFAULT_SECONDS,
        22,
        993,
        List.of(),
        true,
        false,
        PrefixMap.defaults(),
        6 / 60.0,
        20,
        5,
        100,
        Duration.ofHours(1),
        Map.of());
  }

  /** The audit settings matching an installed ruleset. */
  public static AuditConfig of(RulesetConfig c) {
    return new AuditConfig(
        c.seconds(),
        c.sshPort(),
        c.imapsPort(),
        c.mailServers(),
        c.remove(),
        c.strictSessions(),
        PrefixMap.of(
            c.setPrefix().word(),
            c.removePrefix().word(),
            c.acceptPrefix().word(),
            c.rejectPrefix().word()),
        perSecond(c.rejectLogRate()),
        perSecond(c.rejectLogGlobalRate()),
        c.rejectLogBurst(),
        100,
        Duration.ofHours(1),
        Map.of());
  }

  /** Events per second of a netfilter rate. */
  static double perSecond(RateLimit r) {
    double unit =
        switch (r.unit()) {
          case SECOND -> 1;
          case MINUTE -> 60;
          case HOUR -> 3600;
          case DAY -> 86400;
        };
    return r.count() / unit;
  }

  public AuditConfig withSeconds(int n) {
    return new AuditConfig(
        n,
        sshPort,
        imapsPort,
        mailServers,
        remove,
        strict,
        prefixes,
        rejectLogPerSecond,
        rejectLogGlobalPerSecond,
        rejectLogBurst,
        ipListTot,
        sourceSilence,
        clockUncertainty);
  }

  public AuditConfig withMailServers(List<Cidr> servers) {
    return new AuditConfig(
        seconds,
        sshPort,
        imapsPort,
        servers,
        remove,
        strict,
        prefixes,
        rejectLogPerSecond,
        rejectLogGlobalPerSecond,
        rejectLogBurst,
        ipListTot,
        sourceSilence,
        clockUncertainty);
  }

  public AuditConfig withIpListTot(int tot) {
    return new AuditConfig(
        seconds,
        sshPort,
        imapsPort,
        mailServers,
        remove,
        strict,
        prefixes,
        rejectLogPerSecond,
        rejectLogGlobalPerSecond,
        rejectLogBurst,
        tot,
        sourceSilence,
        clockUncertainty);
  }

  public AuditConfig withSourceSilence(Duration silence) {
    return new AuditConfig(
        seconds,
        sshPort,
        imapsPort,
        mailServers,
        remove,
        strict,
        prefixes,
        rejectLogPerSecond,
        rejectLogGlobalPerSecond,
        rejectLogBurst,
        ipListTot,
        silence,
        clockUncertainty);
  }

  public AuditConfig withRemove(boolean on) {
    return new AuditConfig(
        seconds,
        sshPort,
        imapsPort,
        mailServers,
        on,
        strict,
        prefixes,
        rejectLogPerSecond,
        rejectLogGlobalPerSecond,
        rejectLogBurst,
        ipListTot,
        sourceSilence,
        clockUncertainty);
  }

  public AuditConfig withStrict(boolean on) {
    return new AuditConfig(
        seconds,
        sshPort,
        imapsPort,
        mailServers,
        remove,
        on,
        prefixes,
        rejectLogPerSecond,
        rejectLogGlobalPerSecond,
        rejectLogBurst,
        ipListTot,
        sourceSilence,
        clockUncertainty);
  }

  /** Seconds a time from {@code clock} may be off. */
  public double uncertainty(ClockSource clock) {
    return clockUncertainty.getOrDefault(clock, 1.0);
  }

  /** Whether a flow to {@code destination} on the IMAPS port refreshes the list. */
  public boolean isMailServer(InetAddress destination) {
    if (mailServers.isEmpty()) {
      return true;
    }
    for (Cidr c : mailServers) {
      if (contains(c, destination)) {
        return true;
      }
    }
    return false;
  }

  static boolean contains(Cidr cidr, InetAddress a) {
    byte[] net = cidr.address().getAddress();
    byte[] addr = a.getAddress();
    if (net.length != addr.length) {
      return false;
    }
    int bits = cidr.prefixLength();
    for (int i = 0; i < net.length && bits > 0; i++, bits -= 8) {
      int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
      if ((net[i] & mask) != (addr[i] & mask)) {
        return false;
      }
    }
    return true;
  }
}
