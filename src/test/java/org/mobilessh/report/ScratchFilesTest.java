package org.mobilessh.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scratch files a killed run left beside its output: only provably stale ones of ours go. */
class ScratchFilesTest {
  @TempDir Path dir;

  @Test
  void onlyScratchOfThisOutputFromAProcessThatIsGoneIsRemoved() throws Exception {
    Path out = dir.resolve("bundle.zip");
    // beyond any pid_max (2^22): no process can have this id
    long gone = 999_999_999L;
    Path staleDir = Files.createDirectories(dir.resolve(".bundle.zip." + gone + ".work"));
    Files.writeString(staleDir.resolve("events.csv"), "x");
    Path staleFile = Files.writeString(dir.resolve(".bundle.zip." + gone + ".tmp"), "x");
    Process live = new ProcessBuilder("sleep", "60").start();
    try {
      Path running = Files.createDirectories(dir.resolve(".bundle.zip." + live.pid() + ".work"));
      Path mine = Files.createDirectories(ScratchFiles.beside(out, "work"));
      Path otherOutput = Files.createDirectories(dir.resolve(".other.zip." + gone + ".work"));
      Path otherSuffix = Files.writeString(dir.resolve(".bundle.zip." + gone + ".keep"), "x");
      Path notAPid = Files.createDirectories(dir.resolve(".bundle.zip.12ab.work"));
      Path target = Files.createDirectories(dir.resolve("target"));
      Files.writeString(target.resolve("precious"), "x");
      Path link = dir.resolve(".bundle.zip." + (gone + 1) + ".work");
      Files.createSymbolicLink(link, target);

      assertThat(ScratchFiles.removeStale(out, "work", "tmp"))
          .containsExactlyInAnyOrder(staleDir, staleFile, link);

      assertThat(staleDir).doesNotExist();
      assertThat(staleFile).doesNotExist();
      assertThat(link).doesNotExist();
      // the link went, not what it pointed to
      assertThat(target.resolve("precious")).exists();
      assertThat(running).exists();
      assertThat(mine).exists();
      assertThat(otherOutput).exists();
      assertThat(otherSuffix).exists();
      assertThat(notAPid).exists();
    } finally {
      live.destroy();
      live.waitFor();
    }
  }

  @Test
  void aMissingDirectoryRemovesNothing() throws IOException {
    assertThat(ScratchFiles.removeStale(dir.resolve("no/such/out.zip"), "work")).isEmpty();
  }
}
