package org.mobilessh.cli;

import java.io.UncheckedIOException;
import org.mobilessh.rules.InvalidConfigException;
import picocli.AutoComplete.GenerateCompletion;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/** The top-level {@code mobilessh} command: only subcommands. */
@Command(
    name = "mobilessh",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "IMAPS before SSH: an SSH port that looks closed except, for a short time, to addresses that"
          + " just checked mail on the company mail server. Installs and checks that ruleset"
          + " (iptables and ip6tables), and audits who opened SSH when."
    },
    subcommands = {
      RulesCommand.class,
      ListCommand.class,
      SimulateCommand.class,
      IngestCommand.class,
      SearchCommand.class,
      WindowsCommand.class,
      SessionsCommand.class,
      RejectsCommand.class,
      AnomaliesCommand.class,
      WhoCommand.class,
      TimelineCommand.class,
      ReportCommand.class,
      ExportCommand.class,
      EvidenceCommand.class,
      VerifyCommand.class,
      GenerateCompletion.class,
      ManPageGenerator.class,
    })
public final class MobilesshCommand extends CommandGroup {

  /** A configured command line, shared by {@link Main} and the tests. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new MobilesshCommand());
    cl.setExecutionExceptionHandler(MobilesshCommand::handle);
    cl.setExitCodeExceptionMapper(MobilesshCommand::exitCodeOf);
    // Every subcommand gets the same exit-code section in its help.
    applyExitCodes(cl);
    return cl;
  }

  private static void applyExitCodes(CommandLine cl) {
    cl.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n");
    cl.getCommandSpec().usageMessage().exitCodeList(ExitCodes.helpList());
    for (CommandLine sub : cl.getSubcommands().values()) {
      applyExitCodes(sub);
    }
  }

  static int exitCodeOf(Throwable t) {
    if (t instanceof InvalidConfigException
        || t instanceof IllegalArgumentException
        || t instanceof CommandLine.ParameterException) {
      return ExitCodes.USAGE;
    }
    return ExitCodes.FAILURE;
  }

  /** Errors are one clear line on stderr (no stack trace unless MOBILESSH_DEBUG is set). */
  private static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parseResult) {
    String message =
        e instanceof UncheckedIOException u ? u.getCause().getMessage() : e.getMessage();
    cl.getErr()
        .println(cl.getCommandSpec().qualifiedName(" ") + ": " + (message == null ? e : message));
    if (e instanceof InvalidConfigException) {
      cl.getErr().println("Try 'mobilessh " + qualifiedName(cl) + " --help'.");
    }
    if (System.getenv("MOBILESSH_DEBUG") != null) {
      e.printStackTrace(cl.getErr());
    }
    cl.getErr().flush();
    return exitCodeOf(e);
  }

  private static String qualifiedName(CommandLine cl) {
    String name = cl.getCommandSpec().qualifiedName(" ");
    return name.startsWith("mobilessh ") ? name.substring("mobilessh ".length()) : name;
  }
}
