package io.ferrymq.sim.report;

import io.ferrymq.sim.config.FleetConfig;
import io.ferrymq.sim.verify.VerificationResult;
import java.util.Optional;

/**
 * Every figure of a finished run. Throughputs are per second of the publishing phase.
 *
 * @param steadyLatency latency of the messages sent from 2 s after the last device's first connect
 * @param verification empty when verification was turned off
 */
public record RunReport(
        FleetConfig config,
        double publishSeconds,
        double totalSeconds,
        int devicesConnected,
        long connects,
        long connectFailures,
        long reconnects,
        long connectionsLost,
        long drops,
        long cleanDisconnects,
        double connectRate,
        long published,
        long acknowledged,
        long publishFailures,
        long delivered,
        double publishRate,
        double deliveryRate,
        long commandsSent,
        long repliesReceived,
        LatencySummary latency,
        LatencySummary steadyLatency,
        LatencySummary commandRoundTrip,
        LatencySummary reconnectTime,
        LatencySummary connectTime,
        Optional<VerificationResult> verification) {

    /** 0 when every promise held or verification was off, 1 when a delivery broke its QoS contract. */
    public int exitCode() {
        return verification.map(result -> result.passed() ? 0 : 1).orElse(0);
    }
}
