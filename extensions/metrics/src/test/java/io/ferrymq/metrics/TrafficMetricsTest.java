package io.ferrymq.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ferrymq.metrics.testing.HookExtension;
import io.ferrymq.metrics.testing.MetricsBroker;
import io.ferrymq.metrics.testing.Scrape;
import io.ferrymq.metrics.testing.TestClient;
import io.ferrymq.spi.Authorizer;
import io.ferrymq.spi.ConnectInfo;
import io.ferrymq.spi.DropReason;
import io.ferrymq.spi.InterceptResult;
import io.ferrymq.spi.ReasonCode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Drives known traffic through a broker and checks the exact values scraped from /metrics. */
@Timeout(60)
class TrafficMetricsTest {

  private static final String PAYLOAD = "0123456789";

  @Test
  void publishesCountedByQos() throws Exception {
    int[] perQos = {5, 4, 3};
    try (MetricsBroker broker = MetricsBroker.start();
         TestClient sub = TestClient.connect(broker, "sub");
         TestClient pub = TestClient.connect(broker, "pub")) {
      sub.client.subscribe("fleet/#", 2);
      for (int qos = 0; qos <= 2; qos++) {
        for (int i = 0; i < perQos[qos]; i++) {
          pub.publish("fleet/q" + qos, PAYLOAD, qos);
        }
      }
      for (int i = 0; i < 12; i++) {
        sub.next();
      }

      // The broker counts a delivery just after writing it, so the subscriber may see it a moment earlier.
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertCountedByQos(broker.scrape(), perQos));
      Scrape s = broker.scrape();
      assertThat(s.value("ferrymq_messages_dropped_total", "reason", "no_subscribers")).isZero();
      assertThat(s.value("ferrymq_redeliveries_total")).isZero();
    }
  }

  @Test
  void connectionsCountedByOutcome() throws Exception {
    HookExtension auth = new HookExtension("auth", c -> c.authenticator(info -> CompletableFuture.completedFuture(
        "intruder".equals(info.username()) ? ReasonCode.BAD_USER_NAME_OR_PASSWORD : ReasonCode.SUCCESS)));
    try (MetricsBroker broker = MetricsBroker.start(Map.of(), b -> b, List.of(auth));
         TestClient first = TestClient.connect(broker, "device-1");
         TestClient second = TestClient.connect(broker, "device-2")) {
      MqttException rejected = null;
      try (TestClient intruder = TestClient.connect(broker, "intruder", o -> o.setUserName("intruder"))) {
        assertThat(intruder.client.isConnected()).as("the intruder's connect must fail").isFalse();
      } catch (MqttException e) {
        rejected = e;
      }
      assertThat(rejected).isNotNull();
      assertThat(rejected.getReasonCode()).isEqualTo(0x86);

      // The broker counts an accepted connection just after writing its CONNACK.
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
          assertThat(broker.scrape().value("ferrymq_connections")).isEqualTo(2));
      Scrape s = broker.scrape();
      assertThat(s.value("ferrymq_connections_accepted_total")).isEqualTo(2);
      assertThat(s.value("ferrymq_connections_rejected_total", "reason", "bad_user_name_or_password")).isEqualTo(1);
      assertThat(s.value("ferrymq_connections_rejected_total", "reason", "not_authorized")).isZero();
      assertThat(s.value("ferrymq_connections")).isEqualTo(2);
      assertThat(s.value("ferrymq_sessions", "state", "online")).isEqualTo(2);
      assertThat(s.value("ferrymq_sessions", "state", "offline")).isZero();

      first.client.disconnect();
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
          assertThat(broker.scrape().value("ferrymq_connections")).isEqualTo(1));
      Scrape after = broker.scrape();
      assertThat(after.value("ferrymq_connections_closed_total", "reason", "success")).isEqualTo(1);
      assertThat(after.value("ferrymq_sessions", "state", "online")).isEqualTo(1);
      assertThat(after.value("ferrymq_sessions", "state", "offline")).as("a clean-start session ends with its connection")
          .isZero();
    }
  }

  @Test
  void fullQueueOfOfflineSessionDropsAndQueues() throws Exception {
    try (MetricsBroker broker = MetricsBroker.start(Map.of(), b -> b.maxQueuedMessages(3), List.of());
         TestClient pub = TestClient.connect(broker, "pub")) {
      try (TestClient keeper = persistent(broker, "keeper", false)) {
        keeper.client.subscribe("queue/#", 1);
      }
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
          assertThat(broker.scrape().value("ferrymq_sessions", "state", "offline")).isEqualTo(1));
      for (int i = 0; i < 5; i++) {
        pub.publish("queue/x", PAYLOAD, 1);
      }

      Scrape s = broker.scrape();
      assertThat(s.value("ferrymq_messages_dropped_total", "reason", "queue_full")).isEqualTo(2);
      assertThat(s.value("ferrymq_queued_messages")).isEqualTo(3);
      assertThat(s.value("ferrymq_subscriptions")).isEqualTo(1);
      assertThat(s.value("ferrymq_sessions", "state", "online")).isEqualTo(1);
      assertThat(s.value("ferrymq_messages_sent_total", "qos", "1")).isZero();

      try (TestClient keeper = persistent(broker, "keeper", false)) {
        for (int i = 0; i < 3; i++) {
          keeper.next();
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
          Scrape after = broker.scrape();
          assertThat(after.value("ferrymq_queued_messages")).isZero();
          assertThat(after.value("ferrymq_inflight_messages")).isZero();
          assertThat(after.value("ferrymq_messages_sent_total", "qos", "1")).isEqualTo(3);
        });
      }
    }
  }

  @Test
  void unacknowledgedMessageRedeliveredAfterReconnect() throws Exception {
    try (MetricsBroker broker = MetricsBroker.start();
         TestClient pub = TestClient.connect(broker, "pub")) {
      try (TestClient keeper = persistent(broker, "keeper", true)) {
        keeper.client.subscribe("work/#", 1);
        pub.publish("work/1", PAYLOAD, 1);
        keeper.next();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
            assertThat(broker.scrape().value("ferrymq_inflight_messages")).isEqualTo(1));
      }
      try (TestClient keeper = persistent(broker, "keeper", false)) {
        assertThat(keeper.next().topic()).isEqualTo("work/1");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
            assertThat(broker.scrape().value("ferrymq_inflight_messages")).isZero());
      }
      Scrape s = broker.scrape();
      assertThat(s.value("ferrymq_redeliveries_total")).isEqualTo(1);
      assertThat(s.value("ferrymq_messages_sent_total", "qos", "1")).as("the first delivery and the redelivery")
          .isEqualTo(2);
    }
  }

  @Test
  void interceptorAndAuthorizerDropsCountedByReason() throws Exception {
    Set<String> seen = ConcurrentHashMap.newKeySet();
    AtomicInteger chattyPublishes = new AtomicInteger();
    HookExtension standIns = new HookExtension("stand-ins", c -> {
      // Stands in for the dedup extension: a repeated payload from the same publisher is a duplicate.
      c.addPublishInterceptor(p -> CompletableFuture.completedFuture(
          seen.add(p.client().clientId() + "|" + p.message().payloadAsString()) ? InterceptResult.pass()
              : InterceptResult.drop(DropReason.DUPLICATE, ReasonCode.SUCCESS)));
      // Stands in for a rate limit: client "chatty" may publish 3 messages.
      c.addPublishInterceptor(p -> CompletableFuture.completedFuture(
          !p.client().clientId().equals("chatty") || chattyPublishes.incrementAndGet() <= 3 ? InterceptResult.pass()
              : InterceptResult.drop(DropReason.THROTTLED, ReasonCode.QUOTA_EXCEEDED)));
      c.addAuthorizer(new Authorizer() {
        @Override
        public boolean mayPublish(ConnectInfo client, String topic) {
          return !topic.startsWith("admin/");
        }
      });
    });
    try (MetricsBroker broker = MetricsBroker.start(Map.of(), b -> b, List.of(standIns));
         TestClient sub = TestClient.connect(broker, "sub");
         TestClient pub = TestClient.connect(broker, "pub");
         TestClient chatty = TestClient.connect(broker, "chatty")) {
      sub.client.subscribe("#", 1);
      pub.publish("dup/a", "same", 1);
      pub.publish("dup/a", "same", 1);
      for (int i = 0; i < 5; i++) {
        publishIgnoringRejection(chatty, "chat/x", "line " + i);
      }
      publishIgnoringRejection(pub, "admin/reset", PAYLOAD);

      Scrape s = broker.scrape();
      assertThat(s.value("ferrymq_messages_dropped_total", "reason", "duplicate")).isEqualTo(1);
      assertThat(s.value("ferrymq_dedup_hits_total")).isEqualTo(1);
      assertThat(s.value("ferrymq_messages_dropped_total", "reason", "throttled")).isEqualTo(2);
      assertThat(s.value("ferrymq_messages_dropped_total", "reason", "not_authorized")).isEqualTo(1);
      assertThat(s.value("ferrymq_messages_dropped_total", "reason", "queue_full")).isZero();
      assertThat(s.value("ferrymq_messages_received_total", "qos", "1")).isEqualTo(2 + 5 + 1);
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
          assertThat(broker.scrape().value("ferrymq_messages_sent_total", "qos", "1")).isEqualTo(1 + 3));
    }
  }

  @Test
  void throttlePausesCountedWithPausedTime() throws Exception {
    // Stands in for a rate limit: every publish of client "chatty" pauses its reads for 50 ms.
    HookExtension throttle = new HookExtension("throttle", c -> c.publishThrottle(
        p -> p.client().clientId().equals("chatty") ? 50_000_000L : 0));
    try (MetricsBroker broker = MetricsBroker.start(Map.of(), b -> b, List.of(throttle));
         TestClient quiet = TestClient.connect(broker, "quiet");
         TestClient chatty = TestClient.connect(broker, "chatty")) {
      quiet.publish("chat/q", PAYLOAD, 1);
      for (int i = 0; i < 3; i++) {
        chatty.publish("chat/x", PAYLOAD, 1);
      }

      // Each publish waits for its PUBACK, so each of the three met an unpaused socket and paused it.
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
        Scrape s = broker.scrape();
        assertThat(s.value("ferrymq_throttle_pauses_total")).isEqualTo(3);
        assertThat(s.value("ferrymq_throttle_paused_seconds_total")).isGreaterThanOrEqualTo(0.15);
      });
      assertThat(broker.scrape().value("ferrymq_overloaded")).isZero();
    }
  }

  @Test
  void publishWithoutSubscriberCountedOnce() throws Exception {
    try (MetricsBroker broker = MetricsBroker.start();
         TestClient pub = TestClient.connect(broker, "pub")) {
      pub.publish("nobody/listens", PAYLOAD, 1);
      pub.publish("nobody/listens", PAYLOAD, 1);

      Scrape s = broker.scrape();
      assertThat(s.value("ferrymq_messages_dropped_total", "reason", "no_subscribers")).isEqualTo(2);
      assertThat(s.value("ferrymq_messages_sent_total", "qos", "1")).isZero();
    }
  }

  @Test
  void retainedAndSubscriptionGaugesFollowChanges() throws Exception {
    try (MetricsBroker broker = MetricsBroker.start();
         TestClient sub = TestClient.connect(broker, "sub");
         TestClient pub = TestClient.connect(broker, "pub")) {
      sub.client.subscribe(new String[] {"status/#", "alarm/+"}, new int[] {1, 1});
      pub.client.publish("status/a", PAYLOAD.getBytes(), 1, true);
      pub.client.publish("status/b", PAYLOAD.getBytes(), 1, true);

      Scrape s = broker.scrape();
      assertThat(s.value("ferrymq_subscriptions")).isEqualTo(2);
      assertThat(s.value("ferrymq_retained_messages")).isEqualTo(2);

      pub.client.publish("status/a", new byte[0], 1, true);
      sub.client.unsubscribe("alarm/+");
      Scrape after = broker.scrape();
      assertThat(after.value("ferrymq_retained_messages")).isEqualTo(1);
      assertThat(after.value("ferrymq_subscriptions")).isEqualTo(1);
    }
  }

  private static void assertCountedByQos(Scrape s, int[] perQos) {
    for (int qos = 0; qos <= 2; qos++) {
      String q = Integer.toString(qos);
      assertThat(s.value("ferrymq_messages_received_total", "qos", q)).as("received qos %s", q).isEqualTo(perQos[qos]);
      assertThat(s.value("ferrymq_messages_sent_total", "qos", q)).as("sent qos %s", q).isEqualTo(perQos[qos]);
      assertThat(s.value("ferrymq_payload_received_bytes_total", "qos", q)).as("bytes in qos %s", q)
          .isEqualTo(perQos[qos] * PAYLOAD.length());
      assertThat(s.value("ferrymq_payload_sent_bytes_total", "qos", q)).as("bytes out qos %s", q)
          .isEqualTo(perQos[qos] * PAYLOAD.length());
      assertThat(s.value("ferrymq_delivery_latency_seconds_count", "qos", q)).as("latency count qos %s", q)
          .isEqualTo(perQos[qos]);
      assertThat(s.value("ferrymq_delivery_latency_seconds_sum", "qos", q)).as("latency sum qos %s", q)
          .isGreaterThan(0).isLessThan(perQos[qos] * 1.0);
    }
  }

  /** Connects with a session that outlives the connection; {@code manualAcks} leaves PUBACKs to the test. */
  private static TestClient persistent(MetricsBroker broker, String clientId, boolean manualAcks) throws MqttException {
    return TestClient.connect(broker, clientId, o -> {
      o.setCleanStart(false);
      o.setSessionExpiryInterval(300L);
    }, manualAcks);
  }

  /** Publishes at QoS 1; Paho may report a failing PUBACK reason code as an exception, which the test expects. */
  private static void publishIgnoringRejection(TestClient client, String topic, String payload) {
    try {
      client.publish(topic, payload, 1);
    } catch (MqttException e) {
      assertThat(client.client.isConnected()).as("a rejected publish must not end the connection").isTrue();
    }
  }
}
