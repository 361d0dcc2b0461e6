package org.mobilessh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Standard output as Main installs it: what it writes, and what a failed write does. */
class StdoutTest {
  private static final String[] RENDER = {"rules", "render", "--mail-server", "198.51.100.10"};

  @Test
  void writesWhatTheCommandPrints() {
    ByteArrayOutputStream target = new ByteArrayOutputStream();
    StringWriter err = new StringWriter();
    assertThat(run(target, err, RENDER)).isZero();
    assertThat(target.toString()).contains("-A MOBILESSH-SSH");
    assertThat(err.toString()).isEmpty();
  }

  /** {@code mobilessh windows --format csv > file} on a full disk exited 0 with the file cut. */
  @Test
  void aFailedWriteIsAFailure() {
    StringWriter err = new StringWriter();
    assertThat(run(failing("No space left on device"), err, RENDER)).isEqualTo(ExitCodes.FAILURE);
    assertThat(err.toString())
        .isEqualTo(
            "mobilessh: cannot write standard output: No space left on device"
                + System.lineSeparator());
  }

  /** The audit commands write their rows' bytes past the writer: the same holds for them. */
  @Test
  void aFailedWriteOfAuditRowsIsAFailure(@TempDir Path dir) {
    String index = AuditFixture.scenarioIndex(dir);
    String config = AuditFixture.scenarioConfig(dir);
    for (String format : new String[] {"csv", "json", "table"}) {
      StringWriter err = new StringWriter();
      String[] args = {
        "windows", "--index", index, "--config", config, "--format", format, "--no-cache"
      };
      assertThat(run(failing("Input/output error"), err, args)).as(format).isEqualTo(1);
      assertThat(err.toString())
          .as(format)
          .contains("mobilessh: cannot write standard output: Input/output error");
    }
  }

  /** {@code | head}: the reader wanted no more; the run's own exit code stands, silently. */
  @Test
  void aReaderThatWentAwayIsNoFailure() {
    StringWriter err = new StringWriter();
    assertThat(run(failing("Broken pipe"), err, RENDER)).isZero();
    assertThat(err.toString()).isEmpty();
  }

  private static int run(OutputStream target, StringWriter err, String... args) {
    CommandLine cl = MobilesshCommand.commandLine(args);
    Stdout.install(cl, target);
    PrintWriter errWriter = new PrintWriter(err, true);
    cl.setErr(errWriter);
    int code = cl.execute(args);
    return Stdout.finish(code, errWriter);
  }

  private static OutputStream failing(String message) {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        throw new IOException(message);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        throw new IOException(message);
      }
    };
  }
}
