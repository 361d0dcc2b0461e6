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
 * non-hidden files, a pattern with {@code * ? [ {} in any path component ({@code
 * /var/log/*}{@code /kern.log*}, {@code logs/router?/kern.log*}) is expanded when the shell did not,
 * anything else is a file (which may turn out unreadable: that is reported when read, the other
 * inputs continue). Expanded files come oldest first per rotation chain ({@code kern.log.2.gz,
 * kern.log.1, kern.log}) so events are added in time order.
 */
public final class SourceResolver {
  private SourceResolver() {}

  /**
   * The operands' sources, in operand order. A pattern that matches nothing becomes a source for
   * the pattern itself, which the ingest reports as "no file matches" (exit 1) while the other
   * inputs are read; {@code --follow} watches it instead ({@link #watches}).
   */
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
      } else if (!Files.exists(p) && isGlob(op)) {
        List<Source> found = new ArrayList<>();
        for (Path f : expand(op)) {
          found.add(Source.of(f));
        }
        out.addAll(found.isEmpty() ? List.of(Source.of(p)) : sorted(found));
      } else {
        out.add(Source.of(p));
      }
    }
    return out;
  }

  /** Whether a source stands for a pattern that matched no file. */
  public static boolean isUnmatchedPattern(Source s) {
    return s.path() != null && isGlob(s.path().toString()) && !Files.exists(s.path());
  }

  /**
   * What {@code --follow} looks at again for files that appear later: directories and patterns. The
   * files each one matches now are {@link Watch#files()}.
   */
  public static List<Watch> watches(List<String> operands) {
    List<Watch> out = new ArrayList<>();
    for (String op : operands) {
      if (op.equals("-") || LiveSources.isLive(op)) {
        continue;
      }
      Path p = Path.of(op);
      if (Files.isDirectory(p) || (!Files.exists(p) && isGlob(op))) {
        out.add(new Watch(op));
      }
    }
    return out;
  }

  /** A directory or pattern operand, expanded again on demand. */
  public record Watch(String operand) {
    /** The regular files it matches now, sorted like {@link #resolve}. */
    public List<Source> files() {
      Path p = Path.of(operand);
      List<Source> found;
      if (Files.isDirectory(p)) {
        found = list(p, null);
      } else {
        found = new ArrayList<>();
        for (Path f : expand(operand)) {
          found.add(Source.of(f));
        }
      }
      return sorted(found);
    }
  }

  static boolean isGlob(String name) {
    return name.indexOf('*') >= 0
        || name.indexOf('?') >= 0
        || name.indexOf('[') >= 0
        || name.indexOf('{') >= 0;
  }

  /**
   * Expands a pattern component by component, like a shell: {@code *} does not match a leading dot
   * unless the component starts with one; a matched directory in the last component stands for its
   * files. Components are split at {@code /}, so a {@code {a,b}} alternative cannot contain one.
   */
  static List<Path> expand(String pattern) {
    Path p = Path.of(pattern);
    List<Path> current = new ArrayList<>();
    current.add(p.getRoot() == null ? Path.of("") : p.getRoot());
    for (int i = 0; i < p.getNameCount(); i++) {
      String c = p.getName(i).toString();
      boolean last = i == p.getNameCount() - 1;
      List<Path> next = new ArrayList<>();
      for (Path dir : current) {
        if (!isGlob(c)) {
          Path child = dir.resolve(c);
          if (last ? Files.exists(child) : Files.isDirectory(child)) {
            next.add(child);
          }
          continue;
        }
        PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + c);
        Path listed = dir.toString().isEmpty() ? Path.of(".") : dir;
        if (!Files.isDirectory(listed)) {
          continue;
        }
        List<Path> matched = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(listed)) {
          for (Path f : ds) {
            Path name = f.getFileName();
            if (name.toString().startsWith(".") && !c.startsWith(".")) {
              continue;
            }
            if (m.matches(name) && (last || Files.isDirectory(f))) {
              matched.add(dir.resolve(name));
            }
          }
        } catch (IOException e) {
          continue; // unreadable directory: nothing matches inside it
        }
        matched.sort(Comparator.naturalOrder());
        next.addAll(matched);
      }
      current = next;
    }
    List<Path> files = new ArrayList<>();
    for (Path f : current) {
      if (Files.isDirectory(f)) {
        for (Source s : list(f, null)) {
          files.add(s.path());
        }
      } else if (Files.isRegularFile(f)) {
        files.add(f);
      }
    }
    return files;
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
