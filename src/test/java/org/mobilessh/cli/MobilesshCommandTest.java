package org.mobilessh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MobilesshCommandTest {
  @Test
  void helpListsSubcommandsAndExitCodes() {
    CliResult r = CliResult.run("--help");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains("rules").contains("Exit codes:").contains("Usage error");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void everySubcommandHasHelpVersionAndExitCodes() {
    CommandLine root = MobilesshCommand.commandLine();
    assertHelpful(root);
  }

  private static void assertHelpful(CommandLine cl) {
    var spec = cl.getCommandSpec();
    // Generated helper commands (completion, man pages) come with their own help texts.
    if (!spec.userObject().getClass().getPackageName().equals("org.mobilessh.cli")) {
      return;
    }
    assertThat(spec.optionsMap()).as(spec.qualifiedName()).containsKeys("--help", "--version");
    assertThat(cl.getUsageMessage()).as(spec.qualifiedName()).contains("Exit codes:");
    cl.getSubcommands().values().forEach(MobilesshCommandTest::assertHelpful);
  }

  @Test
  void versionComesFromTheBuild() {
    CliResult r = CliResult.run("--version");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).startsWith("mobilessh ").doesNotContain("unknown");
  }

  @Test
  void unknownCommandIsAUsageError() {
    CliResult r = CliResult.run("frobnicate");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("frobnicate");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void groupsWithoutSubcommandAreUsageErrors() {
    for (String[] args : new String[][] {{}, {"rules"}}) {
      CliResult r = CliResult.run(args);
      assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
      assertThat(r.err()).contains("Missing subcommand").contains("--help");
    }
  }

  @Test
  void generatesShellCompletion() {
    CliResult r = CliResult.run("generate-completion");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains("complete -F").contains("rules");
  }

  @Test
  void generatesManPages(@TempDir Path dir) throws Exception {
    CliResult r = CliResult.run("gen-manpage", "--outdir", dir.toString());
    assertThat(r.exitCode()).isZero();
    assertThat(dir.resolve("mobilessh.adoc")).exists();
    assertThat(dir.resolve("mobilessh-rules-render.adoc")).exists();
    assertThat(Files.readString(dir.resolve("mobilessh-rules-render.adoc")))
        .contains("--mail-server");
  }
}
