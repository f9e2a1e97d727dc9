package io.ferrymq.broker.session;

/**
 * An outbound QoS 1 or 2 publish that the client has not yet completed, keyed by its packet id.
 * The phase says which acknowledgement the broker waits for.
 */
final class InflightEntry {

  enum Phase {
    AWAITING_PUBACK,
    AWAITING_PUBREC,
    AWAITING_PUBCOMP
  }

  final int packetId;
  final OutboundMessage outbound;
  Phase phase;
  // Sends of this message so far, the first one included; kept across reconnects of the session.
  int attempts = 1;
  // When an MQTT 3.1.1 client gets the message again, in System.nanoTime() terms; 0 for never.
  long retransmitAtNanos;

  InflightEntry(int packetId, OutboundMessage outbound, Phase phase) {
    this.packetId = packetId;
    this.outbound = outbound;
    this.phase = phase;
  }
}
