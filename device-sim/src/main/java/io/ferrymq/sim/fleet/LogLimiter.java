package io.ferrymq.sim.fleet;

import java.util.concurrent.atomic.AtomicLong;

/** Lets the first few lines of a kind through and counts the rest, so a fleet-wide outage logs a handful. */
final class LogLimiter {
    private final long limit;
    private final AtomicLong seen = new AtomicLong();

    LogLimiter(long limit) {
        this.limit = limit;
    }

    boolean allow() {
        return seen.incrementAndGet() <= limit;
    }

    /** Text to append to the last allowed line. */
    String suffix() {
        return seen.get() == limit ? " (further lines of this kind are not logged)" : "";
    }
}
