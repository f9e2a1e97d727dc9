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
}
