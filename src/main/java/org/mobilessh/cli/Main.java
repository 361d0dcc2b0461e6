package org.mobilessh.cli;

import picocli.CommandLine;

/** Entry point of the runnable jar and of {@code bin/mobilessh}. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    CommandLine cl = MobilesshCommand.commandLine(args);
    Stdout.install(cl);
    System.exit(Stdout.finish(cl.execute(args), cl.getErr()));
  }
}
