package io.ferrymq.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MapDB id store across a SIGKILL. The broker runs in its own JVM and is killed after the store has
 * committed a batch of ids. It starts again on the same data folder, where the replayed batch must be
 * dropped while new ids pass.
 */
@Timeout(120)
class DedupCrashTest {

  private static final Pattern COMMITTED = Pattern.compile("dedup store committed ids=(\\d+)");
  private static final Duration QUIET = Duration.ofMillis(500);

  @TempDir
  Path dir;

  @Test
  void committedIdsDroppedAfterSigkill() throws Exception {
    Path dataDir = Files.createDirectories(dir.resolve("data"));
    Path config = Files.writeString(dir.resolve("ferrymq.yaml"), """
        extensions:
          dedup:
            enabled: true
            store: mapdb
            commit-interval: 50ms
        """);
    Path logback = Files.writeString(dir.resolve("logback.xml"), """
        <configuration>
          <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
            <encoder><pattern>%level %logger{0} %msg%n</pattern></encoder>
          </appender>
          <logger name="io.ferrymq.dedup.store" level="DEBUG"/>
          <root level="INFO"><appender-ref ref="OUT"/></root>
        </configuration>
        """);

    try (BrokerJvm first = BrokerJvm.start(dataDir, config, logback)) {
      Subscriber sub = Subscriber.subscribe(first.uri(), "ledger/#");
      publishRange(first.uri(), 0, 100);
      await().atMost(Duration.ofSeconds(20)).until(() -> sub.payloads.size() == 100);
      await().atMost(Duration.ofSeconds(20)).until(() -> first.committedIds() >= 100);
      first.kill();
      // The broker is gone, so the client can only be closed, not disconnected.
      await().atMost(Duration.ofSeconds(10)).until(() -> !sub.client.isConnected());
      sub.client.close(true);
    }

    try (BrokerJvm second = BrokerJvm.start(dataDir, config, logback);
         Subscriber sub = Subscriber.subscribe(second.uri(), "ledger/#")) {
      assertThat(second.output).anyMatch(line -> line.contains("dedup store opened") && line.contains("ids loaded=100"));

      publishRange(second.uri(), 0, 110);

      await().atMost(Duration.ofSeconds(20)).until(() -> sub.payloads.size() >= 10);
      await().during(QUIET).atMost(QUIET.multipliedBy(3)).until(() -> sub.payloads.size() == 10);
      List<String> expected = new ArrayList<>();
      for (int i = 100; i < 110; i++) {
        expected.add("tx " + i);
      }
      assertThat(sub.payloads).containsExactlyElementsOf(expected);
    }
  }

  /** Publishes QoS 1 messages {@code from} to {@code to - 1}, each with its own message-id property. */
  private static void publishRange(String uri, int from, int to) throws Exception {
    MqttClient pub = new MqttClient(uri, "ledger-pub", new MemoryPersistence());
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setTopicAliasMaximum(0);
    pub.connect(options);
    for (int i = from; i < to; i++) {
      MqttMessage message = new MqttMessage(("tx " + i).getBytes(StandardCharsets.UTF_8));
      message.setQos(1);
      MqttProperties properties = new MqttProperties();
      properties.setUserProperties(List.of(new UserProperty("message-id", "tx-" + i)));
      message.setProperties(properties);
      pub.publish("ledger/entries", message);
    }
    pub.disconnect();
    pub.close();
  }

  /** The broker launcher in a child JVM on this module's test classpath, with its output kept. */
  private static final class BrokerJvm implements AutoCloseable {
    private final Process process;
    private final int port;
    final List<String> output = new CopyOnWriteArrayList<>();

    private BrokerJvm(Process process, int port) {
      this.process = process;
      this.port = port;
    }

    static BrokerJvm start(Path dataDir, Path config, Path logback) throws IOException {
      int port;
      try (ServerSocket socket = new ServerSocket(0)) {
        port = socket.getLocalPort();
      }
      List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx256m", "-Dlogback.configurationFile=" + logback,
          "-cp", System.getProperty("java.class.path"), "io.ferrymq.broker.Main",
          "--host", "127.0.0.1", "--port", Integer.toString(port), "--ws-port", "-1",
          "--data-dir", dataDir.toString(), "--config", config.toString());
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      BrokerJvm broker = new BrokerJvm(process, port);
      Thread pump = new Thread(broker::pumpOutput, "dedup-broker-output-" + port);
      pump.setDaemon(true);
      pump.start();
      await().atMost(Duration.ofSeconds(60))
          .failFast("broker exited: " + broker.output, () -> !process.isAlive())
          .until(() -> broker.output.stream().anyMatch(line -> line.contains("FerryMQ started mqtt=127.0.0.1:" + port)));
      return broker;
    }

    String uri() {
      return "tcp://127.0.0.1:" + port;
    }

    /** Returns the ids the store reports as committed so far, from its debug lines. */
    long committedIds() {
      long total = 0;
      for (String line : output) {
        Matcher m = COMMITTED.matcher(line);
        if (m.find()) {
          total += Long.parseLong(m.group(1));
        }
      }
      return total;
    }

    void kill() throws InterruptedException {
      process.destroyForcibly();
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("broker gone after SIGKILL").isTrue();
    }

    private void pumpOutput() {
      try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8))) {
        String line;
        while ((line = reader.readLine()) != null) {
          output.add(line);
        }
      } catch (IOException e) {
        // The process ended, so its output is complete.
      }
    }

    @Override
    public void close() throws InterruptedException {
      if (process.isAlive()) {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }
}
