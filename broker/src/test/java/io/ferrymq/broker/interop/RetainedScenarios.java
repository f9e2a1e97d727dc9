package io.ferrymq.broker.interop;

import static io.ferrymq.broker.interop.Scenario.QUIET;
import static io.ferrymq.broker.interop.Scenario.tag;

import io.ferrymq.broker.interop.Probe.Delivery;
import io.ferrymq.broker.interop.Probe.Publish;
import io.ferrymq.broker.interop.Probe.Subscription;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;

/** Differential scripts about retained messages and the MQTT 5 subscription options that shape them. */
final class RetainedScenarios {

  // The payload of a retained message that only marks the end of a subscription's retained messages.
  private static final String MARKER = "marker";

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
      publisher.publish("rap/marker", MARKER, 1, true);
      subscribePastMarker(keep, Subscription.of("rap/#", 1).withRetainAsPublished());
      subscribePastMarker(clear, Subscription.of("rap/#", 1));
      subscribePastMarker(v311, Subscription.of("rap/#", 1));

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
      List<List<Publish>> late = Probe.arrivalsWithin(QUIET, handling0, handling1, handling2);
      handling0Again.addAll(late.get(0));
      return new RetainHandling(handling0First, handling0Again, handling1First, late.get(1), late.get(2));
    }
  }

  /**
   * The retained message that a new subscriber gets after a retained publish, after a replacement at
   * a lower QoS, and after a clear with an empty retained payload. The last field is what a
   * subscriber that was there all along received of those three publishes.
   */
  record RetainedLifecycle(List<Publish> afterSet, List<Publish> afterReplace, List<Publish> afterClear,
                           List<Publish> atLiveSubscriber) {
  }

  static RetainedLifecycle retainedLifecycle(int port, MqttVersion version) throws Exception {
    String tag = tag(version);
    String topic = "rl/" + tag + "/t";
    try (Probe live = Probe.connect(port, version, "rl-live-" + tag);
         Probe publisher = Probe.connect(port, version, "rl-pub-" + tag)) {
      publisher.publish("rl/" + tag + "/marker", MARKER, 1, true);
      subscribePastMarker(live, Subscription.of("rl/" + tag + "/#", 1));

      // Each step waits for the live subscriber's copy before a new subscriber comes, because the
      // QoS 0 publish has no acknowledgement that would show the broker has stored it.
      List<Publish> atLive = new ArrayList<>();
      publisher.publish(topic, "one", 1, true);
      atLive.add(live.nextDelivery().publish());
      List<Publish> afterSet = retainedFor(port, version, "rl-set-" + tag, topic);
      publisher.publish(topic, "two", 0, true);
      atLive.add(live.nextDelivery().publish());
      List<Publish> afterReplace = retainedFor(port, version, "rl-replace-" + tag, topic);
      publisher.publish(topic, "", 1, true);
      atLive.add(live.nextDelivery().publish());
      List<Publish> afterClear = retainedFor(port, version, "rl-clear-" + tag, topic);
      return new RetainedLifecycle(afterSet, afterReplace, afterClear, atLive);
    }
  }

  /**
   * The retained message that a new MQTT 5 subscriber gets 2 s after it was published with a Message
   * Expiry Interval of 60 s, and whether its forwarded interval was counted down (50 to 59 s).
   */
  record RetainedExpiry(Publish delivered, boolean intervalCountedDown) {
  }

  static RetainedExpiry retainedExpiry(int port) throws Exception {
    String topic = "rexp/t";
    long published;
    try (Probe publisher = Probe.connect(port, MqttVersion.MQTT_5, "rexp-pub")) {
      publisher.publishExpiring(topic, "kept", 1, true, 60);
      published = System.nanoTime();
    }
    // Nothing on the wire shows how long a message has waited, so the script lets 2 s pass.
    long waited = published + Duration.ofMillis(2_000).toNanos();
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> System.nanoTime() - waited >= 0);

    try (Probe subscriber = Probe.connect(port, MqttVersion.MQTT_5, "rexp-sub")) {
      subscriber.subscribe(Subscription.of(topic, 1));
      Delivery delivered = subscriber.nextDelivery();
      Integer interval = delivered.messageExpiryInterval();
      return new RetainedExpiry(delivered.publish(), interval != null && interval < 60 && interval >= 50);
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

  /**
   * Subscribes with a filter that matches the retained {@link #MARKER} and takes the marker. Its
   * arrival shows that the broker has sent the subscription's retained messages. Without it, HiveMQ
   * CE 2025.5 was seen to deliver a message retained just after the SUBACK twice: once live and once
   * as a retained message of the new subscription.
   */
  private static void subscribePastMarker(Probe subscriber, Subscription subscription) throws Exception {
    subscriber.subscribe(subscription);
    Publish marker = subscriber.nextDelivery().publish();
    if (!marker.payload().equals(MARKER) || !marker.retain()) {
      throw new AssertionError("expected the retained marker first but got " + marker);
    }
  }
}
