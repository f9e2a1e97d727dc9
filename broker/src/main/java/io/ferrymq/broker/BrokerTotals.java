package io.ferrymq.broker;

import io.ferrymq.broker.session.Session;
import io.ferrymq.broker.session.SessionRegistry;
import io.ferrymq.spi.BrokerObserver;
import io.ferrymq.spi.BrokerStats;
import io.ferrymq.spi.ConnectInfo;
import io.ferrymq.spi.ReasonCode;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps the broker's totals from its own events, and sums per-session counts when asked, so that
 * gauges cost nothing on the publish path.
 */
final class BrokerTotals implements BrokerObserver, BrokerStats {

  private final SessionRegistry sessions;
  private final AtomicInteger connected = new AtomicInteger();
  private final AtomicLong subscriptions = new AtomicLong();
  private final AtomicInteger retained = new AtomicInteger();

  BrokerTotals(SessionRegistry sessions) {
    this.sessions = sessions;
  }

  @Override
  public void onConnect(ConnectInfo client, boolean sessionPresent) {
    connected.incrementAndGet();
  }

  @Override
  public void onDisconnect(ConnectInfo client, ReasonCode reason, boolean byClient) {
    connected.decrementAndGet();
  }

  @Override
  public void onSubscriptionCountChange(int delta) {
    subscriptions.addAndGet(delta);
  }

  @Override
  public void onRetainedCountChange(int delta) {
    retained.addAndGet(delta);
  }

  @Override
  public int connectedClients() {
    return connected.get();
  }

  @Override
  public int sessions() {
    return sessions.size();
  }

  @Override
  public long subscriptions() {
    return subscriptions.get();
  }

  @Override
  public int retainedMessages() {
    return retained.get();
  }

  @Override
  public long queuedMessages() {
    long total = 0;
    for (Session s : sessions.all()) {
      total += s.queuedCount();
    }
    return total;
  }

  @Override
  public long queuedBytes() {
    return sessions.queuedBytes();
  }

  @Override
  public long inflightMessages() {
    long total = 0;
    for (Session s : sessions.all()) {
      total += s.inflightGauge();
    }
    return total;
  }
}
