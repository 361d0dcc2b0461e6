package org.mobilessh.cli;

import java.io.BufferedWriter;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/**
 * The process's standard output, as picocli writes it ({@link CommandLine#getOut()}: a {@link
 * PrintWriter} over {@link System#out} in the {@code sun.stdout.encoding} charset or the default
 * one), set explicitly by {@link Main} so that a command printing large amounts of UTF-8 text can
 * write the bytes themselves ({@link #bytes}) instead of having every character encoded again.
 */
final class Stdout {
  private static volatile PrintWriter writer;
  private static volatile Charset charset;

  private Stdout() {}

  /** Gives {@code cl} the writer picocli would make for standard output, and remembers it. */
  static void install(CommandLine cl) {
    Charset cs = encoding(System.getProperty("sun.stdout.encoding"));
    PrintWriter w =
        new PrintWriter(new BufferedWriter(new OutputStreamWriter(System.out, cs)), true);
    cl.setOut(w);
    charset = cs;
    writer = w;
  }

  /** The charset picocli 4.7 chooses for a stream with this encoding property. */
  static Charset encoding(String name) {
    if (name == null) {
      return Charset.defaultCharset();
    }
    try {
      return Charset.forName("cp65001".equalsIgnoreCase(name) ? "UTF-8" : name);
    } catch (RuntimeException e) {
      return Charset.defaultCharset();
    }
  }

  /**
   * The byte stream under {@code out} when {@code out} is standard output written in UTF-8 (flush
   * {@code out} before writing to it), else {@code null}: then text goes through {@code out}.
   */
  static OutputStream bytes(PrintWriter out) {
    return out != null && out == writer && StandardCharsets.UTF_8.equals(charset)
        ? System.out
        : null;
  }
}
