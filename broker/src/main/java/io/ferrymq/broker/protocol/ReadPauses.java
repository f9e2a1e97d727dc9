package io.ferrymq.broker.protocol;

import io.ferrymq.broker.util.RateLimitedLog;
import io.ferrymq.spi.InboundPublish;
import io.ferrymq.spi.PauseReason;
import io.ferrymq.spi.PublishThrottle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reasons to stop reading one client's socket: too many publishes waiting in the interceptor
 * chain, a rate limit, and a closed {@link OverloadGate}. Reading is paused while any reason applies
 * and resumes when the last one ends, so that one reason ending never undoes another.
 *
 * <p>Ownership: the connection's event loop, except {@link #resumeAfterOverload}, which hops there.
 */
final class ReadPauses {

  private static final Logger log = LoggerFactory.getLogger(ReadPauses.class);
  private static final RateLimitedLog pauseLog = new RateLimitedLog(log, 10_000);
  private static final RateLimitedLog throttleFailures = new RateLimitedLog(log, 10_000);

  private final MqttConnection conn;
  private boolean chainFull;
  // System.nanoTime() when each pause began, or 0 when it does not hold.
  private long rateLimitedSince;
  private long overloadedSince;
  private long rateTimer = -1;
  private long rateResumeAt;
  private boolean reading = true;
  private boolean throttled;

  ReadPauses(MqttConnection conn) {
    this.conn = conn;
  }

  /** Asks the throttle and the overload gate about one PUBLISH that was just read. */
  void afterPublish(InboundPublish publish) {
    PublishThrottle throttle = conn.core.publishThrottle();
    if (throttle != null) {
      throttled = true;
      pauseForRate(askThrottle(throttle, publish));
    }
    OverloadGate gate = conn.core.publishGate();
    if (gate.isClosed() && overloadedSince == 0 && gate.register(this)) {
      overloadedSince = System.nanoTime();
      conn.core.observer().onPublisherPaused(conn.client, PauseReason.OVERLOAD);
      apply();
    }
  }

  private long askThrottle(PublishThrottle throttle, InboundPublish publish) {
    try {
      return throttle.pauseNanosAfter(publish);
    } catch (RuntimeException e) {
      throttleFailures.warn("publish throttle failed client={} addr={} error={}", conn.clientId(), conn.remoteAddress,
          e.toString());
      return 0;
    }
  }

  private void pauseForRate(long nanos) {
    if (nanos <= 0) {
      return;
    }
    long resumeAt = System.nanoTime() + nanos;
    if (rateLimitedSince != 0) {
      if (resumeAt - rateResumeAt > 0) {
        rateResumeAt = resumeAt;
      }
      return;
    }
    rateLimitedSince = System.nanoTime();
    rateResumeAt = resumeAt;
    pauseLog.info("publisher over its rate limit, reading paused client={} addr={} pause={}ms", conn.clientId(),
        conn.remoteAddress, nanos / 1_000_000);
    conn.core.observer().onPublisherPaused(conn.client, PauseReason.RATE_LIMIT);
    armRateTimer(nanos);
    apply();
  }

  private void armRateTimer(long nanos) {
    long millis = Math.max(1, (nanos + 999_999) / 1_000_000);
    rateTimer = conn.core.vertx().setTimer(millis, id -> {
      rateTimer = -1;
      long left = rateResumeAt - System.nanoTime();
      if (left > 0) {
        // A publish read after the pause began pushed the resume time further out.
        armRateTimer(left);
        return;
      }
      endRatePause();
      apply();
    });
  }

  private void endRatePause() {
    if (rateLimitedSince == 0) {
      return;
    }
    long paused = System.nanoTime() - rateLimitedSince;
    rateLimitedSince = 0;
    conn.core.observer().onPublisherResumed(conn.client, PauseReason.RATE_LIMIT, paused);
  }

  /** Called by the gate from any thread when it opens. */
  void resumeAfterOverload() {
    conn.context.runOnContext(v -> {
      endOverloadPause();
      apply();
    });
  }

  private void endOverloadPause() {
    if (overloadedSince == 0) {
      return;
    }
    long paused = System.nanoTime() - overloadedSince;
    overloadedSince = 0;
    conn.core.observer().onPublisherResumed(conn.client, PauseReason.OVERLOAD, paused);
  }

  void chainFull(boolean full) {
    chainFull = full;
    apply();
  }

  /** Ends every pause of a connection that closed, so that observers see each pause end. */
  void closed() {
    if (rateTimer >= 0) {
      conn.core.vertx().cancelTimer(rateTimer);
      rateTimer = -1;
    }
    endRatePause();
    if (overloadedSince != 0) {
      conn.core.publishGate().unregister(this);
      endOverloadPause();
    }
    PublishThrottle throttle = conn.core.publishThrottle();
    if (throttled && throttle != null) {
      throttled = false;
      throttle.onConnectionClosed(conn.client);
    }
  }

  private void apply() {
    boolean pause = chainFull || rateLimitedSince != 0 || overloadedSince != 0;
    if (pause && reading) {
      reading = false;
      conn.channel.pauseReading();
    } else if (!pause && !reading) {
      reading = true;
      conn.channel.resumeReading();
    }
  }
}
