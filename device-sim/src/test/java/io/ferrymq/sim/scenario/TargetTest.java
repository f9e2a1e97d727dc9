package io.ferrymq.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class TargetTest {
    private final Measurements measurements = new Measurements()
            .put("lost", 0, "")
            .put("latency-p99-ms", 50.5, "");

    @Test
    void valueAtMaximumPasses() {
        TargetResult result = new Target("lost", 0).evaluate(measurements);

        assertThat(result.passed()).isTrue();
        assertThat(result.measured()).isZero();
    }

    @Test
    void valueAboveMaximumFails() {
        TargetResult result = new Target("latency-p99-ms", 50).evaluate(measurements);

        assertThat(result.passed()).isFalse();
        assertThat(result.measured()).isEqualTo(50.5);
    }

    @Test
    void metricNotMeasuredFails() {
        TargetResult result = new Target("duplicated", 0).evaluate(measurements);

        assertThat(result.passed()).isFalse();
        assertThat(result.measured()).isNaN();
    }
}
