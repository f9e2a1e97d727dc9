package io.ferrymq.spi;

/**
 * Current totals of the broker, for gauges. Thread-safe; each value is read without locks and may
 * lag a change on another event loop by a moment.
 */
public interface BrokerStats {

  /** Clients with a live connection. */
  int connectedClients();

  /** Sessions, connected or not. */
  int sessions();

  /** Subscriptions across all sessions, shared ones included. */
  long subscriptions();

  int retainedMessages();

  /** Messages waiting in session queues for an in-flight slot or a reconnect. */
  long queuedMessages();

  /** Outbound QoS 1 and 2 messages sent and not yet completed by their clients. */
  long inflightMessages();

  /**
   * Payload bytes of the messages counted by {@link #queuedMessages()}. Unlike that sum, this total
   * is kept as it changes, so reading it is cheap enough for every publish.
   */
  default long queuedBytes() {
    return 0;
  }
}
