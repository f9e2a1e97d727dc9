package io.ferrymq.sim.verify;

import java.util.BitSet;

/** Record of what one receiver got of one publisher stream; owned by {@link DeliveryVerifier}. */
final class Delivery {
    final Stream stream;
    final Receiver receiver;
    /** Sequence numbers received at least once. */
    final BitSet received = new BitSet();
    /**
     * Sequence numbers this receiver is no longer owed: published while its session was absent, or still
     * undelivered when its session ended.
     */
    final BitSet abandoned = new BitSet();
    /** Highest sequence number received so far, per published QoS. */
    final long[] highestSeq = new long[3];

    Delivery(Stream stream, Receiver receiver) {
        this.stream = stream;
        this.receiver = receiver;
    }

    int effectiveQos(long seq) {
        return Math.min(stream.qos(seq), receiver.subscriptionQos);
    }

    /** Abandons every published message not received yet. */
    void abandonPending() {
        BitSet pending = (BitSet) stream.published.clone();
        pending.andNot(received);
        abandoned.or(pending);
    }

    /** Acknowledged messages owed at QoS 1 or 2 that have not arrived. */
    BitSet missing() {
        BitSet missing = (BitSet) stream.acknowledged.clone();
        if (receiver.subscriptionQos == 0) {
            missing.clear();
            return missing;
        }
        missing.and(stream.reliable);
        missing.andNot(received);
        missing.andNot(abandoned);
        return missing;
    }
}
