package io.ferrymq.spi;

/**
 * Allows or denies a client's publish and subscribe per topic.
 *
 * <p>Threading: called on the client's event loop for every PUBLISH and every topic filter of a
 * SUBSCRIBE, so it must answer from memory without blocking.
 */
public interface Authorizer {

  /** Returns whether {@code clientId} may publish to {@code topic}. */
  default boolean mayPublish(ConnectInfo client, String topic) {
    return true;
  }

  /** Returns whether {@code clientId} may subscribe to {@code topicFilter}. */
  default boolean maySubscribe(ConnectInfo client, String topicFilter) {
    return true;
  }
}
