package io.ferrymq.metrics.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A FerryMQ broker in its own JVM, started from this test JVM's classpath, which contains the broker, the
 * metrics extension and the Prometheus client. Both variants of a comparison thus load the same classes
 * and differ only in their config file. Close it to stop the process by its pid.
 */
final class BrokerJvm implements AutoCloseable {

  private final Process process;
  private final int mqttPort;
  private final int metricsPort;

  private BrokerJvm(Process process, int mqttPort, int metricsPort) {
    this.process = process;
    this.mqttPort = mqttPort;
    this.metricsPort = metricsPort;
  }

  /**
   * Starts a broker and waits until it accepts MQTT connections.
   *
   * @param withMetrics whether the metrics extension runs. The launcher turns it on whenever it is on the
   *     classpath, so the variant without it sets {@code enabled: false}.
   */
  static BrokerJvm start(boolean withMetrics, Path runDir) throws IOException, InterruptedException {
    Files.createDirectories(runDir);
    int mqttPort = freePort();
    int metricsPort = withMetrics ? freePort() : -1;
    Path config = runDir.resolve("ferrymq.yml");
    Files.writeString(config, String.join("\n",
        "host: 127.0.0.1",
        "port: " + mqttPort,
        "ws-port: -1",
        "data-dir: " + runDir.resolve("data"),
        "extensions-dir: " + runDir.resolve("extensions"),
        "extensions:",
        "  metrics:",
        withMetrics ? "    enabled: true\n    port: " + metricsPort : "    enabled: false",
        ""));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process = new ProcessBuilder(List.of(java, "-Xms512m", "-Xmx512m", "-cp",
        System.getProperty("java.class.path"), "io.ferrymq.broker.Main", "--config", config.toString()))
        .redirectErrorStream(true)
        .redirectOutput(runDir.resolve("broker.log").toFile())
        .start();
    BrokerJvm broker = new BrokerJvm(process, mqttPort, metricsPort);
    broker.awaitListening(runDir);
    return broker;
  }

  private void awaitListening(Path runDir) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("broker exited with code " + process.exitValue() + "; see "
            + runDir.resolve("broker.log"));
      }
      try (Socket probe = new Socket("127.0.0.1", mqttPort)) {
        return;
      } catch (IOException e) {
        Thread.sleep(100);
      }
    }
    close();
    throw new IllegalStateException("broker did not listen within 30 s; see " + runDir.resolve("broker.log"));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    }
  }

  int mqttPort() {
    return mqttPort;
  }

  /** Returns the metrics port, or -1 when the metrics extension is off. */
  int metricsPort() {
    return metricsPort;
  }

  /** Returns the CPU time the broker process has used so far, in milliseconds. */
  long cpuMillis() {
    return process.toHandle().info().totalCpuDuration().map(d -> d.toMillis()).orElse(-1L);
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(15, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(5, TimeUnit.SECONDS);
    }
  }
}
