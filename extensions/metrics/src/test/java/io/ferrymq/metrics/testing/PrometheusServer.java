package io.ferrymq.metrics.testing;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus server (Debian's {@code prometheus} package) that this test process starts on a free
 * loopback port, scraping one target every second, with its data in a temporary folder. Close it to stop
 * the process by its pid.
 */
public final class PrometheusServer implements AutoCloseable {

  /** The Prometheus binary: the one of Debian's package unless {@code PROMETHEUS_BIN} names another. */
  public static final Path BINARY = Path.of(System.getenv().getOrDefault("PROMETHEUS_BIN", "/usr/bin/prometheus"));

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final Process process;
  private final Path log;
  private final int port;

  private PrometheusServer(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  /** Starts Prometheus scraping {@code target} (host:port) at {@code /metrics} and waits until it is ready. */
  public static PrometheusServer start(String target, Path workDir) throws IOException, InterruptedException {
    Path config = workDir.resolve("prometheus.yml");
    Files.writeString(config, String.join("\n",
        "global:",
        "  scrape_interval: 1s",
        "  evaluation_interval: 1s",
        "scrape_configs:",
        "  - job_name: ferrymq",
        "    static_configs:",
        "      - targets: ['" + target + "']",
        ""));
    int port = freePort();
    Path log = workDir.resolve("prometheus.log");
    Process process = new ProcessBuilder(List.of(BINARY.toString(),
        "--config.file=" + config,
        "--storage.tsdb.path=" + workDir.resolve("data"),
        "--web.listen-address=127.0.0.1:" + port))
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    PrometheusServer server = new PrometheusServer(process, log, port);
    try {
      server.awaitReady();
    } catch (IOException | InterruptedException | RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    }
  }

  private void awaitReady() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("prometheus exited with code " + process.exitValue() + "; its log:\n" + log());
      }
      try {
        if (get("/-/ready").statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // Not listening yet.
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("prometheus was not ready within 30 s; its log:\n" + log());
  }

  /** Runs an instant query through the HTTP API and returns the response's {@code data} object. */
  public JsonObject query(String promql) throws IOException, InterruptedException {
    HttpResponse<String> response = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    JsonObject body = new JsonObject(response.body());
    if (response.statusCode() != 200 || !"success".equals(body.getString("status"))) {
      throw new IllegalArgumentException("query failed with HTTP " + response.statusCode() + ": "
          + body.getString("errorType") + ": " + body.getString("error"));
    }
    return body.getJsonObject("data");
  }

  private HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
        .timeout(Duration.ofSeconds(10)).GET().build();
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
  }

  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(log not readable: " + e + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(5, TimeUnit.SECONDS);
    }
  }
}
