package org.mobilessh.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs mobilessh in-process exactly as Main does, capturing stdout, stderr and the exit code. */
record CliResult(int exitCode, String out, String err) {
  static CliResult run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = MobilesshCommand.commandLine(args);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new CliResult(code, out.toString(), err.toString());
  }
}
