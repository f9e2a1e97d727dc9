package io.ferrymq.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ferrymq.metrics.testing.MetricsBroker;
import io.ferrymq.metrics.testing.Scrape;
import io.ferrymq.metrics.testing.TestClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The $SYS/broker summary: Mosquitto's topic names, retained values, and no effect on the metrics. */
@Timeout(60)
class SysTopicsTest {

  @Test
  void summaryPublishesMosquittoTopicsRetained() throws Exception {
    try (MetricsBroker broker = MetricsBroker.start(Map.of("sys-interval", 1), b -> b, List.of());
         TestClient pub = TestClient.connect(broker, "pub")) {
      pub.publish("nobody/listens", "abc", 0);
      pub.publish("nobody/listens", "abcd", 1);
      // Once the first summary is retained, a subscriber gets it on subscribe.
      await().atMost(Duration.ofSeconds(5)).until(() -> broker.scrape().value("ferrymq_retained_messages") > 20);

      Map<String, String> latest = new ConcurrentHashMap<>();
      try (TestClient sys = TestClient.connect(broker, "sys-reader")) {
        sys.client.subscribe("$SYS/broker/#", 0);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
          sys.received.forEach(r -> latest.put(r.topic(), r.text()));
          // The reader's own connect and subscribe show in the next summary, which may come after the retained one.
          assertThat(latest.get("$SYS/broker/clients/connected")).isEqualTo("2");
          assertThat(latest.get("$SYS/broker/subscriptions/count")).isEqualTo("1");
        });
      }

      assertThat(latest.get("$SYS/broker/version")).isEqualTo("FerryMQ version 0.1.0-SNAPSHOT");
      assertThat(latest.get("$SYS/broker/uptime")).matches("\\d+ seconds");
      assertThat(latest.get("$SYS/broker/clients/total")).isEqualTo("2");
      assertThat(latest.get("$SYS/broker/clients/disconnected")).isEqualTo("0");
      assertThat(latest.get("$SYS/broker/clients/maximum")).isEqualTo("2");
      assertThat(latest.get("$SYS/broker/subscriptions/count")).isEqualTo("1");
      assertThat(latest.get("$SYS/broker/publish/messages/received")).isEqualTo("2");
      assertThat(latest.get("$SYS/broker/publish/bytes/received")).isEqualTo("7");
      assertThat(latest.get("$SYS/broker/publish/messages/dropped")).isEqualTo("0");
      assertThat(latest.get("$SYS/broker/messages/inflight")).isEqualTo("0");
      assertThat(latest.get("$SYS/broker/messages/queued")).isEqualTo("0");
      assertThat(latest.get("$SYS/broker/retained messages/count")).matches("\\d+");
      for (String load : List.of("publish/received", "publish/sent", "publish/dropped", "connections")) {
        for (String window : List.of("1min", "5min", "15min")) {
          assertThat(latest.get("$SYS/broker/load/" + load + "/" + window)).as("load %s %s", load, window)
              .matches("\\d+\\.\\d\\d");
        }
      }
    }
  }

  @Test
  void summaryMessagesAreNotCounted() throws Exception {
    try (MetricsBroker broker = MetricsBroker.start(Map.of("sys-interval", 1), b -> b, List.of())) {
      // The first summary finds no subscriber, so a drop would be counted if summaries were not left out.
      await().atMost(Duration.ofSeconds(5)).until(() -> broker.scrape().value("ferrymq_retained_messages") > 20);
      try (TestClient sys = TestClient.connect(broker, "sys-reader")) {
        sys.client.subscribe("$SYS/#", 0);
        // The retained uptime arrives at once; a second one proves that a live summary went out too.
        await().atMost(Duration.ofSeconds(5)).until(() ->
            sys.received.stream().filter(r -> r.topic().equals("$SYS/broker/uptime")).count() >= 2);
      }

      Scrape s = broker.scrape();
      for (String qos : List.of("0", "1", "2")) {
        assertThat(s.value("ferrymq_messages_sent_total", "qos", qos)).as("sent qos %s", qos).isZero();
        assertThat(s.value("ferrymq_delivery_latency_seconds_count", "qos", qos)).isZero();
      }
      assertThat(s.value("ferrymq_messages_dropped_total", "reason", "no_subscribers")).isZero();
    }
  }
}
