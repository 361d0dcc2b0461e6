package org.mobilessh.ingest;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One input: a file, standard input, or the output of a live command ({@code journal:}, {@code
 * conntrack:}). Rotated siblings ({@code kern.log}, {@code kern.log.1}, {@code kern.log.2.gz})
 * share a {@link #rotationBase()}; a higher {@link #rotationIndex()} is older.
 *
 * @param path the file, or {@code null} for standard input and commands
 * @param name how reports name it (the path as given, {@code -} for stdin)
 * @param command the command whose output is read, or {@code null}
 */
public record Source(Path path, String name, java.util.List<String> command) {
  private static final Pattern ROTATED = Pattern.compile("^(.*?)(?:[.-](\\d{1,4}))?(?:\\.gz)?$");
  private static final Pattern DATED = Pattern.compile("^(.*?)-(\\d{8})(?:\\.gz)?$");

  /** Standard input. */
  public static Source stdin() {
    return new Source(null, "-", null);
  }

  public static Source of(Path path) {
    return new Source(path, path.toString(), null);
  }

  /** A live command's standard output, named {@code name} in reports. */
  public static Source command(String name, java.util.List<String> command) {
    return new Source(null, name, java.util.List.copyOf(command));
  }

  public boolean isCommand() {
    return command != null;
  }

  public boolean isStdin() {
    return path == null && command == null;
  }

  /** The file name without rotation suffix: {@code kern.log} for {@code kern.log.2.gz}. */
  public String rotationBase() {
    if (path == null) {
      return name;
    }
    String file = path.getFileName().toString();
    Matcher dated = DATED.matcher(file);
    if (dated.matches()) {
      return parentPrefix() + dated.group(1);
    }
    Matcher m = ROTATED.matcher(file);
    m.matches();
    return parentPrefix() + m.group(1);
  }

  /**
   * 0 for the live file, n for {@code .n}/{@code .n.gz}; for dateext names ({@code
   * syslog-20261126.gz}) a large number that is larger for older dates.
   */
  public long rotationIndex() {
    if (path == null) {
      return 0;
    }
    String file = path.getFileName().toString();
    Matcher dated = DATED.matcher(file);
    if (dated.matches()) {
      return 100_000_000L - Long.parseLong(dated.group(2));
    }
    Matcher m = ROTATED.matcher(file);
    m.matches();
    return m.group(2) == null ? 0 : Long.parseLong(m.group(2));
  }

  private String parentPrefix() {
    Path parent = path.toAbsolutePath().getParent();
    return parent == null ? "" : parent + "/";
  }

  @Override
  public String toString() {
    return name;
  }
}
