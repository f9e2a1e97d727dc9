package io.ferrymq.spi;

/**
 * MQTT 5 reason codes that the broker and extensions return, with their values from the MQTT 5.0
 * specification, section 2.4. For MQTT 3.1.1 clients the broker maps them to the nearest CONNACK
 * return code or closes the connection, since 3.1.1 has no reason codes on other packets.
 */
public enum ReasonCode {
  SUCCESS(0x00),
  NO_MATCHING_SUBSCRIBERS(0x10),
  NO_SUBSCRIPTION_EXISTED(0x11),
  DISCONNECT_WITH_WILL_MESSAGE(0x04),
  UNSPECIFIED_ERROR(0x80),
  MALFORMED_PACKET(0x81),
  PROTOCOL_ERROR(0x82),
  IMPLEMENTATION_SPECIFIC_ERROR(0x83),
  UNSUPPORTED_PROTOCOL_VERSION(0x84),
  CLIENT_IDENTIFIER_NOT_VALID(0x85),
  BAD_USER_NAME_OR_PASSWORD(0x86),
  NOT_AUTHORIZED(0x87),
  SERVER_UNAVAILABLE(0x88),
  SERVER_BUSY(0x89),
  BANNED(0x8A),
  SERVER_SHUTTING_DOWN(0x8B),
  BAD_AUTHENTICATION_METHOD(0x8C),
  KEEP_ALIVE_TIMEOUT(0x8D),
  SESSION_TAKEN_OVER(0x8E),
  TOPIC_FILTER_INVALID(0x8F),
  TOPIC_NAME_INVALID(0x90),
  PACKET_IDENTIFIER_IN_USE(0x91),
  PACKET_IDENTIFIER_NOT_FOUND(0x92),
  RECEIVE_MAXIMUM_EXCEEDED(0x93),
  TOPIC_ALIAS_INVALID(0x94),
  PACKET_TOO_LARGE(0x95),
  MESSAGE_RATE_TOO_HIGH(0x96),
  QUOTA_EXCEEDED(0x97),
  ADMINISTRATIVE_ACTION(0x98),
  PAYLOAD_FORMAT_INVALID(0x99),
  RETAIN_NOT_SUPPORTED(0x9A),
  QOS_NOT_SUPPORTED(0x9B),
  SHARED_SUBSCRIPTIONS_NOT_SUPPORTED(0x9E),
  CONNECTION_RATE_EXCEEDED(0x9F),
  SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED(0xA1),
  WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED(0xA2);

  private final int value;

  ReasonCode(int value) {
    this.value = value;
  }

  /** The byte on the wire. */
  public int value() {
    return value;
  }

  public boolean isError() {
    return value >= 0x80;
  }
}
