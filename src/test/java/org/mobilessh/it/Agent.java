package org.mobilessh.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One {@code probe.py agent} process inside a namespace: real sockets, driven one JSON command at a
 * time. Outcomes are plain words ({@code connected}, {@code reset}, {@code timeout}, {@code ok},
 * {@code closed}) so assertion messages read like what a user would see.
 */
final class Agent implements AutoCloseable {
  static final String CONNECTED = "connected";
  static final String RESET = "reset";
  static final String OK = "ok";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String netns;
  private final Process process;
  private final Writer in;
  private final BufferedReader out;

  private Agent(String netns, Process process) {
    this.netns = netns;
    this.process = process;
    this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    this.out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  static Agent start(Path probe, String netns) {
    try {
      Process process =
          new ProcessBuilder(
                  List.of("ip", "netns", "exec", netns, "python3", "-u", probe.toString(), "agent"))
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      return new Agent(netns, process);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sends one command and returns its answer. */
  synchronized JsonNode call(Map<String, Object> command) {
    try {
      in.write(JSON.writeValueAsString(command) + "\n");
      in.flush();
      String line = out.readLine();
      if (line == null) {
        throw new IllegalStateException("probe agent in " + netns + " died on " + command);
      }
      return JSON.readTree(line);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String result(Map<String, Object> command) {
    return call(command).path("result").asText();
  }

  /** Opens connection {@code id}; the outcome is connected, reset or timeout. */
  String connect(String id, String src, String dst, int port) {
    return result(command("connect", "id", id, "src", src, "dst", dst, "port", port));
  }

  /** Connects and, on success, also returns the local port (key "port"). */
  JsonNode connectDetailed(String id, String src, String dst, int port) {
    return call(command("connect", "id", id, "src", src, "dst", dst, "port", port));
  }

  /** A round trip through the echo server: ok, reset, timeout or closed. */
  String echo(String id) {
    return result(command("echo", "id", id, "bytes", 16));
  }

  String echo(String id, int bytes) {
    return result(command("echo", "id", id, "bytes", bytes));
  }

  /** {@code count} round trips of a few bytes each: at least {@code count} client packets. */
  JsonNode chatter(String id, int count) {
    return call(command("chatter", "id", id, "count", count));
  }

  /** Orderly close (FIN first from us); "closed" when the server's FIN came back. */
  String close(String id) {
    return result(command("close", "id", id));
  }

  /** Close with a RST (SO_LINGER 0). */
  String abort(String id) {
    return result(command("abort", "id", id));
  }

  /** Raw SYN; the answer (synack, reset, timeout) and the source port used. */
  JsonNode synScan(String src, String dst, int port) {
    return call(command("synscan", "src", src, "dst", dst, "port", port));
  }

  /** A SYN from {@code src}, an address the agent does not own, then the same SYN again. */
  JsonNode spoofSyn(String src, String dst, int port) {
    return call(command("spoofsyn", "src", src, "dst", dst, "port", port));
  }

  /** A SYN from {@code src}, then FIN/ACKs with acknowledgement numbers spread over the space. */
  JsonNode spoofClose(String src, String dst, int port) {
    return call(command("spoofclose", "src", src, "dst", dst, "port", port));
  }

  JsonNode synFlood(String src, String dst, int port, int count) {
    return call(command("synflood", "src", src, "dst", dst, "port", port, "count", count));
  }

  private static Map<String, Object> command(String op, Object... keyValues) {
    Map<String, Object> command = new LinkedHashMap<>();
    command.put("op", op);
    for (int i = 0; i < keyValues.length; i += 2) {
      command.put((String) keyValues[i], keyValues[i + 1]);
    }
    return command;
  }

  @Override
  public void close() {
    try {
      in.close();
    } catch (IOException e) {
      // The agent is gone already; destroy below makes sure.
    }
    try {
      if (!process.waitFor(2, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
