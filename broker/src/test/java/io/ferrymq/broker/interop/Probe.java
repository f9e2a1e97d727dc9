package io.ferrymq.broker.interop;

import io.ferrymq.broker.testing.RawClient;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.IntegerProperty;
import io.netty.handler.codec.mqtt.MqttProperties.UserProperty;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubscriptionOption;
import io.netty.handler.codec.mqtt.MqttSubscriptionOption.RetainedHandlingPolicy;
import io.netty.handler.codec.mqtt.MqttUnsubAckMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.awaitility.core.TerminalFailureException;

/**
 * A scripted MQTT client for the differential tests. It is built on {@link RawClient}, so it reads
 * every flag and reason code, and it turns what the broker sends into plain values that compare
 * across brokers. Received PUBLISH packets are acknowledged (unless {@link #stopAcknowledging()} was
 * called) and kept in arrival order, and the probe sends PUBCOMP for every PUBREL.
 *
 * <p>Not thread-safe: one test thread drives it, and its Awaitility waits poll in that thread.
 * Acknowledgements of MQTT 3.1.1, which carry no reason code, read as 0x00.
 */
final class Probe implements AutoCloseable {

  private static final long REPLY_TIMEOUT_MILLIS = 10_000;
  // Stands for a packet that readOne handled itself (PUBLISH, PUBREL).
  private static final MqttMessage HANDLED = new MqttMessage(null);
  private static final int KEEP_ALIVE_SECONDS = 60;

  private final RawClient raw;
  private final MqttVersion version;
  private final ConnAck connAck;
  private final Deque<Delivery> deliveries = new ArrayDeque<>();
  private boolean acknowledging = true;
  private boolean closed;
  private Integer disconnectReason;
  private int nextPacketId = 1;

  /** The visible fields of a PUBLISH that the broker sent. */
  record Publish(String topic, String payload, int qos, boolean retain, boolean dup) {
  }

  /** A received PUBLISH with the MQTT 5 properties that the scenarios compare. */
  record Delivery(Publish publish, int packetId, List<Integer> subscriptionIds, List<String> userProperties,
                  String responseTopic, Integer messageExpiryInterval) {
  }

  /** The CONNACK fields, with a null {@code assignedClientId} when the broker assigned none. */
  record ConnAck(int reasonCode, boolean sessionPresent, String assignedClientId) {
  }

  /**
   * The broker's reply to a SUBSCRIBE or a QoS 1 PUBLISH: the SUBACK or PUBACK with its reason codes,
   * a DISCONNECT with its reason code, or {@code CLOSED} with no codes when the socket closed.
   */
  record Reply(String packet, List<Integer> reasonCodes) {
    static final String CLOSED = "CLOSED";
  }

  /** One topic filter of a SUBSCRIBE with its subscription options. */
  record Subscription(String filter, int qos, boolean noLocal, boolean retainAsPublished, int retainHandling) {

    static Subscription of(String filter, int qos) {
      return new Subscription(filter, qos, false, false, 0);
    }

    Subscription withNoLocal() {
      return new Subscription(filter, qos, true, retainAsPublished, retainHandling);
    }

    Subscription withRetainAsPublished() {
      return new Subscription(filter, qos, noLocal, true, retainHandling);
    }

    Subscription withRetainHandling(int value) {
      return new Subscription(filter, qos, noLocal, retainAsPublished, value);
    }
  }

  /**
   * A will message for CONNECT, with {@code userProperty} as a key and value pair (or null for none)
   * and an MQTT 5 Will Delay Interval (0 for none).
   */
  record Will(String topic, String payload, int qos, boolean retain, String[] userProperty, int delaySeconds) {
  }

  private Probe(RawClient raw, MqttVersion version, ConnAck connAck) {
    this.raw = raw;
    this.version = version;
    this.connAck = connAck;
  }

  static Connector to(int port, MqttVersion version, String clientId) {
    return new Connector(port, version, clientId);
  }

  /** Connects with Clean Start 1 and no will. */
  static Probe connect(int port, MqttVersion version, String clientId) throws IOException, InterruptedException {
    return to(port, version, clientId).connect();
  }

  /** The CONNECT settings of one connection; call {@link #connect()} last. */
  static final class Connector {
    private final int port;
    private final MqttVersion version;
    private final String clientId;
    private boolean cleanStart = true;
    private Integer sessionExpirySeconds;
    private Will will;
    private final MqttProperties extraProperties = new MqttProperties();

    private Connector(int port, MqttVersion version, String clientId) {
      this.port = port;
      this.version = version;
      this.clientId = clientId;
    }

    Connector cleanStart(boolean value) {
      this.cleanStart = value;
      return this;
    }

    /** Sets the MQTT 5 Session Expiry Interval, which MQTT 3.1.1 connections ignore. */
    Connector sessionExpiry(int seconds) {
      this.sessionExpirySeconds = seconds;
      return this;
    }

    Connector will(Will value) {
      this.will = value;
      return this;
    }

    /** Adds an MQTT 5 integer property to CONNECT, such as Receive Maximum or Maximum Packet Size. */
    Connector property(int propertyId, int value) {
      extraProperties.add(new IntegerProperty(propertyId, value));
      return this;
    }

    /** Sends CONNECT and waits for CONNACK. A rejected connection still returns a probe to inspect. */
    Probe connect() throws IOException, InterruptedException {
      RawClient raw = new RawClient(port);
      raw.version(version);
      MqttProperties props = new MqttProperties();
      if (version == MqttVersion.MQTT_5 && sessionExpirySeconds != null) {
        props.add(new IntegerProperty(MqttProperties.SESSION_EXPIRY_INTERVAL, sessionExpirySeconds));
      }
      if (version == MqttVersion.MQTT_5) {
        extraProperties.listAll().forEach(props::add);
      }
      MqttMessageBuilders.ConnectBuilder connect = MqttMessageBuilders.connect()
          .protocolVersion(version)
          .clientId(clientId)
          .cleanSession(cleanStart)
          .keepAlive(KEEP_ALIVE_SECONDS)
          .properties(props);
      if (will != null) {
        MqttProperties willProps = new MqttProperties();
        if (will.userProperty() != null) {
          willProps.add(new UserProperty(will.userProperty()[0], will.userProperty()[1]));
        }
        if (will.delaySeconds() > 0) {
          willProps.add(new IntegerProperty(MqttProperties.WILL_DELAY_INTERVAL, will.delaySeconds()));
        }
        connect.willFlag(true)
            .willTopic(will.topic())
            .willMessage(will.payload().getBytes(StandardCharsets.UTF_8))
            .willQoS(MqttQoS.valueOf(will.qos()))
            .willRetain(will.retain())
            .willProperties(willProps);
      }
      raw.send(connect.build());

      MqttMessage reply = raw.next(REPLY_TIMEOUT_MILLIS);
      if (!(reply instanceof MqttConnAckMessage ack)) {
        raw.close();
        throw new AssertionError("expected CONNACK for client " + clientId + " but got " + describe(reply));
      }
      Object assigned = version == MqttVersion.MQTT_5 ? propertyValue(ack.variableHeader().properties(),
          MqttProperties.ASSIGNED_CLIENT_IDENTIFIER) : null;
      ConnAck connAck = new ConnAck(ack.variableHeader().connectReturnCode().byteValue() & 0xFF,
          ack.variableHeader().isSessionPresent(), (String) assigned);
      return new Probe(raw, version, connAck);
    }
  }

  ConnAck connAck() {
    return connAck;
  }

  /** Leaves received QoS 1 and 2 publishes unacknowledged from now on, so the broker has to resend them. */
  void stopAcknowledging() {
    acknowledging = false;
  }

  /** Subscribes and returns the SUBACK reason codes, or fails if the broker sends anything else. */
  List<Integer> subscribe(Subscription... subscriptions) throws IOException, InterruptedException {
    return expectAck(trySubscribe(null, subscriptions), MqttMessageType.SUBACK);
  }

  /** Subscribes with an MQTT 5 Subscription Identifier and returns the SUBACK reason codes. */
  List<Integer> subscribe(int subscriptionId, Subscription... subscriptions) throws IOException, InterruptedException {
    return expectAck(trySubscribe(subscriptionId, subscriptions), MqttMessageType.SUBACK);
  }

  /** Subscribes and returns the broker's reply, SUBACK or not. */
  Reply trySubscribe(Integer subscriptionId, Subscription... subscriptions) throws IOException, InterruptedException {
    int packetId = allocatePacketId();
    MqttMessageBuilders.SubscribeBuilder subscribe = MqttMessageBuilders.subscribe().messageId(packetId);
    for (Subscription s : subscriptions) {
      MqttSubscriptionOption option = new MqttSubscriptionOption(MqttQoS.valueOf(s.qos()), s.noLocal(),
          s.retainAsPublished(), RetainedHandlingPolicy.valueOf(s.retainHandling()));
      subscribe.addSubscription(s.filter(), option);
    }
    if (subscriptionId != null) {
      MqttProperties props = new MqttProperties();
      props.add(new IntegerProperty(MqttProperties.SUBSCRIPTION_IDENTIFIER, subscriptionId));
      subscribe.properties(props);
    }
    raw.send(subscribe.build());

    MqttMessage reply = awaitPacket(MqttMessageType.SUBACK);
    if (reply instanceof MqttSubAckMessage subAck) {
      checkPacketId(packetId, subAck.variableHeader().messageId(), subAck);
      return new Reply("SUBACK", List.copyOf(subAck.payload().reasonCodes()));
    }
    return endReply(reply);
  }

  /** Unsubscribes and returns the UNSUBACK reason codes, which MQTT 3.1.1 does not have (empty list). */
  List<Integer> unsubscribe(String... filters) throws IOException, InterruptedException {
    int packetId = allocatePacketId();
    MqttMessageBuilders.UnsubscribeBuilder unsubscribe = MqttMessageBuilders.unsubscribe().messageId(packetId);
    for (String filter : filters) {
      unsubscribe.addTopicFilter(filter);
    }
    raw.send(unsubscribe.build());

    MqttMessage reply = awaitPacket(MqttMessageType.UNSUBACK);
    if (!(reply instanceof MqttUnsubAckMessage unsubAck)) {
      throw new AssertionError("expected UNSUBACK but got " + endReply(reply));
    }
    checkPacketId(packetId, unsubAck.variableHeader().messageId(), unsubAck);
    List<Integer> codes = new ArrayList<>();
    if (unsubAck.payload() != null) {
      unsubAck.payload().unsubscribeReasonCodes().forEach(code -> codes.add(code & 0xFF));
    }
    return codes;
  }

  /**
   * Publishes and completes the acknowledgement flow. Returns the reason codes of the broker's
   * acknowledgements: none for QoS 0, the PUBACK's for QoS 1, the PUBREC's and the PUBCOMP's for QoS 2.
   */
  List<Integer> publish(String topic, String payload, int qos, boolean retain) throws IOException, InterruptedException {
    return publish(topic, payload, qos, retain, MqttProperties.NO_PROPERTIES);
  }

  List<Integer> publish(String topic, String payload, int qos, boolean retain, MqttProperties props)
      throws IOException, InterruptedException {
    int packetId = sendPublish(topic, payload, qos, retain, props);
    if (qos == 0) {
      return List.of();
    }
    if (qos == 1) {
      return List.of(awaitPubReply(MqttMessageType.PUBACK, packetId));
    }
    int pubrec = awaitPubReply(MqttMessageType.PUBREC, packetId);
    if (pubrec >= 0x80) {
      return List.of(pubrec);
    }
    raw.send(pubReply(MqttMessageType.PUBREL, packetId));
    return List.of(pubrec, awaitPubReply(MqttMessageType.PUBCOMP, packetId));
  }

  /** Publishes at QoS 1 and returns the broker's reply, PUBACK or not. */
  Reply tryPublish(String topic, String payload) throws IOException, InterruptedException {
    int packetId = sendPublish(topic, payload, 1, false, MqttProperties.NO_PROPERTIES);
    MqttMessage reply = awaitPacket(MqttMessageType.PUBACK);
    if (reply == RawClient.CLOSED || reply.fixedHeader().messageType() != MqttMessageType.PUBACK) {
      return endReply(reply);
    }
    return new Reply("PUBACK", List.of(pubReplyCode(reply, packetId)));
  }

  private int sendPublish(String topic, String payload, int qos, boolean retain, MqttProperties props)
      throws IOException {
    int packetId = qos == 0 ? 0 : allocatePacketId();
    raw.send(MqttMessageBuilders.publish()
        .topicName(topic)
        .qos(MqttQoS.valueOf(qos))
        .retained(retain)
        .messageId(packetId)
        .payload(Unpooled.copiedBuffer(payload, StandardCharsets.UTF_8))
        .properties(props)
        .build());
    return packetId;
  }

  /** Publishes with a Message Expiry Interval, an MQTT 5 property. */
  List<Integer> publishExpiring(String topic, String payload, int qos, boolean retain, int expirySeconds)
      throws IOException, InterruptedException {
    MqttProperties props = new MqttProperties();
    props.add(new IntegerProperty(MqttProperties.PUBLICATION_EXPIRY_INTERVAL, expirySeconds));
    return publish(topic, payload, qos, retain, props);
  }

  /** Returns the next PUBLISH from the broker, waiting up to 10 s. */
  Delivery nextDelivery() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(REPLY_TIMEOUT_MILLIS);
    while (deliveries.isEmpty()) {
      long remainingMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (remainingMillis <= 0) {
        throw new AssertionError("no PUBLISH within " + REPLY_TIMEOUT_MILLIS + " ms");
      }
      MqttMessage other = readOne(remainingMillis);
      if (other != null && other != HANDLED) {
        throw new AssertionError("expected PUBLISH but got " + describe(other));
      }
    }
    return deliveries.poll();
  }

  /** Returns the visible fields of the next {@code count} deliveries. */
  List<Publish> nextPublishes(int count) throws InterruptedException {
    List<Publish> result = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      result.add(nextDelivery().publish());
    }
    return result;
  }

  /**
   * Proves with Awaitility that no PUBLISH arrives at any of {@code probes} within {@code window},
   * and returns, per probe, the deliveries not taken yet. A delivery ends the wait at once and
   * becomes part of the result, so a scenario records it instead of failing on the spot.
   */
  static List<List<Delivery>> deliveriesWithin(Duration window, Probe... probes) throws InterruptedException {
    try {
      Awaitility.await()
          .pollInSameThread()
          .pollInterval(Duration.ofMillis(20))
          .during(window)
          .atMost(window.plusSeconds(2))
          .failFast("a PUBLISH arrived", () -> anyDelivery(probes))
          .until(() -> !anyDelivery(probes));
    } catch (TerminalFailureException arrived) {
      // The deliveries are the observation; the caller compares them.
    }
    List<List<Delivery>> result = new ArrayList<>();
    for (Probe probe : probes) {
      probe.drainAvailable();
      result.add(new ArrayList<>(probe.deliveries));
      probe.deliveries.clear();
    }
    return result;
  }

  /** {@link #deliveriesWithin(Duration, Probe...)} reduced to the visible fields. */
  static List<List<Publish>> arrivalsWithin(Duration window, Probe... probes) throws InterruptedException {
    List<List<Publish>> result = new ArrayList<>();
    for (List<Delivery> deliveries : deliveriesWithin(window, probes)) {
      List<Publish> visible = new ArrayList<>();
      deliveries.forEach(d -> visible.add(d.publish()));
      result.add(visible);
    }
    return result;
  }

  /** {@link #arrivalsWithin(Duration, Probe...)} for this probe alone. */
  List<Publish> arrivalsWithin(Duration window) throws InterruptedException {
    return arrivalsWithin(window, this).get(0);
  }

  private static boolean anyDelivery(Probe... probes) throws InterruptedException {
    boolean any = false;
    for (Probe probe : probes) {
      probe.drainAvailable();
      any |= !probe.deliveries.isEmpty();
    }
    return any;
  }

  /** Sends DISCONNECT with reason 0x00 and waits for the broker to close the connection. */
  void disconnect() throws IOException, InterruptedException {
    disconnect(0x00);
  }

  /** Sends DISCONNECT (with {@code reasonCode} in MQTT 5) and waits for the broker to close the connection. */
  void disconnect(int reasonCode) throws IOException, InterruptedException {
    MqttFixedHeader header = new MqttFixedHeader(MqttMessageType.DISCONNECT, false, MqttQoS.AT_MOST_ONCE, false, 0);
    if (version == MqttVersion.MQTT_5) {
      raw.send(new MqttMessage(header,
          new MqttReasonCodeAndPropertiesVariableHeader((byte) reasonCode, MqttProperties.NO_PROPERTIES)));
    } else {
      raw.send(new MqttMessage(header));
    }
    awaitClosed();
    raw.close();
  }

  /** Closes the socket without DISCONNECT, as a crashed client or a lost network would. */
  void dropConnection() throws IOException {
    raw.close();
  }

  /**
   * Waits up to 10 s for the broker to close the connection and returns the reason code of the
   * DISCONNECT it sent first, or null when it closed without one.
   */
  Integer awaitClosed() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(REPLY_TIMEOUT_MILLIS);
    while (!closed) {
      long remainingMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (remainingMillis <= 0) {
        throw new AssertionError("the broker kept the connection open for " + REPLY_TIMEOUT_MILLIS + " ms");
      }
      MqttMessage other = readOne(remainingMillis);
      if (other != null && other != HANDLED && other != RawClient.CLOSED
          && other.fixedHeader().messageType() != MqttMessageType.DISCONNECT) {
        throw new AssertionError("expected the connection to close but got " + describe(other));
      }
    }
    return disconnectReason;
  }

  @Override
  public void close() throws IOException {
    raw.close();
  }

  // ---- reading ----

  /**
   * Waits for a packet of type {@code expected}, handling PUBLISH and PUBREL on the way. Returns the
   * packet, a DISCONNECT from the broker, or {@link RawClient#CLOSED}.
   */
  private MqttMessage awaitPacket(MqttMessageType expected) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(REPLY_TIMEOUT_MILLIS);
    while (true) {
      long remainingMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (remainingMillis <= 0) {
        throw new AssertionError("no " + expected + " within " + REPLY_TIMEOUT_MILLIS + " ms");
      }
      MqttMessage packet = readOne(remainingMillis);
      if (packet == null || packet == HANDLED) {
        continue;
      }
      MqttMessageType type = packet == RawClient.CLOSED ? null : packet.fixedHeader().messageType();
      if (type == null || type == expected || type == MqttMessageType.DISCONNECT) {
        return packet;
      }
      throw new AssertionError("expected " + expected + " but got " + describe(packet));
    }
  }

  private int awaitPubReply(MqttMessageType expected, int packetId) throws InterruptedException {
    MqttMessage reply = awaitPacket(expected);
    if (reply == RawClient.CLOSED || reply.fixedHeader().messageType() != expected) {
      throw new AssertionError("expected " + expected + " for packet id " + packetId + " but got " + endReply(reply));
    }
    return pubReplyCode(reply, packetId);
  }

  private static int pubReplyCode(MqttMessage reply, int packetId) {
    Object header = reply.variableHeader();
    if (header instanceof MqttPubReplyMessageVariableHeader v5) {
      checkPacketId(packetId, v5.messageId(), reply);
      return v5.reasonCode() & 0xFF;
    }
    checkPacketId(packetId, ((MqttMessageIdVariableHeader) header).messageId(), reply);
    return 0x00;
  }

  /** Handles every packet received so far. Only PUBLISH and PUBREL are expected here, and anything else fails. */
  private void drainAvailable() throws InterruptedException {
    while (!closed) {
      MqttMessage packet = readOne(0);
      if (packet == null) {
        return;
      }
      if (packet != HANDLED && packet != RawClient.CLOSED) {
        throw new AssertionError("expected only PUBLISH packets but got " + describe(packet));
      }
    }
  }

  /**
   * Reads one packet within {@code timeoutMillis}: returns null on silence, {@link #HANDLED} for a
   * PUBLISH or PUBREL handled here, and any other packet (a DISCONNECT is recorded first) or the end
   * of the stream as it is.
   */
  private MqttMessage readOne(long timeoutMillis) throws InterruptedException {
    if (closed) {
      return RawClient.CLOSED;
    }
    MqttMessage packet = raw.poll(timeoutMillis);
    if (packet == null) {
      return null;
    }
    if (packet == RawClient.CLOSED) {
      closed = true;
      return packet;
    }
    try {
      switch (packet.fixedHeader().messageType()) {
        case PUBLISH -> {
          onPublish((MqttPublishMessage) packet);
          return HANDLED;
        }
        case PUBREL -> {
          raw.send(pubReply(MqttMessageType.PUBCOMP, packetIdOf(packet)));
          return HANDLED;
        }
        case DISCONNECT -> {
          disconnectReason = packet.variableHeader() instanceof MqttReasonCodeAndPropertiesVariableHeader h
              ? h.reasonCode() & 0xFF : 0x00;
          return packet;
        }
        default -> {
          return packet;
        }
      }
    } catch (IOException e) {
      throw new AssertionError("failed to acknowledge " + describe(packet), e);
    }
  }

  private void onPublish(MqttPublishMessage publish) throws IOException {
    int qos = publish.fixedHeader().qosLevel().value();
    int packetId = publish.variableHeader().packetId();
    MqttProperties props = publish.variableHeader().properties();
    List<Integer> subscriptionIds = new ArrayList<>();
    List<String> userProperties = new ArrayList<>();
    if (props != null) {
      props.getProperties(MqttProperties.SUBSCRIPTION_IDENTIFIER)
          .forEach(p -> subscriptionIds.add((Integer) p.value()));
      props.getProperties(MqttProperties.USER_PROPERTY)
          .forEach(p -> userProperties.add(((UserProperty) p).value().key + "=" + ((UserProperty) p).value().value));
    }
    subscriptionIds.sort(null);
    Publish visible = new Publish(publish.variableHeader().topicName(),
        publish.payload().toString(StandardCharsets.UTF_8), qos, publish.fixedHeader().isRetain(),
        publish.fixedHeader().isDup());
    deliveries.add(new Delivery(visible, packetId, List.copyOf(subscriptionIds), List.copyOf(userProperties),
        (String) propertyValue(props, MqttProperties.RESPONSE_TOPIC),
        (Integer) propertyValue(props, MqttProperties.PUBLICATION_EXPIRY_INTERVAL)));
    RawClient.release(publish);

    if (acknowledging && qos == 1) {
      raw.send(pubReply(MqttMessageType.PUBACK, packetId));
    } else if (acknowledging && qos == 2) {
      raw.send(pubReply(MqttMessageType.PUBREC, packetId));
    }
  }

  // ---- helpers ----

  private MqttMessage pubReply(MqttMessageType type, int packetId) {
    // PUBREL has the fixed-header flags 0010, and the other acknowledgements have 0000.
    MqttQoS flags = type == MqttMessageType.PUBREL ? MqttQoS.AT_LEAST_ONCE : MqttQoS.AT_MOST_ONCE;
    MqttFixedHeader header = new MqttFixedHeader(type, false, flags, false, 0);
    if (version == MqttVersion.MQTT_5) {
      return new MqttMessage(header, new MqttPubReplyMessageVariableHeader(packetId, (byte) 0, MqttProperties.NO_PROPERTIES));
    }
    return new MqttMessage(header, MqttMessageIdVariableHeader.from(packetId));
  }

  private int allocatePacketId() {
    int id = nextPacketId;
    nextPacketId = id == 65535 ? 1 : id + 1;
    return id;
  }

  private static int packetIdOf(MqttMessage packet) {
    return ((MqttMessageIdVariableHeader) packet.variableHeader()).messageId();
  }

  private static void checkPacketId(int sent, int received, MqttMessage reply) {
    if (sent != received) {
      throw new AssertionError("packet id " + received + " in " + describe(reply) + " does not match the sent " + sent);
    }
  }

  private List<Integer> expectAck(Reply reply, MqttMessageType expected) {
    if (!reply.packet().equals(expected.name())) {
      throw new AssertionError("expected " + expected + " but got " + reply);
    }
    return reply.reasonCodes();
  }

  private Reply endReply(MqttMessage packet) {
    if (packet == RawClient.CLOSED) {
      return new Reply(Reply.CLOSED, List.of());
    }
    if (packet.fixedHeader().messageType() == MqttMessageType.DISCONNECT) {
      return new Reply("DISCONNECT", List.of(disconnectReason));
    }
    return new Reply(packet.fixedHeader().messageType().name(), List.of());
  }

  private static Object propertyValue(MqttProperties props, int propertyId) {
    if (props == null) {
      return null;
    }
    MqttProperties.MqttProperty<?> property = props.getProperty(propertyId);
    return property == null ? null : property.value();
  }

  private static String describe(MqttMessage packet) {
    if (packet == RawClient.CLOSED) {
      return "the end of the connection";
    }
    String text = packet.toString();
    if (packet instanceof MqttPublishMessage publish) {
      text += " payload=" + ByteBufUtil.hexDump(publish.payload());
    }
    return text;
  }
}
