package io.ferrymq.broker.protocol;

import io.ferrymq.spi.ReasonCode;

/**
 * A client broke the protocol badly enough that the connection ends: MQTT 5 clients get DISCONNECT
 * with the reason code, MQTT 3.1.1 clients a closed socket. Thrown by packet handlers and turned into
 * the disconnect in one place, {@code MqttConnection}.
 */
final class ProtocolViolation extends RuntimeException {

  private static final long serialVersionUID = 1L;
  private final transient ReasonCode reason;

  ProtocolViolation(ReasonCode reason, String detail) {
    super(detail, null, false, false);
    this.reason = reason;
  }

  ReasonCode reason() {
    return reason;
  }
}
