package io.ferrymq.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrymq.broker.testing.V5Client;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The launcher as an operator runs it: its own JVM, flags, a config file and SIGTERM. */
@Timeout(60)
class LauncherTest {

  @TempDir
  Path dir;

  private final List<String> output = new CopyOnWriteArrayList<>();

  private Process launch(String... args) throws IOException {
    List<String> command = new java.util.ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        // The launcher's own logging setup, not the quieter one of the tests on this classpath.
        "-Dlogback.configurationFile=" + Path.of("src/main/resources/logback.xml").toAbsolutePath(),
        "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    Thread pump = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          output.add(line);
        }
      } catch (IOException e) {
        // The process ended; its output is complete.
      }
    });
    pump.setDaemon(true);
    pump.start();
    return process;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void sigtermStopsGracefullyAndTellsV5Clients() throws Exception {
    int port = freePort();
    Process broker = launch("--port", Integer.toString(port), "--ws-port", "-1");
    try {
      Awaitility.await().atMost(Duration.ofSeconds(30))
          .until(() -> output.stream().anyMatch(l -> l.contains("FerryMQ started mqtt=127.0.0.1:" + port)));
      V5Client client = new V5Client("tcp://127.0.0.1:" + port, "operator-check");
      MqttConnectionOptions options = new MqttConnectionOptions();
      client.client.connect(options);
      broker.destroy(); // SIGTERM
      assertThat(broker.waitFor(20, TimeUnit.SECONDS)).isTrue();
      Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !client.disconnects.isEmpty());
      assertThat(client.disconnects.get(0).getReturnCode()).isEqualTo(0x8B);
      client.close();
    } finally {
      broker.destroyForcibly();
    }
  }

  @Test
  void configFileSettingsApplyAndFlagsOverrideThem() throws Exception {
    int port = freePort();
    Path config = dir.resolve("ferrymq.yaml");
    Files.writeString(config, "port: 1\nws-port: -1\nmax-qos: 1\n");
    Process broker = launch("--config", config.toString(), "--port", Integer.toString(port));
    try {
      Awaitility.await().atMost(Duration.ofSeconds(30))
          .until(() -> output.stream().anyMatch(l -> l.contains("FerryMQ started mqtt=127.0.0.1:" + port)));
      MqttClient client = new MqttClient("tcp://127.0.0.1:" + port, "cfg", new MemoryPersistence());
      org.eclipse.paho.mqttv5.client.IMqttToken token = client.connectWithResult(new MqttConnectionOptions());
      assertThat(token.getResponseProperties().getMaximumQoS()).isEqualTo(1);
      client.disconnect();
      client.close();
    } finally {
      broker.destroy();
      broker.waitFor(20, TimeUnit.SECONDS);
    }
  }

  @Test
  void invalidConfigExitsWith2NamingTheSetting() throws Exception {
    Path config = dir.resolve("bad.yaml");
    Files.writeString(config, "receive-maximum: 0\n");
    Process broker = launch("--config", config.toString());
    assertThat(broker.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(broker.exitValue()).isEqualTo(2);
    Awaitility.await().atMost(Duration.ofSeconds(2)).until(() -> output.stream().anyMatch(l ->
        l.equals("ferrymq: invalid configuration: receive-maximum is 0: set it to a value from 1 to 65535")));
  }

  @Test
  void portInUseIsReportedWithoutStackTrace() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      Process broker = launch("--port", Integer.toString(taken.getLocalPort()), "--ws-port", "-1");
      assertThat(broker.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(broker.exitValue()).isEqualTo(1);
      Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> output.stream()
          .anyMatch(l -> l.startsWith("ferrymq: could not start: binding the MQTT listeners on 127.0.0.1 port "
              + taken.getLocalPort())));
      assertThat(output).noneMatch(l -> l.startsWith("\tat "));
    }
  }

  @Test
  void helpListsEveryOptionWithUnits() throws Exception {
    Process help = launch("--help");
    assertThat(help.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(help.exitValue()).isZero();
    Awaitility.await().atMost(Duration.ofSeconds(2)).until(() -> output.size() > 5);
    String text = String.join("\n", output);
    assertThat(text).contains("--config", "--host", "--port", "--ws-port", "--data-dir", "--extensions-dir",
        "--event-loops", "--max-packet-size", "in bytes", "Default: 1883");
  }
}
