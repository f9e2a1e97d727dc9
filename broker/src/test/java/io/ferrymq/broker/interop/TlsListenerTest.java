package io.ferrymq.broker.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

import io.ferrymq.broker.config.BrokerConfig;
import io.ferrymq.broker.config.ConfigException;
import io.ferrymq.broker.interop.MosquittoClients.Client;
import io.ferrymq.broker.interop.MosquittoClients.Result;
import io.ferrymq.broker.protocol.MqttConnection;
import io.ferrymq.broker.testing.TestBroker;
import io.ferrymq.broker.testing.V3Client;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The MQTT over TLS listener with real clients: Paho over JSSE and Debian's mosquitto_pub and
 * mosquitto_sub over OpenSSL, against certificates that {@link TestCertificates} makes per run.
 */
@Timeout(90)
class TlsListenerTest {

  @TempDir
  static Path certDir;
  private static TestCertificates certs;

  @BeforeAll
  static void makeCertificates() throws Exception {
    MosquittoClients.requireInstalled();
    certs = TestCertificates.create(certDir);
  }

  @Test
  void pahoPublishesAndReceivesOverTls() throws Exception {
    try (TestBroker broker = startTls(null);
         V3Client subscriber = connectTls(broker, "tls-sub", false);
         V3Client publisher = connectTls(broker, "tls-pub", false)) {
      subscriber.client.subscribe("secure/#", 1);

      publisher.client.publish("secure/meter", "42 kWh".getBytes(StandardCharsets.UTF_8), 1, false);

      V3Client.Received received = subscriber.next();
      assertThat(received.topic()).isEqualTo("secure/meter");
      assertThat(received.text()).isEqualTo("42 kWh");
      assertThat(received.message().getQos()).isEqualTo(1);
    }
  }

  @Test
  void secureWebSocketClientReceivesFromTls() throws Exception {
    try (TestBroker broker = TestBroker.start(b -> b.tlsPort(0).wssPort(0).tlsCert(certs.serverCert)
            .tlsKey(certs.serverKey));
         V3Client dashboard = connect("wss://127.0.0.1:" + broker.broker().wssPort() + "/mqtt", "dashboard", false);
         V3Client device = connectTls(broker, "device", false)) {
      dashboard.client.subscribe("plant/#", 1);

      device.client.publish("plant/pump", "running".getBytes(StandardCharsets.UTF_8), 1, false);

      V3Client.Received received = dashboard.next();
      assertThat(received.topic()).isEqualTo("plant/pump");
      assertThat(received.text()).isEqualTo("running");
    }
  }

  @Test
  void tlsAndPlainClientsShareTopics() throws Exception {
    try (TestBroker broker = startTls(null);
         V3Client tlsSubscriber = connectTls(broker, "tls-sub", false)) {
      tlsSubscriber.client.subscribe("mixed/#", 1);

      Result published = MosquittoClients.publish(broker.port(), "-t", "mixed/plain", "-q", "1", "-m", "from plain");

      assertThat(published.exitCode()).as("mosquitto_pub exit code, output %s", published.output()).isZero();
      assertThat(tlsSubscriber.next().text()).isEqualTo("from plain");
    }
  }

  @Test
  void mosquittoClientsOverTls() throws Exception {
    try (TestBroker broker = startTls(null);
         Client subscriber = MosquittoClients.startSubscriber(broker.broker().tlsPort(), "--cafile",
             certs.caCert.toString(), "-V", "mqttv5", "-q", "1", "-t", "secure/#", "-C", "1",
             "-F", MosquittoClients.MESSAGE_PREFIX + "%t|%p")) {
      assertThat(subscriber.awaitSubscribed()).containsExactly(1);

      Result published = MosquittoClients.publish(broker.broker().tlsPort(), "--cafile", certs.caCert.toString(),
          "-V", "mqttv5", "-q", "1", "-t", "secure/valve", "-m", "open");

      assertThat(published.exitCode()).as("mosquitto_pub exit code, output %s", published.output()).isZero();
      assertThat(subscriber.nextMessage()).isEqualTo("secure/valve|open");
    }
  }

  @Test
  void untrustedServerRejectedByClient() throws Exception {
    try (TestBroker broker = startTls(null)) {
      Result published = MosquittoClients.publish(broker.broker().tlsPort(), "-t", "secure/x", "-m", "x",
          "--cafile", "/etc/ssl/certs/ca-certificates.crt");

      assertThat(published.exitCode()).as("mosquitto_pub exit code, output %s", published.output()).isNotZero();
    }
  }

  @Test
  void clientCertificateRequiredWhenClientCaSet() throws Exception {
    try (TestBroker broker = startTls(certs.caCert)) {
      assertThatThrownBy(() -> connectTls(broker, "no-cert", false)).isInstanceOf(MqttException.class);

      Result withoutCert = MosquittoClients.publish(broker.broker().tlsPort(), "--cafile", certs.caCert.toString(),
          "-t", "secure/x", "-m", "x");
      assertThat(withoutCert.exitCode()).as("mosquitto_pub without a certificate: %s", withoutCert.output())
          .isNotZero();

      Result withCert = MosquittoClients.publish(broker.broker().tlsPort(), "--cafile", certs.caCert.toString(),
          "--cert", certs.clientCert.toString(), "--key", certs.clientKey.toString(), "-t", "secure/x", "-m", "x");
      assertThat(withCert.exitCode()).as("mosquitto_pub with a certificate: %s", withCert.output()).isZero();

      try (V3Client device = connectTls(broker, "with-cert", true)) {
        assertThat(device.client.isConnected()).isTrue();
      }
    }
  }

  @Test
  void plainMqttOnTlsPortLeavesBrokerServing() throws Exception {
    try (TestBroker broker = startTls(null)) {
      V3Client plain = new V3Client("tcp://127.0.0.1:" + broker.broker().tlsPort(), "plain-on-tls");
      MqttConnectOptions options = new MqttConnectOptions();
      options.setConnectionTimeout(3);
      assertThatThrownBy(() -> plain.client.connect(options)).isInstanceOf(MqttException.class);
      plain.close();

      try (V3Client secure = connectTls(broker, "after-plain", false)) {
        assertThat(secure.client.isConnected()).isTrue();
      }
    }
  }

  @Test
  void tlsClientOnPlainPortLoggedWithHint() throws Exception {
    Logger connectionLog = (Logger) LoggerFactory.getLogger(MqttConnection.class);
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    Level before = connectionLog.getLevel();
    connectionLog.setLevel(Level.INFO);
    connectionLog.addAppender(lines);
    try (TestBroker broker = startTls(null)) {
      Result published = MosquittoClients.publish(broker.port(), "--cafile", certs.caCert.toString(),
          "-t", "secure/x", "-m", "x");

      assertThat(published.exitCode()).as("mosquitto_pub exit code, output %s", published.output()).isNotZero();
      await().atMost(Duration.ofSeconds(10)).until(() -> lines.list.stream()
          .anyMatch(e -> e.getFormattedMessage().contains("look like a TLS handshake")));
      try (V3Client plain = V3Client.connect(broker, "plain-after-tls", true)) {
        assertThat(plain.client.isConnected()).isTrue();
      }
    } finally {
      connectionLog.detachAppender(lines);
      connectionLog.setLevel(before);
    }
  }

  @Test
  void tlsPortWithoutCertificateIsConfigError() {
    assertThatThrownBy(() -> BrokerConfig.builder().tlsPort(8883).build())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("tls-cert is missing");

    assertThatThrownBy(() -> BrokerConfig.builder().wssPort(8884).build())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("tls-cert is missing");

    assertThatThrownBy(() -> BrokerConfig.builder().tlsPort(8883).tlsCert(certs.serverCert).build())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("tls-key is missing");

    Path absent = certDir.resolve("absent.pem");
    assertThatThrownBy(() -> BrokerConfig.builder().tlsPort(8883).tlsCert(absent).tlsKey(certs.serverKey).build())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("tls-cert is " + absent + ", which is not a readable file");
  }

  @Test
  void invalidKeyFileFailsStart() throws Exception {
    Path notPem = Files.writeString(certDir.resolve("not-a-key.pem"), "not a key\n");

    assertThatThrownBy(() -> TestBroker.start(b -> b.tlsPort(0).tlsCert(certs.serverCert).tlsKey(notPem)))
        .hasMessageContaining("tls-key " + notPem)
        .hasMessageContaining("tls-cert " + certs.serverCert);
  }

  private static TestBroker startTls(Path clientCa) {
    return TestBroker.start(b -> b.tlsPort(0).tlsCert(certs.serverCert).tlsKey(certs.serverKey).tlsClientCa(clientCa));
  }

  private static V3Client connectTls(TestBroker broker, String clientId, boolean withClientCert) throws Exception {
    return connect("ssl://127.0.0.1:" + broker.broker().tlsPort(), clientId, withClientCert);
  }

  private static V3Client connect(String uri, String clientId, boolean withClientCert) throws Exception {
    V3Client client = new V3Client(uri, clientId);
    MqttConnectOptions options = new MqttConnectOptions();
    options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    options.setConnectionTimeout(5);
    options.setSocketFactory(certs.socketFactory(withClientCert));
    try {
      client.client.connect(options);
    } catch (MqttException e) {
      client.close();
      throw e;
    }
    return client;
  }
}
