package org.mobilessh.ingest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This machine's host name, as syslog daemons write it (short, no domain). */
final class LocalHost {
  private LocalHost() {}

  static String name() {
    String env = System.getenv("HOSTNAME");
    String name = env;
    if (name == null || name.isBlank()) {
      try {
        name = Files.readString(Path.of("/etc/hostname")).trim();
      } catch (IOException e) {
        name = null;
      }
    }
    if (name == null || name.isBlank()) {
      try {
        name = java.net.InetAddress.getLocalHost().getHostName();
      } catch (IOException e) {
        return "localhost";
      }
    }
    int dot = name.indexOf('.');
    return dot > 0 ? name.substring(0, dot) : name;
  }
}
