package io.ferrymq.sim.fleet;

import io.ferrymq.sim.report.Metrics;

/** Turns the cumulative counters into per-interval rates; called from one scheduler thread at a time. */
final class ProgressMeter {
    private final Metrics metrics;
    private final int devices;
    private final long startNanos = System.nanoTime();
    private long lastNanos = startNanos;
    private long lastPublished;
    private long lastDelivered;

    ProgressMeter(Metrics metrics, int devices) {
        this.metrics = metrics;
        this.devices = devices;
    }

    synchronized Progress next(String phase, Verification verification) {
        long now = System.nanoTime();
        double seconds = Math.max(1e-9, (now - lastNanos) / 1e9);
        long published = metrics.published.sum();
        long delivered = metrics.delivered.sum();
        Progress progress = new Progress((now - startNanos) / 1e9, metrics.devicesOnline.get(), devices,
                (published - lastPublished) / seconds, (delivered - lastDelivered) / seconds,
                verification.outstanding(), verification.duplicatedSoFar(), phase);
        lastNanos = now;
        lastPublished = published;
        lastDelivered = delivered;
        return progress;
    }
}
