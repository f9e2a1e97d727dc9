package io.ferrymq.backpressure.testing;

import io.ferrymq.spi.BrokerObserver;
import io.ferrymq.spi.BrokerStats;
import io.ferrymq.spi.ConnectInfo;
import io.ferrymq.spi.DropReason;
import io.ferrymq.spi.Extension;
import io.ferrymq.spi.ExtensionContext;
import io.ferrymq.spi.Message;
import io.ferrymq.spi.PauseReason;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A test extension that records the broker events the backpressure tests assert on, and keeps the
 * broker's live stats for sampling.
 */
public final class Probe implements Extension, BrokerObserver {

  public final LongAdder rateLimitPauses = new LongAdder();
  public final LongAdder rateLimitPausedNanos = new LongAdder();
  public final LongAdder overloadPauses = new LongAdder();
  public final Map<String, LongAdder> queueFullDrops = new java.util.concurrent.ConcurrentHashMap<>();
  public final List<Boolean> overloadChanges = new CopyOnWriteArrayList<>();
  public final List<Message> deadLettered = new CopyOnWriteArrayList<>();
  public final AtomicLong maxQueuedBytes = new AtomicLong();
  public final AtomicLong maxQueuedMessages = new AtomicLong();
  private final Map<String, List<Long>> sendNanosByTopic = new java.util.concurrent.ConcurrentHashMap<>();
  private volatile BrokerStats stats;

  @Override
  public String name() {
    return "probe";
  }

  @Override
  public CompletionStage<Void> start(ExtensionContext context, Map<String, Object> config) {
    stats = context.stats();
    context.addObserver(this);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<Void> stop() {
    return CompletableFuture.completedFuture(null);
  }

  public BrokerStats stats() {
    return stats;
  }

  @Override
  public void onPublisherPaused(ConnectInfo client, PauseReason reason) {
    if (reason == PauseReason.RATE_LIMIT) {
      rateLimitPauses.increment();
    } else {
      overloadPauses.increment();
    }
  }

  @Override
  public void onPublisherResumed(ConnectInfo client, PauseReason reason, long pausedNanos) {
    if (reason == PauseReason.RATE_LIMIT) {
      rateLimitPausedNanos.add(pausedNanos);
    }
  }

  @Override
  public void onOverloadChange(boolean overloaded, long queuedBytes) {
    overloadChanges.add(overloaded);
  }

  @Override
  public void onDrop(Message message, String clientId, DropReason reason) {
    if (reason == DropReason.QUEUE_FULL) {
      queueFullDrops.computeIfAbsent(String.valueOf(clientId), k -> new LongAdder()).increment();
    }
  }

  @Override
  public void onDeadLetter(Message original, String clientId, int attempts, Message deadLetter) {
    deadLettered.add(original);
  }

  /** Returns the {@link System#nanoTime()} of every PUBLISH written on {@code topic}, resends included. */
  public List<Long> sendTimes(String topic) {
    return sendNanosByTopic.getOrDefault(topic, List.of());
  }

  @Override
  public void onPublishOut(Message message, int qos) {
    sendNanosByTopic.computeIfAbsent(message.topic(), t -> new CopyOnWriteArrayList<>()).add(System.nanoTime());
  }

  @Override
  public void onPublishIn(Message message) {
    sampleQueuedBytes();
  }

  /** Records the queued bytes and messages now, keeping the maximum seen of each. */
  public void sampleQueuedBytes() {
    BrokerStats current = stats;
    if (current != null) {
      maxQueuedBytes.accumulateAndGet(current.queuedBytes(), Math::max);
      maxQueuedMessages.accumulateAndGet(current.queuedMessages(), Math::max);
    }
  }

  /** Returns the QUEUE_FULL drops of one client so far. */
  public long queueFullDrops(String clientId) {
    LongAdder drops = queueFullDrops.get(clientId);
    return drops == null ? 0 : drops.sum();
  }
}
