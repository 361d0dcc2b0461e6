package org.mobilessh.rules;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who makes a manual change, as the audit line names them: the user behind {@code sudo} when there
 * is one ({@code SUDO_USER}), else the account the process runs as; always with the numeric uid,
 * which unlike the environment cannot be made up by the caller.
 *
 * @param name user name (only {@code [A-Za-z0-9._@-]}; anything else is replaced by {@code ?} so a
 *     crafted variable cannot forge a second audit line)
 * @param uid the process's real uid
 * @param sudo whether {@code SUDO_USER} was set
 */
public record Actor(String name, int uid, boolean sudo) {
  private static final Pattern UNSAFE = Pattern.compile("[^A-Za-z0-9._@-]");
  private static final Pattern UID_LINE = Pattern.compile("^Uid:\\s+([0-9]+)", Pattern.MULTILINE);

  public Actor {
    name = name == null || name.isBlank() ? "?" : UNSAFE.matcher(name).replaceAll("?");
  }

  /** The current process: environment, {@code user.name} and {@code /proc/self/status}. */
  public static Actor current() {
    return of(System.getenv(), System.getProperty("user.name"), realUid());
  }

  /** The actor for an environment, a fallback user name and a uid. */
  public static Actor of(Map<String, String> env, String userName, int uid) {
    String sudoUser = env.get("SUDO_USER");
    boolean sudo = sudoUser != null && !sudoUser.isBlank();
    return new Actor(sudo ? sudoUser : userName, uid, sudo);
  }

  /** {@code alice (uid=0, sudo=yes)}. */
  public String describe() {
    return name + " (uid=" + uid + ", sudo=" + (sudo ? "yes" : "no") + ")";
  }

  private static int realUid() {
    try {
      Matcher m = UID_LINE.matcher(Files.readString(Path.of("/proc/self/status")));
      return m.find() ? Integer.parseInt(m.group(1)) : -1;
    } catch (IOException e) {
      return -1;
    }
  }
}
