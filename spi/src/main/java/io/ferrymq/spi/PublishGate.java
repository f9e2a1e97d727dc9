package io.ferrymq.spi;

/**
 * A broker-wide switch that stops reading from every publisher, for overload protection.
 *
 * <p>While the gate is closed, each connection that sends a PUBLISH has its socket reads paused
 * after that publish, on its own event loop; opening the gate resumes every paused connection. A
 * publish that was already read is still routed and acknowledged, so nothing is dropped, and
 * connections that do not publish (subscribers acknowledging their deliveries) keep running, which
 * is what lets queues drain.
 *
 * <p>Threading: every method is thread-safe and returns at once; resuming happens on each
 * connection's event loop after {@link #open} returns.
 */
public interface PublishGate {

  /**
   * Closes the gate. Observers see {@link BrokerObserver#onOverloadChange} with {@code true} when it
   * was open.
   *
   * @param queuedBytes the queued bytes that made the caller close it, for the event and the log
   */
  void close(long queuedBytes);

  /** Opens the gate and resumes the paused publishers; observers see the change when it was closed. */
  void open(long queuedBytes);

  boolean isClosed();
}
