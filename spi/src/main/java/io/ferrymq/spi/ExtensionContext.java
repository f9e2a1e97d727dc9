package io.ferrymq.spi;

/**
 * What the broker offers an extension during {@link Extension#start}. Registrations made after
 * start has completed are rejected with {@link IllegalStateException}.
 */
public interface ExtensionContext {

  /** The broker's data folder ({@code data-dir}); an extension keeps its files in a subfolder of its name. */
  java.nio.file.Path dataDir();

  /** Live totals of the broker, for gauges. */
  BrokerStats stats();

  /** Sets the authenticator; only one extension may register one. */
  void authenticator(Authenticator authenticator);

  /** Adds an authorizer; every registered authorizer must allow an action for it to pass. */
  void addAuthorizer(Authorizer authorizer);

  /**
   * Adds an inbound publish interceptor. Interceptors run in the order of the extensions' {@code order}
   * settings, then in registration order.
   */
  void addPublishInterceptor(PublishInterceptor interceptor);

  /** Adds an observer of broker events. */
  void addObserver(BrokerObserver observer);

  /**
   * Returns every registered observer as one, so that an extension can raise the events it
   * produces, such as {@link BrokerObserver#onStoreCommit}. The default reaches no observer.
   */
  default BrokerObserver observers() {
    return new BrokerObserver() {
    };
  }

  /**
   * Sets the store that makes persistent sessions durable; only one extension may register one. The
   * broker loads it once all extensions have started.
   */
  void sessionStore(io.ferrymq.spi.storage.SessionStore store);

  /** Sets the store that makes retained messages durable; only one extension may register one. */
  void retainedStore(io.ferrymq.spi.storage.RetainedStore store);

  /**
   * Publishes a message from the broker itself, for example a {@code $SYS} summary or a dead letter.
   * Thread-safe; the message is routed like a client's publish without running the interceptors.
   */
  void publish(Message message);

  /**
   * Sets the throttle that the broker calls after every inbound PUBLISH; only one extension may
   * register one.
   *
   * @throws UnsupportedOperationException when the broker has no throttling
   */
  default void publishThrottle(PublishThrottle throttle) {
    throw new UnsupportedOperationException("this broker does not support publish throttles");
  }

  /** Returns the broker-wide gate that pauses reading from every publisher while it is closed. */
  default PublishGate publishGate() {
    throw new UnsupportedOperationException("this broker does not support a publish gate");
  }

  /**
   * Returns the session queue bounds in force now. Until an extension replaces them, these are the
   * broker's {@code max-queued-messages} with no byte bound and new messages dropped.
   */
  default QueueLimits queueLimits() {
    throw new UnsupportedOperationException("this broker does not report its queue limits");
  }

  /**
   * Replaces the broker's session queue bounds and overflow policy ({@code max-queued-messages}, no
   * byte bound, new messages dropped); only one extension may set them.
   */
  default void queueLimits(QueueLimits limits) {
    throw new UnsupportedOperationException("this broker does not support queue limits from extensions");
  }

  /** Sets the redelivery and dead-letter policy; only one extension may register one. */
  default void redeliveryPolicy(RedeliveryPolicy policy) {
    throw new UnsupportedOperationException("this broker does not support redelivery policies");
  }
}
