package io.ferrymq.persistence;

import io.ferrymq.persistence.journal.Change;
import io.ferrymq.persistence.journal.JournalWriter;
import io.ferrymq.spi.storage.SessionStore;
import io.ferrymq.spi.storage.StoredDelivery;
import io.ferrymq.spi.storage.StoredSession;
import io.ferrymq.spi.storage.StoredSubscription;
import io.ferrymq.spi.storage.StoredWill;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A {@link SessionStore} on the journal. Every method queues one record and returns at once. The
 * stages of {@link #enqueue}, {@link #markSent} and {@link #addInboundQos2} complete after the
 * record's group has been forced to disk, with one exception: a queued message whose removal (its
 * client's acknowledgement) is in the same group completes without waiting for the force. Records keep the order of the calls, so calls about one client id, which the
 * broker makes in order, are replayed in that order.
 */
public final class DurableSessionStore implements SessionStore {

  private final DurableStore store;
  private final JournalWriter journal;
  private final QueueBounds bounds;
  // Delivery ids of stored QoS 2 messages not yet sent, by client id: only their markSent needs a force.
  private final Map<String, Set<Long>> unsentQos2 = new ConcurrentHashMap<>();

  public DurableSessionStore(DurableStore store, PersistenceConfig config) {
    this.store = store;
    this.journal = store.journal();
    this.bounds = new QueueBounds(config.maxQueuedMessages(), config.maxQueuedBytes());
  }

  @Override
  public List<StoredSession> load() {
    List<StoredSession> sessions = store.takeRecoveredSessions();
    bounds.restore(sessions);
    for (StoredSession s : sessions) {
      for (StoredDelivery d : s.deliveries()) {
        if (d.qos() == 2 && d.packetId() == 0) {
          addUnsentQos2(s.clientId(), d.deliveryId());
        }
      }
    }
    return sessions;
  }

  @Override
  public void saveSession(String clientId, long expirySeconds) {
    journal.submit(new Change.SaveSession(clientId, expirySeconds), false);
  }

  @Override
  public void removeSession(String clientId) {
    bounds.removeSession(clientId);
    unsentQos2.remove(clientId);
    journal.submit(new Change.RemoveSession(clientId), false);
  }

  @Override
  public void saveSubscription(String clientId, StoredSubscription subscription) {
    journal.submit(new Change.SaveSubscription(clientId, subscription), false);
  }

  @Override
  public void removeSubscription(String clientId, String fullFilter) {
    journal.submit(new Change.RemoveSubscription(clientId, fullFilter), false);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Fails with {@link QueueLimitException}, without storing anything, when the session's stored
   * queue is at {@code max-queued-messages} or {@code max-queued-bytes}.
   */
  @Override
  public CompletionStage<Void> enqueue(String clientId, long deliveryId, StoredDelivery delivery) {
    String refusal = bounds.tryAdd(clientId, deliveryId, delivery.message().payload().length);
    if (refusal != null) {
      return CompletableFuture.failedFuture(new QueueLimitException(refusal));
    }
    if (delivery.qos() == 2) {
      addUnsentQos2(clientId, deliveryId);
    }
    return journal.submit(new Change.Enqueue(clientId, delivery), true);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Only the first send of a QoS 2 message is forced to disk. For QoS 1 the stage completes at
   * once and the record rides with the next group, so that these records add no forces.
   */
  @Override
  public CompletionStage<Void> markSent(String clientId, long deliveryId, int packetId) {
    boolean qos2 = removeUnsentQos2(clientId, deliveryId);
    CompletableFuture<Void> durable = journal.submit(new Change.MarkSent(clientId, deliveryId, packetId), qos2);
    return qos2 ? durable : CompletableFuture.completedFuture(null);
  }

  private void addUnsentQos2(String clientId, long deliveryId) {
    unsentQos2.computeIfAbsent(clientId, id -> ConcurrentHashMap.newKeySet()).add(deliveryId);
  }

  private boolean removeUnsentQos2(String clientId, long deliveryId) {
    Set<Long> ids = unsentQos2.get(clientId);
    return ids != null && ids.remove(deliveryId);
  }

  @Override
  public void markReleased(String clientId, long deliveryId) {
    journal.submit(new Change.MarkReleased(clientId, deliveryId), false);
  }

  @Override
  public void removeDelivery(String clientId, long deliveryId) {
    bounds.remove(clientId, deliveryId);
    removeUnsentQos2(clientId, deliveryId);
    journal.submit(new Change.RemoveDelivery(clientId, deliveryId), false);
  }

  @Override
  public CompletionStage<Void> addInboundQos2(String clientId, int packetId) {
    return journal.submit(new Change.AddInboundQos2(clientId, packetId), true);
  }

  @Override
  public void removeInboundQos2(String clientId, int packetId) {
    journal.submit(new Change.RemoveInboundQos2(clientId, packetId), false);
  }

  @Override
  public void markOffline(String clientId, long sinceMillis) {
    journal.submit(new Change.MarkOffline(clientId, sinceMillis), false);
  }

  @Override
  public void markOnline(String clientId) {
    journal.submit(new Change.MarkOffline(clientId, 0), false);
  }

  @Override
  public void saveWill(String clientId, StoredWill will) {
    journal.submit(new Change.SaveWill(clientId, will), false);
  }

  @Override
  public void removeWill(String clientId) {
    journal.submit(new Change.RemoveWill(clientId), false);
  }
}
