package io.ferrymq.persistence;

import io.ferrymq.persistence.journal.Change;
import io.ferrymq.persistence.journal.JournalWriter;
import io.ferrymq.spi.storage.SessionStore;
import io.ferrymq.spi.storage.StoredDelivery;
import io.ferrymq.spi.storage.StoredSession;
import io.ferrymq.spi.storage.StoredSubscription;
import io.ferrymq.spi.storage.StoredWill;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A {@link SessionStore} on the journal. Every method queues one record and returns at once. The
 * stages of {@link #enqueue}, {@link #markSent} and {@link #addInboundQos2} complete after the
 * record's group has been forced to disk. Records keep the order of the calls, so calls about one client id, which the
 * broker makes in order, are replayed in that order.
 */
public final class DurableSessionStore implements SessionStore {

  private final DurableStore store;
  private final JournalWriter journal;
  private final QueueBounds bounds;

  public DurableSessionStore(DurableStore store, PersistenceConfig config) {
    this.store = store;
    this.journal = store.journal();
    this.bounds = new QueueBounds(config.maxQueuedMessages(), config.maxQueuedBytes());
  }

  @Override
  public List<StoredSession> load() {
    List<StoredSession> sessions = store.takeRecoveredSessions();
    bounds.restore(sessions);
    return sessions;
  }

  @Override
  public void saveSession(String clientId, long expirySeconds) {
    journal.submit(new Change.SaveSession(clientId, expirySeconds), false);
  }

  @Override
  public void removeSession(String clientId) {
    bounds.removeSession(clientId);
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
    return journal.submit(new Change.Enqueue(clientId, delivery), true);
  }

  @Override
  public CompletionStage<Void> markSent(String clientId, long deliveryId, int packetId) {
    return journal.submit(new Change.MarkSent(clientId, deliveryId, packetId), true);
  }

  @Override
  public void markReleased(String clientId, long deliveryId) {
    journal.submit(new Change.MarkReleased(clientId, deliveryId), false);
  }

  @Override
  public void removeDelivery(String clientId, long deliveryId) {
    bounds.remove(clientId, deliveryId);
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
