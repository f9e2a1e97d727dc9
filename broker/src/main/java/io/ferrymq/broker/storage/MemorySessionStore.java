package io.ferrymq.broker.storage;

import io.ferrymq.spi.storage.SessionStore;
import io.ferrymq.spi.storage.StoredDelivery;
import io.ferrymq.spi.storage.StoredSession;
import io.ferrymq.spi.storage.StoredSubscription;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link SessionStore} in this JVM's memory. It survives a broker stop and start within one
 * process (an application that embeds the broker and restarts it), not a process exit, so its
 * stages complete at once. Each client's record is guarded by its own monitor, held only for a map
 * update.
 */
public final class MemorySessionStore implements SessionStore {

  private final Map<String, Record> sessions = new ConcurrentHashMap<>();

  private static final class Record {
    long expirySeconds;
    final Map<String, StoredSubscription> subscriptions = new LinkedHashMap<>();
    final TreeMap<Long, StoredDelivery> deliveries = new TreeMap<>();
    final Set<Integer> inboundQos2 = new HashSet<>();
  }

  private Record record(String clientId) {
    return sessions.computeIfAbsent(clientId, id -> new Record());
  }

  @Override
  public List<StoredSession> load() {
    List<StoredSession> out = new ArrayList<>();
    sessions.forEach((clientId, r) -> {
      synchronized (r) {
        out.add(new StoredSession(clientId, r.expirySeconds, List.copyOf(r.subscriptions.values()),
            List.copyOf(r.deliveries.values()), Set.copyOf(r.inboundQos2)));
      }
    });
    return out;
  }

  @Override
  public void saveSession(String clientId, long expirySeconds) {
    Record r = record(clientId);
    synchronized (r) {
      r.expirySeconds = expirySeconds;
    }
  }

  @Override
  public void removeSession(String clientId) {
    sessions.remove(clientId);
  }

  @Override
  public void saveSubscription(String clientId, StoredSubscription subscription) {
    Record r = sessions.get(clientId);
    if (r != null) {
      synchronized (r) {
        r.subscriptions.put(subscription.fullFilter(), subscription);
      }
    }
  }

  @Override
  public void removeSubscription(String clientId, String fullFilter) {
    Record r = sessions.get(clientId);
    if (r != null) {
      synchronized (r) {
        r.subscriptions.remove(fullFilter);
      }
    }
  }

  @Override
  public CompletionStage<Void> enqueue(String clientId, long deliveryId, StoredDelivery delivery) {
    Record r = sessions.get(clientId);
    if (r != null) {
      synchronized (r) {
        r.deliveries.put(deliveryId, delivery);
      }
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<Void> markSent(String clientId, long deliveryId, int packetId) {
    update(clientId, deliveryId, d -> d.withSent(packetId));
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public void markReleased(String clientId, long deliveryId) {
    update(clientId, deliveryId, StoredDelivery::withReleased);
  }

  private void update(String clientId, long deliveryId, java.util.function.UnaryOperator<StoredDelivery> change) {
    Record r = sessions.get(clientId);
    if (r != null) {
      synchronized (r) {
        r.deliveries.computeIfPresent(deliveryId, (id, d) -> change.apply(d));
      }
    }
  }

  @Override
  public void removeDelivery(String clientId, long deliveryId) {
    Record r = sessions.get(clientId);
    if (r != null) {
      synchronized (r) {
        r.deliveries.remove(deliveryId);
      }
    }
  }

  @Override
  public CompletionStage<Void> addInboundQos2(String clientId, int packetId) {
    Record r = sessions.get(clientId);
    if (r != null) {
      synchronized (r) {
        r.inboundQos2.add(packetId);
      }
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public void removeInboundQos2(String clientId, int packetId) {
    Record r = sessions.get(clientId);
    if (r != null) {
      synchronized (r) {
        r.inboundQos2.remove(packetId);
      }
    }
  }
}
