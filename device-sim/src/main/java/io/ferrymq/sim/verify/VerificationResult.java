package io.ferrymq.sim.verify;

import java.util.List;

/**
 * Verdict of a run. Arrays indexed by QoS hold the figure for QoS 0, 1 and 2; for deliveries the index is the
 * delivered QoS, the lower of the published and the subscription QoS.
 *
 * @param published        messages published, by published QoS
 * @param delivered        first deliveries, by delivered QoS
 * @param lost             acknowledged messages owed at QoS 1 or 2 that never arrived (broken promise)
 * @param duplicated       second and later deliveries at QoS 0 or 2 (broken promise)
 * @param redelivered      second and later deliveries at QoS 1, which QoS 1 allows
 * @param reordered        first deliveries after a later message of the same publisher, topic and QoS
 * @param unexpected       deliveries never published, sent to the wrong receiver, or at a higher QoS
 * @param notDeliveredQos0 QoS 0 messages that never arrived, which QoS 0 allows
 * @param unconfirmed      QoS 1 or 2 messages whose publish never completed and that never arrived
 * @param abandoned        messages owed to a session that ended first and that never arrived
 * @param wills            will deliveries that were required and arrived
 * @param missingWills     required will deliveries that never arrived (broken promise)
 * @param unexpectedWills  wills delivered after a clean DISCONNECT or for an unknown connection
 * @param retainedChecked  status topics whose retained message was checked
 * @param missingRetained  status topics without a retained message (broken promise)
 * @param wrongRetained    status topics whose retained message was not the last one set (broken promise)
 * @param examples         the first violations, one readable line each
 */
public record VerificationResult(
        long[] published,
        long[] delivered,
        long[] lost,
        long[] duplicated,
        long redelivered,
        long reordered,
        long unexpected,
        long notDeliveredQos0,
        long unconfirmed,
        long abandoned,
        long wills,
        long missingWills,
        long unexpectedWills,
        long retainedChecked,
        long missingRetained,
        long wrongRetained,
        List<String> examples) {

    public long totalLost() {
        return lost[0] + lost[1] + lost[2];
    }

    public long totalDuplicated() {
        return duplicated[0] + duplicated[1] + duplicated[2];
    }

    public long violations() {
        return totalLost() + totalDuplicated() + reordered + unexpected + missingWills + unexpectedWills
                + missingRetained + wrongRetained;
    }

    public boolean passed() {
        return violations() == 0;
    }
}
