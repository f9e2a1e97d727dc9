package io.ferrymq.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrymq.broker.FerryBroker;
import io.ferrymq.broker.config.BrokerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.awaitility.Awaitility;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker with the extension, stopped and started again on the same data folder: each stored kind
 * must come back as the clients left it.
 */
@Timeout(60)
class BrokerRestartTest {

  @TempDir
  Path dir;

  private FerryBroker start(Map<String, Object> settings) {
    Map<String, Object> section = new HashMap<>(settings);
    section.put("enabled", true);
    return FerryBroker.builder().config(BrokerConfig.builder().port(0).wsPort(-1).eventLoops(2).dataDir(dir)
        .extension("persistence", section).build()).start();
  }

  private FerryBroker start() {
    return start(Map.of());
  }

  private static String uri(FerryBroker broker) {
    return "tcp://127.0.0.1:" + broker.port();
  }

  @Test
  void subscriptionsWithOptionsSurviveRestart() throws Exception {
    FerryBroker first = start();
    try (Mqtt sub = Mqtt.connect(uri(first), "opts-sub", true, 600)) {
      MqttSubscription subscription = new MqttSubscription("opts/#", 1);
      subscription.setNoLocal(true);
      sub.client.subscribe(new MqttSubscription[] {subscription});
    }
    first.stop();

    FerryBroker second = start();
    try (Mqtt sub = Mqtt.connect(uri(second), "opts-sub", false, 600);
         Mqtt pub = Mqtt.connect(uri(second), "opts-pub")) {
      assertThat(sub.sessionPresent()).isTrue();
      pub.publish("opts/a", "to-sub", 1, false);
      // No Local: the session's own publish must not come back to it.
      sub.publish("opts/b", "own", 1, false);
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !sub.messages().isEmpty());
      Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
          .until(() -> sub.messages().size() == 1);
      Mqtt.Received r = sub.messages().get(0);
      assertThat(r.text()).isEqualTo("to-sub");
      assertThat(r.qos()).isEqualTo(1);
    } finally {
      second.stop();
    }
  }

  @Test
  void queuedMessagesSurviveRestartInOrder() throws Exception {
    FerryBroker first = start();
    try (Mqtt sub = Mqtt.connect(uri(first), "queue-sub", true, 600)) {
      sub.client.subscribe("queue/#", 2);
    }
    try (Mqtt pub = Mqtt.connect(uri(first), "queue-pub")) {
      for (int i = 1; i <= 50; i++) {
        pub.publish("queue/x", "m" + i, i % 2 == 0 ? 2 : 1, false);
      }
    }
    first.stop();

    FerryBroker second = start();
    try (Mqtt sub = Mqtt.connect(uri(second), "queue-sub", false, 600)) {
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> sub.messages().size() >= 50);
      assertThat(sub.messages()).extracting(Mqtt.Received::text)
          .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, 50).mapToObj(i -> "m" + i).toList());
      assertThat(sub.messages()).extracting(Mqtt.Received::qos).startsWith(1, 2, 1, 2);
    } finally {
      second.stop();
    }
  }

  @Test
  void unacknowledgedInflightIsResentAfterRestart() throws Exception {
    FerryBroker first = start();
    Mqtt sub = Mqtt.connect(uri(first), "inflight-sub", true, 600);
    sub.client.setManualAcks(true);
    sub.client.subscribe("inflight/#", 1);
    try (Mqtt pub = Mqtt.connect(uri(first), "inflight-pub")) {
      pub.publish("inflight/x", "unacked", 1, false);
    }
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> sub.messages().size() == 1);
    sub.client.disconnectForcibly(0, 1000, false);
    sub.client.close(true);
    first.stop();
    try (DurableStore store = DurableStore.open(dir.resolve("persistence"), PersistenceConfig.defaults())) {
      var stored = new DurableSessionStore(store, PersistenceConfig.defaults()).load().get(0).deliveries();
      assertThat(stored).hasSize(1);
      assertThat(stored.get(0).packetId()).as("stored as in flight").isPositive();
    }

    FerryBroker second = start();
    try (Mqtt again = Mqtt.connect(uri(second), "inflight-sub", false, 600)) {
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> again.messages().size() == 1);
      assertThat(again.messages().get(0).text()).isEqualTo("unacked");
    } finally {
      second.stop();
    }
  }

  @Test
  void retainedMessagesSurviveRestartAndClearsStick() throws Exception {
    FerryBroker first = start();
    try (Mqtt pub = Mqtt.connect(uri(first), "retain-pub")) {
      pub.publish("status/a", "up", 1, true);
      pub.publish("status/b", "old", 1, true);
      pub.client.publish("status/b", new MqttMessage(new byte[0], 1, true, null));
    }
    first.stop();

    FerryBroker second = start();
    try (Mqtt reader = Mqtt.connect(uri(second), "retain-reader")) {
      reader.client.subscribe("status/#", 1);
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !reader.messages().isEmpty());
      Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
          .until(() -> reader.messages().size() == 1);
      assertThat(reader.messages().get(0).topic()).isEqualTo("status/a");
      assertThat(reader.messages().get(0).text()).isEqualTo("up");
    } finally {
      second.stop();
    }
  }

  @Test
  void messageExpiryCountsAcrossRestart() throws Exception {
    FerryBroker first = start();
    try (Mqtt sub = Mqtt.connect(uri(first), "expiry-sub", true, 600)) {
      sub.client.subscribe("expiry/#", 1);
    }
    try (Mqtt pub = Mqtt.connect(uri(first), "expiry-pub")) {
      MqttMessage shortLived = new MqttMessage("short".getBytes(java.nio.charset.StandardCharsets.UTF_8), 1, false,
          null);
      MqttProperties props = new MqttProperties();
      props.setMessageExpiryInterval(1L);
      shortLived.setProperties(props);
      pub.client.publish("expiry/x", shortLived);
      pub.publish("expiry/x", "lasting", 1, false);
    }
    first.stop();
    Thread.sleep(1500);

    FerryBroker second = start();
    try (Mqtt sub = Mqtt.connect(uri(second), "expiry-sub", false, 600)) {
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !sub.messages().isEmpty());
      Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
          .until(() -> sub.messages().size() == 1);
      assertThat(sub.messages().get(0).text()).isEqualTo("lasting");
    } finally {
      second.stop();
    }
  }

  @Test
  void cleanStartDiscardsStoredSession() throws Exception {
    FerryBroker first = start();
    try (Mqtt sub = Mqtt.connect(uri(first), "clean-sub", true, 600)) {
      sub.client.subscribe("clean/#", 1);
    }
    try (Mqtt pub = Mqtt.connect(uri(first), "clean-pub")) {
      pub.publish("clean/x", "stale", 1, false);
    }
    try (Mqtt sub = Mqtt.connect(uri(first), "clean-sub", true, 600)) {
      assertThat(sub.sessionPresent()).isFalse();
    }
    first.stop();

    FerryBroker second = start();
    try (Mqtt sub = Mqtt.connect(uri(second), "clean-sub", false, 600)) {
      assertThat(sub.sessionPresent()).isTrue();
      Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
          .until(() -> sub.messages().isEmpty());
    } finally {
      second.stop();
    }
  }

  @Test
  void sessionExpiryRunsAgainAfterRestart() throws Exception {
    FerryBroker first = start();
    try (Mqtt sub = Mqtt.connect(uri(first), "short-session", true, 2)) {
      sub.client.subscribe("short/#", 1);
    }
    first.stop();

    FerryBroker second = start();
    try {
      // NOTE: the countdown starts again at restart, because the store is not told when the session went offline.
      Thread.sleep(3000);
      try (Mqtt sub = Mqtt.connect(uri(second), "short-session", false, 2)) {
        assertThat(sub.sessionPresent()).isFalse();
      }
    } finally {
      second.stop();
    }
    // Only the new session of the last connection is stored, without the expired one's subscription.
    try (DurableStore store = DurableStore.open(dir.resolve("persistence"), PersistenceConfig.defaults())) {
      var sessions = new DurableSessionStore(store, PersistenceConfig.defaults()).load();
      assertThat(sessions).hasSize(1);
      assertThat(sessions.get(0).subscriptions()).isEmpty();
    }
  }
}
