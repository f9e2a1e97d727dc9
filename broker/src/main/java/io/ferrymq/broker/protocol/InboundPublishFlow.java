package io.ferrymq.broker.protocol;

import io.ferrymq.broker.config.BrokerConfig;
import io.ferrymq.broker.routing.Topics;
import io.ferrymq.broker.session.Router;
import io.ferrymq.broker.util.RateLimitedLog;
import io.ferrymq.spi.DropReason;
import io.ferrymq.spi.InboundPublish;
import io.ferrymq.spi.InterceptResult;
import io.ferrymq.spi.Message;
import io.ferrymq.spi.PublishInterceptor;
import io.ferrymq.spi.ReasonCode;
import io.ferrymq.spi.storage.QuotaExceededException;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PUBLISH from a client: validation as a flat run of early exits, topic alias resolution, the
 * interceptor chain, routing, then PUBACK or PUBREC. Per-message faults that MQTT 5 lets the broker
 * report in the acknowledgement (not authorized, payload format invalid) are reported there; faults
 * of the connection itself end it through {@link ProtocolViolation}.
 *
 * <p>Order: one client's publishes are routed in the order they arrived, also when an interceptor
 * completes later, because each waits for the previous one's chain to finish.
 */
final class InboundPublishFlow {

  private static final Logger log = LoggerFactory.getLogger(InboundPublishFlow.class);
  private static final long INTERCEPTOR_TIMEOUT_SECONDS = 30;
  // Publishes waiting in the interceptor chain before the broker stops reading the client's socket,
  // so that an interceptor that delays (a throttle) slows the client through TCP instead of letting
  // its publishes pile up in memory. Reading resumes once half of them are through.
  static final int MAX_PENDING_IN_CHAIN = 32;

  private final MqttConnection conn;
  private final Map<Integer, String> topicAliases = new HashMap<>();
  // QoS 1 and 2 publishes received and not yet completed; bounded by the broker's Receive Maximum.
  private int inboundInFlight;
  private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);
  private int pendingInChain;
  private boolean readingPaused;
  // Completes when the acknowledgement of the latest QoS 1 or 2 publish has been written.
  private CompletableFuture<Void> ackTail = CompletableFuture.completedFuture(null);
  private final RateLimitedLog storeFailures = new RateLimitedLog(log, 10_000);

  InboundPublishFlow(MqttConnection conn) {
    this.conn = conn;
  }

  void onPublish(MqttPublishMessage publish) {
    BrokerConfig config = conn.core.config();
    boolean v5 = conn.protocolVersion == 5;
    int qos = publish.fixedHeader().qosLevel().value();
    int packetId = publish.variableHeader().packetId();
    MqttProperties props = publish.variableHeader().properties();

    if (qos > config.maxQos()) {
      throw new ProtocolViolation(ReasonCode.QOS_NOT_SUPPORTED, "PUBLISH QoS " + qos + " above max-qos " + config.maxQos());
    }
    if (publish.fixedHeader().isRetain() && !config.retainAvailable()) {
      throw new ProtocolViolation(ReasonCode.RETAIN_NOT_SUPPORTED, "retained PUBLISH while retain-available is false");
    }
    String topic = resolveTopic(publish.variableHeader().topicName(), props, v5);
    if (!Topics.isValidTopicName(topic)) {
      throw new ProtocolViolation(ReasonCode.TOPIC_NAME_INVALID, "invalid topic name");
    }
    if (qos == 2 && conn.session.hasInboundQos2(packetId)) {
      // A resend of a QoS 2 publish that was already routed: acknowledge again, never route twice.
      conn.channel.write(Packets.pubReply(MqttMessageType.PUBREC, packetId, ReasonCode.SUCCESS));
      return;
    }
    if (qos > 0 && ++inboundInFlight > config.receiveMaximum()) {
      throw new ProtocolViolation(ReasonCode.RECEIVE_MAXIMUM_EXCEEDED,
          "more than " + config.receiveMaximum() + " unacknowledged QoS 1 and 2 publishes");
    }
    if (qos == 2) {
      conn.session.addInboundQos2(packetId);
    }

    byte[] payload = ByteBufUtil.getBytes(publish.payload());
    Message.Builder builder = Message.builder(topic)
        .qos(qos)
        .retain(publish.fixedHeader().isRetain())
        .payload(payload)
        .publisherId(conn.client.clientId());
    if (v5) {
      Packets.readMessageProperties(props, builder);
    }
    Message message = builder.build();
    conn.core.observer().onPublishIn(message);
    if (log.isTraceEnabled()) {
      log.trace("PUBLISH in client={} packetId={} qos={} topic={} bytes={} dup={}", conn.clientId(), packetId, qos,
          topic, payload.length, publish.fixedHeader().isDup());
    }

    InboundPublish inbound = new InboundPublish(message, conn.client, packetId, publish.fixedHeader().isDup());
    conn.readPauses.afterPublish(inbound);

    if (Integer.valueOf(1).equals(message.payloadFormatIndicator()) && !isUtf8(payload)) {
      rejectMessage(message, qos, packetId, ReasonCode.PAYLOAD_FORMAT_INVALID, "payload is not UTF-8 as its format says");
      return;
    }
    if (topic.startsWith("$SYS/")) {
      // $SYS topics carry the broker's own statistics; a client must not be able to forge them.
      conn.core.observer().onDrop(message, null, DropReason.NOT_AUTHORIZED);
      rejectMessage(message, qos, packetId, ReasonCode.NOT_AUTHORIZED, "clients may not publish to $SYS topics");
      return;
    }
    if (!conn.core.mayPublish(conn.client, topic)) {
      conn.core.observer().onDrop(message, null, DropReason.NOT_AUTHORIZED);
      rejectMessage(message, qos, packetId, ReasonCode.NOT_AUTHORIZED, "not authorized to publish to " + topic);
      return;
    }
    List<PublishInterceptor> chain = conn.core.interceptors();
    if (chain.isEmpty() && tail.isDone()) {
      complete(inbound, message, InterceptResult.pass());
      return;
    }
    pendingInChain++;
    if (pendingInChain > MAX_PENDING_IN_CHAIN && !readingPaused) {
      readingPaused = true;
      conn.readPauses.chainFull(true);
      log.debug("reading paused client={} publishes waiting in the interceptor chain={}", conn.clientId(), pendingInChain);
    }
    tail = tail.thenCompose(v -> runChain(chain, 0, inbound, false))
        .handle((result, error) -> {
          InterceptResult verdict = error == null ? result : failedInterceptor(error, message);
          CompletableFuture<Void> done = new CompletableFuture<>();
          conn.context.runOnContext(x -> {
            chainFinished();
            complete(inbound, message, verdict);
            done.complete(null);
          });
          return done;
        })
        .thenCompose(f -> f);
  }

  private void chainFinished() {
    pendingInChain--;
    if (readingPaused && pendingInChain <= MAX_PENDING_IN_CHAIN / 2) {
      readingPaused = false;
      conn.readPauses.chainFull(false);
      log.debug("reading resumed client={}", conn.clientId());
    }
  }

  private String resolveTopic(String topic, MqttProperties props, boolean v5) {
    Integer alias = v5 ? Packets.intProperty(props, MqttPropertyType.TOPIC_ALIAS) : null;
    if (alias == null) {
      if (topic.isEmpty()) {
        throw new ProtocolViolation(ReasonCode.PROTOCOL_ERROR, "empty topic name without a Topic Alias");
      }
      return topic;
    }
    if (alias == 0 || alias > conn.core.config().topicAliasMaximum()) {
      // Alias 0 and aliases above the announced maximum are invalid [MQTT-3.3.2-8, MQTT-3.3.2-9].
      throw new ProtocolViolation(ReasonCode.TOPIC_ALIAS_INVALID, "Topic Alias " + alias + " outside 1.."
          + conn.core.config().topicAliasMaximum());
    }
    if (topic.isEmpty()) {
      String known = topicAliases.get(alias);
      if (known == null) {
        throw new ProtocolViolation(ReasonCode.PROTOCOL_ERROR, "Topic Alias " + alias + " used before it was set");
      }
      return known;
    }
    topicAliases.put(alias, topic);
    return topic;
  }

  /** Runs the interceptors from {@code index} on; the result reports whether any changed the message. */
  private CompletionStage<InterceptResult> runChain(List<PublishInterceptor> chain, int index, InboundPublish publish,
                                                    boolean changed) {
    if (index == chain.size()) {
      return CompletableFuture.completedFuture(changed ? InterceptResult.replace(publish.message()) : InterceptResult.pass());
    }
    CompletionStage<InterceptResult> stage;
    try {
      stage = chain.get(index).onPublish(publish);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return stage.toCompletableFuture().orTimeout(INTERCEPTOR_TIMEOUT_SECONDS, TimeUnit.SECONDS).thenCompose(result -> {
      if (result != null && result.isDrop()) {
        return CompletableFuture.completedFuture(result);
      }
      if (result == null || result.replacement() == null) {
        return runChain(chain, index + 1, publish, changed);
      }
      InboundPublish next = new InboundPublish(result.replacement(), publish.client(), publish.packetId(),
          publish.duplicate());
      return runChain(chain, index + 1, next, true);
    });
  }

  private InterceptResult failedInterceptor(Throwable error, Message message) {
    log.warn("publish interceptor failed client={} topic={} error={}", conn.clientId(), message.topic(), error.toString());
    return InterceptResult.drop(DropReason.INTERCEPTOR_FAILED, ReasonCode.IMPLEMENTATION_SPECIFIC_ERROR);
  }

  /** Routes or drops the publish by the chain's verdict and acknowledges it; on the connection's loop. */
  private void complete(InboundPublish inbound, Message original, InterceptResult verdict) {
    int qos = original.qos();
    int packetId = inbound.packetId();
    if (verdict.isDrop()) {
      conn.core.observer().onDrop(original, null, verdict.dropReason());
      acknowledgeWhenDurable(qos, packetId, verdict.ackReasonCode(),
          qos == 2 ? conn.session.storeInboundQos2(packetId) : null);
      return;
    }
    Message routed = verdict.replacement() == null ? original : verdict.replacement();
    Router.Result result = conn.core.router().route(routed);
    ReasonCode ack = result.receivers() == 0 ? ReasonCode.NO_MATCHING_SUBSCRIBERS : ReasonCode.SUCCESS;
    CompletionStage<Void> durable = result.durable();
    CompletionStage<Void> qos2Stored = qos == 2 ? conn.session.storeInboundQos2(packetId) : null;
    if (qos2Stored != null) {
      durable = durable == null ? qos2Stored : durable.thenCombine(qos2Stored, (a, b) -> null);
    }
    acknowledgeWhenDurable(qos, packetId, ack, durable);
  }

  /**
   * Acknowledges once {@code durable} has completed, keeping PUBACKs and PUBRECs in the order the
   * PUBLISH packets arrived [MQTT-4.6.0-2, MQTT-4.6.0-3]. When a store could not commit the message, the
   * publisher gets no success acknowledgement: MQTT 5 clients get reason 0x80 (Unspecified error), MQTT
   * 3.1.1 clients, which have no such code, are disconnected and will resend.
   */
  private void acknowledgeWhenDurable(int qos, int packetId, ReasonCode reason, CompletionStage<Void> durable) {
    if (qos == 0) {
      return;
    }
    if (durable == null && ackTail.isDone()) {
      acknowledge(qos, packetId, reason);
      return;
    }
    CompletionStage<Void> stored = durable == null ? CompletableFuture.completedFuture(null) : durable;
    CompletableFuture<Void> done = new CompletableFuture<>();
    ackTail.whenComplete((previous, ignored) -> stored.whenComplete((v, error) -> conn.context.runOnContext(x -> {
      try {
        if (error == null) {
          acknowledge(qos, packetId, reason);
        } else {
          storeFailed(qos, packetId, error);
        }
      } finally {
        done.complete(null);
      }
    })));
    ackTail = done;
  }

  private void storeFailed(int qos, int packetId, Throwable error) {
    Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
        ? error.getCause() : error;
    boolean quota = cause instanceof QuotaExceededException;
    if (!quota) {
      storeFailures.warn("store could not commit a publish client={} packetId={} error={}", conn.clientId(),
          packetId, cause.toString());
    }
    if (conn.protocolVersion != 5) {
      // MQTT 3.1.1 has no refusal code: the disconnect makes the client resend later instead.
      conn.disconnect(quota ? ReasonCode.QUOTA_EXCEEDED : ReasonCode.UNSPECIFIED_ERROR, cause.getMessage());
      return;
    }
    acknowledge(qos, packetId, quota ? ReasonCode.QUOTA_EXCEEDED : ReasonCode.UNSPECIFIED_ERROR);
  }

  private void rejectMessage(Message message, int qos, int packetId, ReasonCode reason, String detail) {
    if (qos == 0) {
      throw new ProtocolViolation(reason, detail);
    }
    log.debug("publish rejected client={} packetId={} reason={} ({})", conn.clientId(), packetId, reason, detail);
    if (qos == 2) {
      // A refused QoS 2 publish ends with this PUBREC, so its packet id is free again [MQTT-4.3.3-4].
      conn.session.releaseInboundQos2(packetId);
      inboundInFlight--;
      conn.channel.write(Packets.pubReply(MqttMessageType.PUBREC, packetId, conn.protocolVersion == 5 ? reason : ReasonCode.SUCCESS));
      return;
    }
    acknowledge(qos, packetId, reason);
  }

  private void acknowledge(int qos, int packetId, ReasonCode reason) {
    if (conn.state != MqttConnection.State.CONNECTED) {
      return;
    }
    ReasonCode onWire = conn.protocolVersion == 5 ? reason : ReasonCode.SUCCESS;
    if (qos == 1) {
      inboundInFlight--;
      conn.channel.write(Packets.pubReply(MqttMessageType.PUBACK, packetId, onWire));
    } else if (qos == 2) {
      if (reason.isError()) {
        conn.session.releaseInboundQos2(packetId);
        inboundInFlight--;
      }
      conn.channel.write(Packets.pubReply(MqttMessageType.PUBREC, packetId, onWire));
    }
  }

  /** Completes an inbound QoS 2 flow: PUBREL from the client, PUBCOMP back. */
  void onPubrel(int packetId) {
    boolean known = conn.session.releaseInboundQos2(packetId);
    if (known) {
      inboundInFlight = Math.max(0, inboundInFlight - 1);
    }
    ReasonCode reason = known || conn.protocolVersion != 5 ? ReasonCode.SUCCESS : ReasonCode.PACKET_IDENTIFIER_NOT_FOUND;
    conn.channel.write(Packets.pubReply(MqttMessageType.PUBCOMP, packetId, reason));
  }

  private static boolean isUtf8(byte[] payload) {
    try {
      StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(payload));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }
}
