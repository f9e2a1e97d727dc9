package io.ferrymq.sim.verify;

import io.ferrymq.sim.payload.Payload;
import io.ferrymq.sim.payload.PayloadKind;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks every delivery against the contract of its QoS, as plain state with no I/O.
 *
 * <p>The fleet reports what it does in the order it does it: a receiver subscribes, a publisher records a
 * message before it sends it, the publish completes, a receiver gets it. From that the verifier decides:
 * <ol>
 *   <li>A message is owed to a receiver when the receiver's session was subscribed at publish time and the
 *       delivered QoS (the lower of published and subscription QoS) is 1 or 2.</li>
 *   <li>A message owed and acknowledged to its publisher that never arrives is lost, unless the receiver's
 *       session ended first: then it is abandoned, which no QoS forbids.</li>
 *   <li>A second delivery is a duplicate at QoS 0 and 2, and an allowed redelivery at QoS 1.</li>
 *   <li>A first delivery after a later message of the same publisher, topic and published QoS is reordered:
 *       the server must forward them in the order it received them [MQTT-4.6.0-6].</li>
 *   <li>A delivery that was never published, goes to a receiver that is no party to the stream, or comes at
 *       a higher QoS than the delivered QoS, is unexpected.</li>
 * </ol>
 *
 * <p>Not thread-safe: the owner serializes all calls, see {@code io.ferrymq.sim.fleet.Verification}.
 */
public final class DeliveryVerifier {
    private static final int MAX_EXAMPLES = 20;

    private final Map<String, Receiver> receivers = new HashMap<>();
    private final Map<String, Stream> streams = new HashMap<>();
    private final WillLedger wills = new WillLedger();
    private final RetainedLedger retained = new RetainedLedger();
    private final List<String> examples = new ArrayList<>();
    private final long[] delivered = new long[3];
    private final long[] duplicated = new long[3];
    private long redelivered;
    private long reordered;
    private long unexpected;

    /** Registers a receiver whose subscriptions deliver at most {@code subscriptionQos}; it starts unsubscribed. */
    public void addReceiver(String receiverId, int subscriptionQos) {
        receivers.putIfAbsent(receiverId, new Receiver(receiverId, subscriptionQos));
    }

    /** Marks the receiver's session as subscribed: messages published from now on are owed to it. */
    public void subscribed(String receiverId) {
        receiver(receiverId).subscribed = true;
    }

    /** Marks the receiver's session as gone: what it has not received yet is abandoned, not lost. */
    public void sessionEnded(String receiverId) {
        Receiver receiver = receiver(receiverId);
        receiver.subscribed = false;
        for (Delivery delivery : receiver.deliveries) {
            delivery.abandonPending();
        }
    }

    /** Declares that the publisher's messages on the topic go to exactly these receivers. */
    public void addStream(String publisherId, String topic, List<String> receiverIds) {
        Stream stream = streams.computeIfAbsent(streamKey(publisherId, topic), k -> new Stream(publisherId, topic));
        for (String receiverId : receiverIds) {
            if (stream.deliveryTo(receiverId) == null) {
                Receiver receiver = receiver(receiverId);
                Delivery delivery = new Delivery(stream, receiver);
                stream.deliveries.add(delivery);
                receiver.deliveries.add(delivery);
            }
        }
    }

    /** Records a message before it is sent; {@code seq} counts from 1 per stream. */
    public void published(String publisherId, String topic, long seq, int qos) {
        Stream stream = stream(publisherId, topic);
        stream.publish(seq, qos);
        for (Delivery delivery : stream.deliveries) {
            if (!delivery.receiver.subscribed) {
                delivery.abandoned.set((int) seq);
            }
        }
    }

    /** Records that the publish flow completed: PUBACK for QoS 1, PUBCOMP for QoS 2, written for QoS 0. */
    public void acknowledged(String publisherId, String topic, long seq) {
        stream(publisherId, topic).acknowledged.set((int) seq);
    }

    /** Checks one delivery of a simulated message; {@code deliveredQos} is the QoS of the PUBLISH received. */
    public void received(String receiverId, String topic, Payload payload, int deliveredQos) {
        Stream stream = streams.get(streamKey(payload.publisherId(), topic));
        Delivery delivery = stream == null ? null : stream.deliveryTo(receiverId);
        long seq = payload.seq();
        if (delivery == null || !stream.isPublished(seq)) {
            unexpected("unexpected: " + describe(payload.publisherId(), topic, seq) + " at " + receiverId
                    + " was never published to it");
            return;
        }
        int effectiveQos = delivery.effectiveQos(seq);
        if (deliveredQos > effectiveQos) {
            unexpected("unexpected: " + describe(payload.publisherId(), topic, seq) + " at " + receiverId
                    + " came at QoS " + deliveredQos + " instead of at most " + effectiveQos);
            return;
        }
        if (delivery.received.get((int) seq)) {
            recordRepeat(delivery, seq, effectiveQos);
            return;
        }
        delivery.received.set((int) seq);
        delivered[effectiveQos]++;
        checkOrder(delivery, seq);
    }

    /** Records a delivery whose payload the simulator did not write. */
    public void receivedForeign(String receiverId, String topic) {
        unexpected("unexpected: a message on " + topic + " at " + receiverId + " has no simulator payload");
    }

    /**
     * Records the will of one device connection. A required will must reach every receiver (the device closed
     * its socket); an allowed one may (the broker ended the connection).
     */
    public void willExpected(String deviceId, long connection, boolean required, List<String> receiverIds) {
        wills.expect(deviceId, connection, required, receiverIds);
    }

    public void willReceived(String receiverId, String deviceId, long connection) {
        String violation = wills.received(receiverId, deviceId, connection);
        if (violation != null) {
            addExample(violation);
        }
    }

    /** Records the newest retained value set on a status topic; unconfirmed values are not checked. */
    public void retainedExpected(String topic, PayloadKind kind, long seq, boolean confirmed) {
        retained.expect(topic, kind, seq, confirmed);
    }

    public void retainedConfirmed(String topic, PayloadKind kind, long seq) {
        retained.confirm(topic, kind, seq);
    }

    /** Records a retained message a late subscriber found; call {@link #retainedChecked()} when it is done. */
    public void retainedFound(String topic, Payload payload) {
        retained.found(topic, payload);
    }

    public void retainedChecked() {
        retained.markChecked();
    }

    /** Counts owed, acknowledged messages that have not arrived yet, so a caller can wait for them. */
    public long outstanding() {
        long count = 0;
        for (Stream stream : streams.values()) {
            for (Delivery delivery : stream.deliveries) {
                count += delivery.missing().cardinality();
            }
        }
        return count;
    }

    /** Duplicates at QoS 0 and 2 recorded so far, for live progress. */
    public long duplicatedSoFar() {
        return duplicated[0] + duplicated[1] + duplicated[2];
    }

    /** Computes the verdict from everything recorded so far; messages still missing count as lost. */
    public VerificationResult result() {
        List<String> lines = new ArrayList<>(examples);
        long[] published = new long[3];
        long[] lost = new long[3];
        long[] missedQos0 = new long[1];
        long[] uncertain = new long[2];
        for (Stream stream : streams.values()) {
            stream.published.stream().forEach(seq -> published[stream.qos(seq)]++);
            for (Delivery delivery : stream.deliveries) {
                countMissing(delivery, lost, missedQos0, uncertain, lines);
            }
        }
        long missingWills = wills.missing(lines, MAX_EXAMPLES);
        long[] retainedCounts = retained.compare(lines, MAX_EXAMPLES);
        return new VerificationResult(published, delivered.clone(), lost, duplicated.clone(), redelivered,
                reordered, unexpected, missedQos0[0], uncertain[0], uncertain[1], wills.delivered, missingWills,
                wills.unexpected, retainedCounts[0], retainedCounts[1], retainedCounts[2],
                List.copyOf(lines.subList(0, Math.min(lines.size(), MAX_EXAMPLES))));
    }

    private void countMissing(Delivery delivery, long[] lost, long[] missedQos0, long[] uncertain,
                              List<String> lines) {
        Stream stream = delivery.stream;
        BitSet notReceived = (BitSet) stream.published.clone();
        notReceived.andNot(delivery.received);
        BitSet missing = delivery.missing();
        notReceived.stream().forEach(seq -> {
            int effectiveQos = delivery.effectiveQos(seq);
            if (missing.get(seq)) {
                lost[effectiveQos]++;
                if (lines.size() < MAX_EXAMPLES) {
                    lines.add("lost: " + describe(stream.publisherId, stream.topic, seq) + " (QoS "
                            + effectiveQos + ") at " + delivery.receiver.id);
                }
            } else if (delivery.abandoned.get(seq)) {
                uncertain[1]++;
            } else if (effectiveQos == 0) {
                missedQos0[0]++;
            } else {
                uncertain[0]++;
            }
        });
    }

    private void recordRepeat(Delivery delivery, long seq, int effectiveQos) {
        if (effectiveQos == 1) {
            redelivered++;
            return;
        }
        duplicated[effectiveQos]++;
        addExample("duplicated: " + describe(delivery.stream.publisherId, delivery.stream.topic, seq)
                + " (QoS " + effectiveQos + ") at " + delivery.receiver.id);
    }

    private void checkOrder(Delivery delivery, long seq) {
        int publishedQos = delivery.stream.qos(seq);
        long highest = delivery.highestSeq[publishedQos];
        if (seq > highest) {
            delivery.highestSeq[publishedQos] = seq;
            return;
        }
        reordered++;
        addExample("reordered: " + describe(delivery.stream.publisherId, delivery.stream.topic, seq)
                + " (QoS " + publishedQos + ") arrived after seq " + highest + " at " + delivery.receiver.id);
    }

    private void unexpected(String line) {
        unexpected++;
        addExample(line);
    }

    private void addExample(String line) {
        if (examples.size() < MAX_EXAMPLES) {
            examples.add(line);
        }
    }

    private Receiver receiver(String receiverId) {
        Receiver receiver = receivers.get(receiverId);
        if (receiver == null) {
            throw new IllegalArgumentException("Unknown receiver " + receiverId + "; call addReceiver first");
        }
        return receiver;
    }

    private Stream stream(String publisherId, String topic) {
        Stream stream = streams.get(streamKey(publisherId, topic));
        if (stream == null) {
            throw new IllegalArgumentException("Unknown stream " + publisherId + " " + topic
                    + "; call addStream first");
        }
        return stream;
    }

    private static String streamKey(String publisherId, String topic) {
        return publisherId + '\u0000' + topic;
    }

    private static String describe(String publisherId, String topic, long seq) {
        return publisherId + " " + topic + " seq " + seq;
    }
}
