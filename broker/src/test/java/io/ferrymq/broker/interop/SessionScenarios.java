package io.ferrymq.broker.interop;

import static io.ferrymq.broker.interop.Scenario.QUIET;
import static io.ferrymq.broker.interop.Scenario.tag;

import io.ferrymq.broker.interop.Probe.ConnAck;
import io.ferrymq.broker.interop.Probe.Delivery;
import io.ferrymq.broker.interop.Probe.Publish;
import io.ferrymq.broker.interop.Probe.Subscription;
import io.ferrymq.broker.interop.Probe.Will;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Differential scripts about connections and sessions: client ids, resumption, takeover and wills. */
final class SessionScenarios {

  private static final int SESSION_EXPIRY_SECONDS = 300;

  private SessionScenarios() {
  }

  /**
   * The CONNACKs for empty client ids. For two MQTT 5 clients with Clean Start 1 and one with Clean
   * Start 0, the record keeps the reason code, whether an id was assigned, and whether the two
   * assigned ids differ. For MQTT 3.1.1 it keeps the CONNACKs with Clean Session 1 and 0.
   */
  record EmptyClientId(int v5ReasonCode, boolean v5AssignedIdPresent, boolean v5AssignedIdsDiffer,
                       int v5CleanStart0ReasonCode, boolean v5CleanStart0AssignedIdPresent,
                       ConnAck v311CleanSession, ConnAck v311PersistentSession) {
  }

  static EmptyClientId emptyClientId(int port) throws Exception {
    try (Probe first = Probe.connect(port, MqttVersion.MQTT_5, "");
         Probe second = Probe.connect(port, MqttVersion.MQTT_5, "");
         Probe persistent = Probe.to(port, MqttVersion.MQTT_5, "").cleanStart(false).connect();
         Probe v311Clean = Probe.connect(port, MqttVersion.MQTT_3_1_1, "");
         Probe v311Persistent = Probe.to(port, MqttVersion.MQTT_3_1_1, "").cleanStart(false).connect()) {
      String firstId = first.connAck().assignedClientId();
      String secondId = second.connAck().assignedClientId();
      return new EmptyClientId(first.connAck().reasonCode(), firstId != null && !firstId.isEmpty(),
          firstId != null && !firstId.equals(secondId),
          persistent.connAck().reasonCode(), persistent.connAck().assignedClientId() != null,
          v311Clean.connAck(), v311Persistent.connAck());
    }
  }

  /**
   * A persistent session's Session Present flags on its first connect, on resuming and with Clean
   * Start 1. The record also keeps what the session receives on resuming, after a publisher sent
   * "q0", "q1" and "q2" at QoS 0, 1 and 2 while it was offline with a QoS 1 subscription.
   */
  record PersistentSession(boolean firstSessionPresent, boolean resumedSessionPresent, List<Publish> queued,
                           boolean cleanStartSessionPresent) {
  }

  static PersistentSession persistentSession(int port, MqttVersion version) throws Exception {
    String tag = tag(version);
    String clientId = "persist-" + tag;
    String topic = "persist/" + tag;
    boolean firstPresent;
    try (Probe client = Probe.to(port, version, clientId).cleanStart(false).sessionExpiry(SESSION_EXPIRY_SECONDS)
        .connect()) {
      firstPresent = client.connAck().sessionPresent();
      client.subscribe(Subscription.of(topic, 1));
      client.disconnect();
    }
    try (Probe publisher = Probe.connect(port, version, "persist-pub-" + tag)) {
      for (int qos = 0; qos <= 2; qos++) {
        publisher.publish(topic, "q" + qos, qos, false);
      }
    }
    boolean resumedPresent;
    List<Publish> queued;
    try (Probe client = Probe.to(port, version, clientId).cleanStart(false).sessionExpiry(SESSION_EXPIRY_SECONDS)
        .connect()) {
      resumedPresent = client.connAck().sessionPresent();
      queued = client.nextPublishes(2);
      queued.addAll(client.arrivalsWithin(QUIET));
      client.disconnect();
    }
    try (Probe client = Probe.to(port, version, clientId).cleanStart(true).connect()) {
      boolean cleanPresent = client.connAck().sessionPresent();
      client.disconnect();
      return new PersistentSession(firstPresent, resumedPresent, queued, cleanPresent);
    }
  }

  /**
   * A QoS 1 and then a QoS 2 publish that a subscriber received and did not acknowledge before its
   * socket closed. The record keeps each as first sent and as resent after the subscriber
   * reconnected with Clean Start 0, the Session Present flags of those reconnects, and whether each
   * resend kept its packet id. Each round leaves only one message unacknowledged, because a broker
   * may hold back later messages until earlier ones are acknowledged (HiveMQ CE 2025.5 does).
   */
  record Redelivery(List<Publish> firstAttempts, List<Boolean> resumedSessionPresent, List<Publish> resent,
                    List<Boolean> samePacketId) {
  }

  static Redelivery redelivery(int port, MqttVersion version) throws Exception {
    String tag = tag(version);
    String clientId = "redeliver-" + tag;
    String topic = "redeliver/" + tag;
    List<Publish> firstAttempts = new ArrayList<>();
    List<Boolean> sessionPresent = new ArrayList<>();
    List<Publish> resent = new ArrayList<>();
    List<Boolean> samePacketId = new ArrayList<>();
    try (Probe publisher = Probe.connect(port, version, "redeliver-pub-" + tag)) {
      for (int qos = 1; qos <= 2; qos++) {
        Delivery first;
        try (Probe subscriber = Probe.to(port, version, clientId).cleanStart(false)
            .sessionExpiry(SESSION_EXPIRY_SECONDS).connect()) {
          if (qos == 1) {
            subscriber.subscribe(Subscription.of(topic, 2));
          }
          subscriber.stopAcknowledging();
          publisher.publish(topic, "qos" + qos, qos, false);
          first = subscriber.nextDelivery();
          subscriber.dropConnection();
        }
        try (Probe subscriber = Probe.to(port, version, clientId).cleanStart(false)
            .sessionExpiry(SESSION_EXPIRY_SECONDS).connect()) {
          Delivery again = subscriber.nextDelivery();
          firstAttempts.add(first.publish());
          sessionPresent.add(subscriber.connAck().sessionPresent());
          resent.add(again.publish());
          samePacketId.add(first.packetId() == again.packetId());
          resent.addAll(subscriber.arrivalsWithin(QUIET));
          subscriber.disconnect();
        }
      }
    }
    return new Redelivery(firstAttempts, sessionPresent, resent, samePacketId);
  }

  /**
   * What happens when a second connection with the same client id and Clean Start 0 takes over.
   * The record keeps the DISCONNECT reason code the first connection gets before it is closed (null
   * when none) and the first connection's will as an observer receives it. That will has no Will
   * Delay Interval. The record also keeps the new CONNACK and what the new connection receives
   * through the subscription that the first one made.
   */
  record Takeover(Integer oldConnectionDisconnectReason, List<Publish> oldConnectionWill, ConnAck newConnAck,
                  List<Publish> atNewConnection) {
  }

  static Takeover takeover(int port, MqttVersion version) throws Exception {
    String tag = tag(version);
    String clientId = "takeover-" + tag;
    String topic = "takeover/" + tag;
    String willTopic = topic + "/will";
    Will will = new Will(willTopic, "old gone", 1, false, null, 0);
    try (Probe observer = Probe.connect(port, version, "takeover-pub-" + tag);
         Probe old = Probe.to(port, version, clientId).cleanStart(false).sessionExpiry(SESSION_EXPIRY_SECONDS)
             .will(will).connect()) {
      observer.subscribe(Subscription.of(willTopic, 1));
      old.subscribe(Subscription.of(topic, 1));

      try (Probe fresh = Probe.to(port, version, clientId).cleanStart(false).sessionExpiry(0).connect()) {
        Integer reason = old.awaitClosed();
        List<Publish> oldWill = observer.arrivalsWithin(QUIET);
        observer.publish(topic, "after", 1, false);
        return new Takeover(reason, oldWill, fresh.connAck(), fresh.nextPublishes(1));
      }
    }
  }

  /**
   * MQTT 5 wills with a Will Delay Interval, in the order an observer receives them. Client A (delay
   * 1 s) reconnects at once, which cancels its will, and the record keeps the Session Present flag of
   * that reconnect. Client B (delay 1 s) stays away, and the record shows whether its will waited for
   * the delay. Client C (delay 5 s) is replaced by a connection with Clean Start 1, which ends its
   * session and so sends its will before the delay.
   */
  record WillDelay(boolean resumedSessionPresent, List<Publish> wills, boolean delayedWillWaited) {
  }

  static WillDelay willDelay(int port) throws Exception {
    MqttVersion v5 = MqttVersion.MQTT_5;
    try (Probe observer = Probe.connect(port, v5, "willdelay-observer")) {
      observer.subscribe(Subscription.of("willdelay/#", 1));

      Probe resumed = Probe.to(port, v5, "willdelay-a").cleanStart(false).sessionExpiry(10)
          .will(new Will("willdelay/a", "a gone", 1, false, null, 1)).connect();
      resumed.dropConnection();
      resumed = Probe.to(port, v5, "willdelay-a").cleanStart(false).sessionExpiry(0).connect();
      boolean sessionPresent = resumed.connAck().sessionPresent();

      Probe delayed = Probe.to(port, v5, "willdelay-b").cleanStart(false).sessionExpiry(10)
          .will(new Will("willdelay/b", "b gone", 1, false, null, 1)).connect();
      delayed.dropConnection();
      long droppedAt = System.nanoTime();
      List<Publish> wills = new ArrayList<>(List.of(observer.nextDelivery().publish()));
      // The broker starts the delay when it notices the close, after droppedAt. The 100 ms slack
      // allows for timers that fire a little early.
      boolean waited = System.nanoTime() - droppedAt >= Duration.ofMillis(900).toNanos();

      Probe replaced = Probe.to(port, v5, "willdelay-c").cleanStart(false).sessionExpiry(60)
          .will(new Will("willdelay/c", "c gone", 1, false, null, 5)).connect();
      try (Probe replacement = Probe.to(port, v5, "willdelay-c").cleanStart(true).connect()) {
        replaced.awaitClosed();
        wills.add(observer.nextDelivery().publish());
        wills.addAll(observer.arrivalsWithin(QUIET));
        replaced.close();
      }
      resumed.disconnect();
      return new WillDelay(sessionPresent, wills, waited);
    }
  }

  /**
   * The wills an observer receives: from a client whose socket closes without DISCONNECT, from one
   * that sends DISCONNECT 0x00, and (MQTT 5 only) from one that sends DISCONNECT 0x04 (Disconnect
   * with Will Message). MQTT 5 wills carry the user property will=k.
   */
  record Wills(List<Publish> afterAbnormalClose, List<String> userProperties, List<Publish> afterLaterDisconnects) {
  }

  static Wills wills(int port, MqttVersion version) throws Exception {
    String tag = tag(version);
    String prefix = "will/" + tag + "/";
    boolean v5 = version == MqttVersion.MQTT_5;
    try (Probe observer = Probe.connect(port, version, "will-observer-" + tag)) {
      observer.subscribe(Subscription.of(prefix + "#", 1));

      Probe crashed = withWill(port, version, "will-crash-" + tag, prefix + "crash");
      crashed.dropConnection();
      Delivery crashWill = observer.nextDelivery();

      Probe polite = withWill(port, version, "will-normal-" + tag, prefix + "normal");
      polite.disconnect();
      List<Publish> later = new ArrayList<>();
      if (v5) {
        Probe keepsWill = withWill(port, version, "will-keep-" + tag, prefix + "with-will");
        keepsWill.disconnect(0x04);
        later.add(observer.nextDelivery().publish());
      }
      later.addAll(observer.arrivalsWithin(QUIET));
      return new Wills(List.of(crashWill.publish()), crashWill.userProperties(), later);
    }
  }

  private static Probe withWill(int port, MqttVersion version, String clientId, String willTopic) throws Exception {
    String[] userProperty = version == MqttVersion.MQTT_5 ? new String[] {"will", "k"} : null;
    Will will = new Will(willTopic, clientId + " gone", 1, false, userProperty, 0);
    return Probe.to(port, version, clientId).will(will).connect();
  }
}
