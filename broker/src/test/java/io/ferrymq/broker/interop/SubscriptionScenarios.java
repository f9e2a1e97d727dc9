package io.ferrymq.broker.interop;

import static io.ferrymq.broker.interop.Scenario.QUIET;
import static io.ferrymq.broker.interop.Scenario.tag;

import io.ferrymq.broker.interop.Probe.Publish;
import io.ferrymq.broker.interop.Probe.Reply;
import io.ferrymq.broker.interop.Probe.Subscription;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.util.List;

/** Differential scripts about the broker's replies to SUBSCRIBE and UNSUBSCRIBE. */
final class SubscriptionScenarios {

  private SubscriptionScenarios() {
  }

  /**
   * The UNSUBACK codes for one filter that exists and one that never did, and what still arrives on
   * the unsubscribed filter afterwards.
   */
  record Unsubscribe(List<Integer> unsubAckCodes, List<Publish> afterUnsubscribe) {
  }

  static Unsubscribe unsubscribe(int port, MqttVersion version) throws Exception {
    String tag = tag(version);
    String topic = "unsub/" + tag + "/t";
    try (Probe subscriber = Probe.connect(port, version, "unsub-" + tag);
         Probe publisher = Probe.connect(port, version, "unsub-pub-" + tag)) {
      subscriber.subscribe(Subscription.of(topic, 1));
      List<Integer> codes = subscriber.unsubscribe(topic, "unsub/" + tag + "/never");
      publisher.publish(topic, "after", 1, false);
      return new Unsubscribe(codes, subscriber.arrivalsWithin(QUIET));
    }
  }

  /**
   * The reply to one SUBSCRIBE with a valid filter and two invalid ones ("#" before the last level,
   * and "+" sharing a level with other characters), and whether the connection then still works.
   */
  record InvalidFilter(Reply reply, boolean connectionStillOpen) {
  }

  static InvalidFilter invalidFilter(int port, MqttVersion version) throws Exception {
    String tag = tag(version);
    try (Probe subscriber = Probe.connect(port, version, "badfilter-" + tag)) {
      Reply reply = subscriber.trySubscribe(null,
          Subscription.of("badfilter/" + tag + "/ok", 1),
          Subscription.of("badfilter/" + tag + "/#/x", 1),
          Subscription.of("badfilter/" + tag + "/a+", 1));
      boolean open = reply.packet().equals("SUBACK") && isOpen(subscriber, tag);
      return new InvalidFilter(reply, open);
    }
  }

  /** Checks that the connection still routes: the client publishes to its own valid filter and receives it. */
  private static boolean isOpen(Probe subscriber, String tag) throws Exception {
    subscriber.publish("badfilter/" + tag + "/ok", "still-open", 1, false);
    return subscriber.nextDelivery().publish().payload().equals("still-open");
  }

  /**
   * A QoS 1 publish to "$app/x": the publisher's reply, what a subscriber of "$app/#" receives, and
   * what a subscriber of "#" and "+/x" receives.
   */
  record DollarTopic(Reply publisherReply, List<Publish> atDollarFilter, List<Publish> atWildcardFilters) {
  }

  static DollarTopic dollarTopic(int port) throws Exception {
    try (Probe dollar = Probe.connect(port, MqttVersion.MQTT_5, "dollar-sub");
         Probe wildcards = Probe.connect(port, MqttVersion.MQTT_5, "dollar-wildcards");
         Probe publisher = Probe.connect(port, MqttVersion.MQTT_5, "dollar-pub")) {
      dollar.subscribe(Subscription.of("$app/#", 1));
      // Retain Handling 2 keeps the retained messages of other scripts out of this subscription.
      wildcards.subscribe(Subscription.of("#", 1).withRetainHandling(2),
          Subscription.of("+/x", 1).withRetainHandling(2));

      Reply reply = publisher.tryPublish("$app/x", "dollar");
      List<List<Publish>> received = Probe.arrivalsWithin(QUIET, dollar, wildcards);
      return new DollarTopic(reply, received.get(0), received.get(1));
    }
  }
}
