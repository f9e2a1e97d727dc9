package io.ferrymq.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.awaitility.Awaitility;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker process killed with SIGKILL at random instants while QoS 1 and QoS 2 streams flow to
 * offline persistent sessions, restarted on the same data folder each time. Once the subscribers
 * come back, every message whose publisher got PUBACK or PUBCOMP must arrive, in publish order, and
 * QoS 2 ones exactly once.
 *
 * <p>Checkpoints are set to run every 64 KiB of journal or 100 ms, so many kills land during one.
 * The kill count comes from the {@code crash.kills} system property (the soak profile sets 50).
 */
@Timeout(1800)
class CrashTest {

  private static final String QOS1_TOPIC = "crash/q1";
  private static final String QOS2_TOPIC = "crash/q2";

  @TempDir
  Path dir;

  @Test
  void acknowledgedMessagesSurviveRepeatedKills() throws Exception {
    int kills = Integer.getInteger("crash.kills", 4);
    Random random = new Random();
    Path data = dir.resolve("data");
    Path config = BrokerProcess.config(dir, "checkpoint-bytes: 65536", "checkpoint-interval-ms: 100");
    WindowedPublisher q1 = new WindowedPublisher(QOS1_TOPIC, 1, "crash-pub-1");
    WindowedPublisher q2 = new WindowedPublisher(QOS2_TOPIC, 2, "crash-pub-2");

    try (BrokerProcess first = BrokerProcess.start(data, config, dir)) {
      try (Mqtt subscriber = Mqtt.connect(first.uri(), "crash-sub", true, 3600)) {
        subscriber.client.subscribe("crash/#", 2);
      }
      first.stop();
    }
    for (int round = 1; round <= kills; round++) {
      try (BrokerProcess broker = BrokerProcess.start(data, config, dir)) {
        List<Thread> threads = new ArrayList<>();
        for (WindowedPublisher s : List.of(q1, q2)) {
          s.uri = broker.uri();
          s.stop.set(false);
          Thread t = new Thread(s, "publisher-qos" + s.qos);
          t.start();
          threads.add(t);
        }
        // Kill only once both streams flow, so that every kill lands mid-stream, also on a slow machine.
        int q1Before = q1.acknowledged.size();
        int q2Before = q2.acknowledged.size();
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
            .until(() -> q1.acknowledged.size() > q1Before && q2.acknowledged.size() > q2Before);
        Thread.sleep(random.nextInt(1500));
        broker.kill();
        for (WindowedPublisher s : List.of(q1, q2)) {
          s.stop.set(true);
        }
        for (Thread t : threads) {
          t.join(30_000);
        }
      }
    }

    try (BrokerProcess last = BrokerProcess.start(data, config, dir);
         Mqtt subscriber = Mqtt.connect(last.uri(), "crash-sub", false, 3600)) {
      assertThat(subscriber.sessionPresent()).isTrue();
      try {
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
            .until(() -> received(subscriber, QOS1_TOPIC).containsAll(q1.acknowledged)
                && received(subscriber, QOS2_TOPIC).containsAll(q2.acknowledged));
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        // Fall through to the asserts, which name the missing messages.
      }
      assertThat(received(subscriber, QOS1_TOPIC)).as("QoS 1 acknowledged messages").containsAll(q1.acknowledged);
      assertThat(received(subscriber, QOS2_TOPIC)).as("QoS 2 acknowledged messages").containsAll(q2.acknowledged);
      // Give duplicates time to show up before the exactly-once check.
      Thread.sleep(1000);
      assertThat(q1.acknowledged).hasSizeGreaterThan(kills);
      assertThat(q2.acknowledged).hasSizeGreaterThan(kills);
      assertInOrder(sequence(subscriber, QOS1_TOPIC));
      List<Integer> qos2 = sequence(subscriber, QOS2_TOPIC);
      assertThat(qos2).doesNotHaveDuplicates();
      assertThat(qos2).isSorted();
      System.out.printf("crash test: kills=%d qos1-acknowledged=%d qos2-acknowledged=%d qos1-received=%d "
          + "qos2-received=%d%n", kills, q1.acknowledged.size(), q2.acknowledged.size(),
          sequence(subscriber, QOS1_TOPIC).size(), qos2.size());
    }
  }

  @Test
  void delayedWillSurvivesKill() throws Exception {
    Path data = dir.resolve("data");
    Path config = BrokerProcess.config(dir);
    try (BrokerProcess first = BrokerProcess.start(data, config, dir)) {
      try (Mqtt watcher = Mqtt.connect(first.uri(), "will-watcher", true, 600)) {
        watcher.client.subscribe("wills/#", 1);
      }
      // A will delay of 15 s leaves time to start a broker JVM on a loaded machine within it.
      Mqtt.connectWithWill(first.uri(), "will-client", 600, "wills/will-client", 15).dropConnection();
      long droppedAt = System.nanoTime();
      // Kill only once the journal contains the will, as it does a few milliseconds after the connection ends.
      Awaitility.await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(10))
          .until(() -> StoreFixtures.journalHoldsWill(data.resolve("persistence")));
      first.kill();

      try (BrokerProcess second = BrokerProcess.start(data, config, dir);
           Mqtt watcher = Mqtt.connect(second.uri(), "will-watcher", false, 600)) {
        assertThat(elapsedMillis(droppedAt)).as("restarted within the will delay").isLessThan(14_000);
        Awaitility.await().atMost(Duration.ofSeconds(25)).until(() -> !watcher.messages().isEmpty());
        assertThat(elapsedMillis(droppedAt)).as("will published after its delay").isGreaterThanOrEqualTo(14_900);
        Awaitility.await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3))
            .until(() -> watcher.messages().size() == 1);
        assertThat(watcher.messages().get(0).text()).isEqualTo("will-client");
      }
    }
  }

  private static long elapsedMillis(long sinceNanos) {
    return (System.nanoTime() - sinceNanos) / 1_000_000;
  }

  private static List<Integer> sequence(Mqtt subscriber, String topic) {
    List<Integer> out = new ArrayList<>();
    for (Mqtt.Received r : subscriber.messages()) {
      if (r.topic().equals(topic)) {
        out.add(Integer.parseInt(r.text()));
      }
    }
    return out;
  }

  private static Set<Integer> received(Mqtt subscriber, String topic) {
    return new LinkedHashSet<>(sequence(subscriber, topic));
  }

  /** QoS 1 may repeat a message, but first arrivals must follow publish order. */
  private static void assertInOrder(List<Integer> arrivals) {
    List<Integer> firsts = new ArrayList<>(new LinkedHashSet<>(arrivals));
    assertThat(firsts).isSorted();
  }
}
