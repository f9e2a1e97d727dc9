package io.ferrymq.broker.protocol;

import io.ferrymq.spi.Message;
import io.ferrymq.spi.ReasonCode;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnAckVariableHeader;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.BinaryProperty;
import io.netty.handler.codec.mqtt.MqttProperties.IntegerProperty;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttProperties.StringPair;
import io.netty.handler.codec.mqtt.MqttProperties.StringProperty;
import io.netty.handler.codec.mqtt.MqttProperties.UserProperties;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubAckPayload;
import io.netty.handler.codec.mqtt.MqttUnsubAckMessage;
import io.netty.handler.codec.mqtt.MqttUnsubAckPayload;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Builds the netty packets the broker sends, and maps MQTT 5 message properties both ways. */
final class Packets {

  private Packets() {
  }

  static MqttMessage connack(int protocolVersion, ReasonCode reason, boolean sessionPresent, MqttProperties props) {
    MqttConnectReturnCode code = protocolVersion == 5 ? MqttConnectReturnCode.valueOf((byte) reason.value())
        : v3ReturnCode(reason);
    return new MqttConnAckMessage(fixed(MqttMessageType.CONNACK, MqttQoS.AT_MOST_ONCE),
        new MqttConnAckVariableHeader(code, sessionPresent, protocolVersion == 5 ? props : MqttProperties.NO_PROPERTIES));
  }

  /** Maps an MQTT 5 reason code to the nearest MQTT 3.1.1 CONNACK return code (3.2.2.3). */
  static MqttConnectReturnCode v3ReturnCode(ReasonCode reason) {
    return switch (reason) {
      case SUCCESS -> MqttConnectReturnCode.CONNECTION_ACCEPTED;
      case UNSUPPORTED_PROTOCOL_VERSION -> MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION;
      case CLIENT_IDENTIFIER_NOT_VALID -> MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED;
      case BAD_USER_NAME_OR_PASSWORD -> MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD;
      case NOT_AUTHORIZED, BANNED -> MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED;
      default -> MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE;
    };
  }

  static MqttMessage disconnect(ReasonCode reason, String reasonString) {
    MqttProperties props = new MqttProperties();
    if (reasonString != null) {
      props.add(new StringProperty(MqttPropertyType.REASON_STRING.value(), reasonString));
    }
    return new MqttMessage(fixed(MqttMessageType.DISCONNECT, MqttQoS.AT_MOST_ONCE),
        new MqttReasonCodeAndPropertiesVariableHeader((byte) reason.value(), props));
  }

  static MqttMessage pubReply(MqttMessageType type, int packetId, ReasonCode reason) {
    // PUBREL has the fixed-header flags 0010 [MQTT-3.6.1-1]; the other replies have 0000.
    MqttQoS qos = type == MqttMessageType.PUBREL ? MqttQoS.AT_LEAST_ONCE : MqttQoS.AT_MOST_ONCE;
    return new MqttMessage(fixed(type, qos),
        new MqttPubReplyMessageVariableHeader(packetId, (byte) reason.value(), MqttProperties.NO_PROPERTIES));
  }

  static MqttMessage pingresp() {
    return new MqttMessage(fixed(MqttMessageType.PINGRESP, MqttQoS.AT_MOST_ONCE));
  }

  static MqttSubAckMessage suback(int packetId, int[] codes) {
    return new MqttSubAckMessage(fixed(MqttMessageType.SUBACK, MqttQoS.AT_MOST_ONCE),
        new MqttMessageIdAndPropertiesVariableHeader(packetId, MqttProperties.NO_PROPERTIES),
        new MqttSubAckPayload(codes));
  }

  static MqttUnsubAckMessage unsuback(int packetId, short[] codes, int protocolVersion) {
    return new MqttUnsubAckMessage(fixed(MqttMessageType.UNSUBACK, MqttQoS.AT_MOST_ONCE),
        new MqttMessageIdAndPropertiesVariableHeader(packetId, MqttProperties.NO_PROPERTIES),
        protocolVersion == 5 ? new MqttUnsubAckPayload(codes) : new MqttUnsubAckPayload());
  }

  /**
   * Builds an outbound PUBLISH. The payload is wrapped, not copied, so every subscriber's packet
   * shares the message's one array.
   */
  static MqttPublishMessage publish(String topic, int qos, boolean retain, boolean dup, int packetId,
                                    byte[] payload, MqttProperties props) {
    MqttFixedHeader header = new MqttFixedHeader(MqttMessageType.PUBLISH, dup, MqttQoS.valueOf(qos), retain, 0);
    return new MqttPublishMessage(header, new MqttPublishVariableHeader(topic, packetId, props),
        Unpooled.wrappedBuffer(payload));
  }

  /** The MQTT 5 properties of a forwarded message, with the expiry counted down [MQTT-3.3.2-6]. */
  static MqttProperties forwardProperties(Message m, int[] subscriptionIds, long nowMillis) {
    if (subscriptionIds.length == 0 && m.payloadFormatIndicator() == null && m.expiryAtMillis() == Message.NO_EXPIRY
        && m.contentType() == null && m.responseTopic() == null && m.correlationData() == null
        && m.userProperties().isEmpty()) {
      // Most telemetry carries no properties; sharing the empty instance saves an allocation per delivery.
      return MqttProperties.NO_PROPERTIES;
    }
    MqttProperties props = new MqttProperties();
    if (m.payloadFormatIndicator() != null) {
      props.add(new IntegerProperty(MqttPropertyType.PAYLOAD_FORMAT_INDICATOR.value(), m.payloadFormatIndicator()));
    }
    long remaining = m.remainingExpirySeconds(nowMillis);
    if (remaining != Message.NO_EXPIRY) {
      props.add(new IntegerProperty(MqttPropertyType.PUBLICATION_EXPIRY_INTERVAL.value(), (int) remaining));
    }
    if (m.contentType() != null) {
      props.add(new StringProperty(MqttPropertyType.CONTENT_TYPE.value(), m.contentType()));
    }
    if (m.responseTopic() != null) {
      props.add(new StringProperty(MqttPropertyType.RESPONSE_TOPIC.value(), m.responseTopic()));
    }
    if (m.correlationData() != null) {
      props.add(new BinaryProperty(MqttPropertyType.CORRELATION_DATA.value(), m.correlationData()));
    }
    if (!m.userProperties().isEmpty()) {
      UserProperties user = new UserProperties();
      for (Message.UserProperty p : m.userProperties()) {
        user.add(p.name(), p.value());
      }
      props.add(user);
    }
    for (int id : subscriptionIds) {
      props.add(new IntegerProperty(MqttPropertyType.SUBSCRIPTION_IDENTIFIER.value(), id));
    }
    return props;
  }

  /**
   * Returns the size in bytes of the PUBLISH that {@link #publish} builds, so that a packet over the
   * client's Maximum Packet Size is never sent.
   */
  static long publishSize(String topic, int qos, int payloadLength, MqttProperties props, boolean withProperties) {
    long variable = 2L + utf8Length(topic) + (qos > 0 ? 2 : 0);
    if (withProperties) {
      long propsLength = propertiesLength(props);
      variable += varIntSize(propsLength) + propsLength;
    }
    long remaining = variable + payloadLength;
    return 1 + varIntSize(remaining) + remaining;
  }

  private static long propertiesLength(MqttProperties props) {
    long total = 0;
    for (MqttProperties.MqttProperty<?> p : props.listAll()) {
      int id = p.propertyId();
      total += varIntSize(id);
      Object value = p.value();
      if (p instanceof UserProperties user) {
        total -= varIntSize(id);
        for (StringPair pair : user.value()) {
          total += varIntSize(id) + 4 + utf8Length(pair.key) + utf8Length(pair.value);
        }
      } else if (p instanceof StringProperty) {
        total += 2 + utf8Length((String) value);
      } else if (p instanceof BinaryProperty) {
        total += 2 + ((byte[]) value).length;
      } else if (id == MqttPropertyType.SUBSCRIPTION_IDENTIFIER.value()) {
        total += varIntSize((Integer) value);
      } else if (id == MqttPropertyType.PAYLOAD_FORMAT_INDICATOR.value()) {
        total += 1;
      } else if (id == MqttPropertyType.TOPIC_ALIAS.value()) {
        total += 2;
      } else {
        total += 4;
      }
    }
    return total;
  }

  static int varIntSize(long value) {
    if (value < 128) {
      return 1;
    }
    if (value < 16_384) {
      return 2;
    }
    if (value < 2_097_152) {
      return 3;
    }
    return 4;
  }

  static int utf8Length(String s) {
    int ascii = 0;
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        return s.getBytes(StandardCharsets.UTF_8).length;
      }
      ascii++;
    }
    return ascii;
  }

  /** Reads the application-message properties of an inbound MQTT 5 PUBLISH onto {@code builder}. */
  static void readMessageProperties(MqttProperties props, Message.Builder builder) {
    if (props == null || props.isEmpty()) {
      return;
    }
    Integer format = intProperty(props, MqttPropertyType.PAYLOAD_FORMAT_INDICATOR);
    builder.payloadFormatIndicator(format);
    Integer expiry = intProperty(props, MqttPropertyType.PUBLICATION_EXPIRY_INTERVAL);
    if (expiry != null) {
      builder.expiryIntervalSeconds(Integer.toUnsignedLong(expiry));
    }
    builder.contentType(stringProperty(props, MqttPropertyType.CONTENT_TYPE));
    builder.responseTopic(stringProperty(props, MqttPropertyType.RESPONSE_TOPIC));
    MqttProperties.MqttProperty<?> correlation = props.getProperty(MqttPropertyType.CORRELATION_DATA.value());
    if (correlation != null) {
      builder.correlationData((byte[]) correlation.value());
    }
    List<Message.UserProperty> user = userProperties(props);
    if (!user.isEmpty()) {
      builder.userProperties(user);
    }
  }

  static List<Message.UserProperty> userProperties(MqttProperties props) {
    List<Message.UserProperty> out = new ArrayList<>();
    for (MqttProperties.MqttProperty<?> p : props.getProperties(MqttPropertyType.USER_PROPERTY.value())) {
      if (p instanceof UserProperties list) {
        for (StringPair pair : list.value()) {
          out.add(new Message.UserProperty(pair.key, pair.value));
        }
      } else if (p instanceof MqttProperties.UserProperty single) {
        out.add(new Message.UserProperty(single.value().key, single.value().value));
      }
    }
    return out;
  }

  static Integer intProperty(MqttProperties props, MqttPropertyType type) {
    MqttProperties.MqttProperty<?> p = props.getProperty(type.value());
    return p == null ? null : (Integer) p.value();
  }

  static String stringProperty(MqttProperties props, MqttPropertyType type) {
    MqttProperties.MqttProperty<?> p = props.getProperty(type.value());
    return p == null ? null : (String) p.value();
  }

  private static MqttFixedHeader fixed(MqttMessageType type, MqttQoS qos) {
    return new MqttFixedHeader(type, false, qos, false, 0);
  }
}
