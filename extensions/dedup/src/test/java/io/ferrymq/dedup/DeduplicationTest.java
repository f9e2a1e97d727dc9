package io.ferrymq.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Duplicates sent by real clients through a running broker, checked at a real subscriber. */
@Timeout(30)
class DeduplicationTest {

  private static final Duration QUIET = Duration.ofMillis(400);

  @TempDir
  Path dataDir;
  private final AtomicLong clock = new AtomicLong(1_700_000_000_000L);

  @Test
  void sameIdPropertyTwiceIsDeliveredOnce() throws Exception {
    try (DedupBroker broker = DedupBroker.start(Map.of(), clock, dataDir);
         Subscriber sub = Subscriber.subscribe(broker.uri(), "meters/#")) {
      MqttClient pub = v5Publisher(broker);

      pub.publish("meters/7", withId("reading 1", "m-1"));
      pub.publish("meters/7", withId("reading 1 again", "m-1"));
      pub.publish("meters/7", withId("reading 2", "m-2"));

      await().atMost(Duration.ofSeconds(5)).until(() -> sub.payloads.size() >= 2);
      await().during(QUIET).atMost(QUIET.multipliedBy(2)).until(() -> sub.payloads.size() == 2);
      assertThat(sub.payloads).containsExactly("reading 1", "reading 2");
      assertThat(broker.duplicatesDropped()).isEqualTo(1);
      pub.disconnect();
      pub.close();
    }
  }

  @Test
  void messagesWithoutIdPropertyAllPass() throws Exception {
    try (DedupBroker broker = DedupBroker.start(Map.of(), clock, dataDir);
         Subscriber sub = Subscriber.subscribe(broker.uri(), "meters/#")) {
      MqttClient pub = v5Publisher(broker);

      for (int i = 0; i < 3; i++) {
        pub.publish("meters/7", message("same payload"));
      }

      await().atMost(Duration.ofSeconds(5)).until(() -> sub.payloads.size() == 3);
      assertThat(broker.duplicatesDropped()).isZero();
      pub.disconnect();
      pub.close();
    }
  }

  @Test
  void idPropertyPassesAgainAfterWindow() throws Exception {
    try (DedupBroker broker = DedupBroker.start(Map.of("window", "10m"), clock, dataDir);
         Subscriber sub = Subscriber.subscribe(broker.uri(), "meters/#")) {
      MqttClient pub = v5Publisher(broker);

      pub.publish("meters/7", withId("first", "m-1"));
      clock.addAndGet(Duration.ofMinutes(9).toMillis());
      pub.publish("meters/7", withId("inside window", "m-1"));
      clock.addAndGet(Duration.ofMinutes(2).toMillis());
      pub.publish("meters/7", withId("after window", "m-1"));

      await().atMost(Duration.ofSeconds(5)).until(() -> sub.payloads.size() >= 2);
      await().during(QUIET).atMost(QUIET.multipliedBy(2)).until(() -> sub.payloads.size() == 2);
      assertThat(sub.payloads).containsExactly("first", "after window");
      pub.disconnect();
      pub.close();
    }
  }

  @Test
  void qos1ResendAfterCutIsDropped() throws Exception {
    try (DedupBroker broker = DedupBroker.start(Map.of(), clock, dataDir);
         Subscriber sub = Subscriber.subscribe(broker.uri(), "meters/#")) {
      RawMqtt3Client device = RawMqtt3Client.connect(broker.port(), "meter-9");
      device.publishQos1("meters/9", 7, false, "reading 41");
      await().atMost(Duration.ofSeconds(5)).until(() -> sub.payloads.size() == 1);
      device.close();

      try (RawMqtt3Client again = RawMqtt3Client.connect(broker.port(), "meter-9")) {
        again.publishQos1("meters/9", 7, true, "reading 41");
        assertThat(again.readPuback()).isEqualTo(7);
        again.publishQos1("meters/9", 8, false, "reading 42");
        assertThat(again.readPuback()).isEqualTo(8);
      }

      await().atMost(Duration.ofSeconds(5)).until(() -> sub.payloads.size() >= 2);
      await().during(QUIET).atMost(QUIET.multipliedBy(2)).until(() -> sub.payloads.size() == 2);
      assertThat(sub.payloads).containsExactly("reading 41", "reading 42");
      assertThat(broker.duplicatesDropped()).isEqualTo(1);
    }
  }

  @Test
  void reusedPacketIdNewPayloadPasses() throws Exception {
    try (DedupBroker broker = DedupBroker.start(Map.of(), clock, dataDir);
         Subscriber sub = Subscriber.subscribe(broker.uri(), "meters/#");
         RawMqtt3Client device = RawMqtt3Client.connect(broker.port(), "meter-3")) {
      device.publishQos1("meters/3", 5, false, "reading 1");
      assertThat(device.readPuback()).isEqualTo(5);
      // Packet id 5 is free again; this new message's first copy was lost on the way.
      device.publishQos1("meters/3", 5, true, "reading 2");
      assertThat(device.readPuback()).isEqualTo(5);

      await().atMost(Duration.ofSeconds(5)).until(() -> sub.payloads.size() == 2);
      assertThat(sub.payloads).containsExactly("reading 1", "reading 2");
      assertThat(broker.duplicatesDropped()).isZero();
    }
  }

  @Test
  void contentHashDropsSamePayloadInsideWindowOnly() throws Exception {
    Map<String, Object> section = Map.of("rules", List.of(
        Map.of("filter", "legacy/+/temp", "mode", "content-hash", "window", "30s")));
    try (DedupBroker broker = DedupBroker.start(section, clock, dataDir);
         Subscriber sub = Subscriber.subscribe(broker.uri(), "legacy/#")) {
      MqttClient pub = v5Publisher(broker);

      pub.publish("legacy/4/temp", message("21.5"));
      clock.addAndGet(10_000);
      pub.publish("legacy/4/temp", message("21.5"));
      pub.publish("legacy/4/temp", message("21.6"));
      clock.addAndGet(30_000);
      pub.publish("legacy/4/temp", message("21.5"));
      pub.publish("legacy/4/other", message("21.5"));
      pub.publish("legacy/4/other", message("21.5"));

      await().atMost(Duration.ofSeconds(5)).until(() -> sub.payloads.size() >= 5);
      await().during(QUIET).atMost(QUIET.multipliedBy(2)).until(() -> sub.payloads.size() == 5);
      assertThat(sub.payloads).containsExactly("21.5", "21.6", "21.5", "21.5", "21.5");
      assertThat(broker.duplicatesDropped()).isEqualTo(1);
      pub.disconnect();
      pub.close();
    }
  }

  @Test
  void contentHashSeparatesPublishers() throws Exception {
    Map<String, Object> section = Map.of("rules", List.of(Map.of("filter", "legacy/#", "mode", "content-hash")));
    try (DedupBroker broker = DedupBroker.start(section, clock, dataDir);
         Subscriber sub = Subscriber.subscribe(broker.uri(), "legacy/#")) {
      MqttClient first = v5Publisher(broker);
      MqttClient second = v5Publisher(broker);

      first.publish("legacy/temp", message("20.0"));
      second.publish("legacy/temp", message("20.0"));

      await().atMost(Duration.ofSeconds(5)).until(() -> sub.payloads.size() == 2);
      assertThat(broker.duplicatesDropped()).isZero();
      first.disconnect();
      second.disconnect();
      first.close();
      second.close();
    }
  }

  @Test
  void persistentStoreKeepsIdsAcrossRestart() throws Exception {
    Map<String, Object> section = Map.of("store", "mapdb", "commit-interval", "50ms");
    try (DedupBroker broker = DedupBroker.start(section, clock, dataDir);
         Subscriber sub = Subscriber.subscribe(broker.uri(), "meters/#")) {
      MqttClient pub = v5Publisher(broker);
      pub.publish("meters/1", withId("before restart", "m-100"));
      await().atMost(Duration.ofSeconds(5)).until(() -> sub.payloads.size() == 1);
      pub.disconnect();
      pub.close();
    }

    clock.addAndGet(60_000);
    try (DedupBroker broker = DedupBroker.start(section, clock, dataDir);
         Subscriber sub = Subscriber.subscribe(broker.uri(), "meters/#")) {
      MqttClient pub = v5Publisher(broker);
      pub.publish("meters/1", withId("replayed after restart", "m-100"));
      pub.publish("meters/1", withId("new after restart", "m-101"));

      await().atMost(Duration.ofSeconds(5)).until(() -> sub.payloads.size() >= 1);
      await().during(QUIET).atMost(QUIET.multipliedBy(2)).until(() -> sub.payloads.size() == 1);
      assertThat(sub.payloads).containsExactly("new after restart");
      assertThat(broker.duplicatesDropped()).isEqualTo(1);
      pub.disconnect();
      pub.close();
    }
  }

  @Test
  void memoryStoreForgetsIdsAcrossRestart() throws Exception {
    try (DedupBroker broker = DedupBroker.start(Map.of(), clock, dataDir)) {
      MqttClient pub = v5Publisher(broker);
      pub.publish("meters/1", withId("before restart", "m-100"));
      pub.disconnect();
      pub.close();
    }
    try (DedupBroker broker = DedupBroker.start(Map.of(), clock, dataDir);
         Subscriber sub = Subscriber.subscribe(broker.uri(), "meters/#")) {
      MqttClient pub = v5Publisher(broker);
      pub.publish("meters/1", withId("after restart", "m-100"));
      await().atMost(Duration.ofSeconds(5)).until(() -> sub.payloads.size() == 1);
      pub.disconnect();
      pub.close();
    }
  }

  private static MqttClient v5Publisher(DedupBroker broker) throws MqttException {
    MqttClient pub = new MqttClient(broker.uri(), "pub-" + System.nanoTime(), new MemoryPersistence());
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setCleanStart(true);
    pub.connect(options);
    return pub;
  }

  private static MqttMessage message(String payload) {
    MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
    m.setQos(1);
    return m;
  }

  private static MqttMessage withId(String payload, String id) {
    MqttMessage m = message(payload);
    MqttProperties props = new MqttProperties();
    props.setUserProperties(List.of(new UserProperty("message-id", id)));
    m.setProperties(props);
    return m;
  }
}
