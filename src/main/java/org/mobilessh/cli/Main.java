package org.mobilessh.cli;

/** Entry point of the runnable jar and of {@code bin/mobilessh}. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(MobilesshCommand.commandLine().execute(args));
  }
}
