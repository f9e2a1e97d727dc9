package io.ferrymq.backpressure;

import io.ferrymq.spi.Extension;
import io.ferrymq.spi.ExtensionContext;
import io.ferrymq.spi.PublishGate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the broker up and honest under overload: per-client publish rate limits enforced by pausing
 * socket reads, broker-wide watermarks on queued bytes, bounded session queues with per-QoS overflow
 * policies, and a delivery-attempt limit with dead letters. Settings are described in
 * {@link BackpressureSettings}; the module's README lists them with their defaults.
 */
public final class BackpressureExtension implements Extension {

  private static final Logger log = LoggerFactory.getLogger(BackpressureExtension.class);

  private volatile OverloadMonitor monitor;

  @Override
  public String name() {
    return "backpressure";
  }

  @Override
  public CompletionStage<Void> start(ExtensionContext context, Map<String, Object> config) {
    BackpressureSettings settings = BackpressureSettings.parse(withBrokerQueueBound(config, context),
        Runtime.getRuntime().maxMemory());
    PublishGate gate = context.publishGate();
    BackpressureSettings.Overload overload = settings.overload();

    RateLimiter limiter = new RateLimiter(settings.rateLimit(), settings.rules(), context.stats(), gate,
        overload.enabled() ? overload.highWatermark() : Long.MAX_VALUE);
    if (limiter.limitsAnyClient() || overload.enabled()) {
      context.publishThrottle(limiter);
    }
    context.queueLimits(settings.queue().limits());
    context.redeliveryPolicy(new DeadLetters(settings.redelivery()));
    if (overload.enabled()) {
      monitor = new OverloadMonitor(overload, context.stats(), gate);
      monitor.start();
    }

    log.info("backpressure started rate-limit={} rules={} overload={} high-watermark={} low-watermark={} "
            + "queue={} max-attempts={} retransmit={}", settings.rateLimit() == null ? "none" : settings.rateLimit(),
        settings.rules().size(), overload.enabled(), overload.highWatermark(), overload.lowWatermark(),
        settings.queue().limits(), settings.redelivery().maxAttempts(), settings.redelivery().retransmit());
    return CompletableFuture.completedFuture(null);
  }

  /**
   * Returns {@code config} with {@code queue.max-messages} taken from the broker's
   * {@code max-queued-messages} when the section leaves it out, so that the broker setting keeps its
   * meaning while this extension enforces the bounds.
   */
  private static Map<String, Object> withBrokerQueueBound(Map<String, Object> config, ExtensionContext context) {
    Object queue = config.get("queue");
    if (queue instanceof Map<?, ?> section && section.containsKey("max-messages")) {
      return config;
    }
    if (queue != null && !(queue instanceof Map<?, ?>)) {
      return config;
    }
    Map<String, Object> effectiveQueue = new LinkedHashMap<>();
    if (queue instanceof Map<?, ?> section) {
      section.forEach((key, value) -> effectiveQueue.put(String.valueOf(key), value));
    }
    effectiveQueue.put("max-messages", context.queueLimits().maxMessages());
    Map<String, Object> effective = new LinkedHashMap<>(config);
    effective.put("queue", effectiveQueue);
    return effective;
  }

  @Override
  public CompletionStage<Void> stop() {
    OverloadMonitor running = monitor;
    if (running != null) {
      running.close();
      monitor = null;
    }
    return CompletableFuture.completedFuture(null);
  }
}
