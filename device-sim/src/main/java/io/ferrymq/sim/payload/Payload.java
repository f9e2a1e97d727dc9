package io.ferrymq.sim.payload;

/**
 * Header carried by every simulated message.
 *
 * @param kind         what the message is
 * @param publisherId  client identifier of the publisher
 * @param seq          sequence number, counted from 1 per publisher and topic
 * @param sentAtMicros send time in microseconds since the epoch, from {@link SimClock}
 * @param ref          the command's sequence number in a reply, 0 elsewhere
 */
public record Payload(PayloadKind kind, String publisherId, long seq, long sentAtMicros, long ref) {
}
