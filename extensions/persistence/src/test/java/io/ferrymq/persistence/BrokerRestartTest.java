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
  void sessionExpiryCountsTimeBrokerWasDown() throws Exception {
    FerryBroker first = start();
    try (Mqtt sub = Mqtt.connect(uri(first), "short-session", true, 3)) {
      sub.client.subscribe("short/#", 1);
    }
    long offlineAt = System.nanoTime();
    first.stop();
    // The broker stays down for longer than the 3 s Session Expiry Interval.
    Thread.sleep(Math.max(0, 3500 - (System.nanoTime() - offlineAt) / 1_000_000));

    FerryBroker second = start();
    try (Mqtt sub = Mqtt.connect(uri(second), "short-session", false, 3)) {
      assertThat(sub.sessionPresent()).isFalse();
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

  @Test
  void sessionExpiryKeepsRemainingTimeAfterRestart() throws Exception {
    FerryBroker first = start();
    try (Mqtt sub = Mqtt.connect(uri(first), "long-session", true, 30)) {
      sub.client.subscribe("long/#", 1);
    }
    first.stop();

    FerryBroker second = start();
    try (Mqtt sub = Mqtt.connect(uri(second), "long-session", false, 30)) {
      assertThat(sub.sessionPresent()).isTrue();
    } finally {
      second.stop();
    }
  }

  private static long elapsedMillis(long sinceNanos) {
    return (System.nanoTime() - sinceNanos) / 1_000_000;
  }

  /** Connects a persistent watcher of {@code wills/#} and leaves it offline, so wills queue for it. */
  private static void watchWills(FerryBroker broker) throws Exception {
    try (Mqtt watcher = Mqtt.connect(uri(broker), "will-watcher", true, 600)) {
      watcher.client.subscribe("wills/#", 1);
    }
  }

  @Test
  void delayedWillPublishedOnceAfterRestart() throws Exception {
    FerryBroker first = start();
    watchWills(first);
    Mqtt.connectWithWill(uri(first), "will-client", 600, "wills/will-client", 5).dropConnection();
    long droppedAt = System.nanoTime();
    // A stop before the broker saw the connection end would discard the will, as wills are not for shutdowns.
    Awaitility.await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(10))
        .until(() -> StoreFixtures.journalHoldsWill(dir.resolve("persistence")));
    first.stop();

    FerryBroker second = start();
    try (Mqtt watcher = Mqtt.connect(uri(second), "will-watcher", false, 600)) {
      assertThat(elapsedMillis(droppedAt)).as("restarted within the will delay").isLessThan(4000);
      Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> !watcher.messages().isEmpty());
      assertThat(elapsedMillis(droppedAt)).as("will published after its delay").isGreaterThanOrEqualTo(4900);
      Awaitility.await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3))
          .until(() -> watcher.messages().size() == 1);
      assertThat(watcher.messages().get(0).topic()).isEqualTo("wills/will-client");
      assertThat(watcher.messages().get(0).text()).isEqualTo("will-client");
    } finally {
      second.stop();
    }

    FerryBroker third = start();
    try (Mqtt watcher = Mqtt.connect(uri(third), "will-watcher", false, 600)) {
      Awaitility.await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3))
          .until(() -> watcher.messages().isEmpty());
    } finally {
      third.stop();
    }
  }

  @Test
  void delayedWillCancelledByReconnectAfterRestart() throws Exception {
    FerryBroker first = start();
    watchWills(first);
    Mqtt.connectWithWill(uri(first), "back-client", 600, "wills/back-client", 5).dropConnection();
    long droppedAt = System.nanoTime();
    // A stop before the broker saw the connection end would discard the will, as wills are not for shutdowns.
    Awaitility.await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(10))
        .until(() -> StoreFixtures.journalHoldsWill(dir.resolve("persistence")));
    first.stop();

    FerryBroker second = start();
    try (Mqtt back = Mqtt.connect(uri(second), "back-client", false, 600);
         Mqtt watcher = Mqtt.connect(uri(second), "will-watcher", false, 600)) {
      assertThat(back.sessionPresent()).isTrue();
      assertThat(elapsedMillis(droppedAt)).as("reconnected within the will delay").isLessThan(4500);
      // Past the due time plus two seconds, the will has still not arrived.
      long pastDue = 7000 - elapsedMillis(droppedAt);
      Awaitility.await().during(Duration.ofMillis(pastDue)).atMost(Duration.ofMillis(pastDue + 1000))
          .until(() -> watcher.messages().isEmpty());
    } finally {
      second.stop();
    }
    try (DurableStore store = DurableStore.open(dir.resolve("persistence"), PersistenceConfig.defaults())) {
      var back = new DurableSessionStore(store, PersistenceConfig.defaults()).load().stream()
          .filter(session -> session.clientId().equals("back-client")).findFirst().orElseThrow();
      assertThat(back.pendingWill()).isNull();
    }
  }
}
