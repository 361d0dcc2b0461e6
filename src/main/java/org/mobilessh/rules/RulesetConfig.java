package org.mobilessh.rules;

import java.util.List;
import java.util.Optional;

/**
 * Everything that decides what the ruleset looks like. Immutable; build it with {@link
 * RulesetSettings}, which turns option text into these typed values and refuses anything else.
 *
 * @param mailServers mail servers whose IMAPS clients open SSH windows
 * @param protectLocal whether the router itself (INPUT) is an SSH target
 * @param protectHosts SSH targets behind the router (FORWARD)
 * @param wan interface the gate applies to; empty means every interface but loopback
 * @param seconds window length N
 * @param list xt_recent list name, shared by both families
 * @param remove step 2: an SSH FIN removes the address
 * @param strictSessions the post's literal behaviour: sessions of a removed address are cut
 * @param imapsMinBytes client bytes an IMAPS connection needs before it may set; 0 = off
 * @param closingMark connmark bit used in strict mode to let a closing connection finish
 * @param ipv4Only install IPv4 only (explicitly asked for; IPv6 then stays ungated)
 */
public record RulesetConfig(
    List<Cidr> mailServers,
    boolean protectLocal,
    List<Cidr> protectHosts,
    Optional<String> wan,
    int seconds,
    String list,
    int imapsPort,
    int sshPort,
    boolean remove,
    boolean strictSessions,
    int imapsMinBytes,
    long closingMark,
    LogPrefix setPrefix,
    LogPrefix removePrefix,
    LogPrefix acceptPrefix,
    LogPrefix rejectPrefix,
    RateLimit rejectLogRate,
    RateLimit rejectLogGlobalRate,
    int rejectLogBurst,
    boolean ipv4Only) {

  public static final String DEFAULT_LIST = "MOBILE";
  public static final int DEFAULT_SECONDS = 60;

  public RulesetConfig {
    mailServers = List.copyOf(mailServers);
    protectHosts = List.copyOf(protectHosts);
  }

  /** Families the ruleset is installed for. */
  public List<Family> families() {
    return ipv4Only ? List.of(Family.IPV4) : List.of(Family.IPV4, Family.IPV6);
  }

  public List<Cidr> mailServers(Family family) {
    return mailServers.stream().filter(c -> c.family() == family).toList();
  }

  public List<Cidr> protectHosts(Family family) {
    return protectHosts.stream().filter(c -> c.family() == family).toList();
  }

  /** The four LOG prefixes in step order: set, remove, accept, reject. */
  public List<LogPrefix> prefixes() {
    return List.of(setPrefix, removePrefix, acceptPrefix, rejectPrefix);
  }
}
