package io.ferrymq.broker.protocol;

import io.ferrymq.broker.routing.Subscription;
import io.ferrymq.broker.routing.Topics;
import io.ferrymq.broker.session.OutboundMessage;
import io.ferrymq.spi.Message;
import io.ferrymq.spi.ReasonCode;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttSubscriptionOption;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SUBSCRIBE and UNSUBSCRIBE: one reason code per topic filter, then the retained messages that the
 * new subscriptions ask for, sent after the SUBACK.
 */
final class SubscriptionFlow {

  private static final Logger log = LoggerFactory.getLogger(SubscriptionFlow.class);
  // The SUBACK failure code of MQTT 3.1.1, which has no finer reasons.
  private static final int V3_FAILURE = 0x80;

  private final MqttConnection conn;

  SubscriptionFlow(MqttConnection conn) {
    this.conn = conn;
  }

  void onSubscribe(MqttSubscribeMessage subscribe) {
    int packetId = subscribe.variableHeader().messageId();
    List<MqttTopicSubscription> requests = subscribe.payload().topicSubscriptions();
    if (requests.isEmpty()) {
      // A SUBSCRIBE must name at least one filter [MQTT-3.8.3-3].
      throw new ProtocolViolation(ReasonCode.PROTOCOL_ERROR, "SUBSCRIBE without a topic filter");
    }
    MqttProperties props = subscribe.idAndPropertiesVariableHeader().properties();
    Integer subscriptionId = conn.protocolVersion == 5
        ? Packets.intProperty(props, MqttPropertyType.SUBSCRIPTION_IDENTIFIER) : null;
    if (subscriptionId != null && subscriptionId == 0) {
      throw new ProtocolViolation(ReasonCode.PROTOCOL_ERROR, "Subscription Identifier 0");
    }

    int[] codes = new int[requests.size()];
    List<OutboundMessage> retainedToSend = new ArrayList<>();
    for (int i = 0; i < requests.size(); i++) {
      codes[i] = subscribeOne(requests.get(i), subscriptionId == null ? 0 : subscriptionId, retainedToSend);
    }
    conn.channel.write(Packets.suback(packetId, codes));
    for (OutboundMessage m : retainedToSend) {
      conn.session.deliverRetained(m);
    }
  }

  /** Adds one subscription and returns its SUBACK code. */
  private int subscribeOne(MqttTopicSubscription request, int subscriptionId, List<OutboundMessage> retainedToSend) {
    boolean v5 = conn.protocolVersion == 5;
    String fullFilter = request.topicFilter();
    MqttSubscriptionOption option = request.option();
    Topics.SharedFilter shared;
    try {
      shared = Topics.parseShared(fullFilter);
    } catch (IllegalArgumentException e) {
      log.debug("subscribe rejected client={} filter={} reason={}", conn.clientId(), fullFilter, e.getMessage());
      return v5 ? ReasonCode.TOPIC_FILTER_INVALID.value() : V3_FAILURE;
    }
    String filter = shared == null ? fullFilter : shared.filter();
    if (!Topics.isValidTopicFilter(filter)) {
      log.debug("subscribe rejected client={} filter={} reason=invalid filter", conn.clientId(), fullFilter);
      return v5 ? ReasonCode.TOPIC_FILTER_INVALID.value() : V3_FAILURE;
    }
    if (shared != null && option.isNoLocal()) {
      // No Local on a shared subscription is a protocol error [MQTT-3.8.3-4].
      throw new ProtocolViolation(ReasonCode.PROTOCOL_ERROR, "No Local set on shared subscription " + fullFilter);
    }
    if (!conn.core.maySubscribe(conn.client, fullFilter)) {
      log.debug("subscribe rejected client={} filter={} reason=not authorized", conn.clientId(), fullFilter);
      return v5 ? ReasonCode.NOT_AUTHORIZED.value() : V3_FAILURE;
    }

    int granted = Math.min(option.qos().value(), conn.core.config().maxQos());
    int retainHandling = option.retainHandling().value();
    Subscription subscription = new Subscription(conn.session, filter, shared == null ? null : shared.shareName(),
        granted, option.isNoLocal(), option.isRetainAsPublished(), retainHandling, subscriptionId);
    Subscription previous = conn.core.tree().subscribe(subscription);
    conn.session.putSubscription(subscription);
    if (previous == null) {
      conn.core.observer().onSubscriptionCountChange(1);
    }
    log.debug("subscribed client={} filter={} qos={}", conn.clientId(), fullFilter, granted);

    // Retained messages go out on subscribe, but never to a shared subscription (MQTT 5.0, 4.8.2),
    // for handling 0 always and for handling 1 only when the subscription is new.
    boolean sendRetained = shared == null && (retainHandling == 0 || (retainHandling == 1 && previous == null));
    if (sendRetained) {
      int[] ids = subscriptionId == 0 ? OutboundMessage.NO_IDS : new int[] {subscriptionId};
      for (Message retained : conn.core.retained().matching(filter)) {
        retainedToSend.add(new OutboundMessage(retained, Math.min(retained.qos(), granted), true, ids, null));
      }
    }
    return granted;
  }

  void onUnsubscribe(MqttUnsubscribeMessage unsubscribe) {
    int packetId = unsubscribe.idAndPropertiesVariableHeader().messageId();
    List<String> filters = unsubscribe.payload().topics();
    if (filters.isEmpty()) {
      // An UNSUBSCRIBE must name at least one filter [MQTT-3.10.3-2].
      throw new ProtocolViolation(ReasonCode.PROTOCOL_ERROR, "UNSUBSCRIBE without a topic filter");
    }
    short[] codes = new short[filters.size()];
    for (int i = 0; i < filters.size(); i++) {
      Subscription removed = conn.session.removeSubscription(filters.get(i));
      if (removed == null) {
        codes[i] = (short) ReasonCode.NO_SUBSCRIPTION_EXISTED.value();
        continue;
      }
      if (conn.core.tree().unsubscribe(conn.session, removed.filter(), removed.shareName())) {
        conn.core.observer().onSubscriptionCountChange(-1);
      }
      codes[i] = (short) ReasonCode.SUCCESS.value();
    }
    conn.channel.write(Packets.unsuback(packetId, codes, conn.protocolVersion));
  }
}
