package io.ferrymq.broker;

import io.ferrymq.broker.config.BrokerConfig;
import io.ferrymq.broker.protocol.OverloadGate;
import io.ferrymq.broker.retained.RetainedMessages;
import io.ferrymq.broker.routing.TopicTree;
import io.ferrymq.broker.session.Router;
import io.ferrymq.broker.session.SessionRegistry;
import io.ferrymq.broker.util.CompositeObserver;
import io.ferrymq.spi.Authenticator;
import io.ferrymq.spi.Authorizer;
import io.ferrymq.spi.BrokerStats;
import io.ferrymq.spi.ConnectInfo;
import io.ferrymq.spi.PublishInterceptor;
import io.ferrymq.spi.PublishThrottle;
import io.ferrymq.spi.QueueLimits;
import io.ferrymq.spi.RedeliveryPolicy;
import io.ferrymq.spi.storage.RetainedStore;
import io.ferrymq.spi.storage.SessionStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The broker's shared parts, wired once at start and then read by every connection. The lists of
 * extension hooks are written only while extensions start, before the listeners open.
 */
public final class BrokerCore {

  private static final Logger log = LoggerFactory.getLogger(BrokerCore.class);

  private final BrokerConfig config;
  private final Vertx vertx;
  private final CompositeObserver observer = new CompositeObserver();
  private final TopicTree tree = new TopicTree();
  private final RetainedMessages retained;
  private final SessionRegistry sessions;
  private final Router router;
  private final List<Authorizer> authorizers = new CopyOnWriteArrayList<>();
  private final List<PublishInterceptor> interceptors = new CopyOnWriteArrayList<>();
  private volatile Authenticator authenticator;
  private volatile boolean shuttingDown;
  private final BrokerTotals totals;
  private final OverloadGate publishGate;
  private volatile PublishThrottle publishThrottle;
  private volatile RedeliveryPolicy redeliveryPolicy;
  private volatile QueueLimits queueLimits;

  BrokerCore(BrokerConfig config, Vertx vertx) {
    this.config = config;
    this.vertx = vertx;
    this.retained = new RetainedMessages(observer);
    this.sessions = new SessionRegistry(vertx, config, tree, observer);
    this.router = new Router(tree, retained, observer);
    this.sessions.router(router);
    this.totals = new BrokerTotals(sessions);
    observer.add(totals);
    this.publishGate = new OverloadGate(observer);
  }

  /** Live totals for gauges. */
  public BrokerStats stats() {
    return totals;
  }

  public BrokerConfig config() {
    return config;
  }

  public Vertx vertx() {
    return vertx;
  }

  public CompositeObserver observer() {
    return observer;
  }

  public TopicTree tree() {
    return tree;
  }

  public RetainedMessages retained() {
    return retained;
  }

  public SessionRegistry sessions() {
    return sessions;
  }

  public Router router() {
    return router;
  }

  public Authenticator authenticator() {
    return authenticator;
  }

  void authenticator(Authenticator value) {
    if (authenticator != null) {
      throw new IllegalStateException("an authenticator is already registered: " + authenticator.getClass().getName());
    }
    this.authenticator = value;
  }

  private volatile SessionStore sessionStore;
  private volatile RetainedStore retainedStore;

  void sessionStore(SessionStore store) {
    if (sessionStore != null) {
      throw new IllegalStateException("a session store is already registered: " + sessionStore.getClass().getName());
    }
    this.sessionStore = store;
  }

  void retainedStore(RetainedStore store) {
    if (retainedStore != null) {
      throw new IllegalStateException("a retained store is already registered: " + retainedStore.getClass().getName());
    }
    this.retainedStore = store;
  }

  /**
   * Loads what the registered stores hold and makes later changes durable in them; call once,
   * after the extensions have started and before the listeners open.
   */
  void restoreFromStores() {
    long begin = System.nanoTime();
    long[] restored = {0, 0};
    int retainedCount = 0;
    if (sessionStore != null) {
      sessions.sessionStore(sessionStore);
      restored = sessions.restore(vertx::getOrCreateContext);
    }
    if (retainedStore != null) {
      retainedCount = retained.restoreFrom(retainedStore);
    }
    sessions.resumeRestored();
    if (sessionStore != null || retainedStore != null) {
      log.info("restored sessions={} queued-or-inflight={} retained={} in {} ms", restored[0], restored[1],
          retainedCount, (System.nanoTime() - begin) / 1_000_000);
    }
  }

  public List<PublishInterceptor> interceptors() {
    return interceptors;
  }

  void addInterceptor(PublishInterceptor interceptor) {
    interceptors.add(interceptor);
  }

  void addAuthorizer(Authorizer authorizer) {
    authorizers.add(authorizer);
  }

  public boolean mayPublish(ConnectInfo client, String topic) {
    for (Authorizer a : authorizers) {
      if (!a.mayPublish(client, topic)) {
        return false;
      }
    }
    return true;
  }

  public boolean maySubscribe(ConnectInfo client, String filter) {
    for (Authorizer a : authorizers) {
      if (!a.maySubscribe(client, filter)) {
        return false;
      }
    }
    return true;
  }

  public boolean isShuttingDown() {
    return shuttingDown;
  }

  void shuttingDown() {
    this.shuttingDown = true;
  }

  /** Returns the throttle called after every inbound PUBLISH, or {@code null}. */
  public PublishThrottle publishThrottle() {
    return publishThrottle;
  }

  void publishThrottle(PublishThrottle throttle) {
    if (publishThrottle != null) {
      throw new IllegalStateException("a publish throttle is already registered: " + publishThrottle.getClass().getName());
    }
    this.publishThrottle = throttle;
  }

  public OverloadGate publishGate() {
    return publishGate;
  }

  void queueLimits(QueueLimits limits) {
    if (queueLimits != null) {
      throw new IllegalStateException("queue limits are already set by another extension");
    }
    this.queueLimits = limits;
    sessions.queueLimits(limits);
  }

  void redeliveryPolicy(RedeliveryPolicy policy) {
    if (redeliveryPolicy != null) {
      throw new IllegalStateException("a redelivery policy is already registered: " + redeliveryPolicy.getClass().getName());
    }
    this.redeliveryPolicy = policy;
    sessions.redeliveryPolicy(policy);
  }
}
