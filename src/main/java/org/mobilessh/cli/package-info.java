/**
 * The command line: picocli commands that parse options, call one service of a pipeline stage,
 * print through picocli's writers and return an exit code from {@link org.mobilessh.cli.ExitCodes}.
 * Nothing below this package knows about the command line.
 */
package org.mobilessh.cli;
