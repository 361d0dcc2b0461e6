package org.mobilessh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RulesRenderCommandTest {
  @Test
  void rendersBothFamiliesByDefault() {
    CliResult r =
        CliResult.run(
            "rules", "render", "--mail-server", "198.51.100.10", "--mail-server", "2001:db8:1::10");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out())
        .contains("# ---- iptables-restore --noflush ----")
        .contains("# ---- ip6tables-restore --noflush ----")
        .contains("-d 198.51.100.10 --dport 993")
        .contains("-d 2001:db8:1::10 --dport 993");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void rendersOneFamily() {
    CliResult r =
        CliResult.run(
            "rules",
            "render",
            "--family",
            "6",
            "--mail-server",
            "2001:db8:1::10",
            "--seconds",
            "5");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).startsWith("# mobilessh").contains("--seconds 5").doesNotContain("----");
  }

  @Test
  void ipv4OnlyRendersOnlyIpv4() {
    CliResult r = CliResult.run("rules", "render", "--ipv4-only", "--mail-server", "198.51.100.10");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out().split("\\*filter", -1)).hasSize(2);
    assertThat(r.out()).contains("--hashlimit-srcmask 32").doesNotContain("--hashlimit-srcmask 64");
  }

  @Test
  void readsTheConfigFile(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("m.conf");
    Files.writeString(conf, "mail-server = 198.51.100.10\nseconds = 9\nlist = PHONES\n");
    CliResult r = CliResult.run("rules", "render", "--family", "4", "--config", conf.toString());
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains("--name PHONES ! --rcheck --seconds 9");
  }

  @Test
  void theExampleConfigInRulesRenders() {
    CliResult r = CliResult.run("rules", "render", "--config", "rules/mobilessh.conf.example");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("MOBILESSH-SSH");
  }

  @Test
  void invalidValuesAreUsageErrorsThatSayWhatToDo() {
    CliResult r =
        CliResult.run(
            "rules", "render", "--mail-server", "198.51.100.10", "--log-prefix-set", "x\"\nCOMMIT");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("log-prefix-set").contains("--help");

    CliResult noMail = CliResult.run("rules", "render");
    assertThat(noMail.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(noMail.err()).contains("--mail-server");

    CliResult badFamily =
        CliResult.run("rules", "render", "--family", "5", "--mail-server", "198.51.100.10");
    assertThat(badFamily.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(badFamily.err()).contains("family must be 4 or 6");
  }

  @Test
  void rendersAUserTemplate(@TempDir Path dir) throws Exception {
    Path t = dir.resolve("my.rules.in");
    Files.writeString(
        t,
        "*filter\n:MOBILESSH-SSH - [0:0]\n-A MOBILESSH-SSH -m recent --name ${list} --rcheck -j ACCEPT\nCOMMIT\n");
    CliResult r =
        CliResult.run(
            "rules",
            "render",
            "--family",
            "4",
            "--rules-template",
            t.toString(),
            "--mail-server",
            "198.51.100.10");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out())
        .isEqualTo(
            "*filter\n:MOBILESSH-SSH - [0:0]\n-A MOBILESSH-SSH -m recent --name MOBILE --rcheck -j ACCEPT\nCOMMIT\n");
  }

  /** It said "cannot read config file X: X" (the exception's message is the bare path). */
  @Test
  void missingConfigFileIsAUsageError(@TempDir Path dir) {
    for (String command : new String[] {"rules render", "windows --index " + dir}) {
      for (String config : new String[] {"/nonexistent/mobilessh.conf", dir.toString()}) {
        List<String> args = new ArrayList<>(List.of(command.split(" ")));
        args.addAll(List.of("--config", config));
        CliResult r = CliResult.run(args.toArray(String[]::new));
        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.out()).isEmpty();
        assertThat(r.err())
            .isEqualTo(
                "mobilessh "
                    + args.get(0)
                    + (args.get(0).equals("rules") ? " render" : "")
                    + ": --config "
                    + config
                    + (config.equals(dir.toString())
                        ? ": a directory, not a file"
                        : ": no such file")
                    + System.lineSeparator());
      }
    }
  }
}
