package org.mobilessh.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.mobilessh.audit.AuditConfig;
import org.mobilessh.audit.AuditEngine;
import org.mobilessh.audit.AuditResult;
import org.mobilessh.audit.CloseReason;
import org.mobilessh.audit.IndexedAuditInput;
import org.mobilessh.audit.Window;
import org.mobilessh.cli.MobilesshCommand;
import org.mobilessh.index.EventSearcher;
import org.mobilessh.rules.SyslogAudit;

/**
 * The audit lines of manual list changes as they really arrive: written by {@link SyslogAudit}
 * (util-linux {@code logger}, exactly as {@code mobilessh list add/del} runs it) to a real rsyslogd
 * listening on its own socket, which writes them in its traditional and RFC 3339 file formats; both
 * files go through {@code mobilessh ingest} and the index into the audit. No namespace and no
 * kernel log are touched.
 */
class ManualChangeSyslogIT {
  private static final Path DIR = Path.of("target/it-manual-change-syslog");

  private static void requireTools() {
    for (String tool : List.of("rsyslogd", "logger")) {
      boolean found =
          List.of(System.getenv("PATH").split(":")).stream()
              .anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
      String reason = tool + " is not installed";
      if (!found) {
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
          Assertions.fail(reason + " (CI=true: this proof must run, not skip)");
        }
        Assumptions.abort(reason);
      }
    }
  }

  @Test
  void loggerLinesThroughRsyslogOpenAndCloseAWindowInTheAudit() throws Exception {
    requireTools();
    deleteTree(DIR);
    Path work = Files.createDirectories(DIR.resolve("work"));
    Path socket = DIR.resolve("log.sock").toAbsolutePath();
    Path traditional = DIR.resolve("auth.log").toAbsolutePath();
    Path rfc3339 = DIR.resolve("auth-rfc3339.log").toAbsolutePath();
    Path conf = DIR.resolve("rsyslog.conf");
    Files.writeString(
        conf,
        String.join(
            "\n",
            "global(workDirectory=\"" + work.toAbsolutePath() + "\")",
            "module(load=\"imuxsock\" SysSock.Use=\"off\")",
            "input(type=\"imuxsock\" Socket=\"" + socket + "\" CreatePath=\"on\")",
            "authpriv.* action(type=\"omfile\" file=\""
                + traditional
                + "\" template=\"RSYSLOG_TraditionalFileFormat\")",
            "authpriv.* action(type=\"omfile\" file=\""
                + rfc3339
                + "\" template=\"RSYSLOG_FileFormat\")",
            ""));
    Process rsyslogd =
        new ProcessBuilder(
                "rsyslogd",
                "-n",
                "-f",
                conf.toString(),
                "-i",
                DIR.resolve("rsyslogd.pid").toAbsolutePath().toString())
            .redirectErrorStream(true)
            .redirectOutput(DIR.resolve("rsyslogd.out").toFile())
            .start();
    try {
      waitFor(() -> Files.exists(socket), "rsyslogd's socket " + socket, rsyslogd);
      SyslogAudit audit = SyslogAudit.toSocket(socket);
      audit.record("list add 192.0.2.10 list=MOBILE netns=- by tester (uid=0, sudo=no)");
      Thread.sleep(1100); // a later second, so the traditional stamps order the two lines
      audit.record("list del 192.0.2.10 list=MOBILE netns=- by tester (uid=0, sudo=no)");
      waitFor(
          () -> lines(traditional).size() >= 2 && lines(rfc3339).size() >= 2,
          "both audit lines in both files",
          rsyslogd);
    } finally {
      rsyslogd.destroy();
      rsyslogd.waitFor(10, TimeUnit.SECONDS);
    }
    assertThat(lines(traditional).get(0))
        .matches(
            "\\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\S+ mobilessh: list add 192\\.0\\.2\\.10 .*");
    for (Path file : List.of(traditional, rfc3339)) {
      Path index = DIR.resolve("index-" + file.getFileName());
      int rc =
          MobilesshCommand.commandLine()
              .execute("ingest", "--index", index.toString(), "--host", "router1", file.toString());
      assertThat(rc).as("ingest " + file).isZero();
      AuditResult r;
      try (EventSearcher s = EventSearcher.open(index)) {
        r =
            new AuditEngine(AuditConfig.defaults())
                .reconstruct(IndexedAuditInput.load(s, null, null, null));
      }
      assertThat(r.windows())
          .as(file.toString())
          .singleElement()
          .satisfies(
              w -> {
                assertThat(w.openedBy()).isEqualTo(Window.Opening.LIST_ADD);
                assertThat(w.closeReason()).isEqualTo(CloseReason.LIST_DEL);
                assertThat(w.evidence()).hasSize(2);
              });
      assertThat(r.anomalies())
          .extracting(a -> a.kind().id())
          .containsExactly("manual-list-change", "manual-list-change");
    }
  }

  private static List<String> lines(Path file) {
    try {
      return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
    } catch (IOException e) {
      return List.of();
    }
  }

  private interface Condition {
    boolean holds() throws Exception;
  }

  private static void waitFor(Condition c, String what, Process p) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < deadline) {
      if (c.holds()) {
        return;
      }
      if (!p.isAlive()) {
        throw new IllegalStateException(
            "rsyslogd exited with "
                + p.exitValue()
                + ": "
                + Files.readString(DIR.resolve("rsyslogd.out")));
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("no " + what + " within 15 s");
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var s = Files.walk(dir)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
