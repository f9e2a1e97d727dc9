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

  InflightEntry(int packetId, OutboundMessage outbound, Phase phase) {
    this.packetId = packetId;
    this.outbound = outbound;
    this.phase = phase;
  }
}
