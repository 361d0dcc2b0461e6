package org.mobilessh.cli;

import java.io.BufferedWriter;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/**
 * The process's standard output, as picocli writes it ({@link CommandLine#getOut()}: a {@link
 * PrintWriter} in the {@code sun.stdout.encoding} charset or the default one), set explicitly by
 * {@link Main} so that a command printing large amounts of UTF-8 text can write the bytes
 * themselves ({@link #bytes}) instead of having every character encoded again, and so that a failed
 * write is not lost: a {@link PrintWriter} (and {@link System#out}) keep errors to themselves, and
 * {@code windows --format csv > file} on a full disk exited 0 with the file cut short. {@link
 * #finish} turns such an error into exit 1.
 */
final class Stdout {
  private static volatile PrintWriter writer;
  private static volatile Charset charset;
  private static volatile Guarded stream;

  private Stdout() {}

  /** Gives {@code cl} the writer picocli would make for standard output, and remembers it. */
  static void install(CommandLine cl) {
    install(cl, new FileOutputStream(FileDescriptor.out));
  }

  /** {@link #install(CommandLine)} over {@code target} instead of file descriptor 1. */
  static void install(CommandLine cl, OutputStream target) {
    Charset cs = encoding(System.getProperty("sun.stdout.encoding"));
    Guarded g = new Guarded(target);
    PrintWriter w = new PrintWriter(new BufferedWriter(new OutputStreamWriter(g, cs)), true);
    cl.setOut(w);
    charset = cs;
    stream = g;
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
   * {@code out} before writing to it), else {@code null}: then text goes through {@code out}. Like
   * the writer, it does not throw: {@link #finish} reports what failed.
   */
  static OutputStream bytes(PrintWriter out) {
    return out != null && out == writer && StandardCharsets.UTF_8.equals(charset) ? stream : null;
  }

  /**
   * The exit code of a run that returned {@code code}, once standard output is flushed: {@code
   * code}, or {@link ExitCodes#FAILURE} with a line on {@code err} when writing it failed (a full
   * disk, an I/O error). A reader that went away ({@code | head}) is no failure of ours: what it
   * did not read, it did not want.
   */
  static int finish(int code, PrintWriter err) {
    PrintWriter w = writer;
    Guarded g = stream;
    if (w == null || g == null) {
      return code;
    }
    w.flush();
    IOException e = g.error;
    if (e == null || isBrokenPipe(e)) {
      return code;
    }
    err.println("mobilessh: cannot write standard output: " + e.getMessage());
    err.flush();
    return ExitCodes.FAILURE;
  }

  private static boolean isBrokenPipe(IOException e) {
    return e.getMessage() != null && e.getMessage().contains("Broken pipe");
  }

  /** Keeps the first error and writes nothing after it, as {@link System#out} does. */
  private static final class Guarded extends OutputStream {
    private final OutputStream target;
    private volatile IOException error;

    Guarded(OutputStream target) {
      this.target = target;
    }

    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      if (error != null) {
        return;
      }
      try {
        target.write(b, off, len);
      } catch (IOException e) {
        error = e;
      }
    }

    @Override
    public void flush() {
      if (error != null) {
        return;
      }
      try {
        target.flush();
      } catch (IOException e) {
        error = e;
      }
    }
  }
}
