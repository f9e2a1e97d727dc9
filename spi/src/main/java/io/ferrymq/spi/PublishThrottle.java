package io.ferrymq.spi;

/**
 * Slows publishers down with TCP backpressure: after each inbound PUBLISH the broker asks how long
 * to stop reading the publisher's socket. The publish itself always goes on, so a throttle never
 * drops or delays a message it has already read; the client feels the pause as a full TCP window.
 *
 * <p>This is cheaper than a {@link PublishInterceptor} that completes later: it allocates nothing
 * per publish and keeps no publish waiting in memory.
 *
 * <p>Threading: called on the publisher's event loop, for every PUBLISH of that connection, one at a
 * time and in order. One connection's calls are never concurrent, but calls for different clients
 * run on several event loops at once, so state shared between clients must be thread-safe. Never
 * block. A throttle that throws is logged and treated as returning 0.
 */
public interface PublishThrottle {

  /**
   * Accounts for one PUBLISH as it arrived, before validation and interceptors.
   *
   * @param publish the publish; {@code publish.message().payload().length} is its payload size
   * @return how long to pause reading from the publisher, in nanoseconds; 0 or less to keep reading
   */
  long pauseNanosAfter(InboundPublish publish);

  /**
   * Releases what the throttle keeps for a connection that ended. Called on the connection's event
   * loop, once per connection that published at least once.
   */
  default void onConnectionClosed(ConnectInfo client) {
  }
}
