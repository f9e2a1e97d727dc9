package io.ferrymq.broker.interop;

import static io.ferrymq.broker.interop.Scenario.QUIET;
import static io.ferrymq.broker.interop.Scenario.tag;

import io.ferrymq.broker.interop.Probe.Delivery;
import io.ferrymq.broker.interop.Probe.Publish;
import io.ferrymq.broker.interop.Probe.Subscription;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.awaitility.Awaitility;

/** Differential scripts about routing: QoS, overlapping subscriptions, No Local and message expiry. */
final class DeliveryScenarios {

  private DeliveryScenarios() {
  }

  /**
   * What two subscribers (granted QoS 2 and QoS 1) receive from one publisher at QoS 0, 1 and 2, the
   * acknowledgement codes the publisher gets, and the PUBACK code for a topic without subscribers.
   */
  record QosRoundTrip(List<Integer> subAckCodes, List<List<Integer>> publisherAcks, List<Publish> atQos2Subscriber,
                      List<Publish> atQos1Subscriber, List<Integer> ackWithoutSubscribers) {
  }

  static QosRoundTrip qosRoundTrip(int port, MqttVersion version) throws Exception {
    String tag = tag(version);
    String topic = "qos/" + tag;
    try (Probe high = Probe.connect(port, version, "qos-high-" + tag);
         Probe low = Probe.connect(port, version, "qos-low-" + tag);
         Probe publisher = Probe.connect(port, version, "qos-pub-" + tag)) {
      List<Integer> subAckCodes = new ArrayList<>(high.subscribe(Subscription.of(topic, 2)));
      subAckCodes.addAll(low.subscribe(Subscription.of(topic, 1)));

      List<List<Integer>> acks = new ArrayList<>();
      List<Publish> atHigh = new ArrayList<>();
      List<Publish> atLow = new ArrayList<>();
      for (int qos = 0; qos <= 2; qos++) {
        acks.add(publisher.publish(topic, "m" + qos, qos, false));
        atHigh.add(high.nextDelivery().publish());
        atLow.add(low.nextDelivery().publish());
      }
      List<Integer> unrouted = publisher.publish("qos/nobody/" + tag, "lost", 1, false);
      return new QosRoundTrip(subAckCodes, acks, atHigh, atLow, unrouted);
    }
  }

  /** One copy of a message as the subscriber received it: its QoS and its sorted Subscription Identifiers. */
  record Copy(int qos, List<Integer> subscriptionIds) {
  }

  /**
   * The copies one MQTT 5 client receives when a message matches three of its subscriptions, and
   * when it matches only one. The subscriptions are "ov/+/c" (QoS 1, id 1), "ov/#" (QoS 2, id 2)
   * and "ov/b/+" (QoS 0, no id).
   */
  record OverlappingSubscriptions(List<Integer> subAckCodes, List<Copy> copiesWhenAllMatch,
                                  List<Copy> copiesWhenOneMatches) {
  }

  static OverlappingSubscriptions overlappingSubscriptions(int port) throws Exception {
    try (Probe subscriber = Probe.connect(port, MqttVersion.MQTT_5, "overlap-sub");
         Probe publisher = Probe.connect(port, MqttVersion.MQTT_5, "overlap-pub")) {
      List<Integer> subAckCodes = new ArrayList<>(subscriber.subscribe(1, Subscription.of("ov/+/c", 1)));
      subAckCodes.addAll(subscriber.subscribe(2, Subscription.of("ov/#", 2)));
      subAckCodes.addAll(subscriber.subscribe(Subscription.of("ov/b/+", 0)));

      publisher.publish("ov/b/c", "all", 2, false);
      List<Copy> allMatch = copies(subscriber);
      publisher.publish("ov/x", "one", 1, false);
      List<Copy> oneMatches = copies(subscriber);
      return new OverlappingSubscriptions(subAckCodes, allMatch, oneMatches);
    }
  }

  /**
   * Takes the first copy, then every further copy that arrives before the subscriber has been quiet
   * for {@link Scenario#QUIET}.
   */
  private static List<Copy> copies(Probe subscriber) throws InterruptedException {
    List<Delivery> received = new ArrayList<>(List.of(subscriber.nextDelivery()));
    received.addAll(Probe.deliveriesWithin(QUIET, subscriber).get(0));
    List<Copy> copies = new ArrayList<>();
    received.forEach(d -> copies.add(new Copy(d.publish().qos(), d.subscriptionIds())));
    copies.sort(Comparator.comparingInt(Copy::qos).thenComparing(c -> c.subscriptionIds().toString()));
    return copies;
  }

  /**
   * What an MQTT 5 client receives of its own publishes. It subscribes "nl/own" with No Local and
   * "nl/echo" without, then publishes to both. Another client subscribed to "nl/own" is the control.
   */
  record NoLocal(List<Publish> atPublisher, List<Publish> atOtherClient) {
  }

  static NoLocal noLocal(int port) throws Exception {
    try (Probe self = Probe.connect(port, MqttVersion.MQTT_5, "nolocal-self");
         Probe other = Probe.connect(port, MqttVersion.MQTT_5, "nolocal-other")) {
      self.subscribe(Subscription.of("nl/own", 1).withNoLocal(), Subscription.of("nl/echo", 1));
      other.subscribe(Subscription.of("nl/own", 1));

      self.publish("nl/own", "own", 1, false);
      self.publish("nl/echo", "echo", 1, false);
      List<Publish> atOther = other.nextPublishes(1);
      List<Publish> atSelf = self.nextPublishes(1);
      atSelf.addAll(self.arrivalsWithin(QUIET));
      return new NoLocal(atSelf, atOther);
    }
  }

  /**
   * What a persistent MQTT 5 session receives after two QoS 1 messages waited for it offline for
   * 2 s: "short" with a Message Expiry Interval of 1 s and "long" with 60 s. The record also says
   * whether the forwarded interval of "long" was counted down (50 to 59 s). The last field is what a
   * new subscriber gets of a retained message whose 1 s expiry has passed.
   */
  record MessageExpiry(List<Publish> delivered, boolean longIntervalCountedDown, List<Publish> expiredRetained) {
  }

  static MessageExpiry messageExpiry(int port) throws Exception {
    String clientId = "expiry-sub";
    try (Probe subscriber = Probe.to(port, MqttVersion.MQTT_5, clientId).cleanStart(true).sessionExpiry(300).connect()) {
      subscriber.subscribe(Subscription.of("exp/queued", 1));
      subscriber.disconnect();
    }
    long published;
    try (Probe publisher = Probe.connect(port, MqttVersion.MQTT_5, "expiry-pub")) {
      publisher.publishExpiring("exp/queued", "short", 1, false, 1);
      publisher.publishExpiring("exp/queued", "long", 1, false, 60);
      publisher.publishExpiring("exp/retained", "short-retained", 1, true, 1);
      published = System.nanoTime();
    }
    // Nothing on the wire marks the moment a message expires, so the script lets 2 s pass on the
    // clock. The broker measures the expiry on the same machine's clock.
    long expired = published + Duration.ofMillis(2_000).toNanos();
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> System.nanoTime() - expired >= 0);

    try (Probe late = Probe.connect(port, MqttVersion.MQTT_5, "expiry-late");
         Probe subscriber = Probe.to(port, MqttVersion.MQTT_5, clientId).cleanStart(false).sessionExpiry(0).connect()) {
      late.subscribe(Subscription.of("exp/retained", 1));
      Delivery first = subscriber.nextDelivery();
      boolean countedDown = first.messageExpiryInterval() != null && first.messageExpiryInterval() < 60
          && first.messageExpiryInterval() >= 50;

      List<List<Delivery>> rest = Probe.deliveriesWithin(QUIET, subscriber, late);
      List<Publish> delivered = new ArrayList<>(List.of(first.publish()));
      rest.get(0).forEach(d -> delivered.add(d.publish()));
      List<Publish> expiredRetained = new ArrayList<>();
      rest.get(1).forEach(d -> expiredRetained.add(d.publish()));
      return new MessageExpiry(delivered, countedDown, expiredRetained);
    }
  }
}
