package io.ferrymq.sim.report;

import io.ferrymq.sim.config.FleetConfig;
import io.ferrymq.sim.verify.VerificationResult;
import java.util.Optional;

/** Freezes the metrics of a finished run into a {@link RunReport}. */
public final class ReportBuilder {
    private ReportBuilder() {
    }

    public static RunReport build(FleetConfig config, Metrics metrics, Optional<VerificationResult> verification,
                                  double publishSeconds, double totalSeconds) {
        long connects = metrics.connects.sum();
        long reconnects = metrics.reconnects.sum();
        long published = metrics.published.sum();
        long delivered = metrics.delivered.sum();
        return new RunReport(config, publishSeconds, totalSeconds, (int) (connects - reconnects), connects,
                metrics.connectFailures.sum(), reconnects, metrics.connectionsLost.sum(), metrics.drops.sum(),
                metrics.cleanDisconnects.sum(), metrics.connectRate(), published, metrics.acknowledged.sum(),
                metrics.publishFailures.sum(), delivered, published / Math.max(publishSeconds, 1e-9),
                delivered / Math.max(publishSeconds, 1e-9), metrics.commandsSent.sum(),
                metrics.repliesReceived.sum(), LatencySummary.of(metrics.latency),
                LatencySummary.of(metrics.steadyLatency), LatencySummary.of(metrics.commandRoundTrip),
                LatencySummary.of(metrics.reconnectTime),
                LatencySummary.of(metrics.connectTime), verification);
    }
}
