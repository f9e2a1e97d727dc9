package io.ferrymq.backpressure;

import io.ferrymq.backpressure.BackpressureSettings.Overload;
import io.ferrymq.spi.BrokerStats;
import io.ferrymq.spi.PublishGate;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Reads the broker's queued bytes at a fixed interval and switches the publish gate: closed at the
 * high watermark, open again below the low one. The gap between the two keeps the gate from
 * flapping. The rate limiter closes the gate sooner, on the publish that crosses the high watermark;
 * only this monitor opens it, because a closed gate stops the publishes that would check.
 *
 * <p>Threading: one daemon thread of its own, off the event loops.
 */
final class OverloadMonitor implements AutoCloseable {

  private final Overload settings;
  private final BrokerStats stats;
  private final PublishGate gate;
  private final ScheduledExecutorService timer;

  OverloadMonitor(Overload settings, BrokerStats stats, PublishGate gate) {
    this.settings = settings;
    this.stats = stats;
    this.gate = gate;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "ferrymq-overload-monitor");
      t.setDaemon(true);
      return t;
    });
  }

  void start() {
    timer.scheduleWithFixedDelay(this::check, settings.checkIntervalMillis(), settings.checkIntervalMillis(),
        TimeUnit.MILLISECONDS);
  }

  void check() {
    long queued = stats.queuedBytes();
    if (!gate.isClosed() && queued >= settings.highWatermark()) {
      gate.close(queued);
    } else if (gate.isClosed() && queued <= settings.lowWatermark()) {
      gate.open(queued);
    }
  }

  /** Stops the checks and opens the gate, so that a stopped extension leaves no publisher paused. */
  @Override
  public void close() {
    timer.shutdownNow();
    gate.open(stats.queuedBytes());
  }
}
