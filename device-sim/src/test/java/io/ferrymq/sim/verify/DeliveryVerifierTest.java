package io.ferrymq.sim.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrymq.sim.payload.Payload;
import io.ferrymq.sim.payload.PayloadKind;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(5)
class DeliveryVerifierTest {
    private static final String TOPIC = "fleet/g0/d1/telemetry";

    private DeliveryVerifier verifier;

    @BeforeEach
    void setUp() {
        verifier = new DeliveryVerifier();
        verifier.addReceiver("sub", 2);
        verifier.subscribed("sub");
        verifier.addStream("d1", TOPIC, List.of("sub"));
    }

    private void publishAcked(long seq, int qos) {
        verifier.published("d1", TOPIC, seq, qos);
        verifier.acknowledged("d1", TOPIC, seq);
    }

    private void deliver(long seq, int qos) {
        verifier.received("sub", TOPIC, new Payload(PayloadKind.TELEMETRY, "d1", seq, 0, 0), qos);
    }

    @Test
    void inOrderDeliveriesPass() {
        for (int seq = 1; seq <= 3; seq++) {
            publishAcked(seq, seq - 1);
            deliver(seq, seq - 1);
        }

        VerificationResult result = verifier.result();

        assertThat(result.passed()).isTrue();
        assertThat(result.delivered()).containsExactly(1, 1, 1);
        assertThat(result.published()).containsExactly(1, 1, 1);
    }

    @Test
    void acknowledgedQos1NeverDeliveredIsLost() {
        publishAcked(1, 1);
        publishAcked(2, 1);
        deliver(2, 1);

        VerificationResult result = verifier.result();

        assertThat(result.lost()).containsExactly(0, 1, 0);
        assertThat(result.passed()).isFalse();
        assertThat(result.examples()).containsExactly("lost: d1 fleet/g0/d1/telemetry seq 1 (QoS 1) at sub");
    }

    @Test
    void unacknowledgedQos2IsUnconfirmedNotLost() {
        verifier.published("d1", TOPIC, 1, 2);

        VerificationResult result = verifier.result();

        assertThat(result.totalLost()).isZero();
        assertThat(result.unconfirmed()).isEqualTo(1);
        assertThat(result.passed()).isTrue();
    }

    @Test
    void missingQos0IsAllowed() {
        publishAcked(1, 0);

        VerificationResult result = verifier.result();

        assertThat(result.notDeliveredQos0()).isEqualTo(1);
        assertThat(result.passed()).isTrue();
    }

    @Test
    void secondQos2DeliveryIsDuplicate() {
        publishAcked(1, 2);
        deliver(1, 2);
        deliver(1, 2);

        VerificationResult result = verifier.result();

        assertThat(result.duplicated()).containsExactly(0, 0, 1);
        assertThat(result.passed()).isFalse();
    }

    @Test
    void secondQos0DeliveryIsDuplicate() {
        publishAcked(1, 0);
        deliver(1, 0);
        deliver(1, 0);

        assertThat(verifier.result().duplicated()).containsExactly(1, 0, 0);
    }

    @Test
    void secondQos1DeliveryIsAllowedRedelivery() {
        publishAcked(1, 1);
        deliver(1, 1);
        deliver(1, 1);

        VerificationResult result = verifier.result();

        assertThat(result.redelivered()).isEqualTo(1);
        assertThat(result.totalDuplicated()).isZero();
        assertThat(result.passed()).isTrue();
    }

    @Test
    void qos2DowngradedBySubscriptionToQos1MayRepeat() {
        verifier.addReceiver("sub1", 1);
        verifier.subscribed("sub1");
        verifier.addStream("d1", TOPIC, List.of("sub1"));
        publishAcked(1, 2);
        verifier.received("sub1", TOPIC, new Payload(PayloadKind.TELEMETRY, "d1", 1, 0, 0), 1);
        verifier.received("sub1", TOPIC, new Payload(PayloadKind.TELEMETRY, "d1", 1, 0, 0), 1);
        deliver(1, 2);

        VerificationResult result = verifier.result();

        assertThat(result.redelivered()).isEqualTo(1);
        assertThat(result.passed()).isTrue();
    }

    @Test
    void earlierSeqAfterLaterIsReordered() {
        publishAcked(1, 1);
        publishAcked(2, 1);
        deliver(2, 1);
        deliver(1, 1);

        VerificationResult result = verifier.result();

        assertThat(result.reordered()).isEqualTo(1);
        assertThat(result.totalLost()).isZero();
    }

    @Test
    void orderIsCheckedPerPublishedQos() {
        publishAcked(1, 2);
        publishAcked(2, 0);
        deliver(2, 0);
        deliver(1, 2);

        assertThat(verifier.result().reordered()).isZero();
    }

    @Test
    void redeliveryAfterLaterMessageIsNotReordered() {
        publishAcked(1, 1);
        publishAcked(2, 1);
        deliver(1, 1);
        deliver(2, 1);
        deliver(1, 1);

        assertThat(verifier.result().reordered()).isZero();
    }

    @Test
    void neverPublishedSeqIsUnexpected() {
        deliver(7, 1);

        VerificationResult result = verifier.result();

        assertThat(result.unexpected()).isEqualTo(1);
        assertThat(result.passed()).isFalse();
    }

    @Test
    void deliveryToOutsiderIsUnexpected() {
        verifier.addReceiver("other", 2);
        publishAcked(1, 1);
        verifier.received("other", TOPIC, new Payload(PayloadKind.TELEMETRY, "d1", 1, 0, 0), 1);

        assertThat(verifier.result().unexpected()).isEqualTo(1);
    }

    @Test
    void higherQosThanGrantedIsUnexpected() {
        publishAcked(1, 1);
        deliver(1, 2);

        assertThat(verifier.result().unexpected()).isEqualTo(1);
    }

    @Test
    void endedSessionAbandonsPendingMessages() {
        publishAcked(1, 1);
        verifier.sessionEnded("sub");
        publishAcked(2, 1);
        verifier.subscribed("sub");
        publishAcked(3, 1);
        deliver(3, 1);

        VerificationResult result = verifier.result();

        assertThat(result.abandoned()).isEqualTo(2);
        assertThat(result.totalLost()).isZero();
        assertThat(verifier.outstanding()).isZero();
    }

    @Test
    void outstandingCountsOwedAcknowledgedMessages() {
        publishAcked(1, 1);
        publishAcked(2, 2);
        publishAcked(3, 0);
        verifier.published("d1", TOPIC, 4, 1);

        assertThat(verifier.outstanding()).isEqualTo(2);
        deliver(1, 1);
        assertThat(verifier.outstanding()).isEqualTo(1);
    }

    @Test
    void requiredWillMissingIsReported() {
        verifier.willExpected("d1", 1, true, List.of("sub"));
        verifier.willExpected("d1", 2, true, List.of("sub"));
        verifier.willReceived("sub", "d1", 2);

        VerificationResult result = verifier.result();

        assertThat(result.wills()).isEqualTo(1);
        assertThat(result.missingWills()).isEqualTo(1);
        assertThat(result.passed()).isFalse();
    }

    @Test
    void willAfterCleanDisconnectIsUnexpected() {
        verifier.willReceived("sub", "d1", 1);

        VerificationResult result = verifier.result();

        assertThat(result.unexpectedWills()).isEqualTo(1);
        assertThat(result.passed()).isFalse();
    }

    @Test
    void allowedWillMayBeMissing() {
        verifier.willExpected("d1", 1, false, List.of("sub"));

        assertThat(verifier.result().passed()).isTrue();
    }

    @Test
    void retainedCheckFindsMissingAndStaleValues() {
        verifier.retainedExpected("s/1", PayloadKind.STATUS_ONLINE, 2, true);
        verifier.retainedExpected("s/2", PayloadKind.WILL, 3, true);
        verifier.retainedExpected("s/3", PayloadKind.STATUS_ONLINE, 1, false);
        verifier.retainedExpected("s/4", PayloadKind.STATUS_ONLINE, 5, false);
        verifier.retainedConfirmed("s/4", PayloadKind.STATUS_ONLINE, 5);
        verifier.retainedFound("s/1", new Payload(PayloadKind.STATUS_ONLINE, "d1", 1, 0, 0));
        verifier.retainedFound("s/4", new Payload(PayloadKind.STATUS_ONLINE, "d4", 5, 0, 0));
        verifier.retainedChecked();

        VerificationResult result = verifier.result();

        assertThat(result.retainedChecked()).isEqualTo(3);
        assertThat(result.wrongRetained()).isEqualTo(1);
        assertThat(result.missingRetained()).isEqualTo(1);
    }
}
