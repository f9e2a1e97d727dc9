package io.ferrymq.persistence;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * The broker launcher in its own JVM with this module's classes, so a test can kill it with SIGKILL
 * and start it again on the same data folder.
 */
final class BrokerProcess implements AutoCloseable {

  private final Process process;
  private final int port;
  final List<String> output = new CopyOnWriteArrayList<>();

  private BrokerProcess(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /**
   * Writes a config file enabling the extension with {@code settings} (YAML lines, indented by 4).
   * The broker's queue bound is raised, because at its default of 1000 the broker drops further
   * messages for an offline session and still acknowledges them.
   */
  static Path config(Path dir, String... settings) throws IOException {
    StringBuilder yaml = new StringBuilder("max-queued-messages: 1000000\nextensions:\n  persistence:\n"
        + "    enabled: true\n");
    for (String s : settings) {
      yaml.append("    ").append(s).append('\n');
    }
    Path file = dir.resolve("ferrymq.yaml");
    Files.writeString(file, yaml.toString());
    return file;
  }

  /** Starts a broker on a free port; does not wait for it. */
  static BrokerProcess launch(Path dataDir, Path config, Path workDir) throws IOException {
    int port = freePort();
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m",
        "-Dlogback.configurationFile=" + Path.of("../../broker/src/main/resources/logback.xml").toAbsolutePath(),
        "-cp", System.getProperty("java.class.path"), "io.ferrymq.broker.Main",
        "--port", Integer.toString(port), "--ws-port", "-1", "--data-dir", dataDir.toString(),
        "--config", config.toString()));
    Process process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
    BrokerProcess broker = new BrokerProcess(process, port);
    Thread pump = new Thread(() -> broker.pumpOutput(), "broker-output-" + port);
    pump.setDaemon(true);
    pump.start();
    return broker;
  }

  /** Starts a broker and waits until it accepts connections. */
  static BrokerProcess start(Path dataDir, Path config, Path workDir) throws IOException {
    BrokerProcess broker = launch(dataDir, config, workDir);
    broker.awaitStarted();
    return broker;
  }

  private void pumpOutput() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        output.add(line);
        if (Boolean.getBoolean("broker.echo")) {
          System.out.println("[broker " + port + "] " + line);
        }
      }
    } catch (IOException e) {
      // The process ended; its output is complete.
    }
  }

  void awaitStarted() {
    Awaitility.await().atMost(Duration.ofSeconds(60))
        .failFast("broker exited: " + output, () -> !process.isAlive())
        .until(() -> output.stream().anyMatch(l -> l.contains("FerryMQ started mqtt=127.0.0.1:" + port)));
  }

  /** Waits for the process to exit on its own and returns its exit code. */
  int awaitExit() throws InterruptedException {
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      throw new AssertionError("broker still running: " + output);
    }
    return process.exitValue();
  }

  String uri() {
    return "tcp://127.0.0.1:" + port;
  }

  long pid() {
    return process.pid();
  }

  /** Kills the broker with SIGKILL and waits until it is gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** Stops the broker with SIGTERM, its graceful stop. */
  void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      kill();
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
