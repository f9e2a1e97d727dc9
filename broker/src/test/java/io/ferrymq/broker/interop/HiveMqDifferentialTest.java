package io.ferrymq.broker.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ferrymq.broker.interop.DeliveryScenarios.Copy;
import io.ferrymq.broker.interop.DeliveryScenarios.MessageExpiry;
import io.ferrymq.broker.interop.DeliveryScenarios.NoLocal;
import io.ferrymq.broker.interop.DeliveryScenarios.OverlappingSubscriptions;
import io.ferrymq.broker.interop.DeliveryScenarios.QosRoundTrip;
import io.ferrymq.broker.interop.Probe.ConnAck;
import io.ferrymq.broker.interop.Probe.Publish;
import io.ferrymq.broker.interop.Probe.Reply;
import io.ferrymq.broker.interop.RetainedScenarios.RetainAsPublished;
import io.ferrymq.broker.interop.RetainedScenarios.RetainHandling;
import io.ferrymq.broker.interop.RetainedScenarios.RetainedExpiry;
import io.ferrymq.broker.interop.RetainedScenarios.RetainedLifecycle;
import io.ferrymq.broker.interop.SessionScenarios.EmptyClientId;
import io.ferrymq.broker.interop.SessionScenarios.PersistentSession;
import io.ferrymq.broker.interop.SessionScenarios.Redelivery;
import io.ferrymq.broker.interop.SessionScenarios.Takeover;
import io.ferrymq.broker.interop.SessionScenarios.WillDelay;
import io.ferrymq.broker.interop.SessionScenarios.Wills;
import io.ferrymq.broker.interop.SubscriptionScenarios.DollarTopic;
import io.ferrymq.broker.interop.SubscriptionScenarios.InvalidFilter;
import io.ferrymq.broker.interop.SubscriptionScenarios.Unsubscribe;
import io.ferrymq.broker.testing.TestBroker;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Runs the same client scripts against FerryMQ and against HiveMQ Community Edition 2025.5, both in
 * this JVM, and compares what the clients observed. Where the brokers agree, the test also pins the
 * exact observation. Where they differ, the test pins both observations, and a comment states what
 * the MQTT specification requires. Normative statement ids are those of MQTT 5.0 unless marked 3.1.1.
 */
@Timeout(60)
class HiveMqDifferentialTest {

  private static TestBroker ferrymq;
  private static HiveMqBroker hivemq;

  @BeforeAll
  @Timeout(120)
  static void startBrokers() throws Exception {
    ferrymq = TestBroker.start();
    hivemq = HiveMqBroker.start();
  }

  @AfterAll
  @Timeout(120)
  static void stopBrokers() throws Exception {
    if (ferrymq != null) {
      ferrymq.close();
    }
    if (hivemq != null) {
      hivemq.close();
    }
  }

  @ParameterizedTest
  @EnumSource(value = MqttVersion.class, names = {"MQTT_3_1_1", "MQTT_5"})
  void qosRoundTrip(MqttVersion version) throws Exception {
    String topic = "qos/" + Scenario.tag(version);
    // MQTT 5 acknowledges a publish that matched no subscription with PUBACK 0x10 (No matching subscribers).
    List<Integer> unrouted = version == MqttVersion.MQTT_5 ? List.of(0x10) : List.of(0x00);
    QosRoundTrip expected = new QosRoundTrip(List.of(2, 1), List.of(List.of(), List.of(0x00), List.of(0x00, 0x00)),
        List.of(plain(topic, "m0", 0), plain(topic, "m1", 1), plain(topic, "m2", 2)),
        List.of(plain(topic, "m0", 0), plain(topic, "m1", 1), plain(topic, "m2", 1)),
        unrouted);

    assertSameOnBoth(port -> DeliveryScenarios.qosRoundTrip(port, version), expected);
  }

  @Test
  void overlappingSubscriptionIds() throws Exception {
    // One copy at the highest matching QoS carrying every matching Subscription Identifier, as
    // [MQTT-3.3.4-2] and [MQTT-3.3.4-4] require when a broker sends a single copy.
    OverlappingSubscriptions expected = new OverlappingSubscriptions(List.of(1, 2, 0),
        List.of(new Copy(2, List.of(1, 2))), List.of(new Copy(1, List.of(2))));

    assertSameOnBoth(DeliveryScenarios::overlappingSubscriptions, expected);
  }

  @Test
  void noLocalSkipsOwnPublishes() throws Exception {
    NoLocal expected = new NoLocal(List.of(plain("nl/echo", "echo", 1)), List.of(plain("nl/own", "own", 1)));

    assertSameOnBoth(DeliveryScenarios::noLocal, expected);
  }

  @Test
  void retainAsPublishedFlag() throws Exception {
    RetainAsPublished expected = new RetainAsPublished(
        List.of(retained("rap/t", "retained", 1), plain("rap/t", "plain", 1), retained("rap/t", "", 1)),
        List.of(plain("rap/t", "retained", 1), plain("rap/t", "plain", 1), plain("rap/t", "", 1)),
        List.of(plain("rap/t", "retained", 1), plain("rap/t", "plain", 1), plain("rap/t", "", 1)));

    assertSameOnBoth(RetainedScenarios::retainAsPublished, expected);
  }

  @Test
  void retainHandlingOptions() throws Exception {
    List<Publish> kept = List.of(retained("rh/t", "kept", 1));
    RetainHandling expected = new RetainHandling(kept, kept, kept, List.of(), List.of());

    assertSameOnBoth(RetainedScenarios::retainHandling, expected);
  }

  @ParameterizedTest
  @EnumSource(value = MqttVersion.class, names = {"MQTT_3_1_1", "MQTT_5"})
  void retainedSetReplaceClear(MqttVersion version) throws Exception {
    String topic = "rl/" + Scenario.tag(version) + "/t";
    RetainedLifecycle expected = new RetainedLifecycle(List.of(retained(topic, "one", 1)),
        List.of(retained(topic, "two", 0)), List.of(),
        List.of(plain(topic, "one", 1), plain(topic, "two", 0), plain(topic, "", 1)));

    assertSameOnBoth(port -> RetainedScenarios.retainedLifecycle(port, version), expected);
  }

  @Test
  void emptyClientIdGetsAssignedId() throws Exception {
    // MQTT 3.1.1 rejects an empty client id with Clean Session 0 with return code 0x02
    // (Identifier rejected) [MQTT-3.1.3-8 of 3.1.1].
    EmptyClientId expected = new EmptyClientId(0x00, true, true, 0x00, true,
        new ConnAck(0x00, false, null), new ConnAck(0x02, false, null));

    assertSameOnBoth(SessionScenarios::emptyClientId, expected);
  }

  @ParameterizedTest
  @EnumSource(value = MqttVersion.class, names = {"MQTT_3_1_1", "MQTT_5"})
  void persistentSessionQueuesWhileOffline(MqttVersion version) throws Exception {
    // Neither broker queues QoS 0 for an offline session, which MQTT 5.0 section 4.1 leaves optional.
    String topic = "persist/" + Scenario.tag(version);
    PersistentSession expected = new PersistentSession(false, true,
        List.of(plain(topic, "q1", 1), plain(topic, "q2", 1)), false);

    assertSameOnBoth(port -> SessionScenarios.persistentSession(port, version), expected);
  }

  @ParameterizedTest
  @EnumSource(value = MqttVersion.class, names = {"MQTT_3_1_1", "MQTT_5"})
  void unacknowledgedPublishResentWithDup(MqttVersion version) throws Exception {
    String topic = "redeliver/" + Scenario.tag(version);
    Redelivery expected = new Redelivery(List.of(plain(topic, "qos1", 1), plain(topic, "qos2", 2)),
        List.of(true, true),
        List.of(new Publish(topic, "qos1", 1, false, true), new Publish(topic, "qos2", 2, false, true)),
        List.of(true, true));

    assertSameOnBoth(port -> SessionScenarios.redelivery(port, version), expected);
  }

  @ParameterizedTest
  @EnumSource(value = MqttVersion.class, names = {"MQTT_3_1_1", "MQTT_5"})
  void unsubscribeOfUnknownFilter(MqttVersion version) throws Exception {
    if (version == MqttVersion.MQTT_3_1_1) {
      assertSameOnBoth(port -> SubscriptionScenarios.unsubscribe(port, version), new Unsubscribe(List.of(), List.of()));
      return;
    }
    // The brokers differ. The UNSUBACK reason code table of MQTT 5.0 (section 3.11.3) defines 0x11
    // (No subscription existed) for a filter the client was not using, and [MQTT-3.11.3-2] only
    // requires one of the table's codes per filter. FerryMQ sends 0x11, while HiveMQ CE 2025.5 sends
    // 0x00 (Success) for it too, which claims a subscription was deleted.
    assertDiffer(port -> SubscriptionScenarios.unsubscribe(port, version),
        new Unsubscribe(List.of(0x00, 0x11), List.of()),
        new Unsubscribe(List.of(0x00, 0x00), List.of()));
  }

  @ParameterizedTest
  @EnumSource(value = MqttVersion.class, names = {"MQTT_3_1_1", "MQTT_5"})
  void subscribeWithInvalidFilter(MqttVersion version) throws Exception {
    // The brokers differ. FerryMQ accepts the valid filter and refuses each invalid one in SUBACK
    // (0x8F Topic Filter invalid in MQTT 5, 0x80 Failure in 3.1.1), and the connection stays open.
    // HiveMQ CE 2025.5 ends the connection: DISCONNECT 0x8F in MQTT 5, a plain close in 3.1.1.
    // The specification reads both ways. A "#" that is not the last level breaks [MQTT-4.7.1-1] and a
    // "+" that shares its level breaks [MQTT-4.7.1-2]. MQTT 5.0 describes SUBACK 0x8F as a filter
    // that is "correctly formed" but not allowed, so a filter that breaks those rules is arguably a
    // Malformed Packet, after which the server MUST close the connection [MQTT-4.13.1-1]. MQTT 3.1.1
    // requires the same close after a protocol violation [MQTT-4.8.0-1 of 3.1.1]. FerryMQ takes the
    // lenient reading, which keeps the valid filter of the same SUBSCRIBE.
    boolean v5 = version == MqttVersion.MQTT_5;
    int refused = v5 ? 0x8F : 0x80;
    InvalidFilter atHiveMq = v5
        ? new InvalidFilter(new Reply("DISCONNECT", List.of(0x8F)), false)
        : new InvalidFilter(new Reply(Reply.CLOSED, List.of()), false);

    assertDiffer(port -> SubscriptionScenarios.invalidFilter(port, version),
        new InvalidFilter(new Reply("SUBACK", List.of(0x01, refused, refused)), true), atHiveMq);
  }

  @ParameterizedTest
  @EnumSource(value = MqttVersion.class, names = {"MQTT_3_1_1", "MQTT_5"})
  void takeoverClosesOldConnection(MqttVersion version) throws Exception {
    // An MQTT 5 server sends DISCONNECT 0x8E (Session taken over) to the old connection and closes
    // it [MQTT-3.1.4-3]. MQTT 3.1.1 has no server DISCONNECT, so the old socket just closes. Both
    // brokers publish the old connection's will, which has no Will Delay Interval that the new
    // connection could cancel it within [MQTT-3.1.3-9].
    Integer reason = version == MqttVersion.MQTT_5 ? 0x8E : null;
    String topic = "takeover/" + Scenario.tag(version);
    Takeover expected = new Takeover(reason, List.of(plain(topic + "/will", "old gone", 1)),
        new ConnAck(0x00, true, null), List.of(plain(topic, "after", 1)));

    assertSameOnBoth(port -> SessionScenarios.takeover(port, version), expected);
  }

  @ParameterizedTest
  @EnumSource(value = MqttVersion.class, names = {"MQTT_3_1_1", "MQTT_5"})
  void willOnAbnormalClose(MqttVersion version) throws Exception {
    String tag = Scenario.tag(version);
    boolean v5 = version == MqttVersion.MQTT_5;
    // DISCONNECT 0x00 discards the will [MQTT-3.14.4-3], and MQTT 5's DISCONNECT 0x04 publishes it.
    List<Publish> later = v5 ? List.of(plain("will/v5/with-will", "will-keep-v5 gone", 1)) : List.of();
    Wills expected = new Wills(List.of(plain("will/" + tag + "/crash", "will-crash-" + tag + " gone", 1)),
        v5 ? List.of("will=k") : List.of(), later);

    assertSameOnBoth(port -> SessionScenarios.wills(port, version), expected);
  }

  @Test
  void willDelayInterval() throws Exception {
    // A reconnect within the delay cancels the will [MQTT-3.1.3-9]. A will waits for the delay or
    // for the end of the session, whichever comes first [MQTT-3.1.2-8].
    WillDelay expected = new WillDelay(true,
        List.of(plain("willdelay/b", "b gone", 1), plain("willdelay/c", "c gone", 1)), true);

    assertSameOnBoth(SessionScenarios::willDelay, expected);
  }

  @Test
  void retainedExpiryCountedDown() throws Exception {
    // The brokers differ. A PUBLISH that the server sends MUST carry the Message Expiry Interval
    // minus the time the message waited in the server [MQTT-3.3.2-6], and a retained message waits
    // like any other. FerryMQ counts it down, and HiveMQ CE 2025.5 sends the published 60 s unchanged.
    Publish kept = retained("rexp/t", "kept", 1);

    assertDiffer(RetainedScenarios::retainedExpiry, new RetainedExpiry(kept, true), new RetainedExpiry(kept, false));
  }

  @Test
  void dollarTopicsAndWildcards() throws Exception {
    // The brokers differ. Filters that start with a wildcard MUST NOT match topic names that start
    // with "$" [MQTT-4.7.2-1], which FerryMQ keeps. The server SHOULD also stop clients from using
    // such topics to exchange messages (MQTT 5.0, section 4.7.2). HiveMQ CE 2025.5 does, with
    // DISCONNECT 0x82 (Protocol Error), while FerryMQ routes the message to the "$app/#" subscriber.
    DollarTopic atFerryMq = new DollarTopic(new Reply("PUBACK", List.of(0x00)),
        List.of(plain("$app/x", "dollar", 1)), List.of());
    DollarTopic atHiveMq = new DollarTopic(new Reply("DISCONNECT", List.of(0x82)), List.of(), List.of());

    assertDiffer(SubscriptionScenarios::dollarTopic, atFerryMq, atHiveMq);
  }

  @Test
  void messageExpiryDropsStale() throws Exception {
    // An expired message is not delivered [MQTT-3.3.2-5], and a forwarded one carries the interval
    // minus the time it waited in the server [MQTT-3.3.2-6].
    MessageExpiry expected = new MessageExpiry(List.of(plain("exp/queued", "long", 1)), true, List.of());

    assertSameOnBoth(DeliveryScenarios::messageExpiry, expected);
  }

  // ---- comparison ----

  /** Runs {@code scenario} on both brokers and asserts equal observations, equal to {@code expected}. */
  private static <T> void assertSameOnBoth(Scenario<T> scenario, T expected) throws Exception {
    T reference = observe("HiveMQ CE", hivemq.port(), scenario);
    T observed = observe("FerryMQ", ferrymq.port(), scenario);

    assertEquals(reference, observed, "FerryMQ observed something else than HiveMQ CE");
    assertEquals(expected, observed, "FerryMQ and HiveMQ CE agree, but not with the expected observation");
  }

  /** Runs {@code scenario} on both brokers, where their known observations differ, and asserts each. */
  private static <T> void assertDiffer(Scenario<T> scenario, T expectedAtFerryMq, T expectedAtHiveMq)
      throws Exception {
    T reference = observe("HiveMQ CE", hivemq.port(), scenario);
    T observed = observe("FerryMQ", ferrymq.port(), scenario);

    assertEquals(expectedAtFerryMq, observed, "FerryMQ observation");
    assertEquals(expectedAtHiveMq, reference, "HiveMQ CE observation changed; recheck the comment on this difference");
  }

  private static <T> T observe(String broker, int port, Scenario<T> scenario) throws Exception {
    try {
      return scenario.observe(port);
    } catch (AssertionError e) {
      throw new AssertionError(broker + ": " + e.getMessage(), e);
    }
  }

  private static Publish plain(String topic, String payload, int qos) {
    return new Publish(topic, payload, qos, false, false);
  }

  private static Publish retained(String topic, String payload, int qos) {
    return new Publish(topic, payload, qos, true, false);
  }
}
