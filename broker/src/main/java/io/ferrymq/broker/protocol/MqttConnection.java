package io.ferrymq.broker.protocol;

import io.ferrymq.broker.BrokerCore;
import io.ferrymq.broker.protocol.VertxMqttAdapter.ClientChannel;
import io.ferrymq.broker.session.OutboundMessage;
import io.ferrymq.broker.session.Session;
import io.ferrymq.broker.session.SessionRegistry;
import io.ferrymq.broker.session.WillMessage;
import io.ferrymq.spi.ConnectInfo;
import io.ferrymq.spi.Message;
import io.ferrymq.spi.ReasonCode;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttIdentifierRejectedException;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: reads packets, keeps the connection's state and writes the replies.
 *
 * <p>Ownership: created on the socket's event loop and used only there. CONNECT is handled by
 * {@link ConnectFlow}, PUBLISH by {@link InboundPublishFlow}, SUBSCRIBE and UNSUBSCRIBE by
 * {@link SubscriptionFlow}; every server-side disconnect goes through {@link #disconnect}, which
 * logs once and is safe to call twice.
 */
public final class MqttConnection implements SessionRegistry.Connection {

  private static final Logger log = LoggerFactory.getLogger(MqttConnection.class);

  enum State {
    AWAITING_CONNECT,
    CONNECTING,
    CONNECTED,
    CLOSED
  }

  final BrokerCore core;
  final ClientChannel channel;
  final Context context;
  final String remoteAddress;
  final ReadPauses readPauses;
  private final InboundPublishFlow publishFlow;
  private final SubscriptionFlow subscriptionFlow;

  State state = State.AWAITING_CONNECT;
  int protocolVersion;
  ConnectInfo client;
  Session session;
  WillMessage will;
  int clientReceiveMaximum = 65535;
  long clientMaxPacketSize = Long.MAX_VALUE;
  boolean problemInformation = true;
  private boolean detached;
  private boolean disconnectedByClient;
  private boolean reportedEnd;
  private ReasonCode endReason = ReasonCode.UNSPECIFIED_ERROR;

  MqttConnection(BrokerCore core, ClientChannel channel, Context context) {
    this.core = core;
    this.channel = channel;
    this.context = context;
    this.remoteAddress = channel.remoteAddress();
    this.readPauses = new ReadPauses(this);
    this.publishFlow = new InboundPublishFlow(this);
    this.subscriptionFlow = new SubscriptionFlow(this);
  }

  /** Takes over the socket that Vert.x MQTT set up; called on the socket's event loop. */
  public static void accept(BrokerCore core, ClientChannel channel, Context context) {
    MqttConnection connection = new MqttConnection(core, channel, context);
    channel.packetHandler(connection::onPacket);
    channel.idleHandler(() -> context.runOnContext(v -> connection.onKeepAliveExpired()));
    channel.closeHandler(v -> connection.onClosed());
    channel.exceptionHandler(connection::onSocketError);
  }

  String clientId() {
    return client == null ? "?" : client.clientId();
  }

  private void onPacket(Object packet) {
    try {
      if (state == State.CLOSED) {
        return;
      }
      if (!(packet instanceof MqttMessage message)) {
        disconnect(ReasonCode.MALFORMED_PACKET, "not an MQTT packet: " + packet.getClass().getSimpleName());
        return;
      }
      if (message.decoderResult().isFailure()) {
        onDecoderFailure(message.decoderResult().cause());
        return;
      }
      dispatch(message);
    } catch (ProtocolViolation v) {
      disconnect(v.reason(), v.getMessage());
    } catch (RuntimeException e) {
      log.error("unexpected failure handling a packet client={} addr={}", clientId(), remoteAddress, e);
      disconnect(ReasonCode.IMPLEMENTATION_SPECIFIC_ERROR, "internal error");
    } finally {
      ReferenceCountUtil.release(packet);
    }
  }

  private void dispatch(MqttMessage message) {
    MqttMessageType type = message.fixedHeader().messageType();
    if (state == State.AWAITING_CONNECT && type != MqttMessageType.CONNECT) {
      // The first packet from a client must be CONNECT [MQTT-3.1.0-1]; no CONNACK or DISCONNECT is due yet.
      log.info("closing connection whose first packet is {} addr={}", type, remoteAddress);
      state = State.CLOSED;
      channel.close();
      return;
    }
    switch (type) {
      case CONNECT -> {
        if (state != State.AWAITING_CONNECT) {
          throw new ProtocolViolation(ReasonCode.PROTOCOL_ERROR, "second CONNECT on one connection");
        }
        ConnectFlow.handle(this, (MqttConnectMessage) message);
      }
      case PUBLISH -> requireConnected(() -> publishFlow.onPublish((MqttPublishMessage) message));
      case PUBACK -> requireConnected(() -> onPuback(message));
      case PUBREC -> requireConnected(() -> onPubrec(message));
      case PUBREL -> requireConnected(() -> publishFlow.onPubrel(packetId(message)));
      case PUBCOMP -> requireConnected(() -> onPubcomp(message));
      case SUBSCRIBE -> requireConnected(() -> subscriptionFlow.onSubscribe((MqttSubscribeMessage) message));
      case UNSUBSCRIBE -> requireConnected(() -> subscriptionFlow.onUnsubscribe((MqttUnsubscribeMessage) message));
      case PINGREQ -> requireConnected(() -> channel.write(Packets.pingresp()));
      case DISCONNECT -> requireConnected(() -> onClientDisconnect(message));
      case AUTH -> throw new ProtocolViolation(ReasonCode.PROTOCOL_ERROR,
          "AUTH without an Authentication Method in CONNECT");
      default -> throw new ProtocolViolation(ReasonCode.PROTOCOL_ERROR, "a client must not send " + type);
    }
  }

  /** Runs {@code action} once CONNACK has gone out; packets that arrive while CONNECT is pending are a protocol error. */
  private void requireConnected(Runnable action) {
    if (state != State.CONNECTED) {
      throw new ProtocolViolation(ReasonCode.PROTOCOL_ERROR, "packet before CONNACK was sent");
    }
    action.run();
  }

  private void onDecoderFailure(Throwable cause) {
    if (cause instanceof MqttUnacceptableProtocolVersionException) {
      // The CONNACK goes out in the 3.1.1 format, which clients of every protocol level can read.
      channel.protocolVersion(4);
      rejectConnect(ReasonCode.UNSUPPORTED_PROTOCOL_VERSION, "unsupported protocol level");
      return;
    }
    if (cause instanceof MqttIdentifierRejectedException) {
      protocolVersion = channel.decodedProtocolVersion();
      rejectConnect(ReasonCode.CLIENT_IDENTIFIER_NOT_VALID, "client id rejected by the decoder");
      return;
    }
    ReasonCode reason = cause instanceof TooLongFrameException ? ReasonCode.PACKET_TOO_LARGE
        : isWildcardTopicFailure(cause) ? ReasonCode.TOPIC_NAME_INVALID
        : ReasonCode.MALFORMED_PACKET;
    if (state == State.AWAITING_CONNECT) {
      protocolVersion = channel.decodedProtocolVersion();
      if (protocolVersion == 5) {
        rejectConnect(reason, "undecodable CONNECT: " + cause.getMessage());
      } else if (looksLikeTlsHandshake(cause)) {
        log.info("closing connection whose first bytes look like a TLS handshake addr={}: connect TLS clients to "
            + "the TLS port (tls-port), or turn off TLS in the client", remoteAddress);
        state = State.CLOSED;
        channel.close();
      } else {
        log.info("closing connection with an undecodable first packet addr={} cause={}", remoteAddress, cause.getMessage());
        state = State.CLOSED;
        channel.close();
      }
      return;
    }
    disconnect(reason, "undecodable packet: " + cause.getMessage());
  }

  /**
   * Returns whether a decoder failure comes from a TLS handshake. A TLS record starts with byte 0x16,
   * which the MQTT decoder reads as CONNECT with the reserved flag bits 2 and 1 set, and netty 4.2
   * reports that with this text.
   */
  static boolean looksLikeTlsHandshake(Throwable cause) {
    String message = cause.getMessage();
    return message != null && message.contains("fixed header of CONNECT message") && message.endsWith("found 3");
  }

  /** netty reports a PUBLISH topic with a wildcard as a generic decoder failure with this text. */
  static boolean isWildcardTopicFailure(Throwable cause) {
    return cause instanceof DecoderException && cause.getMessage() != null
        && cause.getMessage().startsWith("invalid publish topic name");
  }

  // ---- acknowledgements of outbound publishes ----

  private void onPuback(MqttMessage message) {
    int packetId = packetId(message);
    if (!session.onPuback(packetId)) {
      log.debug("PUBACK for a packet id not awaiting one client={} packetId={}", clientId(), packetId);
    }
  }

  private void onPubrec(MqttMessage message) {
    int packetId = packetId(message);
    boolean failed = message.variableHeader() instanceof MqttPubReplyMessageVariableHeader reply
        && (reply.reasonCode() & 0xFF) >= 0x80;
    session.onPubrec(packetId, failed);
  }

  private void onPubcomp(MqttMessage message) {
    int packetId = packetId(message);
    if (!session.onPubcomp(packetId)) {
      log.debug("PUBCOMP for a packet id not awaiting one client={} packetId={}", clientId(), packetId);
    }
  }

  static int packetId(MqttMessage message) {
    return ((MqttMessageIdVariableHeader) message.variableHeader()).messageId();
  }

  // ---- the end of a connection ----

  private void onClientDisconnect(MqttMessage message) {
    int reason = 0;
    MqttProperties props = MqttProperties.NO_PROPERTIES;
    if (message.variableHeader() instanceof MqttReasonCodeAndPropertiesVariableHeader header) {
      reason = header.reasonCode() & 0xFF;
      props = header.properties();
    }
    Integer expiry = Packets.intProperty(props, MqttProperties.MqttPropertyType.SESSION_EXPIRY_INTERVAL);
    if (expiry != null) {
      if (session.expirySeconds() == 0 && expiry != 0) {
        // A session that was to end with the connection cannot be kept by DISCONNECT [MQTT-3.14.2-2].
        throw new ProtocolViolation(ReasonCode.PROTOCOL_ERROR, "DISCONNECT sets a Session Expiry Interval after CONNECT set 0");
      }
      session.expirySeconds(Math.min(Integer.toUnsignedLong(expiry), core.config().maxSessionExpirySeconds()));
    }
    // Only DISCONNECT with reason 0x04 keeps the will; any other normal DISCONNECT discards it [MQTT-3.14.4-3].
    if (reason != ReasonCode.DISCONNECT_WITH_WILL_MESSAGE.value()) {
      will = null;
    }
    disconnectedByClient = true;
    endReason = reason == 0 ? ReasonCode.SUCCESS : ReasonCode.DISCONNECT_WITH_WILL_MESSAGE;
    log.debug("client disconnected client={} addr={} reason=0x{}", clientId(), remoteAddress, Integer.toHexString(reason));
    endConnection();
  }

  private void onKeepAliveExpired() {
    if (state == State.CONNECTED) {
      disconnect(ReasonCode.KEEP_ALIVE_TIMEOUT, "no packet within 1.5 times the keep alive");
    }
  }

  private void onSocketError(Throwable error) {
    log.debug("socket error client={} addr={} error={}", clientId(), remoteAddress, error.toString());
  }

  /**
   * Ends the connection from the broker side: MQTT 5 clients get DISCONNECT with {@code reason},
   * then the socket closes. Logs one line; a second call does nothing.
   */
  void disconnect(ReasonCode reason, String detail) {
    if (state == State.CLOSED) {
      return;
    }
    if (reason == ReasonCode.SERVER_SHUTTING_DOWN || reason == ReasonCode.SESSION_TAKEN_OVER) {
      log.debug("disconnecting client={} addr={} reason={} ({})", clientId(), remoteAddress, reason, detail);
    } else {
      log.info("disconnecting client={} addr={} reason={} ({})", clientId(), remoteAddress, reason, detail);
    }
    if (protocolVersion == 5 && state == State.CONNECTED) {
      channel.write(Packets.disconnect(reason, detail));
    }
    endReason = reason;
    endConnection();
  }

  /** Rejects a CONNECT with a CONNACK carrying {@code reason}, then closes. */
  void rejectConnect(ReasonCode reason, String detail) {
    if (state == State.CLOSED) {
      return;
    }
    log.info("connect rejected client={} addr={} reason={} ({})", client == null ? "?" : client.clientId(),
        remoteAddress, reason, detail);
    core.observer().onConnectRejected(remoteAddress, reason);
    channel.write(Packets.connack(protocolVersion, reason, false, MqttProperties.NO_PROPERTIES));
    state = State.CLOSED;
    channel.close();
  }

  private void endConnection() {
    detachSession();
    state = State.CLOSED;
    channel.close();
  }

  @Override
  public void serverDisconnect(ReasonCode reason, String detail) {
    if (reason == ReasonCode.SERVER_SHUTTING_DOWN) {
      // Wills are for a client's unexpected loss, not for the broker's own shutdown.
      will = null;
    }
    disconnect(reason, detail);
  }

  /** Called by Vert.x when the socket has closed, whoever closed it. */
  private void onClosed() {
    if (state == State.CONNECTED || state == State.CONNECTING) {
      log.debug("connection lost client={} addr={}", clientId(), remoteAddress);
      endReason = ReasonCode.UNSPECIFIED_ERROR;
    }
    boolean wasAccepted = session != null;
    detachSession();
    readPauses.closed();
    state = State.CLOSED;
    if (wasAccepted && client != null && !reportedEnd) {
      reportedEnd = true;
      core.observer().onDisconnect(client, endReason, disconnectedByClient);
    }
  }

  private void detachSession() {
    if (detached || session == null || state != State.CONNECTED) {
      return;
    }
    detached = true;
    session.detach(this, will);
  }

  // ---- what a session needs to write ----

  @Override
  public boolean isWritable() {
    return state == State.CONNECTED && channel.isWritable();
  }

  @Override
  public void whenWritable(Runnable task) {
    channel.whenWritable(task);
  }

  @Override
  public boolean sendPublish(int packetId, OutboundMessage outbound, boolean duplicate) {
    Message message = outbound.message();
    boolean v5 = protocolVersion == 5;
    MqttProperties props = v5 ? Packets.forwardProperties(message, outbound.subscriptionIds(), System.currentTimeMillis())
        : MqttProperties.NO_PROPERTIES;
    if (clientMaxPacketSize != Long.MAX_VALUE
        && Packets.publishSize(message.topic(), outbound.qos(), message.payload().length, props, v5) > clientMaxPacketSize) {
      log.debug("PUBLISH over the client's Maximum Packet Size discarded client={} topic={} max={}", clientId(),
          message.topic(), clientMaxPacketSize);
      return false;
    }
    if (log.isTraceEnabled()) {
      log.trace("PUBLISH out client={} packetId={} qos={} topic={} bytes={} dup={}", clientId(), packetId,
          outbound.qos(), message.topic(), message.payload().length, duplicate);
    }
    channel.write(Packets.publish(message.topic(), outbound.qos(), outbound.retain(), duplicate, packetId,
        message.payload(), props));
    core.observer().onPublishOut(message, outbound.qos());
    return true;
  }

  @Override
  public void sendPubrel(int packetId, boolean packetIdFound) {
    ReasonCode reason = packetIdFound ? ReasonCode.SUCCESS : ReasonCode.PACKET_IDENTIFIER_NOT_FOUND;
    channel.write(Packets.pubReply(MqttMessageType.PUBREL, packetId, reason));
  }

  @Override
  public int receiveMaximum() {
    return clientReceiveMaximum;
  }

  @Override
  public boolean retransmitsWithinConnection() {
    return protocolVersion < 5;
  }
}
