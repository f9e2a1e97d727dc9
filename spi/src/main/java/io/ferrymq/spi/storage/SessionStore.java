package io.ferrymq.spi.storage;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Durable state of persistent sessions: those with a Session Expiry Interval above zero. Sessions that
 * end with their connection are never stored.
 *
 * <p>Threading: methods are called from event loops, often several at once, and must not block;
 * calls about one client id arrive in the order of the changes they record. Methods returning a
 * stage mark a durability point: the broker acknowledges the client only after the stage completes,
 * so it must complete after the change is committed to stable storage, and fail if it cannot be.
 */
public interface SessionStore {

  /** Returns every stored session; called once at start, before the listeners open, off the event loops. */
  List<StoredSession> load();

  /** Records a persistent session, or its new expiry. */
  void saveSession(String clientId, long expirySeconds);

  /** Forgets a session and everything stored for it. */
  void removeSession(String clientId);

  void saveSubscription(String clientId, StoredSubscription subscription);

  void removeSubscription(String clientId, String fullFilter);

  /**
   * Records a QoS 1 or 2 message queued for a session.
   *
   * @param deliveryId unique across the store and increasing in queue order
   * @return completes once the message is durable; the publisher's PUBACK or PUBREC waits for it
   */
  CompletionStage<Void> enqueue(String clientId, long deliveryId, StoredDelivery delivery);

  /**
   * Records that a queued message is being sent with {@code packetId} and awaits PUBACK or PUBREC.
   *
   * @return completes once durable. The broker writes a QoS 2 PUBLISH only after that, so that a
   *     restart resends it under the same packet id and the client can tell the resend from a new
   *     message. QoS 1 PUBLISH packets do not wait for it.
   */
  CompletionStage<Void> markSent(String clientId, long deliveryId, int packetId);

  /** Records that the client sent PUBREC: the broker now owes it PUBREL only. */
  void markReleased(String clientId, long deliveryId);

  /** Forgets a message that the client acknowledged or that was dropped. */
  void removeDelivery(String clientId, long deliveryId);

  /**
   * Records an inbound QoS 2 packet id awaiting PUBREL, so that a resend after a restart is not
   * routed twice.
   *
   * @return completes once durable; the PUBREC waits for it
   */
  CompletionStage<Void> addInboundQos2(String clientId, int packetId);

  void removeInboundQos2(String clientId, int packetId);

  /**
   * Records that the session's connection ended at {@code sinceMillis} (epoch milliseconds), so that
   * its expiry after a restart counts from then. The default stores nothing, and a restored session
   * then counts its expiry from the restart.
   */
  default void markOffline(String clientId, long sinceMillis) {
  }

  /** Records that a client connected to the session, so that no offline time applies after a restart. */
  default void markOnline(String clientId) {
  }

  /**
   * Records a will that waits for its Will Delay Interval, so that a restart publishes it when it is
   * due. The default stores nothing, and such a will is lost when the broker stops.
   */
  default void saveWill(String clientId, StoredWill will) {
  }

  /** Forgets the pending will of a session, because it was published or its client came back. */
  default void removeWill(String clientId) {
  }
}
