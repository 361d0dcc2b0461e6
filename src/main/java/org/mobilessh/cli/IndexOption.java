package org.mobilessh.cli;

import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * {@code --index DIR}: where the event index lives. Without the option: {@code $MOBILESSH_INDEX},
 * else {@code $XDG_DATA_HOME/mobilessh/index}, else {@code ~/.local/share/mobilessh/index}.
 */
public final class IndexOption {
  /** The environment variable that overrides the default location. */
  public static final String ENV = "MOBILESSH_INDEX";

  @Option(
      names = "--index",
      paramLabel = "DIR",
      description =
          "The event index directory. Default: $"
              + ENV
              + ", else $XDG_DATA_HOME/mobilessh/index, else ~/.local/share/mobilessh/index.")
  Path index;

  /** The directory to use. */
  public Path path() {
    return index != null ? index : defaultPath(System.getenv(), System.getProperty("user.home"));
  }

  /** The default location for an environment and a home directory (XDG base directory spec). */
  static Path defaultPath(Map<String, String> env, String home) {
    String explicit = env.get(ENV);
    if (explicit != null && !explicit.isBlank()) {
      return Path.of(explicit);
    }
    String xdg = env.get("XDG_DATA_HOME");
    // the spec says a relative XDG_DATA_HOME is invalid and must be ignored
    if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
      return Path.of(xdg, "mobilessh", "index");
    }
    return Path.of(home, ".local", "share", "mobilessh", "index");
  }
}
