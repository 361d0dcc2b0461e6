package org.mobilessh.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** Checks on the files options name, before any work is done for them. */
final class FileOptions {
  private FileOptions() {}

  /**
   * Refuses a file whose directory does not exist, as {@code cp} and {@code gcc -o} do: writing
   * into {@code /srv/reprots/2026-10.pdf} is more likely a mistyped directory than a wish to create
   * one (the renderers would create it, and a report or bundle would land there unnoticed), and the
   * check comes before minutes of work rather than after.
   *
   * @throws IllegalArgumentException (exit 2) naming the directory and how to create it
   */
  static void outputDirectory(String option, Path out) {
    Path dir = out.toAbsolutePath().getParent();
    if (dir == null || Files.isDirectory(dir)) {
      return;
    }
    Path given = out.getParent() == null ? dir : out.getParent();
    if (Files.exists(dir)) {
      throw new IllegalArgumentException(option + " " + out + ": " + given + " is not a directory");
    }
    throw new IllegalArgumentException(
        option
            + " "
            + out
            + ": no directory "
            + given
            + " (create it first: mkdir -p "
            + given
            + ")");
  }

  /**
   * Refuses an input file that does not exist or is a directory, in words: the readers' own
   * messages were "cannot read X: X" (an exception's message is the bare path).
   *
   * @param named the option and its value as the user gave them, e.g. {@code --config F}
   * @throws IllegalArgumentException (exit 2)
   */
  static Path existingFile(String named, Path file) {
    if (Files.isDirectory(file)) {
      throw new IllegalArgumentException(named + ": a directory, not a file");
    }
    if (!Files.exists(file)) {
      throw new IllegalArgumentException(named + ": no such file");
    }
    return file;
  }
}
