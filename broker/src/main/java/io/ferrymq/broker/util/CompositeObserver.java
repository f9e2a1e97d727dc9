package io.ferrymq.broker.util;

import io.ferrymq.spi.BrokerObserver;
import io.ferrymq.spi.ConnectInfo;
import io.ferrymq.spi.DropReason;
import io.ferrymq.spi.Message;
import io.ferrymq.spi.PauseReason;
import io.ferrymq.spi.ReasonCode;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fans each broker event out to every registered observer. An observer that throws is logged at a
 * limited rate and does not stop the others or the broker.
 */
public final class CompositeObserver implements BrokerObserver {

  private static final Logger log = LoggerFactory.getLogger(CompositeObserver.class);
  private final CopyOnWriteArrayList<BrokerObserver> observers = new CopyOnWriteArrayList<>();
  private final RateLimitedLog failures = new RateLimitedLog(log, 10_000);

  public void add(BrokerObserver observer) {
    observers.add(observer);
  }

  private void each(java.util.function.Consumer<BrokerObserver> call) {
    for (BrokerObserver o : observers) {
      try {
        call.accept(o);
      } catch (RuntimeException e) {
        failures.warn("observer {} failed: {}", o.getClass().getName(), e.toString());
      }
    }
  }

  @Override
  public void onConnect(ConnectInfo client, boolean sessionPresent) {
    if (!observers.isEmpty()) {
      each(o -> o.onConnect(client, sessionPresent));
    }
  }

  @Override
  public void onConnectRejected(String remoteAddress, ReasonCode reason) {
    if (!observers.isEmpty()) {
      each(o -> o.onConnectRejected(remoteAddress, reason));
    }
  }

  @Override
  public void onDisconnect(ConnectInfo client, ReasonCode reason, boolean byClient) {
    if (!observers.isEmpty()) {
      each(o -> o.onDisconnect(client, reason, byClient));
    }
  }

  @Override
  public void onPublishIn(Message message) {
    if (!observers.isEmpty()) {
      each(o -> o.onPublishIn(message));
    }
  }

  @Override
  public void onPublishOut(Message message, int qos) {
    if (!observers.isEmpty()) {
      each(o -> o.onPublishOut(message, qos));
    }
  }

  @Override
  public void onDrop(Message message, String clientId, DropReason reason) {
    if (!observers.isEmpty()) {
      each(o -> o.onDrop(message, clientId, reason));
    }
  }

  @Override
  public void onRedelivery(Message message, String clientId) {
    if (!observers.isEmpty()) {
      each(o -> o.onRedelivery(message, clientId));
    }
  }

  @Override
  public void onSubscriptionCountChange(int delta) {
    if (!observers.isEmpty()) {
      each(o -> o.onSubscriptionCountChange(delta));
    }
  }

  @Override
  public void onRetainedCountChange(int delta) {
    if (!observers.isEmpty()) {
      each(o -> o.onRetainedCountChange(delta));
    }
  }

  @Override
  public void onPublisherPaused(ConnectInfo client, PauseReason reason) {
    if (!observers.isEmpty()) {
      each(o -> o.onPublisherPaused(client, reason));
    }
  }

  @Override
  public void onPublisherResumed(ConnectInfo client, PauseReason reason, long pausedNanos) {
    if (!observers.isEmpty()) {
      each(o -> o.onPublisherResumed(client, reason, pausedNanos));
    }
  }

  @Override
  public void onOverloadChange(boolean overloaded, long queuedBytes) {
    if (!observers.isEmpty()) {
      each(o -> o.onOverloadChange(overloaded, queuedBytes));
    }
  }

  @Override
  public void onDeadLetter(Message original, String clientId, int attempts, Message deadLetter) {
    if (!observers.isEmpty()) {
      each(o -> o.onDeadLetter(original, clientId, attempts, deadLetter));
    }
  }

  @Override
  public void onStoreCommit(long durationNanos, int records) {
    if (!observers.isEmpty()) {
      each(o -> o.onStoreCommit(durationNanos, records));
    }
  }
}
