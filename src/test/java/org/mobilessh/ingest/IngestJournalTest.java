package org.mobilessh.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mobilessh.index.EventIndex;
import org.mobilessh.index.EventSearcher;

/**
 * Journal sources on real journal files (written by systemd-journal-remote, read by journalctl):
 * the cursor of the last consumed entry is committed with the data, and the next run, batch or
 * {@code --follow}, starts right after it.
 */
class IngestJournalTest {
  @TempDir Path tmp;

  final List<String> notices = new ArrayList<>();

  Ingester ingester(EventIndex idx, IngestOptions o) {
    return new Ingester(
        idx,
        o,
        new Ingester.Listener() {
          @Override
          public void notice(String message) {
            synchronized (notices) {
              notices.add(message);
            }
          }
        });
  }

  IngestStats batch(Path index, String... operands) {
    try (EventIndex idx = EventIndex.open(index)) {
      return ingester(idx, IngestOptions.defaults(ZoneId.of("UTC")).withHost("router1"))
          .run(SourceResolver.resolve(List.of(operands)));
    }
  }

  static String lastKernelCursor(Path journal) throws IOException, InterruptedException {
    Path json = journal.resolveSibling("cursor-check.json");
    JournalFiles.exportJson(journal, json);
    String cursor = null;
    ObjectMapper m = new ObjectMapper();
    for (String l : Files.readAllLines(json, StandardCharsets.UTF_8)) {
      JsonNode n = m.readTree(l);
      if ("kernel".equals(n.path("_TRANSPORT").asText())) {
        cursor = n.get("__CURSOR").asText();
      }
    }
    Files.delete(json);
    return cursor;
  }

  @Test
  void batchReadsAJournalFromItsCommittedCursor() throws Exception {
    JournalFiles.require();
    Path j = tmp.resolve("router1.journal");
    Path index = tmp.resolve("index");
    JournalFiles.append(j, 0, 20);
    IngestStats first = batch(index, "journal:" + j);
    // two sshd entries were written too: journalctl's match leaves them out
    assertThat(first.linesRead()).as(notices.toString()).isEqualTo(20);
    assertThat(first.eventsIndexed()).isEqualTo(20);
    assertThat(first.duplicates()).isZero();
    try (EventIndex idx = EventIndex.open(index)) {
      JournalCursor jc =
          JournalCursor.parse(
              JournalCursor.key(j.toString()),
              idx.checkpoints().get(JournalCursor.key(j.toString())));
      assertThat(jc).isNotNull();
      assertThat(jc.cursor()).isEqualTo(lastKernelCursor(j));
      assertThat(jc.entries()).isEqualTo(20);
    }

    IngestStats again = batch(index, "journal:" + j);
    assertThat(again.linesRead()).isZero();
    assertThat(again.resumedFiles()).isEqualTo(1);

    JournalFiles.append(j, 20, JournalFiles.RECORDS);
    IngestStats more = batch(index, "journal:" + j);
    assertThat(more.linesRead()).isEqualTo(JournalFiles.RECORDS - 20);
    assertThat(more.eventsIndexed()).isEqualTo(JournalFiles.RECORDS - 20);
    assertThat(more.duplicates()).isZero();

    // the journal's times are the kernel's own: the same records from dmesg are all duplicates
    IngestStats dmesg = batch(index, Path.of("sample-logs", "dmesg-iso.log").toString());
    assertThat(dmesg.eventsIndexed()).isZero();
    assertThat(dmesg.duplicates()).isEqualTo(JournalFiles.RECORDS);
  }

  @Test
  void followResumesAfterTheCursorAndAJsonExportIsReadAsAFile() throws Exception {
    JournalFiles.require();
    Path j = tmp.resolve("router1.journal");
    Path index = tmp.resolve("index");
    JournalFiles.append(j, 0, 10);
    IngestStats first = follow(index, j, () -> JournalFiles.append(j, 10, 15), 15);
    assertThat(first.duplicates()).isZero();
    assertThat(first.linesRead()).isEqualTo(15);

    // 29 new entries while nothing ran: more than journalctl -f shows by default (10)
    JournalFiles.append(j, 15, JournalFiles.RECORDS);
    IngestStats second = follow(index, j, () -> {}, JournalFiles.RECORDS - 15);
    assertThat(second.linesRead()).as(notices.toString()).isEqualTo(JournalFiles.RECORDS - 15);
    assertThat(second.duplicates()).isZero();
    assertThat(second.resumedFiles()).isEqualTo(1);

    // journalctl -o json > file: an ordinary file, checkpointed by offset
    Path json = tmp.resolve("journal.json");
    JournalFiles.exportJson(j, json);
    IngestStats file = batch(index, json.toString());
    assertThat(file.linesRead())
        .isEqualTo(JournalFiles.RECORDS + 5); // + the sshd entries 3, 13, 23, 33, 43
    assertThat(file.eventsIndexed()).isZero();
    assertThat(file.duplicates()).isEqualTo(JournalFiles.RECORDS);
    IngestStats fileAgain = batch(index, json.toString());
    assertThat(fileAgain.linesRead()).isZero();
    assertThat(fileAgain.resumedFiles()).isEqualTo(1);
  }

  interface Step {
    void run() throws Exception;
  }

  private IngestStats follow(Path index, Path journal, Step whileRunning, long expected)
      throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    try (EventIndex idx = EventIndex.open(index)) {
      Ingester ing =
          ingester(
              idx,
              IngestOptions.defaults(ZoneId.of("UTC"))
                  .withCommitEvery(1000, Duration.ofMillis(200)));
      Thread t =
          new Thread(
              () ->
                  ing.follow(
                      SourceResolver.resolve(List.of("journal:" + journal)),
                      stop::get,
                      Duration.ofMillis(50)));
      t.start();
      try {
        Thread.sleep(300);
        whileRunning.run();
        IngestFollowTest.await(() -> ing.stats().eventsIndexed(), expected);
        Thread.sleep(300); // nothing more may arrive
        assertThat(ing.stats().eventsIndexed()).isEqualTo(expected);
      } finally {
        stop.set(true);
        t.join(20_000);
      }
      return ing.stats();
    }
  }

  @Test
  void journaldsOwnLossMarkersAreReadFromTheJournal() throws Exception {
    JournalFiles.require();
    Path j = tmp.resolve("router1.journal");
    Path index = tmp.resolve("index");
    JournalFiles.append(j, 0, 5);
    long mono = 3_000_000_000L;
    JournalFiles.write(
        j,
        "__REALTIME_TIMESTAMP="
            + (JournalFiles.BOOT_MICROS + mono)
            + "\n__MONOTONIC_TIMESTAMP="
            + mono
            + "\n_BOOT_ID="
            + JournalFiles.BOOT_ID
            + "\n_TRANSPORT=driver\nSYSLOG_IDENTIFIER=systemd-journald\n_HOSTNAME=router1"
            + "\nMESSAGE=Suppressed 1234 messages from /system.slice/sshd.service\n\n");
    IngestStats stats = batch(index, "journal:" + j);
    // five kernel records and journald's marker; the sshd entry is not asked for
    assertThat(stats.linesRead()).as(notices.toString()).isEqualTo(6);
    try (EventSearcher s = EventSearcher.open(index)) {
      assertThat(s.count(s.parse("action:loss-marker"))).isEqualTo(1);
      assertThat(s.search(s.parse("action:loss-marker"), 1).get(0).originalLine())
          .contains("Suppressed 1234 messages");
    }
  }

  @Test
  void cursorsAreFoundInJsonLinesAndRoundTrip() {
    String line =
        "{\"MESSAGE\":\"x \\\"__CURSOR\\\":\\\"evil\\\"\",\"__CURSOR\":\"s=ab;i=1f;b=cd;m=1;t=2;x=3\"}";
    byte[] b = line.getBytes(StandardCharsets.UTF_8);
    assertThat(JournalCursor.extract(b, 0, b.length)).isEqualTo("s=ab;i=1f;b=cd;m=1;t=2;x=3");
    byte[] none = "{\"MESSAGE\":\"no cursor\"}".getBytes(StandardCharsets.UTF_8);
    assertThat(JournalCursor.extract(none, 0, none.length)).isNull();
    byte[] hostile = "{\"__CURSOR\":\"s=1 --file=/etc/shadow\"}".getBytes(StandardCharsets.UTF_8);
    assertThat(JournalCursor.extract(hostile, 0, hostile.length)).isNull();
    JournalCursor c = new JournalCursor("/var/log/journal", "s=ab;i=1f", 7);
    assertThat(JournalCursor.parse(c.key(), c.value())).isEqualTo(c);
    assertThat(JournalCursor.parse("ingest.source.x", c.value())).isNull();
    assertThat(Checkpoint.parse(c.key(), c.value())).isNull();
  }

  @Test
  void journalCommandsFollowAndResumeWithTheirMatchesLast() throws IOException {
    Path j = Files.createFile(tmp.resolve("x.journal"));
    Source file = LiveSources.of("journal:" + j);
    assertThat(LiveSources.command(file, true, "s=1;i=2"))
        .containsExactly(
            "journalctl",
            "-o",
            "json",
            "--no-tail",
            "--file",
            j.toAbsolutePath().toString(),
            "-f",
            "--after-cursor=s=1;i=2",
            "_TRANSPORT=kernel",
            "+",
            "SYSLOG_IDENTIFIER=mobilessh",
            "+",
            "SYSLOG_IDENTIFIER=systemd-journald");
    assertThat(LiveSources.command(LiveSources.of("journal:"), false, null))
        .containsExactly(
            "journalctl",
            "-o",
            "json",
            "--no-tail",
            "_TRANSPORT=kernel",
            "+",
            "SYSLOG_IDENTIFIER=mobilessh",
            "+",
            "SYSLOG_IDENTIFIER=systemd-journald");
    assertThat(LiveSources.journalId(LiveSources.of("journal:" + tmp)))
        .isEqualTo(tmp.toAbsolutePath().toString());
    assertThat(LiveSources.journalId(LiveSources.of("journal:"))).isEqualTo("system");
  }
}
