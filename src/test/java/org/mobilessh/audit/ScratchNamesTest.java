package org.mobilessh.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScratchNamesTest {
  private static final String PREFIX = "mobilessh-audit-";

  /** The id of a process that ran and has ended (ids are handed out in increasing order). */
  static long endedPid() throws Exception {
    Process p = new ProcessBuilder("true").start();
    assertThat(p.waitFor()).isZero();
    long pid = p.pid();
    assertThat(ProcessHandle.of(pid)).isEmpty();
    return pid;
  }

  @Test
  void aNameOfThisProcessIsNeverLeftBehind() {
    String name = ScratchNames.of(PREFIX);
    assertThat(name).startsWith(PREFIX + ProcessHandle.current().pid() + "-");
    assertThat(ScratchNames.leftBehind(name, PREFIX)).isFalse();
  }

  @Test
  void aNameOfAnEndedProcessIsLeftBehind() throws Exception {
    assertThat(ScratchNames.leftBehind(PREFIX + endedPid() + "-" + UUID.randomUUID(), PREFIX))
        .isTrue();
  }

  @Test
  void namesOfAnyOtherFormAreNotOurs() throws Exception {
    long ended = endedPid();
    assertThat(ScratchNames.leftBehind(PREFIX + "8374659283746512", PREFIX)).isFalse();
    assertThat(ScratchNames.leftBehind(PREFIX + ended + "-notauuid", PREFIX)).isFalse();
    assertThat(ScratchNames.leftBehind(PREFIX + ended + "-" + UUID.randomUUID() + ".x", PREFIX))
        .isFalse();
    assertThat(ScratchNames.leftBehind("other-" + ended + "-" + UUID.randomUUID(), PREFIX))
        .isFalse();
  }

  @Test
  void aNewDirectoryRemovesOnlyWhatEndedProcessesLeft(@TempDir Path tmp) throws Exception {
    Path ended = Files.createDirectory(tmp.resolve(PREFIX + endedPid() + "-" + UUID.randomUUID()));
    Files.writeString(ended.resolve("run"), "lines of a stopped audit");
    Path running = Files.createDirectory(tmp.resolve(ScratchNames.of(PREFIX)));
    Path older = Files.createDirectory(tmp.resolve(PREFIX + "8374659283746512"));
    Path other = Files.createDirectory(tmp.resolve("something-else"));

    Path made = ScratchNames.createDirectory(tmp, PREFIX);

    assertThat(ended).doesNotExist();
    assertThat(running).isDirectory();
    assertThat(older).isDirectory();
    assertThat(other).isDirectory();
    assertThat(made).isDirectory().isNotEqualTo(running);
    assertThat(ScratchNames.leftBehind(made.getFileName().toString(), PREFIX)).isFalse();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(made)))
        .isEqualTo("rwx------");
  }

  @Test
  void aReorderRunFileIsOurOwnAndRemovesWhatEndedProcessesLeft(@TempDir Path tmp) throws Exception {
    String prefix = Reorder.RUN_PREFIX;
    Path ended = Files.writeString(tmp.resolve(prefix + endedPid() + "-" + UUID.randomUUID()), "x");
    Path running = Files.writeString(tmp.resolve(ScratchNames.of(prefix)), "lines");

    Path made = Reorder.runFile(tmp, true);

    assertThat(ended).doesNotExist();
    assertThat(running).exists();
    assertThat(made).exists().isNotEqualTo(running);
    assertThat(ScratchNames.leftBehind(made.getFileName().toString(), prefix)).isFalse();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(made)))
        .isEqualTo("rw-------");
    Path next = Reorder.runFile(tmp, false);
    assertThat(next).exists().isNotEqualTo(made);
  }
}
