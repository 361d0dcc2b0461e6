package org.mobilessh.audit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names of scratch files and directories that carry the id of the process writing them: {@code
 * PREFIX PID-UUID}. A run that is killed (SIGKILL, power loss, the OOM killer) cannot remove its
 * scratch; the next run recognises it as left behind once no process with that id runs, instead of
 * waiting for an age limit while gigabytes of a stopped 10 M-event audit sit on the disk. A running
 * process with the id (the writer itself, or an unrelated process that reuses the id) keeps the
 * file: the safe direction.
 */
final class ScratchNames {
  private static final Pattern FORM =
      Pattern.compile("(\\d{1,18})-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  private ScratchNames() {}

  /** A fresh name {@code prefix + pid + "-" + uuid} for this process. */
  static String of(String prefix) {
    return prefix + ProcessHandle.current().pid() + "-" + UUID.randomUUID();
  }

  /**
   * Whether {@code name} is of the form {@link #of} makes with {@code prefix} and the process that
   * wrote it no longer runs. Names of any other form (older releases, other programs) are never
   * left behind by this test.
   */
  static boolean leftBehind(String name, String prefix) {
    if (!name.startsWith(prefix)) {
      return false;
    }
    Matcher m = FORM.matcher(name.substring(prefix.length()));
    if (!m.matches()) {
      return false;
    }
    long pid = Long.parseLong(m.group(1));
    return pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).isEmpty();
  }

  /**
   * Creates a directory for this process's scratch in {@code parent}, readable by its owner only
   * where the file system has POSIX permissions (the audit's scratch holds log lines), after
   * removing the directories of this prefix that stopped processes left there.
   */
  static Path createDirectory(Path parent, String prefix) throws IOException {
    try (var all = Files.newDirectoryStream(parent, prefix + "*")) {
      for (Path p : all) {
        if (leftBehind(p.getFileName().toString(), prefix)) {
          AuditCache.delete(p);
        }
      }
    } catch (IOException e) {
      // a leftover that cannot be listed or removed does not stop this run
    }
    Path dir = parent.resolve(of(prefix));
    if (parent.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return Files.createDirectory(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    return Files.createDirectory(dir);
  }
}
