package org.mobilessh.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** Reads the version Maven wrote into the jar, so {@code --version} never drifts from the pom. */
public final class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() throws IOException {
    Properties properties = new Properties();
    try (InputStream in = getClass().getResourceAsStream("/org/mobilessh/version.properties")) {
      if (in != null) {
        properties.load(in);
      }
    }
    return new String[] {
      "mobilessh " + properties.getProperty("version", "unknown"),
      "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"
    };
  }
}
