package io.ferrymq.spi;

/**
 * Receives broker events, for metrics and audit.
 *
 * <p>Threading: called on event loops, often several at once, on the hot path. Implementations
 * must be thread-safe, must not block, and should only update counters or enqueue work. Every
 * method has an empty default so an observer overrides only what it needs.
 */
public interface BrokerObserver {

  /** A client completed CONNECT and received a successful CONNACK. */
  default void onConnect(ConnectInfo client, boolean sessionPresent) {
  }

  /** A CONNECT was rejected with {@code reason}. */
  default void onConnectRejected(String remoteAddress, ReasonCode reason) {
  }

  /**
   * A connection that had been accepted ended.
   *
   * @param byClient whether the client ended it with DISCONNECT (true) or the broker or network did
   */
  default void onDisconnect(ConnectInfo client, ReasonCode reason, boolean byClient) {
  }

  /** A PUBLISH arrived from a client, before the interceptors ran. */
  default void onPublishIn(Message message) {
  }

  /**
   * A PUBLISH was written to a subscriber.
   *
   * @param qos the QoS of this delivery, which may be lower than the message's
   */
  default void onPublishOut(Message message, int qos) {
  }

  /** A message was not delivered to one recipient, or at all when {@code clientId} is null. */
  default void onDrop(Message message, String clientId, DropReason reason) {
  }

  /** An unacknowledged PUBLISH was sent again, with DUP set, after a reconnect. */
  default void onRedelivery(Message message, String clientId) {
  }

  /** A subscription was added ({@code +1}) or removed ({@code -1}). */
  default void onSubscriptionCountChange(int delta) {
  }

  /** The number of retained messages changed by {@code delta}. */
  default void onRetainedCountChange(int delta) {
  }

  /** The broker stopped reading from a publisher's socket for {@code reason}. */
  default void onPublisherPaused(ConnectInfo client, PauseReason reason) {
  }

  /**
   * The broker resumed reading from a publisher it had paused, or the paused connection ended.
   *
   * @param pausedNanos how long reading was paused, in nanoseconds
   */
  default void onPublisherResumed(ConnectInfo client, PauseReason reason, long pausedNanos) {
  }

  /**
   * The {@link PublishGate} closed ({@code overloaded} true) or opened again.
   *
   * @param queuedBytes the broker's queued payload bytes that triggered the change
   */
  default void onOverloadChange(boolean overloaded, long queuedBytes) {
  }

  /**
   * A message ran out of delivery attempts to {@code clientId} and left its session; the broker also
   * reports {@link #onDrop} with {@link DropReason#DEAD_LETTER} for it.
   *
   * @param deadLetter the message routed in its place, or {@code null} when it was dropped
   */
  default void onDeadLetter(Message original, String clientId, int attempts, Message deadLetter) {
  }

  /**
   * A session or retained store forced a group of changes to disk. Raised by the store extension,
   * on its own writer thread rather than an event loop.
   *
   * @param durationNanos time to write and force the group, in nanoseconds
   * @param records how many changes the group contained
   */
  default void onStoreCommit(long durationNanos, int records) {
  }
}
