package org.mobilessh.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.mobilessh.cli.MobilesshCommand;
import picocli.CommandLine;

/**
 * Runs a command line the report prints: {@code mobilessh ARGS... [| shell filter]}. The mobilessh
 * part runs in-process through picocli (with {@code --index} added, as the report tells the reader
 * to), the filter after the first {@code |} in a real {@code sh} fed with its output.
 */
public final class Commands {
  private Commands() {}

  /** The command's output, trimmed. */
  public static String run(String commandLine, Path index) throws Exception {
    int bar = pipe(commandLine);
    String head = bar < 0 ? commandLine : commandLine.substring(0, bar);
    List<String> args = words(head.trim());
    assertThat(args.get(0)).isEqualTo("mobilessh");
    List<String> cli = new ArrayList<>(args.subList(1, args.size()));
    cli.add(1, "--index");
    cli.add(2, index.toString());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = MobilesshCommand.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(cli.toArray(String[]::new));
    assertThat(code).as("%s: %s", cli, err).isIn(0, 5);
    if (bar < 0) {
      return out.toString().trim();
    }
    Process p = new ProcessBuilder("sh", "-c", commandLine.substring(bar + 1)).start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(out.toString().getBytes(StandardCharsets.UTF_8));
    }
    String result;
    try (InputStream o = p.getInputStream()) {
      result = new String(o.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(p.waitFor()).isZero();
    return result.trim();
  }

  /** The first {@code |} outside single quotes. */
  private static int pipe(String s) {
    boolean quoted = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\'') {
        quoted = !quoted;
      } else if (c == '|' && !quoted) {
        return i;
      }
    }
    return -1;
  }

  /** Shell words: spaces separate, single quotes group. */
  private static List<String> words(String s) {
    List<String> out = new ArrayList<>();
    StringBuilder w = new StringBuilder();
    boolean quoted = false;
    boolean any = false;
    for (char c : s.toCharArray()) {
      if (c == '\'') {
        quoted = !quoted;
        any = true;
      } else if (c == ' ' && !quoted) {
        if (any) {
          out.add(w.toString());
          w.setLength(0);
          any = false;
        }
      } else {
        w.append(c);
        any = true;
      }
    }
    if (any) {
      out.add(w.toString());
    }
    return out;
  }
}
