package io.ferrymq.sim.scenario.workload;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrymq.sim.scenario.workload.StreamTracker.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class StreamTrackerTest {
    private final StreamTracker tracker = new StreamTracker();

    @Test
    void inOrderStreamHasNoFault() {
        for (int number = 1; number <= 3; number++) {
            tracker.owe("a", number);
            assertThat(tracker.receive("a", number)).isEqualTo(Outcome.FIRST);
        }

        assertThat(tracker.missing()).isZero();
        assertThat(tracker.duplicates()).isZero();
        assertThat(tracker.reordered()).isZero();
        assertThat(tracker.received()).isEqualTo(3);
        assertThat(tracker.faultyStreams()).isZero();
    }

    @Test
    void secondDeliveryIsDuplicate() {
        tracker.owe("a", 1);
        tracker.receive("a", 1);

        assertThat(tracker.receive("a", 1)).isEqualTo(Outcome.DUPLICATE);
        assertThat(tracker.duplicates()).isEqualTo(1);
        assertThat(tracker.received()).isEqualTo(1);
        assertThat(tracker.faultyStreams()).isEqualTo(1);
    }

    @Test
    void lowerNumberAfterHigherIsOutOfOrder() {
        tracker.receive("a", 2);

        assertThat(tracker.receive("a", 1)).isEqualTo(Outcome.OUT_OF_ORDER);
        assertThat(tracker.reordered()).isEqualTo(1);
    }

    @Test
    void owedNumberNeverReceivedIsMissing() {
        tracker.owe("a", 1);
        tracker.owe("a", 2);
        tracker.owe("b", 1);
        tracker.receive("a", 2);

        assertThat(tracker.missing()).isEqualTo(2);
        assertThat(tracker.faultyStreams()).isEqualTo(2);
    }

    @Test
    void numberReceivedButNotOwedIsNotMissing() {
        tracker.receive("a", 5);

        assertThat(tracker.missing()).isZero();
        assertThat(tracker.received()).isEqualTo(1);
    }

    @Test
    void streamsAreIndependent() {
        tracker.receive("a", 3);

        assertThat(tracker.receive("b", 1)).isEqualTo(Outcome.FIRST);
        assertThat(tracker.reordered()).isZero();
    }
}
