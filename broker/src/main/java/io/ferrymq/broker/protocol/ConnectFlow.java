package io.ferrymq.broker.protocol;

import io.ferrymq.broker.config.BrokerConfig;
import io.ferrymq.broker.routing.Topics;
import io.ferrymq.broker.session.SessionRegistry;
import io.ferrymq.broker.session.WillMessage;
import io.ferrymq.spi.Authenticator;
import io.ferrymq.spi.ConnectInfo;
import io.ferrymq.spi.Message;
import io.ferrymq.spi.ReasonCode;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectPayload;
import io.netty.handler.codec.mqtt.MqttConnectVariableHeader;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.IntegerProperty;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttProperties.StringProperty;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CONNECT: validation, authentication, session open or takeover, and CONNACK with the MQTT 5
 * properties that tell the client the broker's limits.
 */
final class ConnectFlow {

  private static final Logger log = LoggerFactory.getLogger(ConnectFlow.class);

  private ConnectFlow() {
  }

  static void handle(MqttConnection conn, MqttConnectMessage connect) {
    MqttConnectVariableHeader header = connect.variableHeader();
    MqttConnectPayload payload = connect.payload();
    BrokerConfig config = conn.core.config();
    conn.protocolVersion = header.version();
    conn.state = MqttConnection.State.CONNECTING;
    boolean v5 = conn.protocolVersion == 5;
    MqttProperties props = v5 ? header.properties() : MqttProperties.NO_PROPERTIES;

    String clientId = payload.clientIdentifier() == null ? "" : payload.clientIdentifier();
    boolean assigned = false;
    if (clientId.isEmpty()) {
      // MQTT 5 lets the server assign an id in every case; 3.1.1 only with Clean Session 1 [MQTT-3.1.3-8].
      if (!v5 && !header.isCleanSession()) {
        conn.rejectConnect(ReasonCode.CLIENT_IDENTIFIER_NOT_VALID, "empty client id needs Clean Session 1");
        return;
      }
      clientId = "ferrymq-" + UUID.randomUUID();
      assigned = true;
    }
    if (clientId.length() > config.maxClientIdLength()) {
      conn.rejectConnect(ReasonCode.CLIENT_IDENTIFIER_NOT_VALID,
          "client id longer than max-client-id-length " + config.maxClientIdLength());
      return;
    }
    byte[] passwordBytes = header.hasPassword() ? payload.passwordInBytes() : null;
    conn.client = new ConnectInfo(clientId, header.hasUserName() ? payload.userName() : null, passwordBytes,
        conn.protocolVersion, conn.remoteAddress);

    if (v5 && Packets.stringProperty(props, MqttPropertyType.AUTHENTICATION_METHOD) != null) {
      conn.rejectConnect(ReasonCode.BAD_AUTHENTICATION_METHOD, "enhanced authentication is not supported");
      return;
    }
    Integer receiveMaximum = Packets.intProperty(props, MqttPropertyType.RECEIVE_MAXIMUM);
    if (receiveMaximum != null && receiveMaximum == 0) {
      conn.rejectConnect(ReasonCode.PROTOCOL_ERROR, "Receive Maximum of 0 [MQTT-3.1.2-20]");
      return;
    }
    Integer maxPacket = Packets.intProperty(props, MqttPropertyType.MAXIMUM_PACKET_SIZE);
    if (maxPacket != null && maxPacket == 0) {
      conn.rejectConnect(ReasonCode.PROTOCOL_ERROR, "Maximum Packet Size of 0 [MQTT-3.1.2-24]");
      return;
    }
    WillMessage will = null;
    if (header.isWillFlag()) {
      will = buildWill(conn, header, payload, clientId);
      if (will == null) {
        return;
      }
    }
    conn.clientReceiveMaximum = receiveMaximum == null ? 65535 : receiveMaximum;
    conn.clientMaxPacketSize = maxPacket == null ? Long.MAX_VALUE : Integer.toUnsignedLong(maxPacket);
    Integer problemInfo = Packets.intProperty(props, MqttPropertyType.REQUEST_PROBLEM_INFORMATION);
    conn.problemInformation = problemInfo == null || problemInfo != 0;
    conn.will = will;

    Request request = new Request(header, props, assigned);
    Authenticator authenticator = conn.core.authenticator();
    if (authenticator == null) {
      openSession(conn, request);
      return;
    }
    authenticate(conn, authenticator, request);
  }

  private static void authenticate(MqttConnection conn, Authenticator authenticator, Request request) {
    CompletionStage<ReasonCode> verdict;
    try {
      verdict = authenticator.authenticate(conn.client);
    } catch (RuntimeException e) {
      log.warn("authenticator failed client={} addr={} error={}", conn.clientId(), conn.remoteAddress, e.toString());
      conn.rejectConnect(ReasonCode.UNSPECIFIED_ERROR, "authenticator failed");
      return;
    }
    verdict.toCompletableFuture()
        .orTimeout(conn.core.config().connectTimeoutSeconds(), TimeUnit.SECONDS)
        .whenComplete((reason, error) -> conn.context.runOnContext(v -> {
          if (conn.state != MqttConnection.State.CONNECTING) {
            return;
          }
          if (error != null) {
            log.warn("authenticator failed client={} addr={} error={}", conn.clientId(), conn.remoteAddress, error.toString());
            conn.rejectConnect(ReasonCode.UNSPECIFIED_ERROR, "authenticator failed or timed out");
          } else if (reason != ReasonCode.SUCCESS) {
            conn.rejectConnect(reason, "authenticator rejected the client");
          } else {
            openSession(conn, request);
          }
        }));
  }

  private static WillMessage buildWill(MqttConnection conn, MqttConnectVariableHeader header,
                                       MqttConnectPayload payload, String clientId) {
    BrokerConfig config = conn.core.config();
    String topic = payload.willTopic();
    if (!Topics.isValidTopicName(topic)) {
      conn.rejectConnect(ReasonCode.TOPIC_NAME_INVALID, "invalid will topic");
      return null;
    }
    if (header.willQos() > config.maxQos()) {
      conn.rejectConnect(ReasonCode.QOS_NOT_SUPPORTED, "will QoS above max-qos " + config.maxQos());
      return null;
    }
    if (header.isWillRetain() && !config.retainAvailable()) {
      conn.rejectConnect(ReasonCode.RETAIN_NOT_SUPPORTED, "retained will while retain-available is false");
      return null;
    }
    Message.Builder will = Message.builder(topic)
        .qos(header.willQos())
        .retain(header.isWillRetain())
        .payload(payload.willMessageInBytes())
        .publisherId(clientId);
    long delay = 0;
    MqttProperties willProps = payload.willProperties();
    if (conn.protocolVersion == 5 && willProps != null) {
      Packets.readMessageProperties(willProps, will);
      Integer delayProp = Packets.intProperty(willProps, MqttPropertyType.WILL_DELAY_INTERVAL);
      delay = delayProp == null ? 0 : Integer.toUnsignedLong(delayProp);
    }
    return new WillMessage(will.build(), delay);
  }

  private static void openSession(MqttConnection conn, Request request) {
    BrokerConfig config = conn.core.config();
    boolean v5 = conn.protocolVersion == 5;
    long requestedExpiry;
    if (v5) {
      Integer expiry = Packets.intProperty(request.props, MqttPropertyType.SESSION_EXPIRY_INTERVAL);
      requestedExpiry = expiry == null ? 0 : Integer.toUnsignedLong(expiry);
    } else {
      // A 3.1.1 persistent session has no expiry of its own; it gets the broker's cap.
      requestedExpiry = request.header.isCleanSession() ? 0 : BrokerConfig.SESSION_NEVER_EXPIRES;
    }
    long expiry = Math.min(requestedExpiry, config.maxSessionExpirySeconds());
    conn.core.sessions().open(conn.client.clientId(), request.header.isCleanSession(), expiry, conn.context,
        opened -> completeConnect(conn, request, opened, requestedExpiry, expiry));
  }

  private static void completeConnect(MqttConnection conn, Request request, SessionRegistry.Opened opened,
                                      long requestedExpiry, long expiry) {
    if (conn.state != MqttConnection.State.CONNECTING) {
      // The socket closed while the session was being opened; the session waits for its expiry.
      opened.session().detach(null, conn.will);
      return;
    }
    BrokerConfig config = conn.core.config();
    int keepAlive = request.header.keepAliveTimeSeconds();
    boolean serverKeepAlive = conn.protocolVersion == 5 && config.maxKeepAliveSeconds() > 0
        && (keepAlive == 0 || keepAlive > config.maxKeepAliveSeconds());
    if (serverKeepAlive) {
      keepAlive = config.maxKeepAliveSeconds();
    }
    // The server allows one and a half times the keep alive between two packets from the client.
    conn.channel.keepAlive((int) Math.ceil(keepAlive * 1.5));

    MqttProperties ack = new MqttProperties();
    if (conn.protocolVersion == 5) {
      if (request.assigned) {
        ack.add(new StringProperty(MqttPropertyType.ASSIGNED_CLIENT_IDENTIFIER.value(), conn.client.clientId()));
      }
      if (expiry != requestedExpiry) {
        ack.add(new IntegerProperty(MqttPropertyType.SESSION_EXPIRY_INTERVAL.value(), (int) expiry));
      }
      if (serverKeepAlive) {
        ack.add(new IntegerProperty(MqttPropertyType.SERVER_KEEP_ALIVE.value(), keepAlive));
      }
      ack.add(new IntegerProperty(MqttPropertyType.RECEIVE_MAXIMUM.value(), config.receiveMaximum()));
      ack.add(new IntegerProperty(MqttPropertyType.MAXIMUM_PACKET_SIZE.value(), config.maxPacketSize()));
      ack.add(new IntegerProperty(MqttPropertyType.TOPIC_ALIAS_MAXIMUM.value(), config.topicAliasMaximum()));
      if (config.maxQos() < 2) {
        ack.add(new IntegerProperty(MqttPropertyType.MAXIMUM_QOS.value(), config.maxQos()));
      }
      if (!config.retainAvailable()) {
        ack.add(new IntegerProperty(MqttPropertyType.RETAIN_AVAILABLE.value(), 0));
      }
      Integer responseInfo = Packets.intProperty(request.props, MqttPropertyType.REQUEST_RESPONSE_INFORMATION);
      if (responseInfo != null && responseInfo == 1) {
        ack.add(new StringProperty(MqttPropertyType.RESPONSE_INFORMATION.value(),
            "response/" + conn.client.clientId()));
      }
    }
    conn.session = opened.session();
    conn.state = MqttConnection.State.CONNECTED;
    conn.channel.write(Packets.connack(conn.protocolVersion, ReasonCode.SUCCESS, opened.sessionPresent(), ack));
    log.info("client connected client={} addr={} version={} cleanStart={} sessionPresent={} keepAlive={}s expiry={}s",
        conn.client.clientId(), conn.remoteAddress, conn.protocolVersion, request.header.isCleanSession(),
        opened.sessionPresent(), keepAlive, expiry);
    conn.core.observer().onConnect(conn.client, opened.sessionPresent());
    opened.session().attach(conn);
  }

  private record Request(MqttConnectVariableHeader header, MqttProperties props, boolean assigned) {
  }
}
