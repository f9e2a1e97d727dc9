package io.ferrymq.broker.session;

import io.ferrymq.broker.config.BrokerConfig;
import io.ferrymq.broker.routing.Subscription;
import io.ferrymq.broker.routing.TopicTree;
import io.ferrymq.broker.util.RateLimitedLog;
import io.ferrymq.spi.BrokerObserver;
import io.ferrymq.broker.routing.Topics;
import io.ferrymq.spi.Message;
import io.ferrymq.spi.QueueLimits;
import io.ferrymq.spi.RedeliveryPolicy;
import io.ferrymq.spi.storage.SessionStore;
import io.ferrymq.spi.storage.StoredSession;
import io.ferrymq.spi.storage.StoredSubscription;
import io.ferrymq.spi.ReasonCode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every session by client id, and the hand-over of a session from one connection to the next.
 *
 * <p>Opening a session for a client id that is already connected takes it over: the old connection
 * is closed on its own event loop (MQTT 5 clients get DISCONNECT 0x8E), and only then does the new
 * connection continue, on its loop, with the session resumed or replaced [MQTT-3.1.4-3].
 */
public final class SessionRegistry implements SessionHost {

  private static final Logger log = LoggerFactory.getLogger(SessionRegistry.class);

  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final Vertx vertx;
  private final BrokerConfig config;
  private final TopicTree tree;
  private final BrokerObserver observer;
  private final RateLimitedLog queueFullLog = new RateLimitedLog(log, 10_000);
  private volatile Router router;
  private volatile SessionStore sessionStore;
  // Restored sessions whose countdowns have not started yet; touched only by the thread that starts the broker.
  private final List<Session> restored = new ArrayList<>();
  private final AtomicLong deliveryIds = new AtomicLong(System.currentTimeMillis() * 1000);
  // A LongAdder, because every event loop changes it on every enqueue and send.
  private final LongAdder queuedBytes = new LongAdder();
  private volatile QueueLimits queueLimits;
  private volatile RedeliveryPolicy redeliveryPolicy;

  public SessionRegistry(Vertx vertx, BrokerConfig config, TopicTree tree, BrokerObserver observer) {
    this.vertx = vertx;
    this.config = config;
    this.tree = tree;
    this.observer = observer;
    this.queueLimits = new QueueLimits(config.maxQueuedMessages(), Long.MAX_VALUE, QueueLimits.Qos0Overflow.DROP_NEWEST,
        QueueLimits.ReliableOverflow.REJECT_PUBLISH);
  }

  /** Replaces the default limits, {@code max-queued-messages} with no byte bound; call before clients connect. */
  public void queueLimits(QueueLimits limits) {
    this.queueLimits = limits;
  }

  /** Sets the redelivery policy; call before clients connect. */
  public void redeliveryPolicy(RedeliveryPolicy policy) {
    this.redeliveryPolicy = policy;
  }

  /** Returns the payload bytes queued in every session. */
  public long queuedBytes() {
    return queuedBytes.sum();
  }

  public void router(Router value) {
    this.router = value;
  }

  /** Sets the store for persistent sessions; call before {@link #restore} and before clients connect. */
  public void sessionStore(SessionStore store) {
    this.sessionStore = store;
  }

  /**
   * Rebuilds the stored sessions as offline sessions, with their subscriptions in the topic tree.
   * Call once at start, before the listeners open, then {@link #resumeRestored} once retained
   * messages are restored too.
   *
   * @param contexts gives the event loop context that owns each restored session
   * @return how many sessions and queued or in-flight messages came back
   */
  public long[] restore(Supplier<Context> contexts) {
    SessionStore store = sessionStore;
    if (store == null) {
      return new long[] {0, 0};
    }
    long messages = 0;
    List<StoredSession> stored = store.load();
    for (StoredSession s : stored) {
      Context owner = contexts.get();
      Session session = new Session(s.clientId(), this, owner, s.expirySeconds());
      List<Subscription> subs = new ArrayList<>();
      for (StoredSubscription sub : s.subscriptions()) {
        Subscription restored = toSubscription(session, sub);
        if (restored != null) {
          tree.subscribe(restored);
          observer.onSubscriptionCountChange(1);
          subs.add(restored);
        }
      }
      session.restore(s, subs);
      messages += s.deliveries().size();
      sessions.put(s.clientId(), session);
      restored.add(session);
    }
    return new long[] {stored.size(), messages};
  }

  /**
   * Starts the will and expiry countdowns of the restored sessions, each on its own loop. Sessions
   * that expired while the broker was down end, and wills that fell due are published. Call it after
   * every stored session and retained message is back, so that those wills reach all of them.
   */
  public void resumeRestored() {
    long now = System.currentTimeMillis();
    for (Session session : restored) {
      session.owner().runOnContext(v -> session.resumeCountdowns(now));
    }
    restored.clear();
  }

  private static Subscription toSubscription(Session session, StoredSubscription s) {
    Topics.SharedFilter shared;
    try {
      shared = Topics.parseShared(s.fullFilter());
    } catch (IllegalArgumentException e) {
      log.warn("stored subscription skipped client={} filter={} reason={}", session.clientId(), s.fullFilter(),
          e.getMessage());
      return null;
    }
    String filter = shared == null ? s.fullFilter() : shared.filter();
    return new Subscription(session, filter, shared == null ? null : shared.shareName(), s.qos(), s.noLocal(),
        s.retainAsPublished(), s.retainHandling(), s.subscriptionId());
  }

  /** The outcome of {@link #open}, delivered on the new connection's event loop. */
  public record Opened(Session session, boolean sessionPresent) {
  }

  /** The part of a connection the registry uses to close it for a takeover or a shutdown. */
  public interface Connection extends Outbound {
    /**
     * Closes this connection from the broker side and detaches it from its session at once; MQTT 5
     * clients get DISCONNECT with {@code reason}.
     */
    void serverDisconnect(ReasonCode reason, String detail);
  }

  /**
   * Opens the session of {@code clientId} for a connection on {@code context}, taking over a
   * connected one. {@code then} runs on {@code context} once the old connection has let go.
   *
   * @param cleanStart discard any existing session [MQTT-3.1.2-4]
   * @param expirySeconds the session expiry the new connection asked for, already capped
   */
  public void open(String clientId, boolean cleanStart, long expirySeconds, Context context,
                   Consumer<Opened> then) {
    Session existing = sessions.get(clientId);
    if (existing == null || cleanStart) {
      if (existing != null) {
        existing.detachFromStore();
      }
      SessionStore store = sessionStore;
      if (store != null) {
        // Clean Start discards whatever was stored under this client id [MQTT-3.1.2-4].
        store.removeSession(clientId);
      }
      Session fresh = new Session(clientId, this, context, 0);
      fresh.expirySeconds(expirySeconds);
      sessions.put(clientId, fresh);
      if (existing != null) {
        onOwner(existing, () -> {
          takeOver(existing);
          existing.end();
        });
      }
      then.accept(new Opened(fresh, false));
      return;
    }
    onOwner(existing, () -> {
      takeOver(existing);
      if (existing.isEnded() || sessions.get(clientId) != existing) {
        // The old connection's session ended with it (expiry 0) or a newer connect replaced it.
        context.runOnContext(v -> open(clientId, true, expirySeconds, context, then));
        return;
      }
      // The expiry is set while this loop still owns the session, since it reads the subscriptions.
      existing.expirySeconds(expirySeconds);
      existing.moveTo(context);
      context.runOnContext(v -> then.accept(new Opened(existing, true)));
    });
  }

  private void takeOver(Session session) {
    Outbound current = session.currentConnection();
    if (current instanceof Connection c) {
      c.serverDisconnect(ReasonCode.SESSION_TAKEN_OVER, "another connection took over the client id");
    }
  }

  /** Runs {@code task} on the session's owner loop, following the owner if it moves meanwhile. */
  private void onOwner(Session session, Runnable task) {
    Context owner = session.owner();
    owner.runOnContext(v -> {
      if (session.owner() != owner) {
        onOwner(session, task);
      } else {
        task.run();
      }
    });
  }

  /**
   * Disconnects every connected client with {@code reason}, each on its own event loop; the future
   * completes when each has been sent DISCONNECT or closed.
   */
  public Future<Void> disconnectAll(ReasonCode reason, String detail) {
    List<Future<Void>> done = new ArrayList<>();
    for (Session session : sessions.values()) {
      Promise<Void> told = Promise.promise();
      done.add(told.future());
      onOwner(session, () -> {
        if (session.currentConnection() instanceof Connection c) {
          c.serverDisconnect(reason, detail);
        }
        told.complete();
      });
    }
    return Future.all(done).mapEmpty();
  }

  public Session get(String clientId) {
    return sessions.get(clientId);
  }

  public Collection<Session> all() {
    return sessions.values();
  }

  public int size() {
    return sessions.size();
  }

  @Override
  public int maxQueuedMessages() {
    return config.maxQueuedMessages();
  }

  @Override
  public int maxInflightMessages() {
    return config.maxInflightMessages();
  }

  @Override
  public BrokerObserver observer() {
    return observer;
  }

  @Override
  public Context currentContext() {
    return Vertx.currentContext();
  }

  @Override
  public long setTimer(long delayMillis, Handler<Long> handler) {
    return vertx.setTimer(Math.max(1, delayMillis), handler);
  }

  @Override
  public void cancelTimer(long timerId) {
    vertx.cancelTimer(timerId);
  }

  @Override
  public void publishWill(Message will) {
    log.debug("publishing will client={} topic={}", will.publisherId(), will.topic());
    router.route(will);
  }

  @Override
  public void unsubscribe(Subscription subscription) {
    if (tree.unsubscribe(subscription.subscriber(), subscription.filter(), subscription.shareName())) {
      observer.onSubscriptionCountChange(-1);
    }
  }

  @Override
  public void sessionEnded(Session session) {
    sessions.remove(session.clientId(), session);
  }

  @Override
  public SessionStore sessionStore() {
    return sessionStore;
  }

  @Override
  public long nextDeliveryId() {
    return deliveryIds.incrementAndGet();
  }

  @Override
  public void logQueueFull(String clientId) {
    QueueLimits limits = queueLimits;
    queueFullLog.warn("queue full, message dropped client={} max-messages={} max-bytes={}", clientId,
        limits.maxMessages(), limits.maxBytes());
  }

  @Override
  public QueueLimits queueLimits() {
    return queueLimits;
  }

  @Override
  public RedeliveryPolicy redeliveryPolicy() {
    return redeliveryPolicy;
  }

  @Override
  public void queuedBytesChanged(long delta) {
    queuedBytes.add(delta);
  }

  @Override
  public void routeDeadLetter(Message deadLetter) {
    router.route(deadLetter);
  }
}
