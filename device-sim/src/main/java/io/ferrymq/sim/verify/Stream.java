package io.ferrymq.sim.verify;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/** Messages of one publisher on one topic, by sequence number; owned by {@link DeliveryVerifier}. */
final class Stream {
    final String publisherId;
    final String topic;
    final List<Delivery> deliveries = new ArrayList<>();
    final BitSet published = new BitSet();
    /** Sequence numbers published at QoS 1 or 2. */
    final BitSet reliable = new BitSet();
    /** Sequence numbers whose publish flow completed: PUBACK or PUBCOMP received, or QoS 0 written. */
    final BitSet acknowledged = new BitSet();
    private byte[] qosBySeq = new byte[16];

    Stream(String publisherId, String topic) {
        this.publisherId = publisherId;
        this.topic = topic;
    }

    void publish(long seq, int qos) {
        int index = Math.toIntExact(seq);
        if (index >= qosBySeq.length) {
            qosBySeq = Arrays.copyOf(qosBySeq, Math.max(index + 1, qosBySeq.length * 2));
        }
        qosBySeq[index] = (byte) qos;
        published.set(index);
        if (qos > 0) {
            reliable.set(index);
        }
    }

    boolean isPublished(long seq) {
        return seq > 0 && seq <= Integer.MAX_VALUE && published.get((int) seq);
    }

    int qos(long seq) {
        return qosBySeq[(int) seq];
    }

    Delivery deliveryTo(String receiverId) {
        for (Delivery delivery : deliveries) {
            if (delivery.receiver.id.equals(receiverId)) {
                return delivery;
            }
        }
        return null;
    }
}
