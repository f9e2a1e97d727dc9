package io.ferrymq.broker.protocol;

import io.ferrymq.spi.BrokerObserver;
import io.ferrymq.spi.PublishGate;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's {@link PublishGate}. A closed gate pauses each publisher at its next PUBLISH, on the
 * publisher's own loop, so that closing costs nothing on connections that stay quiet.
 *
 * <p>Threading: the flag is atomic and the set of paused connections is concurrent, because the
 * gate is switched from any thread while every event loop reads it after each PUBLISH.
 */
public final class OverloadGate implements PublishGate {

  private static final Logger log = LoggerFactory.getLogger(OverloadGate.class);

  private final BrokerObserver observer;
  private final Set<ReadPauses> paused = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();

  public OverloadGate(BrokerObserver observer) {
    this.observer = observer;
  }

  @Override
  public void close(long queuedBytes) {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    log.warn("overload: reading from publishers paused queued-bytes={}", queuedBytes);
    observer.onOverloadChange(true, queuedBytes);
  }

  @Override
  public void open(long queuedBytes) {
    if (!closed.compareAndSet(true, false)) {
      return;
    }
    int count = paused.size();
    for (ReadPauses p : paused) {
      paused.remove(p);
      p.resumeAfterOverload();
    }
    log.warn("overload over: reading from publishers resumed queued-bytes={} paused-connections={}", queuedBytes, count);
    observer.onOverloadChange(false, queuedBytes);
  }

  @Override
  public boolean isClosed() {
    return closed.get();
  }

  /**
   * Records a connection paused by the closed gate. Returns false when the gate opened meanwhile,
   * because {@link #open} has then passed over the connection and the caller must not stay paused.
   */
  boolean register(ReadPauses connection) {
    paused.add(connection);
    if (closed.get()) {
      return true;
    }
    paused.remove(connection);
    return false;
  }

  void unregister(ReadPauses connection) {
    paused.remove(connection);
  }
}
