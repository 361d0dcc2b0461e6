package org.mobilessh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
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

  /** Main builds only the invoked subcommand: what a user sees must not depend on that. */
  @Test
  void theOneCommandTreeReadsAndHelpsLikeTheWholeTree() {
    CommandLine whole = MobilesshCommand.commandLine();
    assertThat(whole.getSubcommands()).hasSizeGreaterThan(10);
    for (String name : whole.getSubcommands().keySet()) {
      CommandLine one = MobilesshCommand.commandLine(new String[] {name, "--help"});
      boolean generator = name.equals("generate-completion") || name.equals("gen-manpage");
      assertThat(one.getSubcommands().keySet())
          .as(name)
          .isEqualTo(generator ? whole.getSubcommands().keySet() : java.util.Set.of(name));
      assertSameUsage(whole.getSubcommands().get(name), one.getSubcommands().get(name));
      for (String[] args :
          new String[][] {{name, "--help"}, {name, "--no-such-option"}, {name, "--version"}}) {
        CliResult viaOne = CliResult.run(args);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine fresh = MobilesshCommand.commandLine();
        fresh.setOut(new PrintWriter(out, true));
        fresh.setErr(new PrintWriter(err, true));
        int code = fresh.execute(args);
        assertThat(viaOne)
            .as(String.join(" ", args))
            .isEqualTo(new CliResult(code, out.toString(), err.toString()));
      }
    }
  }

  private static void assertSameUsage(CommandLine whole, CommandLine one) {
    assertThat(one.getUsageMessage()).isEqualTo(whole.getUsageMessage());
    assertThat(one.getSubcommands().keySet()).isEqualTo(whole.getSubcommands().keySet());
    whole.getSubcommands().forEach((n, sub) -> assertSameUsage(sub, one.getSubcommands().get(n)));
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
