package io.ferrymq.broker.session;

import io.ferrymq.broker.routing.Subscription;
import io.ferrymq.spi.BrokerObserver;
import io.ferrymq.spi.Message;
import io.ferrymq.spi.QueueLimits;
import io.ferrymq.spi.RedeliveryPolicy;
import io.ferrymq.spi.storage.SessionStore;
import io.vertx.core.Context;
import io.vertx.core.Handler;

/** What a {@link Session} needs from the rest of the broker; the session registry provides it. */
interface SessionHost {

  int maxQueuedMessages();

  int maxInflightMessages();

  BrokerObserver observer();

  /** The Vert.x context of the calling thread, or {@code null} off an event loop. */
  Context currentContext();

  /** Starts a one-shot timer on the calling event loop. */
  long setTimer(long delayMillis, Handler<Long> handler);

  void cancelTimer(long timerId);

  /** Routes a will message as if its client had published it. */
  void publishWill(Message will);

  /** Removes a subscription from the topic tree. */
  void unsubscribe(Subscription subscription);

  /** Forgets an ended session. */
  void sessionEnded(Session session);

  /** The store for persistent sessions, or {@code null} when nothing is durable. */
  SessionStore sessionStore();

  /** A new id for a stored delivery, unique and increasing. */
  long nextDeliveryId();

  /** Logs, at a limited rate, that a session's queue was full. */
  void logQueueFull(String clientId);

  /** The bounds of each session's queue and the fate of a message that finds it full. */
  QueueLimits queueLimits();

  /** The redelivery and dead-letter policy, or {@code null} for unlimited attempts and no retransmission. */
  RedeliveryPolicy redeliveryPolicy();

  /** Adds {@code delta} to the broker's total of queued payload bytes; thread-safe. */
  void queuedBytesChanged(long delta);

  /** Routes a dead letter as if a client had published it. */
  void routeDeadLetter(Message deadLetter);
}
