package org.mobilessh.rules;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.mobilessh.os.CommandRunner;

/**
 * One xt_recent list, {@code /proc/net/xt_recent/NAME}, in the host's or a named network namespace
 * (each namespace has its own lists): reads it with {@code cat} and changes it with {@code tee},
 * both run through {@link CommandRunner} so {@code ip netns exec} can enter the namespace.
 *
 * <p>Every change is audited first: the syslog line is written before the kernel is touched, and a
 * change whose line cannot be written is refused; a change that then fails is logged as failed.
 *
 * <p>The kernel takes exactly one command per {@code write()} on a freshly opened file ({@code
 * +ADDR}, {@code -ADDR}, {@code /}): it parses the first command of a buffer, silently ignores the
 * rest, and refuses a second write at a non-zero offset. Hence one {@code tee} per command; each
 * change is read back to prove it took effect.
 */
public final class RecentList {
  /** The list names mobilessh accepts (xt_recent itself allows more; these are safe in a path). */
  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,31}");

  /** How the audit line names the host's own namespace ({@code -} is no valid netns name). */
  public static final String HOST_NETNS = "-";

  private final CommandRunner runner;
  private final String name;
  private final KernelClockSource clock;
  private final SyslogAudit audit;
  private final Actor actor;
  private final Consumer<String> notices;

  /**
   * @param runner where to act (host or {@code ip netns exec NAME})
   * @param name list name, checked against {@link #NAME}
   * @param clock the kernel clock for {@link #snapshot()}
   * @param audit where change lines go
   * @param actor who is making changes
   * @param notices receives one human-readable line per change and per warning
   */
  public RecentList(
      CommandRunner runner,
      String name,
      KernelClockSource clock,
      SyslogAudit audit,
      Actor actor,
      Consumer<String> notices) {
    this.runner = runner;
    this.name = checkName(name);
    this.clock = clock;
    this.audit = audit;
    this.actor = actor;
    this.notices = notices;
  }

  /** Returns {@code name} if it is a usable list name, else an {@link InvalidConfigException}. */
  public static String checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new InvalidConfigException(
          "list must be 1-32 letters, digits, '_' or '-', not '" + name + "'");
    }
    return name;
  }

  /**
   * Parses addresses given for add/del: single literal IPv4 or IPv6 addresses only, all checked
   * before anything changes.
   *
   * @throws InvalidConfigException for a host name, a range or anything that is not an address
   */
  public static List<InetAddress> parseAddresses(List<String> texts) {
    if (texts == null || texts.isEmpty()) {
      throw new InvalidConfigException("no address given");
    }
    List<InetAddress> addresses = new ArrayList<>();
    for (String text : texts) {
      if (text.contains("/")) {
        throw new InvalidConfigException(
            "'" + text + "' is a range: xt_recent lists hold single addresses only");
      }
      addresses.add(Cidr.parseAddress(text.strip()));
    }
    return List.copyOf(addresses);
  }

  public String name() {
    return name;
  }

  /** {@code /proc/net/xt_recent/NAME}, as seen inside the namespace. */
  public String path() {
    return "/proc/net/xt_recent/" + name;
  }

  /** The entries now, without times. */
  public List<RecentEntry> entries() {
    CommandRunner.Result result = runner.run(List.of("cat", path()));
    if (!result.ok()) {
      throw failure(result);
    }
    return RecentEntry.parseAll(result.stdout());
  }

  /**
   * The entries and the kernel clock, read in that order so that no stamp can be later than the
   * counter it is compared with.
   */
  public RecentSnapshot snapshot() {
    List<RecentEntry> entries = entries();
    return new RecentSnapshot(name, runner.netns(), clock.read(), entries);
  }

  /** Adds (or refreshes) each address, one audited command at a time. */
  public void add(List<InetAddress> addresses) {
    entries(); // a missing list fails here, before any audit line claims a change
    for (InetAddress address : addresses) {
      String text = Addresses.format(address);
      change("add " + text, "+" + text, () -> contains(address), "added " + text + " to " + name);
    }
  }

  /** Removes each address; one that is not in the list is reported and left alone. */
  public void delete(List<InetAddress> addresses) {
    for (InetAddress address : addresses) {
      String text = Addresses.format(address);
      if (!contains(address)) {
        notices.accept(text + " is not in list " + name + ": nothing to remove");
        continue;
      }
      change(
          "del " + text, "-" + text, () -> !contains(address), "removed " + text + " from " + name);
    }
  }

  /** Removes every entry. */
  public void flush() {
    int before = entries().size();
    change(
        "flush (" + before + (before == 1 ? " entry)" : " entries)"),
        "/",
        () -> entries().isEmpty(),
        "flushed " + name + " (" + before + " removed)");
  }

  private boolean contains(InetAddress address) {
    return entries().stream().anyMatch(e -> e.address().equals(address));
  }

  private void change(String what, String command, Check applied, String done) {
    String line = "list " + what + " " + where() + " by " + actor.describe();
    try {
      audit.record(line);
    } catch (RuntimeException e) {
      throw new RulesException(
          "refused to " + what + ": " + e.getMessage() + " (nothing was changed)", e);
    }
    CommandRunner.Result result = runner.run(List.of("tee", path()), command + "\n");
    String problem = null;
    if (!result.ok()) {
      problem = result.describe();
    } else if (!applied.holds()) {
      problem = "the kernel accepted '" + command + "' but the list does not show the change";
    }
    if (problem != null) {
      try {
        audit.record(line + " FAILED: " + problem);
      } catch (RuntimeException e) {
        notices.accept("warning: the failure could not be logged either: " + e.getMessage());
      }
      throw new RulesException(what + " failed (the attempt is in the audit log): " + problem);
    }
    notices.accept(done);
  }

  private String where() {
    return "list=" + name + " netns=" + runner.netns().orElse(HOST_NETNS);
  }

  private RulesException failure(CommandRunner.Result result) {
    if (result.stderr().contains(path()) && result.stderr().contains("No such file")) {
      return new RulesException(
          "no xt_recent list "
              + name
              + " in "
              + runner.netns().map(n -> "network namespace " + n).orElse("this namespace")
              + ": is the ruleset installed? run `mobilessh rules install`");
    }
    return new RulesException("cannot read " + path() + ": " + result.describe());
  }

  @FunctionalInterface
  private interface Check {
    boolean holds();
  }
}
