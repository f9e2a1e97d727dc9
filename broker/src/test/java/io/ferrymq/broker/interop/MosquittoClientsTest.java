package io.ferrymq.broker.interop;

import static io.ferrymq.broker.interop.MosquittoClients.MESSAGE_PREFIX;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferrymq.broker.interop.MosquittoClients.Client;
import io.ferrymq.broker.interop.MosquittoClients.Result;
import io.ferrymq.broker.testing.TestBroker;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * FerryMQ with the command-line clients of Debian's mosquitto-clients package as real processes,
 * over MQTT 3.1.1 ({@code -V mqttv311}) and MQTT 5 ({@code -V mqttv5}). The tests fail, naming the
 * package to install, when the clients are missing.
 */
@Timeout(60)
class MosquittoClientsTest {

  // Topic, QoS, RETAIN flag and payload of each message that mosquitto_sub prints.
  private static final String FORMAT = MESSAGE_PREFIX + "%t|%q|%r|%p";
  private static final Duration QUIET = Duration.ofSeconds(1);

  private TestBroker broker;

  @BeforeAll
  static void requireClients() {
    MosquittoClients.requireInstalled();
  }

  @BeforeEach
  void start() {
    broker = TestBroker.start();
  }

  @AfterEach
  void stop() {
    broker.close();
  }

  @ParameterizedTest(name = "{0}: published at QoS {1}, subscribed at QoS {2}")
  @CsvSource({
      "mqttv311, 0, 2", "mqttv311, 1, 2", "mqttv311, 2, 2", "mqttv311, 2, 0",
      "mqttv5, 0, 2", "mqttv5, 1, 2", "mqttv5, 2, 2", "mqttv5, 2, 1"})
  void deliveryAtLowerOfBothQos(String version, int publishQos, int subscribeQos) throws Exception {
    String topic = "interop/qos/" + version;
    try (Client subscriber = MosquittoClients.startSubscriber(broker.port(), "-V", version,
        "-q", Integer.toString(subscribeQos), "-t", topic, "-C", "1", "-F", FORMAT)) {
      assertEquals(List.of(subscribeQos), subscriber.awaitSubscribed());

      Result published = MosquittoClients.publish(broker.port(), "-V", version,
          "-q", Integer.toString(publishQos), "-t", topic, "-m", "at qos " + publishQos);

      assertEquals(0, published.exitCode(), published.output()::toString);
      assertEquals(publishQos == 1, published.printed("received PUBACK"), published.output()::toString);
      assertEquals(publishQos == 2, published.printed("received PUBCOMP"), published.output()::toString);
      int deliveredQos = Math.min(publishQos, subscribeQos);
      assertEquals(topic + "|" + deliveredQos + "|0|at qos " + publishQos, subscriber.nextMessage());
      assertEquals(0, subscriber.awaitExit(), subscriber.output()::toString);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"mqttv311", "mqttv5"})
  void retainFlagLiveAndLate(String version) throws Exception {
    String topic = "interop/retained/" + version;
    try (Client live = MosquittoClients.startSubscriber(broker.port(), "-V", version, "-q", "1", "-t", topic,
        "-C", "1", "-F", FORMAT)) {
      live.awaitSubscribed();

      Result published = MosquittoClients.publish(broker.port(), "-V", version, "-q", "1", "-r", "-t", topic,
          "-m", "kept");
      assertEquals(0, published.exitCode(), published.output()::toString);

      // A subscriber that was there gets RETAIN 0 [MQTT-3.3.1-9 of 3.1.1], which in MQTT 5 follows
      // from the default Retain As Published 0 [MQTT-3.3.1-12].
      assertEquals(topic + "|1|0|kept", live.nextMessage());
    }

    // A new subscriber gets the retained message with RETAIN 1 [MQTT-3.3.1-8 of 3.1.1].
    Result late = MosquittoClients.subscribeAndWait(broker.port(), "-V", version, "-q", "1", "-t", topic,
        "-C", "1", "-W", "10", "-F", "%r %t %p");
    assertEquals(0, late.exitCode(), late.output()::toString);
    assertTrue(late.output().contains("1 " + topic + " kept"), late.output()::toString);
  }

  @ParameterizedTest
  @ValueSource(strings = {"mqttv311", "mqttv5"})
  void clearedRetainedMessageNotSent(String version) throws Exception {
    String topic = "interop/cleared/" + version;
    Result set = MosquittoClients.publish(broker.port(), "-V", version, "-q", "1", "-r", "-t", topic, "-m", "kept");
    assertEquals(0, set.exitCode(), set.output()::toString);
    Result clear = MosquittoClients.publish(broker.port(), "-V", version, "-q", "1", "-r", "-t", topic, "-n");
    assertEquals(0, clear.exitCode(), clear.output()::toString);

    try (Client late = MosquittoClients.startSubscriber(broker.port(), "-V", version, "-q", "1", "-t", topic,
        "-F", FORMAT)) {
      late.awaitSubscribed();
      late.assertNoMessageWithin(QUIET);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"mqttv311", "mqttv5"})
  void willFiresWhenClientKilled(String version) throws Exception {
    String willTopic = "interop/will/" + version + "/killed";
    try (Client observer = MosquittoClients.startSubscriber(broker.port(), "-V", version, "-q", "1",
            "-t", "interop/will/" + version + "/#", "-F", FORMAT);
         Client doomed = MosquittoClients.startSubscriber(broker.port(), "-V", version, "-t", "interop/idle",
            "--will-topic", willTopic, "--will-payload", "gone", "--will-qos", "1")) {
      observer.awaitSubscribed();
      doomed.awaitSubscribed();

      doomed.kill();

      // A connection that closes without DISCONNECT publishes its will [MQTT-3.1.2-8].
      assertEquals(willTopic + "|1|0|gone", observer.nextMessage());
      assertEquals(137, doomed.awaitExit(), "exit code of a process killed by SIGKILL (128 + 9)");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"mqttv311", "mqttv5"})
  void willDiscardedOnCleanExit(String version) throws Exception {
    String trigger = "interop/trigger/" + version;
    try (Client observer = MosquittoClients.startSubscriber(broker.port(), "-V", version, "-q", "1",
            "-t", "interop/will/" + version + "/#", "-F", FORMAT);
         Client polite = MosquittoClients.startSubscriber(broker.port(), "-V", version, "-t", trigger, "-C", "1",
            "--will-topic", "interop/will/" + version + "/polite", "--will-payload", "gone", "-F", FORMAT)) {
      observer.awaitSubscribed();
      polite.awaitSubscribed();

      MosquittoClients.publish(broker.port(), "-V", version, "-t", trigger, "-m", "stop");

      // mosquitto_sub -C 1 sends DISCONNECT after its one message, which discards the will
      // [MQTT-3.14.4-3], also in MQTT 3.1.1 [MQTT-3.1.2-10 of 3.1.1].
      assertEquals(trigger + "|0|0|stop", polite.nextMessage());
      assertEquals(0, polite.awaitExit(), polite.output()::toString);
      assertTrue(polite.output().stream().anyMatch(line -> line.endsWith("sending DISCONNECT")),
          polite.output()::toString);
      observer.assertNoMessageWithin(QUIET);
    }
  }

  @Test
  void v5PropertiesPassThrough() throws Exception {
    String topic = "interop/properties";
    try (Client subscriber = MosquittoClients.startSubscriber(broker.port(), "-V", "mqttv5", "-q", "1", "-t", topic,
        "-C", "1", "-F", MESSAGE_PREFIX + "%t|%P|%R|%C|%p")) {
      subscriber.awaitSubscribed();

      Result published = MosquittoClients.publish(broker.port(), "-V", "mqttv5", "-q", "1", "-t", topic,
          "-D", "publish", "user-property", "trace", "abc",
          "-D", "publish", "user-property", "trace", "def",
          "-D", "publish", "response-topic", "interop/reply",
          "-D", "publish", "content-type", "text/plain",
          "-m", "request");
      assertEquals(0, published.exitCode(), published.output()::toString);
      assertTrue(published.printed("received PUBACK (Mid: 1, RC:0)"), published.output()::toString);

      // User properties arrive unaltered and in order [MQTT-3.3.2-17, MQTT-3.3.2-18], and so do the
      // Response Topic [MQTT-3.3.2-15] and the Content Type [MQTT-3.3.2-20].
      assertEquals(topic + "|trace:abc trace:def|interop/reply|text/plain|request", subscriber.nextMessage());
      assertEquals(0, subscriber.awaitExit(), subscriber.output()::toString);
    }
  }

  @Test
  void v5PublishWithoutSubscribersGets0x10() throws Exception {
    Result published = MosquittoClients.publish(broker.port(), "-V", "mqttv5", "-q", "1", "-t", "interop/nobody",
        "-m", "unheard");

    assertEquals(0, published.exitCode(), published.output()::toString);
    // 0x10 is the PUBACK reason code No matching subscribers.
    assertTrue(published.printed("received PUBACK (Mid: 1, RC:16)"), published.output()::toString);
  }

  @ParameterizedTest
  @ValueSource(strings = {"mqttv311", "mqttv5"})
  void persistentSessionGetsQueuedMessage(String version) throws Exception {
    String clientId = "interop-persist-" + version;
    String topic = "interop/persist/" + version;
    // -c requests a persistent session, and -E exits with DISCONNECT once the SUBACK is in.
    Result subscribed = MosquittoClients.subscribeAndWait(broker.port(), "-V", version, "-c", "-i", clientId,
        "-q", "1", "-t", topic, "-E");
    assertEquals(0, subscribed.exitCode(), subscribed.output()::toString);

    Result published = MosquittoClients.publish(broker.port(), "-V", version, "-q", "1", "-t", topic,
        "-m", "queued");
    assertEquals(0, published.exitCode(), published.output()::toString);

    Result resumed = MosquittoClients.subscribeAndWait(broker.port(), "-V", version, "-c", "-i", clientId,
        "-q", "1", "-t", topic, "-C", "1", "-W", "10", "-F", FORMAT);
    assertEquals(0, resumed.exitCode(), resumed.output()::toString);
    assertEquals(List.of(topic + "|1|0|queued"), resumed.messages());
  }
}
