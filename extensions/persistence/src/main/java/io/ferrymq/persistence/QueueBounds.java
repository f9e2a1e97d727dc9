package io.ferrymq.persistence;

import io.ferrymq.spi.storage.StoredDelivery;
import io.ferrymq.spi.storage.StoredSession;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts the stored messages and payload bytes of each session, to refuse messages past
 * {@code max-queued-messages} or {@code max-queued-bytes}. Without either bound it counts nothing.
 *
 * <p>Thread-safe: called from every event loop; each session's counts are guarded by its own monitor.
 */
final class QueueBounds {

  private static final class Usage {
    final Map<Long, Integer> bytesByDelivery = new HashMap<>();
    long bytes;
  }

  private final long maxMessages;
  private final long maxBytes;
  private final Map<String, Usage> usage = new ConcurrentHashMap<>();

  QueueBounds(long maxMessages, long maxBytes) {
    this.maxMessages = maxMessages;
    this.maxBytes = maxBytes;
  }

  private boolean enabled() {
    return maxMessages > 0 || maxBytes > 0;
  }

  void restore(List<StoredSession> sessions) {
    if (!enabled()) {
      return;
    }
    for (StoredSession s : sessions) {
      for (StoredDelivery d : s.deliveries()) {
        tryAdd(s.clientId(), d.deliveryId(), d.message().payload().length);
      }
    }
  }

  /** Counts a message in, or returns why it is refused. */
  String tryAdd(String clientId, long deliveryId, int payloadBytes) {
    if (!enabled()) {
      return null;
    }
    Usage u = usage.computeIfAbsent(clientId, id -> new Usage());
    synchronized (u) {
      if (maxMessages > 0 && u.bytesByDelivery.size() >= maxMessages) {
        return "stored queue of client " + clientId + " is at max-queued-messages " + maxMessages;
      }
      if (maxBytes > 0 && u.bytes + payloadBytes > maxBytes) {
        return "stored queue of client " + clientId + " would exceed max-queued-bytes " + maxBytes;
      }
      u.bytesByDelivery.put(deliveryId, payloadBytes);
      u.bytes += payloadBytes;
      return null;
    }
  }

  void remove(String clientId, long deliveryId) {
    Usage u = enabled() ? usage.get(clientId) : null;
    if (u == null) {
      return;
    }
    synchronized (u) {
      Integer bytes = u.bytesByDelivery.remove(deliveryId);
      if (bytes != null) {
        u.bytes -= bytes;
      }
    }
  }

  void removeSession(String clientId) {
    usage.remove(clientId);
  }
}
