package io.ferrymq.persistence.state;

import io.ferrymq.spi.Message;
import io.ferrymq.spi.storage.StoredDelivery;
import io.ferrymq.spi.storage.StoredSession;
import io.ferrymq.spi.storage.StoredSubscription;
import io.ferrymq.spi.storage.StoredWill;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * The durable state as of the last record applied: what a checkpoint writes and what start-up
 * returns to the broker. Payloads are the broker's own immutable arrays, so the image costs a map
 * entry per message, not a copy of it.
 *
 * <p>Not thread-safe: the journal writer thread owns it once the store is open; before that the
 * thread that recovers the store does.
 */
public final class StoreImage {

  /** One stored session. */
  public static final class SessionImage {
    long expirySeconds;
    final Map<String, StoredSubscription> subscriptions = new LinkedHashMap<>();
    final TreeMap<Long, StoredDelivery> deliveries = new TreeMap<>();
    final Set<Integer> inboundQos2 = new LinkedHashSet<>();
    long queuedBytes;
    long offlineSinceMillis;
    StoredWill will;

    public long expirySeconds() {
      return expirySeconds;
    }

    public Map<String, StoredSubscription> subscriptions() {
      return subscriptions;
    }

    public TreeMap<Long, StoredDelivery> deliveries() {
      return deliveries;
    }

    public Set<Integer> inboundQos2() {
      return inboundQos2;
    }

    /** When the last connection ended, in epoch milliseconds; 0 while connected or unknown. */
    public long offlineSinceMillis() {
      return offlineSinceMillis;
    }

    /** The will waiting for its delay, or {@code null}. */
    public StoredWill will() {
      return will;
    }

    /** Payload bytes of the stored messages, for the queue bound in bytes. */
    public long queuedBytes() {
      return queuedBytes;
    }

    SessionImage copy() {
      SessionImage c = new SessionImage();
      c.expirySeconds = expirySeconds;
      c.subscriptions.putAll(subscriptions);
      c.deliveries.putAll(deliveries);
      c.inboundQos2.addAll(inboundQos2);
      c.queuedBytes = queuedBytes;
      c.offlineSinceMillis = offlineSinceMillis;
      c.will = will;
      return c;
    }
  }

  private final Map<String, SessionImage> sessions;
  private final Map<String, Message> retained;
  private long deliveryCount;
  // Set only while salvaging after a lost checkpoint: changes for unknown sessions create them.
  private long adoptedExpirySeconds = -1;

  public StoreImage() {
    this(new HashMap<>(), new HashMap<>(), 0);
  }

  private StoreImage(Map<String, SessionImage> sessions, Map<String, Message> retained, long deliveryCount) {
    this.sessions = sessions;
    this.retained = retained;
    this.deliveryCount = deliveryCount;
  }

  /**
   * Copies the image for a checkpoint written on another thread. The maps are copied, the messages
   * shared: O(entries) pointer copies, no payload bytes.
   */
  public StoreImage snapshot() {
    Map<String, SessionImage> copy = new HashMap<>(sessions.size() * 2);
    sessions.forEach((id, s) -> copy.put(id, s.copy()));
    return new StoreImage(copy, new HashMap<>(retained), deliveryCount);
  }

  public Map<String, SessionImage> sessions() {
    return sessions;
  }

  public Map<String, Message> retained() {
    return retained;
  }

  public SessionImage session(String clientId) {
    return sessions.get(clientId);
  }

  /** Queued and in-flight messages over all sessions. */
  public long deliveryCount() {
    return deliveryCount;
  }

  /**
   * Makes later changes about an unknown session create it with {@code expirySeconds}, because its
   * own record was lost with a damaged checkpoint while its messages are still in the journal; 0
   * turns this off.
   */
  public void adoptOrphans(long expirySeconds) {
    this.adoptedExpirySeconds = expirySeconds;
  }

  private SessionImage sessionOrAdopt(String clientId) {
    SessionImage s = sessions.get(clientId);
    if (s == null && adoptedExpirySeconds > 0) {
      s = new SessionImage();
      s.expirySeconds = adoptedExpirySeconds;
      sessions.put(clientId, s);
    }
    return s;
  }

  public void saveSession(String clientId, long expirySeconds) {
    sessions.computeIfAbsent(clientId, id -> new SessionImage()).expirySeconds = expirySeconds;
  }

  public void removeSession(String clientId) {
    SessionImage removed = sessions.remove(clientId);
    if (removed != null) {
      deliveryCount -= removed.deliveries.size();
    }
  }

  public void saveSubscription(String clientId, StoredSubscription subscription) {
    SessionImage s = sessionOrAdopt(clientId);
    if (s != null) {
      s.subscriptions.put(subscription.fullFilter(), subscription);
    }
  }

  public void removeSubscription(String clientId, String fullFilter) {
    SessionImage s = sessions.get(clientId);
    if (s != null) {
      s.subscriptions.remove(fullFilter);
    }
  }

  public void enqueue(String clientId, StoredDelivery delivery) {
    SessionImage s = sessionOrAdopt(clientId);
    if (s == null) {
      return;
    }
    StoredDelivery previous = s.deliveries.put(delivery.deliveryId(), delivery);
    if (previous == null) {
      deliveryCount++;
    } else {
      s.queuedBytes -= previous.message().payload().length;
    }
    s.queuedBytes += delivery.message().payload().length;
  }

  public void updateDelivery(String clientId, long deliveryId, UnaryOperator<StoredDelivery> change) {
    SessionImage s = sessions.get(clientId);
    if (s != null) {
      s.deliveries.computeIfPresent(deliveryId, (id, d) -> change.apply(d));
    }
  }

  public void removeDelivery(String clientId, long deliveryId) {
    SessionImage s = sessions.get(clientId);
    if (s == null) {
      return;
    }
    StoredDelivery removed = s.deliveries.remove(deliveryId);
    if (removed != null) {
      deliveryCount--;
      s.queuedBytes -= removed.message().payload().length;
    }
  }

  public void addInboundQos2(String clientId, int packetId) {
    SessionImage s = sessionOrAdopt(clientId);
    if (s != null) {
      s.inboundQos2.add(packetId);
    }
  }

  public void removeInboundQos2(String clientId, int packetId) {
    SessionImage s = sessions.get(clientId);
    if (s != null) {
      s.inboundQos2.remove(packetId);
    }
  }

  public void markOffline(String clientId, long sinceMillis) {
    SessionImage s = sessions.get(clientId);
    if (s != null) {
      s.offlineSinceMillis = sinceMillis;
    }
  }

  /** Stores the pending will of a session, or removes it when {@code will} is {@code null}. */
  public void saveWill(String clientId, StoredWill will) {
    SessionImage s = sessions.get(clientId);
    if (s != null) {
      s.will = will;
    }
  }

  public void putRetained(Message message) {
    retained.put(message.topic(), message);
  }

  public void removeRetained(String topic) {
    retained.remove(topic);
  }

  /**
   * Drops queued messages and retained messages whose Message Expiry Interval has passed at
   * {@code nowMillis}. Messages already sent stay, because their QoS flow must complete.
   *
   * @return how many messages were dropped
   */
  public long purgeExpired(long nowMillis) {
    long purged = 0;
    for (SessionImage s : sessions.values()) {
      var it = s.deliveries.values().iterator();
      while (it.hasNext()) {
        StoredDelivery d = it.next();
        if (d.packetId() == 0 && d.message().isExpired(nowMillis)) {
          it.remove();
          deliveryCount--;
          s.queuedBytes -= d.message().payload().length;
          purged++;
        }
      }
    }
    var retainedIt = retained.values().iterator();
    while (retainedIt.hasNext()) {
      if (retainedIt.next().isExpired(nowMillis)) {
        retainedIt.remove();
        purged++;
      }
    }
    return purged;
  }

  /** Returns the sessions in the form the broker restores them from. */
  public List<StoredSession> toStoredSessions() {
    List<StoredSession> out = new ArrayList<>(sessions.size());
    sessions.forEach((id, s) -> out.add(new StoredSession(id, s.expirySeconds, List.copyOf(s.subscriptions.values()),
        List.copyOf(s.deliveries.values()), Set.copyOf(s.inboundQos2), s.offlineSinceMillis, s.will)));
    return out;
  }
}
