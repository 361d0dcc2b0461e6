package org.mobilessh.ingest;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Turns command-line operands into sources: {@code -} is stdin, a directory is its regular
 * non-hidden files, a pattern with {@code * ? [ {} in its last component is expanded when the shell
 * did not, anything else is a file (which may turn out unreadable: that is reported when read, the
 * other inputs continue). Expanded files come oldest first per rotation chain ({@code kern.log.2.gz,
 * kern.log.1, kern.log}) so events are added in time order.
 */
public final class SourceResolver {
  private SourceResolver() {}

  /** The operands' sources, in operand order; an operand matching nothing is an error. */
  public static List<Source> resolve(List<String> operands) {
    List<Source> out = new ArrayList<>();
    for (String op : operands) {
      if (op.equals("-")) {
        out.add(Source.stdin());
        continue;
      }
      if (LiveSources.isLive(op)) {
        out.add(LiveSources.of(op));
        continue;
      }
      Path p = Path.of(op);
      if (Files.isDirectory(p)) {
        out.addAll(sorted(list(p, null)));
      } else if (!Files.exists(p)
          && isGlob(p.getFileName() == null ? "" : p.getFileName().toString())) {
        Path dir = p.getParent() == null ? Path.of(".") : p.getParent();
        PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + p.getFileName());
        List<Source> found = sorted(list(dir, m));
        if (found.isEmpty()) {
          throw new IngestException(op + ": no file matches");
        }
        out.addAll(found);
      } else {
        out.add(Source.of(p));
      }
    }
    return out;
  }

  static boolean isGlob(String name) {
    return name.indexOf('*') >= 0
        || name.indexOf('?') >= 0
        || name.indexOf('[') >= 0
        || name.indexOf('{') >= 0;
  }

  private static List<Source> list(Path dir, PathMatcher matcher) {
    List<Source> files = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return files;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path f : ds) {
        String name = f.getFileName().toString();
        if (name.startsWith(".") || !Files.isRegularFile(f)) {
          continue;
        }
        if (matcher == null || matcher.matches(f.getFileName())) {
          files.add(Source.of(dir.equals(Path.of(".")) ? f.getFileName() : f));
        }
      }
    } catch (IOException e) {
      throw new IngestException("cannot list " + dir + ": " + e.getMessage(), e);
    }
    return files;
  }

  /** Rotation chains by name; within one, oldest (highest index) first. */
  static List<Source> sorted(List<Source> files) {
    files.sort(
        Comparator.comparing(Source::rotationBase)
            .thenComparing(Comparator.comparingLong(Source::rotationIndex).reversed())
            .thenComparing(Source::name));
    return files;
  }
}
