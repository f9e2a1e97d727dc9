package io.ferrymq.broker.session;

import io.ferrymq.broker.routing.Subscriber;
import io.ferrymq.broker.routing.Subscription;
import io.ferrymq.broker.session.InflightEntry.Phase;
import io.ferrymq.broker.util.RateLimitedLog;
import io.ferrymq.spi.DropReason;
import io.ferrymq.spi.Message;
import io.ferrymq.spi.QueueLimits;
import io.ferrymq.spi.ReasonCode;
import io.ferrymq.spi.RedeliveryPolicy;
import io.ferrymq.spi.storage.QuotaExceededException;
import io.ferrymq.spi.storage.SessionStore;
import io.ferrymq.spi.storage.StoredDelivery;
import io.ferrymq.spi.storage.StoredSession;
import io.ferrymq.spi.storage.StoredSubscription;
import io.ferrymq.spi.storage.StoredWill;
import io.vertx.core.Context;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker side of one client session: subscriptions, the queue of messages waiting to be sent,
 * the outbound in-flight window and the inbound QoS 2 packet ids awaiting PUBREL.
 *
 * <p>Ownership: every field below the mailbox belongs to the event loop in {@link #owner()}, the
 * loop of the client's latest connection; only that loop reads or writes them, so they need no
 * locks. Other loops hand messages over through {@link #deliver}, which appends to a lock-free
 * mailbox and schedules one drain on the owner, so a burst costs one hop per loop, not one per
 * message. Ownership moves to a new loop only on the old owner, during a reconnect.
 */
public final class Session implements Subscriber {

  private static final Logger log = LoggerFactory.getLogger(Session.class);
  private static final RateLimitedLog deadLetterLog = new RateLimitedLog(log, 10_000);

  private final String clientId;
  private final SessionHost host;
  private volatile Context owner;
  private volatile boolean online;
  private volatile boolean ended;
  // Set when a newer session with the same client id replaced this one in the store.
  private volatile boolean storeDetached;
  private volatile long expirySeconds;

  private final ConcurrentLinkedQueue<OutboundMessage> mailbox = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  // Messages in the mailbox plus the queue; read on any loop to bound the queue before enqueueing.
  private final AtomicInteger queuedCount = new AtomicInteger();
  // Payload bytes of the same messages, kept like queuedCount.
  private final AtomicLong queuedBytes = new AtomicLong();
  // Set once a full queue asked for this session's client to be disconnected; cleared by the next attach.
  private final AtomicBoolean disconnectRequested = new AtomicBoolean();

  private final ArrayDeque<OutboundMessage> queue = new ArrayDeque<>();
  private final LinkedHashMap<Integer, InflightEntry> inflight = new LinkedHashMap<>();
  private final Set<Integer> inboundAwaitingPubrel = new HashSet<>();
  private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();
  private Outbound connection;
  private int nextPacketId = 1;
  private long expiryTimer = -1;
  private WillMessage pendingWill;
  private long willTimer = -1;
  // Set by restore: when the pending will is due and when the last connection ended, in epoch milliseconds.
  private long restoredWillDueAtMillis;
  private long restoredOfflineSinceMillis;
  // QoS 2 PUBLISH packets whose packet id the store has not yet made durable, in send order.
  private final ArrayDeque<DurableWrite> awaitingDurableSend = new ArrayDeque<>();
  private boolean writableWaitArmed;
  // One timer per session retransmits every due in-flight message to an MQTT 3.1.1 client.
  private long retransmitTimer = -1;
  private long retransmitDueNanos;
  // The in-flight count for gauges on other threads; written after every change of the window.
  private volatile int inflightGauge;

  Session(String clientId, SessionHost host, Context owner, long expirySeconds) {
    this.clientId = clientId;
    this.host = host;
    this.owner = owner;
    this.expirySeconds = expirySeconds;
  }

  @Override
  public String clientId() {
    return clientId;
  }

  @Override
  public boolean isOnline() {
    return online;
  }

  public boolean isEnded() {
    return ended;
  }

  public Context owner() {
    return owner;
  }

  /** Returns the connection bound now, or {@code null}; call on the owner loop. */
  Outbound currentConnection() {
    return connection;
  }

  public long expirySeconds() {
    return expirySeconds;
  }

  /** Changes the Session Expiry Interval and records it; a session that ends with its connection leaves the store. */
  public void expirySeconds(long seconds) {
    this.expirySeconds = seconds;
    SessionStore store = host.sessionStore();
    if (store == null || storeDetached) {
      return;
    }
    if (seconds > 0) {
      store.saveSession(clientId, seconds);
      for (Subscription s : subscriptions.values()) {
        store.saveSubscription(clientId, stored(s));
      }
    } else {
      store.removeSession(clientId);
    }
  }

  /** Returns the store to record changes in, or {@code null}: only persistent sessions are stored. */
  private SessionStore store() {
    SessionStore store = host.sessionStore();
    return store == null || storeDetached || expirySeconds == 0 ? null : store;
  }

  /** Stops this session from touching the store, because a new session of the same client id owns the records now. */
  void detachFromStore() {
    storeDetached = true;
  }

  static StoredSubscription stored(Subscription s) {
    return new StoredSubscription(s.fullFilter(), s.qos(), s.noLocal(), s.retainAsPublished(), s.retainHandling(),
        s.subscriptionId());
  }

  /**
   * Hands a message to this session from any thread. QoS 0 messages for an offline session are
   * dropped, as is any message that finds the queue at {@code max-queued-messages}.
   *
   * @return completes when a QoS 1 or 2 message for a persistent session is durable in the session
   *     store, or {@code null} when there is nothing to wait for
   */
  public CompletionStage<Void> deliver(OutboundMessage message) {
    if (ended) {
      return null;
    }
    if (message.qos() == 0 && !online) {
      return null;
    }
    QueueLimits limits = host.queueLimits();
    countQueued(message, 1);
    if (isOverLimit(limits) && !(message.qos() == 0 && limits.qos0() == QueueLimits.Qos0Overflow.DROP_OLDEST
        && isWithinTrimSlack(limits))) {
      countQueued(message, -1);
      return reject(message, limits);
    }
    return storeAndEnqueue(message);
  }

  /**
   * Hands this session the retained messages that its new subscription matched, past the queue bounds.
   * The subscriber asked for them with SUBSCRIBE, so dropping some because the queue is full would hide
   * retained state that it relies on, such as the last status of each device. Their number is bounded
   * by the retained messages that match, whose payloads the queue shares with the retained store. They
   * still count towards the queued totals, so later messages meet the bounds until the queue drains.
   */
  public void deliverRetained(OutboundMessage message) {
    if (ended || (message.qos() == 0 && !online)) {
      return;
    }
    countQueued(message, 1);
    CompletionStage<Void> durable = storeAndEnqueue(message);
    if (durable != null) {
      durable.whenComplete((v, error) -> {
        if (error != null) {
          log.warn("storing a retained message for the new subscription failed client={} topic={} error={}",
              clientId, message.message().topic(), error.toString());
        }
      });
    }
  }

  private CompletionStage<Void> storeAndEnqueue(OutboundMessage message) {
    CompletionStage<Void> durable = null;
    SessionStore store = message.qos() > 0 ? store() : null;
    if (store != null) {
      message = message.withDeliveryId(host.nextDeliveryId());
      try {
        durable = store.enqueue(clientId, message.deliveryId(), message.toStored());
      } catch (QuotaExceededException e) {
        countQueued(message, -1);
        host.observer().onDrop(message.message(), clientId, DropReason.QUEUE_FULL);
        return CompletableFuture.failedFuture(e);
      }
    }
    enqueue(message);
    return durable;
  }

  private void countQueued(OutboundMessage m, int sign) {
    long bytes = sign * (long) m.message().payload().length;
    queuedCount.addAndGet(sign);
    queuedBytes.addAndGet(bytes);
    host.queuedBytesChanged(bytes);
  }

  private boolean isOverLimit(QueueLimits limits) {
    return queuedCount.get() > limits.maxMessages() || queuedBytes.get() > limits.maxBytes();
  }

  /**
   * Returns whether a QoS 0 message may pass a full queue because the owner loop drops older QoS 0
   * messages to make room. The slack of twice the bounds caps the queue while that drain is pending.
   */
  private boolean isWithinTrimSlack(QueueLimits limits) {
    long maxBytes = limits.maxBytes();
    return queuedCount.get() <= 2L * limits.maxMessages()
        && (maxBytes > Long.MAX_VALUE / 2 || queuedBytes.get() <= 2 * maxBytes);
  }

  /**
   * Applies the overflow policy to a message that finds the queue full.
   *
   * <p>NOTE: a QoS 1 or 2 message meets its policy even when queued QoS 0 messages could make room,
   * because only the owner loop may look into the queue.
   */
  private CompletionStage<Void> reject(OutboundMessage message, QueueLimits limits) {
    host.observer().onDrop(message.message(), clientId, DropReason.QUEUE_FULL);
    host.logQueueFull(clientId);
    if (message.qos() == 0) {
      return null;
    }
    if (limits.qos1And2() == QueueLimits.ReliableOverflow.DISCONNECT_SUBSCRIBER) {
      disconnectSlowClient();
      return null;
    }
    // A QoS 1 or 2 message the session cannot take must not be acknowledged as received.
    return CompletableFuture.failedFuture(new QuotaExceededException("queue of client " + clientId + " is full"));
  }

  private void disconnectSlowClient() {
    if (!disconnectRequested.compareAndSet(false, true)) {
      return;
    }
    owner.runOnContext(v -> {
      if (host.currentContext() == owner && connection instanceof SessionRegistry.Connection c) {
        c.serverDisconnect(ReasonCode.QUOTA_EXCEEDED, "the session's queue is full");
      }
    });
  }

  /** Drops queued QoS 0 messages, oldest first, until the queue is within its bounds again. */
  private void dropOldestQos0() {
    QueueLimits limits = host.queueLimits();
    if (limits.qos0() != QueueLimits.Qos0Overflow.DROP_OLDEST || !isOverLimit(limits)) {
      return;
    }
    Iterator<OutboundMessage> it = queue.iterator();
    while (it.hasNext() && isOverLimit(limits)) {
      OutboundMessage m = it.next();
      if (m.qos() == 0) {
        it.remove();
        countQueued(m, -1);
        host.observer().onDrop(m.message(), clientId, DropReason.QUEUE_FULL);
        host.logQueueFull(clientId);
      }
    }
  }

  private void enqueue(OutboundMessage message) {
    mailbox.offer(message);
    if (drainScheduled.compareAndSet(false, true)) {
      Context target = owner;
      if (Context.isOnEventLoopThread() && target == host.currentContext()) {
        drain();
      } else {
        target.runOnContext(v -> drain());
      }
    }
  }

  private void forget(OutboundMessage m) {
    if (m.deliveryId() != 0) {
      SessionStore store = store();
      if (store != null) {
        store.removeDelivery(clientId, m.deliveryId());
      }
    }
  }

  private void drain() {
    drainScheduled.set(false);
    if (host.currentContext() != owner) {
      // Ownership moved while the drain was queued: drain on the new owner instead.
      if (drainScheduled.compareAndSet(false, true)) {
        owner.runOnContext(v -> drain());
      }
      return;
    }
    OutboundMessage m;
    while ((m = mailbox.poll()) != null) {
      if (ended || (m.qos() == 0 && connection == null)) {
        countQueued(m, -1);
        continue;
      }
      queue.add(m);
    }
    dropOldestQos0();
    pump();
  }

  /** Moves queued messages into flight while the window and the socket allow. */
  private void pump() {
    long now = System.currentTimeMillis();
    int window = connection == null ? 0 : Math.min(connection.receiveMaximum(), host.maxInflightMessages());
    while (connection != null && !queue.isEmpty()) {
      if (!connection.isWritable()) {
        armWritableWait();
        return;
      }
      OutboundMessage next = queue.peek();
      if (next.message().isExpired(now)) {
        queue.poll();
        countQueued(next, -1);
        host.observer().onDrop(next.message(), clientId, DropReason.EXPIRED);
        forget(next);
        continue;
      }
      if (next.qos() > 0 && inflight.size() >= window) {
        return;
      }
      queue.poll();
      countQueued(next, -1);
      send(next);
    }
  }

  private void send(OutboundMessage m) {
    if (m.qos() == 0 && !awaitingDurableSend.isEmpty()) {
      awaitingDurableSend.add(new DurableWrite(null, m, connection, DURABLE));
      return;
    }
    if (m.qos() == 0) {
      if (!connection.sendPublish(0, m, false)) {
        host.observer().onDrop(m.message(), clientId, DropReason.PACKET_TOO_LARGE);
      }
      return;
    }
    int packetId = allocatePacketId();
    Phase phase = m.qos() == 1 ? Phase.AWAITING_PUBACK : Phase.AWAITING_PUBREC;
    InflightEntry entry = new InflightEntry(packetId, m, phase);
    inflight.put(packetId, entry);
    inflightGauge = inflight.size();
    SessionStore store = m.deliveryId() == 0 ? null : store();
    CompletionStage<Void> marked = store == null ? null : store.markSent(clientId, m.deliveryId(), packetId);
    boolean mustWait = m.qos() == 2 && marked != null && !isDone(marked);
    if (mustWait || !awaitingDurableSend.isEmpty()) {
      // A QoS 2 PUBLISH goes out only once its packet id is durable: a restart then resends it under the
      // same id, which the client recognises, instead of under a new one, which it would take as a new
      // message. Later messages wait behind it, so that the client receives them in order.
      awaitingDurableSend.add(new DurableWrite(entry, m, connection, mustWait ? marked.toCompletableFuture() : DURABLE));
      if (mustWait) {
        marked.whenComplete((v, error) -> owner.runOnContext(x -> sendDurablePublishes()));
      }
      return;
    }
    writePublish(entry);
  }

  /**
   * Writes the PUBLISH of an in-flight entry and arms its retransmission, or drops it when it exceeds
   * the client's Maximum Packet Size.
   */
  private void writePublish(InflightEntry entry) {
    if (!connection.sendPublish(entry.packetId, entry.outbound, false)) {
      inflight.remove(entry.packetId);
      inflightGauge = inflight.size();
      host.observer().onDrop(entry.outbound.message(), clientId, DropReason.PACKET_TOO_LARGE);
      forget(entry.outbound);
      return;
    }
    scheduleRetransmit(entry);
  }

  private static boolean isDone(CompletionStage<Void> stage) {
    return stage.toCompletableFuture().isDone();
  }

  private static final CompletableFuture<Void> DURABLE = CompletableFuture.completedFuture(null);

  /**
   * A PUBLISH that waits for the store to make its packet id durable, or for such a PUBLISH ahead of
   * it; {@code entry} is {@code null} for QoS 0.
   */
  private record DurableWrite(InflightEntry entry, OutboundMessage message, Outbound connection,
                              CompletableFuture<Void> marked) {
  }

  /**
   * Writes, in send order, the QoS 2 PUBLISH packets whose packet id is durable now. When the store
   * failed to record one, it is written all the same, since holding it back would stall the session.
   *
   * <p>NOTE: when that failure is a full disk, the enqueue record most likely failed too and the publisher got
   * 0x97, yet this copy still reaches the subscriber. A publisher that then sends the message again
   * causes a second delivery.
   */
  private void sendDurablePublishes() {
    if (host.currentContext() != owner) {
      owner.runOnContext(v -> sendDurablePublishes());
      return;
    }
    while (!awaitingDurableSend.isEmpty() && awaitingDurableSend.peek().marked().isDone()) {
      DurableWrite next = awaitingDurableSend.poll();
      if (connection == null || connection != next.connection()) {
        // A newer connection got the in-flight ones with DUP set on attach; without one, attach resends them.
        continue;
      }
      if (next.entry() == null) {
        if (!connection.sendPublish(0, next.message(), false)) {
          host.observer().onDrop(next.message().message(), clientId, DropReason.PACKET_TOO_LARGE);
        }
        continue;
      }
      if (next.marked().isCompletedExceptionally()) {
        log.warn("store could not record the packet id of a QoS 2 PUBLISH, sending it anyway client={} packetId={}",
            clientId, next.entry().packetId);
      }
      if (inflight.get(next.entry().packetId) == next.entry()) {
        writePublish(next.entry());
      }
    }
  }

  private void armWritableWait() {
    if (writableWaitArmed) {
      return;
    }
    writableWaitArmed = true;
    Outbound current = connection;
    current.whenWritable(() -> {
      writableWaitArmed = false;
      if (connection == current) {
        pump();
      }
    });
  }

  /** Picks the next packet id that is not in flight; ids run 1 to 65535 and wrap [MQTT-2.2.1-3]. */
  private int allocatePacketId() {
    for (int i = 0; i < 65535; i++) {
      int candidate = nextPacketId;
      nextPacketId = candidate == 65535 ? 1 : candidate + 1;
      if (!inflight.containsKey(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("all 65535 packet ids in flight for client " + clientId);
  }

  // ---- retransmission and dead letters, on the owner loop ----

  private boolean isOutOfAttempts(InflightEntry entry) {
    RedeliveryPolicy policy = host.redeliveryPolicy();
    return policy != null && policy.maxDeliveryAttempts() > 0 && entry.attempts >= policy.maxDeliveryAttempts();
  }

  /** Sets when an MQTT 3.1.1 client gets {@code entry} again, if the policy retransmits at all. */
  private void scheduleRetransmit(InflightEntry entry) {
    RedeliveryPolicy policy = host.redeliveryPolicy();
    if (policy == null || connection == null || !connection.retransmitsWithinConnection()) {
      return;
    }
    long delayMillis = policy.retransmitDelayMillis(entry.attempts);
    if (delayMillis < 0) {
      entry.retransmitAtNanos = 0;
      return;
    }
    entry.retransmitAtNanos = System.nanoTime() + delayMillis * 1_000_000;
    armRetransmitTimer(entry.retransmitAtNanos);
  }

  private void armRetransmitTimer(long dueNanos) {
    if (retransmitTimer >= 0) {
      if (retransmitDueNanos - dueNanos <= 0) {
        return;
      }
      host.cancelTimer(retransmitTimer);
    }
    retransmitDueNanos = dueNanos;
    Outbound bound = connection;
    long delayMillis = Math.max(1, (dueNanos - System.nanoTime() + 999_999) / 1_000_000);
    retransmitTimer = host.setTimer(delayMillis, id -> {
      retransmitTimer = -1;
      if (connection == bound && host.currentContext() == owner) {
        retransmitDue();
      }
    });
  }

  private void cancelRetransmitTimer() {
    if (retransmitTimer >= 0) {
      host.cancelTimer(retransmitTimer);
      retransmitTimer = -1;
    }
  }

  /** Sends every due in-flight PUBLISH again with DUP set, or dead-letters it when out of attempts. */
  private void retransmitDue() {
    long now = System.nanoTime();
    List<InflightEntry> exhausted = new ArrayList<>(0);
    Iterator<InflightEntry> it = inflight.values().iterator();
    while (it.hasNext()) {
      InflightEntry entry = it.next();
      if (entry.phase == Phase.AWAITING_PUBCOMP || entry.retransmitAtNanos == 0) {
        continue;
      }
      if (entry.retransmitAtNanos - now > 0) {
        armRetransmitTimer(entry.retransmitAtNanos);
        continue;
      }
      if (isOutOfAttempts(entry)) {
        it.remove();
        exhausted.add(entry);
        continue;
      }
      entry.attempts++;
      host.observer().onRedelivery(entry.outbound.message(), clientId);
      connection.sendPublish(entry.packetId, entry.outbound, true);
      scheduleRetransmit(entry);
    }
    if (!exhausted.isEmpty()) {
      deadLetter(exhausted);
      pump();
    }
  }

  /**
   * Takes messages out of flight for good and routes their dead letters. Runs after the caller's
   * iteration of the in-flight map, because a dead letter may come back to this very session.
   */
  private void deadLetter(List<InflightEntry> exhausted) {
    if (exhausted.isEmpty()) {
      return;
    }
    inflightGauge = inflight.size();
    RedeliveryPolicy policy = host.redeliveryPolicy();
    for (InflightEntry entry : exhausted) {
      forget(entry.outbound);
      Message original = entry.outbound.message();
      Message replacement = policy.deadLetter(original, clientId, entry.attempts);
      deadLetterLog.warn("message out of delivery attempts client={} topic={} attempts={} dead-letter={}", clientId,
          original.topic(), entry.attempts, replacement == null ? "dropped" : replacement.topic());
      host.observer().onDrop(original, clientId, DropReason.DEAD_LETTER);
      host.observer().onDeadLetter(original, clientId, entry.attempts, replacement);
      if (replacement != null) {
        host.routeDeadLetter(replacement);
      }
    }
  }

  // ---- acknowledgements from the client, on the owner loop ----

  /** Handles PUBACK; returns false when no QoS 1 publish awaited it. */
  public boolean onPuback(int packetId) {
    InflightEntry entry = inflight.get(packetId);
    if (entry == null || entry.phase != Phase.AWAITING_PUBACK) {
      return false;
    }
    inflight.remove(packetId);
    inflightGauge = inflight.size();
    forget(entry.outbound);
    pump();
    return true;
  }

  /**
   * Handles PUBREC: sends PUBREL, or ends the flow when the client's reason code is an error,
   * since an MQTT 5 PUBREC of 0x80 or above completes the exchange [MQTT-4.3.3-4].
   */
  public void onPubrec(int packetId, boolean failed) {
    InflightEntry entry = inflight.get(packetId);
    if (entry == null) {
      connection.sendPubrel(packetId, false);
      return;
    }
    if (failed && entry.phase == Phase.AWAITING_PUBREC) {
      inflight.remove(packetId);
      inflightGauge = inflight.size();
      forget(entry.outbound);
      pump();
      return;
    }
    if (entry.phase == Phase.AWAITING_PUBREC && entry.outbound.deliveryId() != 0) {
      SessionStore store = store();
      if (store != null) {
        store.markReleased(clientId, entry.outbound.deliveryId());
      }
    }
    entry.phase = Phase.AWAITING_PUBCOMP;
    connection.sendPubrel(packetId, true);
  }

  /** Handles PUBCOMP; returns false when no PUBREL awaited it. */
  public boolean onPubcomp(int packetId) {
    InflightEntry entry = inflight.get(packetId);
    if (entry == null || entry.phase != Phase.AWAITING_PUBCOMP) {
      return false;
    }
    inflight.remove(packetId);
    inflightGauge = inflight.size();
    forget(entry.outbound);
    pump();
    return true;
  }

  /** Records an inbound QoS 2 packet id awaiting PUBREL, so that a resend is caught at once. */
  public void addInboundQos2(int packetId) {
    inboundAwaitingPubrel.add(packetId);
  }

  /**
   * Makes an inbound QoS 2 packet id durable. Call after the message was routed, so that the store
   * never contains the id without the queued copies it stands for.
   *
   * @return completes when the id is durable, or {@code null} when there is nothing to wait for
   */
  public CompletionStage<Void> storeInboundQos2(int packetId) {
    SessionStore store = store();
    return store == null || !inboundAwaitingPubrel.contains(packetId) ? null : store.addInboundQos2(clientId, packetId);
  }

  public boolean hasInboundQos2(int packetId) {
    return inboundAwaitingPubrel.contains(packetId);
  }

  /** Releases an inbound QoS 2 packet id on PUBREL; returns whether it was known. */
  public boolean releaseInboundQos2(int packetId) {
    boolean known = inboundAwaitingPubrel.remove(packetId);
    SessionStore store = store();
    if (known && store != null) {
      store.removeInboundQos2(clientId, packetId);
    }
    return known;
  }

  // ---- subscriptions, on the owner loop ----

  public Subscription subscription(String fullFilter) {
    return subscriptions.get(fullFilter);
  }

  public void putSubscription(Subscription subscription) {
    subscriptions.put(subscription.fullFilter(), subscription);
    SessionStore store = store();
    if (store != null) {
      store.saveSubscription(clientId, stored(subscription));
    }
  }

  public Subscription removeSubscription(String fullFilter) {
    Subscription removed = subscriptions.remove(fullFilter);
    SessionStore store = store();
    if (removed != null && store != null) {
      store.removeSubscription(clientId, fullFilter);
    }
    return removed;
  }

  public List<Subscription> subscriptions() {
    return new ArrayList<>(subscriptions.values());
  }

  // ---- connection lifecycle, on the owner loop ----

  /**
   * Binds a new connection after its CONNACK was written: resends every unacknowledged PUBLISH with
   * DUP set and every PUBREL, in their original order [MQTT-4.4.0-1], then sends what is queued.
   */
  public void attach(Outbound outbound) {
    cancelTimers();
    SessionStore store = store();
    if (store != null) {
      store.markOnline(clientId);
      if (pendingWill != null) {
        store.removeWill(clientId);
      }
    }
    pendingWill = null;
    connection = outbound;
    online = true;
    writableWaitArmed = false;
    disconnectRequested.set(false);
    List<InflightEntry> exhausted = new ArrayList<>(0);
    Iterator<InflightEntry> it = inflight.values().iterator();
    while (it.hasNext()) {
      InflightEntry entry = it.next();
      if (entry.phase == Phase.AWAITING_PUBCOMP) {
        outbound.sendPubrel(entry.packetId, true);
      } else if (isOutOfAttempts(entry)) {
        it.remove();
        exhausted.add(entry);
      } else {
        entry.attempts++;
        host.observer().onRedelivery(entry.outbound.message(), clientId);
        outbound.sendPublish(entry.packetId, entry.outbound, true);
        scheduleRetransmit(entry);
      }
    }
    deadLetter(exhausted);
    drain();
  }

  /**
   * Unbinds the connection that ended. Queued QoS 0 messages are dropped. Messages that a shared
   * subscription gave this session go to another member of the group. The session then waits for its expiry.
   *
   * @param will the will to publish, or {@code null} when the client disconnected normally
   */
  public void detach(Outbound outbound, WillMessage will) {
    if (connection != outbound) {
      return;
    }
    connection = null;
    online = false;
    cancelRetransmitTimer();
    SessionStore store = store();
    if (store != null) {
      store.markOffline(clientId, System.currentTimeMillis());
    }
    dropQueuedQos0();
    handOverSharedMessages();
    if (will != null) {
      scheduleWill(will);
    }
    if (expirySeconds == 0) {
      end();
    } else {
      scheduleExpiry();
    }
  }

  /** Starts the countdown to the end of an offline session; call on the owner loop. */
  void scheduleExpiry() {
    scheduleExpiry(expirySeconds * 1000);
  }

  private void scheduleExpiry(long delayMillis) {
    if (expirySeconds >= 0xFFFFFFFFL) {
      return;
    }
    expiryTimer = host.setTimer(delayMillis, id -> {
      expiryTimer = -1;
      if (!online && !ended) {
        log.info("session expired client={} after={}s", clientId, expirySeconds);
        end();
      }
    });
  }

  /**
   * Rebuilds the state a store kept, before any client connects: the subscriptions (already in the
   * topic tree), sent messages back in flight under their packet ids, the rest queued, and the
   * inbound QoS 2 packet ids.
   */
  void restore(StoredSession stored, List<Subscription> restoredSubscriptions) {
    for (Subscription s : restoredSubscriptions) {
      subscriptions.put(s.fullFilter(), s);
    }
    for (StoredDelivery d : stored.deliveries()) {
      OutboundMessage m = new OutboundMessage(d.message(), d.qos(), d.retain(), d.subscriptionIds(), null,
          d.deliveryId());
      if (d.packetId() == 0) {
        queue.add(m);
        countQueued(m, 1);
        continue;
      }
      Phase phase = d.released() ? Phase.AWAITING_PUBCOMP
          : d.qos() == 1 ? Phase.AWAITING_PUBACK : Phase.AWAITING_PUBREC;
      inflight.put(d.packetId(), new InflightEntry(d.packetId(), m, phase));
      inflightGauge = inflight.size();
      nextPacketId = d.packetId() == 65535 ? 1 : d.packetId() + 1;
    }
    inboundAwaitingPubrel.addAll(stored.inboundQos2());
    StoredWill will = stored.pendingWill();
    if (will != null) {
      pendingWill = new WillMessage(will.message(), 0);
      restoredWillDueAtMillis = will.dueAtMillis();
    }
    restoredOfflineSinceMillis = stored.offlineSinceMillis();
  }

  /**
   * Starts the countdowns of a restored session from the times the store kept: a session whose
   * expiry passed while the broker was down ends now, and a will that fell due meanwhile is
   * published now, once. Call on the owner loop, after every stored session is restored.
   */
  void resumeCountdowns(long nowMillis) {
    if (online || ended) {
      return;
    }
    long offlineMillis = restoredOfflineSinceMillis == 0 ? 0 : Math.max(0, nowMillis - restoredOfflineSinceMillis);
    if (expirySeconds < 0xFFFFFFFFL && offlineMillis >= expirySeconds * 1000) {
      log.info("session expired while the broker was down client={} offline={}s", clientId, offlineMillis / 1000);
      end();
      return;
    }
    if (pendingWill != null) {
      startWillTimer(restoredWillDueAtMillis - nowMillis);
    }
    scheduleExpiry(expirySeconds * 1000 - offlineMillis);
  }

  /** Moves ownership to {@code next}; call on the current owner, then continue on {@code next}. */
  public void moveTo(Context next) {
    cancelTimers();
    this.owner = next;
  }

  /** Ends the session for good: removes its subscriptions and publishes a pending will. */
  public void end() {
    if (ended) {
      return;
    }
    ended = true;
    online = false;
    cancelTimers();
    SessionStore store = host.sessionStore();
    if (store != null && !storeDetached) {
      store.removeSession(clientId);
      storeDetached = true;
    }
    if (pendingWill != null) {
      host.publishWill(pendingWill.message());
      pendingWill = null;
    }
    for (Subscription s : subscriptions.values()) {
      host.unsubscribe(s);
    }
    subscriptions.clear();
    handOverSharedMessages();
    for (OutboundMessage m : queue) {
      countQueued(m, -1);
    }
    queue.clear();
    inflight.clear();
    inflightGauge = 0;
    inboundAwaitingPubrel.clear();
    host.sessionEnded(this);
  }

  private void scheduleWill(WillMessage will) {
    long delay = Math.min(will.delaySeconds(), expirySeconds);
    if (delay <= 0) {
      host.publishWill(will.message());
      return;
    }
    pendingWill = will;
    SessionStore store = store();
    if (store != null) {
      store.saveWill(clientId, new StoredWill(will.message(), System.currentTimeMillis() + delay * 1000));
    }
    startWillTimer(delay * 1000);
  }

  /** Publishes the pending will after {@code delayMillis}, or at once when that is not above 0. */
  private void startWillTimer(long delayMillis) {
    if (delayMillis <= 0) {
      publishPendingWill();
      return;
    }
    willTimer = host.setTimer(delayMillis, id -> {
      willTimer = -1;
      if (pendingWill != null && !online) {
        publishPendingWill();
      }
    });
  }

  private void publishPendingWill() {
    host.publishWill(pendingWill.message());
    pendingWill = null;
    SessionStore store = store();
    if (store != null) {
      store.removeWill(clientId);
    }
  }

  private void cancelTimers() {
    if (expiryTimer >= 0) {
      host.cancelTimer(expiryTimer);
      expiryTimer = -1;
    }
    if (willTimer >= 0) {
      host.cancelTimer(willTimer);
      willTimer = -1;
    }
    cancelRetransmitTimer();
  }

  private void dropQueuedQos0() {
    Iterator<OutboundMessage> it = queue.iterator();
    while (it.hasNext()) {
      OutboundMessage m = it.next();
      if (m.qos() == 0) {
        it.remove();
        countQueued(m, -1);
      }
    }
  }

  /**
   * Gives the messages that a shared subscription chose this session for, and that the client has
   * not received, to another online member of the same group. Without such a member they stay.
   */
  private void handOverSharedMessages() {
    Iterator<InflightEntry> inflightIt = inflight.values().iterator();
    while (inflightIt.hasNext()) {
      InflightEntry entry = inflightIt.next();
      // After PUBREC the client owns a QoS 2 message; resending it elsewhere would deliver it twice.
      if (entry.phase != Phase.AWAITING_PUBCOMP && handOver(entry.outbound)) {
        inflightIt.remove();
      }
      inflightGauge = inflight.size();
    }
    Iterator<OutboundMessage> queueIt = queue.iterator();
    while (queueIt.hasNext()) {
      OutboundMessage m = queueIt.next();
      if (handOver(m)) {
        queueIt.remove();
        countQueued(m, -1);
      }
    }
  }

  private boolean handOver(OutboundMessage m) {
    if (m.sharedGroup() == null) {
      return false;
    }
    Subscription other = m.sharedGroup().pick(this);
    if (other == null || !other.subscriber().isOnline()) {
      return false;
    }
    ((Session) other.subscriber()).deliver(m.forMember(other.qos(), other.subscriptionId()));
    forget(m);
    return true;
  }

  /** Counts for tests and metrics; call on the owner loop. */
  public int inflightCount() {
    return inflight.size();
  }

  /** Returns the in-flight count as last published for other threads. */
  public int inflightGauge() {
    return inflightGauge;
  }

  public int queuedCount() {
    return queuedCount.get();
  }

  /** Returns the payload bytes in the mailbox and the queue; readable on any thread. */
  public long queuedBytes() {
    return queuedBytes.get();
  }
}
