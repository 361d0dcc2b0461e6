package org.mobilessh.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.mobilessh.rules.InvalidConfigException;
import picocli.AutoComplete.GenerateCompletion;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
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
    })
public final class MobilesshCommand extends CommandGroup {

  /**
   * The subcommands in the order {@code --help} lists them. They are added by hand rather than
   * named in {@code @Command(subcommands = ...)} so that {@link #commandLine(String[])} can build
   * only the one a run invokes: picocli reflects over every command class it is given, and for the
   * whole tree that was about a third of a command's start-up CPU.
   */
  private static final Map<String, Supplier<Object>> SUBCOMMANDS = subcommands();

  /**
   * picocli's completion and man page generators: they look at the whole tree, and their own
   * annotations need the corrections of {@link #asPlainCommand}.
   */
  private static final Set<String> GENERATORS = Set.of("generate-completion", "gen-manpage");

  private static Map<String, Supplier<Object>> subcommands() {
    Map<String, Supplier<Object>> m = new LinkedHashMap<>();
    m.put("rules", RulesCommand::new);
    m.put("list", ListCommand::new);
    m.put("simulate", SimulateCommand::new);
    m.put("ingest", IngestCommand::new);
    m.put("search", SearchCommand::new);
    m.put("windows", WindowsCommand::new);
    m.put("sessions", SessionsCommand::new);
    m.put("rejects", RejectsCommand::new);
    m.put("anomalies", AnomaliesCommand::new);
    m.put("who", WhoCommand::new);
    m.put("timeline", TimelineCommand::new);
    m.put("report", ReportCommand::new);
    m.put("export", ExportCommand::new);
    m.put("evidence", EvidenceCommand::new);
    m.put("verify", VerifyCommand::new);
    m.put("generate-completion", GenerateCompletion::new);
    m.put("gen-manpage", ManPageGenerator::new);
    return Collections.unmodifiableMap(m);
  }

  /** The whole command tree, shared by {@link Main} and the tests. */
  public static CommandLine commandLine() {
    return configured(SUBCOMMANDS.keySet());
  }

  /**
   * The command tree a run of {@code args} needs: only the invoked subcommand when the first
   * argument names one that does not look at its siblings (everything but the completion and man
   * page generators), else the whole tree. Parsing, help and errors are the same as with {@link
   * #commandLine()} for such a run.
   */
  public static CommandLine commandLine(String[] args) {
    if (args.length > 0 && SUBCOMMANDS.containsKey(args[0]) && !GENERATORS.contains(args[0])) {
      return configured(Set.of(args[0]));
    }
    return commandLine();
  }

  private static CommandLine configured(Set<String> names) {
    CommandLine cl = new CommandLine(new MobilesshCommand());
    SUBCOMMANDS.forEach(
        (name, command) -> {
          if (names.contains(name)) {
            cl.addSubcommand(name, command.get());
          }
        });
    for (String generator : GENERATORS) {
      CommandLine sub = cl.getSubcommands().get(generator);
      if (sub != null) {
        asPlainCommand(sub.getCommandSpec());
      }
    }
    cl.setExecutionStrategy(MobilesshCommand::execute);
    cl.setParameterExceptionHandler(MobilesshCommand::handleParameterError);
    cl.setExecutionExceptionHandler(MobilesshCommand::handle);
    cl.setExitCodeExceptionMapper(MobilesshCommand::exitCodeOf);
    // Every subcommand gets the same exit-code section in its help.
    applyExitCodes(cl);
    return cl;
  }

  /**
   * picocli marks its generators as help commands, and a help command is let through with arguments
   * it does not know and always exits 0: {@code gen-manpage --no-such-option} wrote 27 man pages
   * into the working directory and exited 0, and a failing {@code gen-manpage} (exit 4, a template
   * that exists) exited 0 too. As plain commands they reject what they do not know (exit 2) and
   * return their own exit code; {@code --version} prints mobilessh's version, not picocli's.
   */
  private static void asPlainCommand(CommandSpec spec) {
    spec.helpCommand(false);
    spec.versionProvider(new VersionProvider());
  }

  /**
   * Runs the invoked command as picocli does; only {@code gen-manpage}'s "a template file exists"
   * (its exit 4) becomes a failure, since 4 is our "input records were quarantined".
   */
  private static int execute(CommandLine.ParseResult parseResult) {
    int code = new CommandLine.RunLast().execute(parseResult);
    List<CommandLine> invoked = parseResult.asCommandLineList();
    Object last = invoked.get(invoked.size() - 1).getCommand();
    return last instanceof ManPageGenerator && code == ExitCodes.BAD_INPUT
        ? ExitCodes.FAILURE
        : code;
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

  /**
   * A usage error is one line naming the command and the problem, picocli's suggestions for a
   * mistyped option, and where help is: not the whole usage, which buried the one line that says
   * what is wrong under up to 90 lines of options.
   */
  private static int handleParameterError(CommandLine.ParameterException e, String[] args) {
    CommandLine cl = e.getCommandLine();
    PrintWriter err = cl.getErr();
    err.println(cl.getCommandSpec().qualifiedName(" ") + ": " + e.getMessage());
    CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
    err.println(tryHelp(cl));
    err.flush();
    return ExitCodes.USAGE;
  }

  /** Errors are one clear line on stderr (no stack trace unless MOBILESSH_DEBUG is set). */
  private static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parseResult) {
    String message =
        e instanceof UncheckedIOException u ? u.getCause().getMessage() : e.getMessage();
    cl.getErr()
        .println(cl.getCommandSpec().qualifiedName(" ") + ": " + (message == null ? e : message));
    if (e instanceof InvalidConfigException) {
      cl.getErr().println(tryHelp(cl));
    }
    if (System.getenv("MOBILESSH_DEBUG") != null) {
      e.printStackTrace(cl.getErr());
    }
    cl.getErr().flush();
    return exitCodeOf(e);
  }

  private static String tryHelp(CommandLine cl) {
    return "Try '" + cl.getCommandSpec().qualifiedName(" ") + " --help' for more information.";
  }
}
