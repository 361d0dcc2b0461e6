package org.mobilessh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mobilessh.cli.RulesCommandsItSupport.mobilessh;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mobilessh.cli.RulesCommandsItSupport.Result;
import org.mobilessh.rules.SectionedFile;

/** {@code rules snapshot --verify} and the option rules; needs no root. */
class RulesSnapshotCommandTest {
  private static final Path DIR = Path.of("target", "test-scratch", "snapshot-command");

  @Test
  void verifyAcceptsAnIntactFileAndRejectsATamperedOne() throws Exception {
    Path file = DIR.resolve("s.snapshot");
    new SectionedFile(
            "mobilessh snapshot v1",
            Map.of("netns", "-"),
            Map.of("iptables-save -c", "*filter\n:INPUT ACCEPT [5:300]\nCOMMIT\n"))
        .write(file);
    Result ok = mobilessh("rules", "snapshot", "--verify", file.toString());
    assertThat(ok.exit()).as(ok.all()).isEqualTo(ExitCodes.OK);
    assertThat(ok.out()).startsWith("OK: " + file + " sha256 ");

    Files.writeString(file, Files.readString(file).replace("[5:300]", "[0:0]"));
    Result bad = mobilessh("rules", "snapshot", "--verify", file.toString());
    assertThat(bad.exit()).isEqualTo(ExitCodes.FAILURE);
    assertThat(bad.err()).startsWith("FAIL: ").contains("sha256 mismatch").contains("recorded ");
  }

  @Test
  void verifyOfAMissingFileSaysSo() {
    Result r = mobilessh("rules", "snapshot", "--verify", DIR.resolve("nope").toString());
    assertThat(r.exit()).isEqualTo(ExitCodes.FAILURE);
    assertThat(r.err())
        .isEqualTo(
            "mobilessh rules snapshot: --verify "
                + DIR.resolve("nope")
                + ": no such file"
                + System.lineSeparator());
    assertThat(r.out()).isEmpty();
  }

  @Test
  void outAndVerifyAreExclusiveAndOneIsRequired() {
    assertThat(mobilessh("rules", "snapshot", "--out", "a", "--verify", "b").exit())
        .isEqualTo(ExitCodes.USAGE);
    Result none = mobilessh("rules", "snapshot");
    assertThat(none.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(none.err()).contains("--out").contains("--verify");
  }
}
