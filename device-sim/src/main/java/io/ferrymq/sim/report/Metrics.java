package io.ferrymq.sim.report;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/** Counters and histograms of a run, safe to update from any client thread. Histograms hold microseconds. */
public final class Metrics {
    public final LongAdder connects = new LongAdder();
    public final LongAdder connectFailures = new LongAdder();
    public final LongAdder connectionsLost = new LongAdder();
    public final LongAdder published = new LongAdder();
    public final LongAdder acknowledged = new LongAdder();
    public final LongAdder publishFailures = new LongAdder();
    public final LongAdder delivered = new LongAdder();
    public final LongAdder commandsSent = new LongAdder();
    public final LongAdder repliesReceived = new LongAdder();
    public final LongAdder drops = new LongAdder();
    public final LongAdder cleanDisconnects = new LongAdder();
    public final LongAdder reconnects = new LongAdder();
    public final AtomicInteger devicesOnline = new AtomicInteger();
    public final Histogram latency = histogram();
    /** Latency of messages sent once every device had connected, so the connect storm of the ramp-up is left out. */
    public final Histogram steadyLatency = histogram();
    public final Histogram commandRoundTrip = histogram();
    public final Histogram reconnectTime = histogram();
    public final Histogram connectTime = histogram();
    private final AtomicLong firstConnectStartNanos = new AtomicLong();
    private final AtomicLong lastInitialConnectNanos = new AtomicLong();
    private final AtomicLong steadyFromMicros = new AtomicLong(Long.MAX_VALUE);

    private static Histogram histogram() {
        return new ConcurrentHistogram(3);
    }

    public void initialConnectStarted(long nanos) {
        firstConnectStartNanos.compareAndSet(0, nanos);
    }

    public void initialConnectDone(long nanos) {
        lastInitialConnectNanos.accumulateAndGet(nanos, Math::max);
    }

    /** Initial connections per second, from the first CONNECT sent to the last initial CONNACK. */
    public double connectRate() {
        long first = firstConnectStartNanos.get();
        long last = lastInitialConnectNanos.get();
        if (first == 0 || last <= first) {
            return 0;
        }
        return connects.sum() == 0 ? 0 : initialConnects() / ((last - first) / 1e9);
    }

    private long initialConnects() {
        return connects.sum() - reconnects.sum();
    }

    /** Starts the steady phase at the given {@link io.ferrymq.sim.payload.SimClock} time; later calls change nothing. */
    public void markSteady(long simClockMicros) {
        steadyFromMicros.compareAndSet(Long.MAX_VALUE, simClockMicros);
    }

    /** Records the latency of a delivery of a message sent at {@code sentMicros}, received at {@code nowMicros}. */
    public void recordLatency(long sentMicros, long nowMicros) {
        recordMicros(latency, nowMicros - sentMicros);
        if (sentMicros >= steadyFromMicros.get()) {
            recordMicros(steadyLatency, nowMicros - sentMicros);
        }
    }

    public static void recordMicros(Histogram histogram, long micros) {
        histogram.recordValue(Math.max(0, micros));
    }
}
