package org.mobilessh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code simulate --month} takes the months ingest and the audit take. */
class SimulateMonthTest {
  /** 9999-01 said only "long overflow"; 1950-01 wrote logs that ingest then refused. */
  @Test
  void aMonthOutsideWhatIngestTakesIsAUsageError(@TempDir Path dir) {
    for (String month : new String[] {"9999-01", "1950-01"}) {
      CliResult r =
          CliResult.run("simulate", "--out", dir.toString(), "--month", month, "--scale", "0.01");
      assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
      assertThat(r.err())
          .isEqualTo(
              "mobilessh simulate: --month must lie between 1970-01 and 2261-12, got '"
                  + month
                  + "'"
                  + System.lineSeparator());
      assertThat(dir).isEmptyDirectory();
    }
  }
}
