package io.ferrymq.sim.payload;

import java.time.Instant;

/**
 * Wall-clock microseconds that never go backwards within one process: the epoch time at start plus
 * {@link System#nanoTime()} since then. Latency is exact when publisher and receiver share a process, and
 * as good as the clock sync between machines otherwise.
 */
public final class SimClock {
    private static final long START_NANOS = System.nanoTime();
    private static final long START_EPOCH_MICROS = epochMicros(Instant.now());

    private SimClock() {
    }

    public static long nowMicros() {
        return START_EPOCH_MICROS + (System.nanoTime() - START_NANOS) / 1_000;
    }

    private static long epochMicros(Instant instant) {
        return instant.getEpochSecond() * 1_000_000 + instant.getNano() / 1_000;
    }
}
