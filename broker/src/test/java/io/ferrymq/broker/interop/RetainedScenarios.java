package io.ferrymq.broker.interop;

import static io.ferrymq.broker.interop.Scenario.QUIET;
import static io.ferrymq.broker.interop.Scenario.tag;

import io.ferrymq.broker.interop.Probe.Publish;
import io.ferrymq.broker.interop.Probe.Subscription;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Differential scripts about retained messages and the MQTT 5 subscription options that shape them. */
final class RetainedScenarios {

  private RetainedScenarios() {
  }

  /**
   * The RETAIN flag that live subscribers see on a retained publish, a plain publish and an empty
   * retained publish (which clears the retained message): an MQTT 5 subscriber with Retain As
   * Published, one without, and an MQTT 3.1.1 subscriber.
   */
  record RetainAsPublished(List<Publish> withRetainAsPublished, List<Publish> withoutRetainAsPublished,
                           List<Publish> atV311Subscriber) {
  }

  static RetainAsPublished retainAsPublished(int port) throws Exception {
    String topic = "rap/t";
    try (Probe keep = Probe.connect(port, MqttVersion.MQTT_5, "rap-keep");
         Probe clear = Probe.connect(port, MqttVersion.MQTT_5, "rap-clear");
         Probe v311 = Probe.connect(port, MqttVersion.MQTT_3_1_1, "rap-v311");
         Probe publisher = Probe.connect(port, MqttVersion.MQTT_5, "rap-pub")) {
      keep.subscribe(Subscription.of(topic, 1).withRetainAsPublished());
      clear.subscribe(Subscription.of(topic, 1));
      v311.subscribe(Subscription.of(topic, 1));

      publisher.publish(topic, "retained", 1, true);
      publisher.publish(topic, "plain", 1, false);
      publisher.publish(topic, "", 1, true);
      return new RetainAsPublished(keep.nextPublishes(3), clear.nextPublishes(3), v311.nextPublishes(3));
    }
  }

  /**
   * What MQTT 5 subscribers receive of one retained message under each Retain Handling value, on a
   * first SUBSCRIBE and on a repeated SUBSCRIBE of the same filter.
   */
  record RetainHandling(List<Publish> handling0First, List<Publish> handling0Again, List<Publish> handling1First,
                        List<Publish> handling1Again, List<Publish> handling2) {
  }

  static RetainHandling retainHandling(int port) throws Exception {
    String topic = "rh/t";
    try (Probe publisher = Probe.connect(port, MqttVersion.MQTT_5, "rh-pub")) {
      publisher.publish(topic, "kept", 1, true);
    }
    try (Probe handling0 = Probe.connect(port, MqttVersion.MQTT_5, "rh-0");
         Probe handling1 = Probe.connect(port, MqttVersion.MQTT_5, "rh-1");
         Probe handling2 = Probe.connect(port, MqttVersion.MQTT_5, "rh-2")) {
      handling0.subscribe(Subscription.of(topic, 1).withRetainHandling(0));
      List<Publish> handling0First = handling0.nextPublishes(1);
      handling0.subscribe(Subscription.of(topic, 1).withRetainHandling(0));
      List<Publish> handling0Again = handling0.nextPublishes(1);
      handling1.subscribe(Subscription.of(topic, 1).withRetainHandling(1));
      List<Publish> handling1First = handling1.nextPublishes(1);
      handling1.subscribe(Subscription.of(topic, 1).withRetainHandling(1));
      handling2.subscribe(Subscription.of(topic, 1).withRetainHandling(2));

      // One quiet window covers every step that expects nothing, including extra copies above.
      List<List<Publish>> late = publishes(Probe.deliveriesWithin(QUIET, handling0, handling1, handling2));
      handling0Again.addAll(late.get(0));
      return new RetainHandling(handling0First, handling0Again, handling1First, late.get(1), late.get(2));
    }
  }

  /**
   * The retained message that a new subscriber gets after a retained publish, after a replacement at
   * a lower QoS, and after a clear with an empty retained payload. The last field is what a
   * subscriber that was there all along received of those three publishes, in payload order.
   */
  record RetainedLifecycle(List<Publish> afterSet, List<Publish> afterReplace, List<Publish> afterClear,
                           List<Publish> atLiveSubscriber) {
  }

  static RetainedLifecycle retainedLifecycle(int port, MqttVersion version) throws Exception {
    String tag = tag(version);
    String topic = "rl/" + tag + "/t";
    String filter = "rl/" + tag + "/#";
    try (Probe live = Probe.connect(port, version, "rl-live-" + tag);
         Probe publisher = Probe.connect(port, version, "rl-pub-" + tag)) {
      live.subscribe(Subscription.of(filter, 1));

      publisher.publish(topic, "one", 1, true);
      List<Publish> afterSet = retainedFor(port, version, "rl-set-" + tag, filter);
      publisher.publish(topic, "two", 0, true);
      List<Publish> afterReplace = retainedFor(port, version, "rl-replace-" + tag, filter);
      publisher.publish(topic, "", 1, true);
      List<Publish> afterClear = retainedFor(port, version, "rl-clear-" + tag, filter);
      // MQTT orders messages only within one QoS level, and "two" is QoS 0 between two QoS 1
      // messages, so the live subscriber's copies are compared in payload order.
      List<Publish> atLive = new ArrayList<>(live.nextPublishes(3));
      atLive.sort(Comparator.comparing(Publish::payload));
      return new RetainedLifecycle(afterSet, afterReplace, afterClear, atLive);
    }
  }

  /** Subscribes a new client at QoS 1 and returns what it receives before it is quiet for {@link Scenario#QUIET}. */
  private static List<Publish> retainedFor(int port, MqttVersion version, String clientId, String filter)
      throws Exception {
    try (Probe subscriber = Probe.connect(port, version, clientId)) {
      subscriber.subscribe(Subscription.of(filter, 1));
      return subscriber.arrivalsWithin(QUIET);
    }
  }

  private static List<List<Publish>> publishes(List<List<Probe.Delivery>> perProbe) {
    List<List<Publish>> result = new ArrayList<>();
    for (List<Probe.Delivery> deliveries : perProbe) {
      List<Publish> visible = new ArrayList<>();
      deliveries.forEach(d -> visible.add(d.publish()));
      result.add(visible);
    }
    return result;
  }
}
