package io.ferrymq.spi;

/**
 * A PUBLISH as it reached the broker, given to {@link PublishInterceptor}s.
 *
 * @param message the application message, already validated
 * @param client who sent it
 * @param packetId the packet identifier, 0 for QoS 0
 * @param duplicate the DUP flag: the client says it may have sent this packet before
 */
public record InboundPublish(Message message, ConnectInfo client, int packetId, boolean duplicate) {
}
