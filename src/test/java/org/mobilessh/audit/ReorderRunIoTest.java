package org.mobilessh.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The reorder buffer's run files are written by {@link Reorder.RunOutput} and read by {@link
 * Reorder.RunInput}: the bytes must be those of {@link DataOutputStream}, across the 64 KB pieces
 * they are written and read in, and a file cut short must fail as DataInputStream does.
 */
class ReorderRunIoTest {
  /** A long mixed sequence of writes (crossing many buffer boundaries), seeded. */
  private static void writeAll(DataOutput o, long seed) throws IOException {
    Random r = new Random(seed);
    for (int i = 0; i < 40_000; i++) {
      switch (r.nextInt(10)) {
        case 0 -> o.writeBoolean(r.nextBoolean());
        case 1 -> o.writeByte(r.nextInt());
        case 2 -> o.writeShort(r.nextInt());
        case 3 -> o.writeInt(r.nextInt());
        case 4 -> o.writeLong(r.nextLong());
        case 5 -> o.writeDouble(r.nextDouble() * 1e9);
        case 6 -> o.writeUTF("évidence " + i);
        case 7 -> o.writeChar(r.nextInt(0x10000));
        case 8 -> {
          byte[] b = new byte[r.nextInt(3) == 0 ? 70_000 + r.nextInt(1000) : r.nextInt(400)];
          r.nextBytes(b);
          o.writeInt(b.length);
          o.write(b);
        }
        default -> o.writeFloat(r.nextFloat());
      }
    }
  }

  @Test
  void writesTheBytesOfDataOutputStreamAndReadsThemBack() throws IOException {
    ByteArrayOutputStream want = new ByteArrayOutputStream();
    try (DataOutputStream o = new DataOutputStream(want)) {
      writeAll(o, 3);
    }
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    try (Reorder.RunOutput o = new Reorder.RunOutput(got)) {
      writeAll(o, 3);
    }
    assertThat(got.toByteArray()).isEqualTo(want.toByteArray());

    Random r = new Random(3);
    try (Reorder.RunInput in = new Reorder.RunInput(new ByteArrayInputStream(got.toByteArray()))) {
      for (int i = 0; i < 40_000; i++) {
        switch (r.nextInt(10)) {
          case 0 -> assertThat(in.readBoolean()).isEqualTo(r.nextBoolean());
          case 1 -> assertThat(in.readByte()).isEqualTo((byte) r.nextInt());
          case 2 -> assertThat(in.readShort()).isEqualTo((short) r.nextInt());
          case 3 -> assertThat(in.readInt()).isEqualTo(r.nextInt());
          case 4 -> assertThat(in.readLong()).isEqualTo(r.nextLong());
          case 5 -> assertThat(in.readDouble()).isEqualTo(r.nextDouble() * 1e9);
          case 6 -> assertThat(in.readUTF()).isEqualTo("évidence " + i);
          case 7 -> assertThat(in.readChar()).isEqualTo((char) r.nextInt(0x10000));
          case 8 -> {
            byte[] b = new byte[r.nextInt(3) == 0 ? 70_000 + r.nextInt(1000) : r.nextInt(400)];
            r.nextBytes(b);
            byte[] read = new byte[in.readInt()];
            in.readFully(read);
            assertThat(read).isEqualTo(b);
          }
          default -> assertThat(in.readFloat()).isEqualTo(r.nextFloat());
        }
      }
      assertThatThrownBy(in::readBoolean).isInstanceOf(EOFException.class);
    }
  }

  @Test
  void stringsTakeTheirShortPathWithTheSameBytes() throws IOException {
    java.util.List<String> strings =
        java.util.Arrays.asList(
            "",
            "Oct  1 00:00:01 router1-1 kernel: mobilessh-set: IN=eth0 SRC=203.0.113.7",
            "é latin-1",
            "日本語",
            null,
            "x".repeat(70_000),
            "é".repeat(40_000));
    ByteArrayOutputStream want = new ByteArrayOutputStream();
    try (DataOutputStream o = new DataOutputStream(want)) {
      for (String s : strings) {
        AuditRecordCodec.writeString(o, s);
      }
    }
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    try (Reorder.RunOutput o = new Reorder.RunOutput(got)) {
      for (String s : strings) {
        AuditRecordCodec.writeString(o, s);
      }
    }
    assertThat(got.toByteArray()).isEqualTo(want.toByteArray());
    try (Reorder.RunInput in = new Reorder.RunInput(new ByteArrayInputStream(got.toByteArray()))) {
      for (String s : strings) {
        assertThat(AuditRecordCodec.readString(in)).isEqualTo(s);
      }
    }
  }

  @Test
  void namesGoThroughTheBuffersTableAndComeBackAsTheSameStrings() throws IOException {
    Reorder.Names names = new Reorder.Names();
    java.util.List<String> strings =
        java.util.Arrays.asList(
            "router1-1", "/var/log/kern.log", "router1-1", null, "/var/log/kern.log.1", "é", "");
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    try (Reorder.RunOutput o = new Reorder.RunOutput(got, names)) {
      for (String s : strings) {
        // a string of its own each time: the table goes by value
        AuditRecordCodec.writeName(o, s == null ? null : new String(s));
      }
    }
    // a number (4 bytes) per name, not the string
    assertThat(got.size()).isEqualTo(4 * strings.size());
    try (Reorder.RunInput in =
        new Reorder.RunInput(new ByteArrayInputStream(got.toByteArray()), names)) {
      for (String s : strings) {
        String back = AuditRecordCodec.readName(in);
        assertThat(back).isEqualTo(s);
      }
    }
    // without a table (the results cache's files), a name is an ordinary string
    ByteArrayOutputStream plain = new ByteArrayOutputStream();
    try (Reorder.RunOutput o = new Reorder.RunOutput(plain)) {
      for (String s : strings) {
        AuditRecordCodec.writeName(o, s);
      }
    }
    ByteArrayOutputStream want = new ByteArrayOutputStream();
    try (DataOutputStream o = new DataOutputStream(want)) {
      for (String s : strings) {
        AuditRecordCodec.writeString(o, s);
      }
    }
    assertThat(plain.toByteArray()).isEqualTo(want.toByteArray());
    try (Reorder.RunInput in =
        new Reorder.RunInput(new ByteArrayInputStream(plain.toByteArray()))) {
      for (String s : strings) {
        assertThat(AuditRecordCodec.readName(in)).isEqualTo(s);
      }
    }
  }

  @Test
  void aFileCutShortEndsWithEofException() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (Reorder.RunOutput o = new Reorder.RunOutput(b)) {
      o.writeLong(42);
    }
    byte[] cut = java.util.Arrays.copyOf(b.toByteArray(), 5);
    try (Reorder.RunInput in = new Reorder.RunInput(new ByteArrayInputStream(cut))) {
      assertThatThrownBy(in::readLong).isInstanceOf(EOFException.class);
    }
  }
}
