package org.mobilessh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
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

  /**
   * Main builds only the invoked subcommand: what a user sees must not depend on that. gen-manpage
   * writes into the working directory unless told otherwise, so it is told to write into {@code
   * dir}, which must stay empty, as must the working directory (the repository, under Maven).
   */
  @Test
  void theOneCommandTreeReadsAndHelpsLikeTheWholeTree(@TempDir Path dir) throws Exception {
    Set<Path> cwdBefore = listing(Path.of(""));
    CommandLine whole = MobilesshCommand.commandLine();
    assertThat(whole.getSubcommands()).hasSizeGreaterThan(10);
    for (String name : whole.getSubcommands().keySet()) {
      CommandLine one = MobilesshCommand.commandLine(new String[] {name, "--help"});
      boolean generator = name.equals("generate-completion") || name.equals("gen-manpage");
      assertThat(one.getSubcommands().keySet())
          .as(name)
          .isEqualTo(generator ? whole.getSubcommands().keySet() : java.util.Set.of(name));
      assertSameUsage(whole.getSubcommands().get(name), one.getSubcommands().get(name));
      String[] where =
          name.equals("gen-manpage") ? new String[] {"--outdir", dir.toString()} : new String[0];
      for (String option : new String[] {"--help", "--no-such-option", "--version"}) {
        String[] args =
            Stream.of(new String[] {name}, where, new String[] {option})
                .flatMap(Stream::of)
                .toArray(String[]::new);
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
    assertThat(listing(dir)).isEmpty();
    assertThat(listing(Path.of(""))).isEqualTo(cwdBefore);
  }

  private static Set<Path> listing(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.collect(Collectors.toSet());
    }
  }

  /**
   * picocli marks its generators as help commands, which let unknown arguments through and exit 0:
   * {@code gen-manpage --no-such-option} wrote every man page into the working directory.
   */
  @Test
  void generatorsRejectWhatTheyDoNotKnowAndWriteNothing(@TempDir Path dir) throws Exception {
    for (String[] args :
        new String[][] {
          {"gen-manpage", "--outdir", dir.toString(), "--no-such-option"},
          {"gen-manpage", "--outdir", dir.toString(), "extra"},
          {"generate-completion", "--no-such-option"},
          {"generate-completion", "extra"}
        }) {
      CliResult r = CliResult.run(args);
      assertThat(r.exitCode()).as(String.join(" ", args)).isEqualTo(ExitCodes.USAGE);
      assertThat(r.out()).as(String.join(" ", args)).isEmpty();
      assertThat(r.err())
          .as(String.join(" ", args))
          .containsAnyOf("Unknown option: '--no-such-option'", "Unmatched argument at index")
          .contains("Try 'mobilessh " + args[0] + " --help' for more information.");
    }
    assertThat(listing(dir)).isEmpty();
  }

  @Test
  void generatorsPrintMobilesshsVersionAndWriteNothing(@TempDir Path dir) throws Exception {
    String version = CliResult.run("--version").out();
    for (String[] args :
        new String[][] {
          {"gen-manpage", "--outdir", dir.toString(), "--version"}, {"generate-completion", "-V"}
        }) {
      assertThat(CliResult.run(args)).isEqualTo(new CliResult(0, version, ""));
    }
    assertThat(listing(dir)).isEmpty();
  }

  /** gen-manpage says "a template exists" with 4, which is mobilessh's "records quarantined". */
  @Test
  void anExistingManPageTemplateIsAFailure(@TempDir Path dir) {
    String[] args = {
      "gen-manpage",
      "--outdir",
      dir.resolve("pages").toString(),
      "--template-dir",
      dir.resolve("templates").toString()
    };
    assertThat(CliResult.run(args).exitCode()).isZero();
    CliResult again = CliResult.run(args);
    assertThat(again.exitCode()).isEqualTo(ExitCodes.FAILURE);
    // Its message ("... already exists ... use --force") goes to System.err, not to getErr().
    String[] forced = Stream.concat(Stream.of(args), Stream.of("--force")).toArray(String[]::new);
    assertThat(CliResult.run(forced).exitCode()).isZero();
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

  /**
   * A usage error picocli finds (a missing option, an extra argument, a value of the wrong type, an
   * unknown option) is the one line that says what is wrong and where help is, not that line above
   * the command's whole usage (up to 90 lines).
   */
  @Test
  void usageErrorsAreOneLineThatSaysWhereHelpIs() {
    for (String[] args :
        new String[][] {
          {"who"},
          {"timeline", "192.0.2.1", "192.0.2.2"},
          {"search", "--limit", "many", "action:accept"},
          {"windows", "--no-such"},
          {"rules", "render", "--family"}
        }) {
      String command = "mobilessh " + String.join(" ", args).replaceFirst(" [-0-9].*", "");
      CliResult r = CliResult.run(args);
      assertThat(r.exitCode()).as(command).isEqualTo(ExitCodes.USAGE);
      assertThat(r.out()).as(command).isEmpty();
      List<String> lines = r.err().lines().toList();
      assertThat(lines.get(0)).as(command).startsWith(command + ": ");
      assertThat(lines.get(lines.size() - 1))
          .isEqualTo("Try '" + command + " --help' for more information.");
      assertThat(lines).as(command).hasSizeLessThanOrEqualTo(3);
      assertThat(r.err()).as(command).doesNotContain("Usage:");
    }
    assertThat(CliResult.run("windows", "--no-such").err())
        .contains("Unknown option: '--no-such'")
        .contains("Possible solutions: --no-remove, --no-cache");
    assertThat(CliResult.run("who").err()).contains("Missing required option: '--at=TIME'");
  }

  @Test
  void groupsWithoutSubcommandAreUsageErrors() {
    for (String[] args : new String[][] {{}, {"rules"}}) {
      CliResult r = CliResult.run(args);
      assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
      assertThat(r.err()).contains("Missing subcommand: one of ").contains("--help");
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
