package io.ferrymq.backpressure;

import io.ferrymq.backpressure.BackpressureSettings.RateLimit;
import io.ferrymq.backpressure.BackpressureSettings.RateRule;
import io.ferrymq.spi.BrokerStats;
import io.ferrymq.spi.ConnectInfo;
import io.ferrymq.spi.InboundPublish;
import io.ferrymq.spi.PublishGate;
import io.ferrymq.spi.PublishThrottle;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The extension's {@link PublishThrottle}: per-connection message and byte token buckets, and the
 * fast check of the high watermark that closes the publish gate on the publish that crosses it.
 *
 * <p>Threading: the broker calls it on each publisher's event loop. The map of buckets is concurrent
 * because every loop adds and removes its own connections; a connection's buckets are touched only on
 * its loop, so they need no lock. Buckets are per connection, so a client that reconnects starts with
 * a full burst again.
 */
final class RateLimiter implements PublishThrottle {

  /** The buckets of one connection, or none when no limit applies to it. */
  private static final class Limits {
    static final Limits UNLIMITED = new Limits(null, null);

    final TokenBucket messages;
    final TokenBucket bytes;

    Limits(TokenBucket messages, TokenBucket bytes) {
      this.messages = messages;
      this.bytes = bytes;
    }
  }

  private final RateLimit defaultLimit;
  private final List<RateRule> rules;
  private final BrokerStats stats;
  private final PublishGate gate;
  private final long highWatermark;
  private final Map<ConnectInfo, Limits> connections = new ConcurrentHashMap<>();
  private final boolean limitsAnyClient;

  /**
   * @param highWatermark queued bytes that close {@code gate}, or {@link Long#MAX_VALUE} without overload protection
   */
  RateLimiter(RateLimit defaultLimit, List<RateRule> rules, BrokerStats stats, PublishGate gate, long highWatermark) {
    this.defaultLimit = defaultLimit;
    this.rules = rules;
    this.stats = stats;
    this.gate = gate;
    this.highWatermark = highWatermark;
    this.limitsAnyClient = defaultLimit != null || rules.stream().anyMatch(r -> r.limit() != null);
  }

  /** Returns whether any client can be rate-limited. */
  boolean limitsAnyClient() {
    return limitsAnyClient;
  }

  @Override
  public long pauseNanosAfter(InboundPublish publish) {
    if (highWatermark != Long.MAX_VALUE && !gate.isClosed()) {
      long queued = stats.queuedBytes();
      if (queued >= highWatermark) {
        gate.close(queued);
      }
    }
    if (!limitsAnyClient) {
      return 0;
    }
    Limits limits = connections.get(publish.client());
    if (limits == null) {
      limits = limitsFor(publish.client());
      connections.put(publish.client(), limits);
    }
    if (limits == Limits.UNLIMITED) {
      return 0;
    }
    long now = System.nanoTime();
    long pause = limits.messages == null ? 0 : limits.messages.take(1, now);
    if (limits.bytes != null) {
      pause = Math.max(pause, limits.bytes.take(publish.message().payload().length, now));
    }
    return pause;
  }

  @Override
  public void onConnectionClosed(ConnectInfo client) {
    connections.remove(client);
  }

  private Limits limitsFor(ConnectInfo client) {
    RateLimit limit = defaultLimit;
    for (RateRule rule : rules) {
      if (rule.matches(client.clientId(), client.username())) {
        limit = rule.limit();
        break;
      }
    }
    if (limit == null) {
      return Limits.UNLIMITED;
    }
    long now = System.nanoTime();
    return new Limits(
        limit.messagesPerSecond() > 0 ? new TokenBucket(limit.messagesPerSecond(), limit.burstMessages(), now) : null,
        limit.bytesPerSecond() > 0 ? new TokenBucket(limit.bytesPerSecond(), limit.burstBytes(), now) : null);
  }

  /** Returns the number of connections with buckets, for tests. */
  int trackedConnections() {
    return connections.size();
  }
}
