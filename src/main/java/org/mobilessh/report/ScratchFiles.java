package org.mobilessh.report;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Scratch files and directories that the report and evidence stages keep beside their output while
 * they write it: {@code .OUT.PID.SUFFIX}, named after the output file and the writing process. A
 * run that is killed (SIGKILL, power loss) cannot remove them; the next run writing the same output
 * removes those whose process is gone, and nothing else.
 */
public final class ScratchFiles {
  private ScratchFiles() {}

  /** The scratch path {@code .OUT.PID.SUFFIX} of this process beside {@code out}. */
  public static Path beside(Path out, String suffix) {
    Path dir = out.toAbsolutePath().getParent();
    return dir.resolve(
        "." + out.getFileName() + "." + ProcessHandle.current().pid() + "." + suffix);
  }

  /**
   * Removes the scratch paths beside {@code out} with one of {@code suffixes} that a process no
   * longer running left behind: only names of exactly the form {@code .OUT.PID.SUFFIX}, only when
   * no process with that id runs (a running one may be another writer of the same output), never
   * following links.
   *
   * @return the paths removed
   */
  public static List<Path> removeStale(Path out, String... suffixes) {
    Path dir = out.toAbsolutePath().getParent();
    List<Path> removed = new ArrayList<>();
    if (dir == null || !Files.isDirectory(dir)) {
      return removed;
    }
    Pattern p =
        Pattern.compile(
            Pattern.quote("." + out.getFileName() + ".")
                + "(\\d{1,18})\\.("
                + String.join("|", List.of(suffixes).stream().map(Pattern::quote).toList())
                + ")");
    try (DirectoryStream<Path> all = Files.newDirectoryStream(dir)) {
      for (Path f : all) {
        Matcher m = p.matcher(f.getFileName().toString());
        if (!m.matches()) {
          continue;
        }
        long pid = Long.parseLong(m.group(1));
        if (pid == ProcessHandle.current().pid() || ProcessHandle.of(pid).isPresent()) {
          continue;
        }
        deleteTree(f);
        removed.add(f);
      }
    } catch (IOException e) {
      // a stale leftover that cannot be listed or removed does not stop this run
    }
    return removed;
  }

  /** Deletes a file or a directory tree (links themselves, not what they point to). */
  public static void deleteTree(Path root) {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // best effort: the caller's result does not depend on its scratch space being gone
    }
  }
}
