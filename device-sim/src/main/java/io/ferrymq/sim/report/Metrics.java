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
    public final Histogram commandRoundTrip = histogram();
    public final Histogram reconnectTime = histogram();
    public final Histogram connectTime = histogram();
    private final AtomicLong firstConnectStartNanos = new AtomicLong();
    private final AtomicLong lastInitialConnectNanos = new AtomicLong();

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

    public static void recordMicros(Histogram histogram, long micros) {
        histogram.recordValue(Math.max(0, micros));
    }
}
