package io.ferrymq.bench.load;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One publisher of a phase, in one of two modes.
 *
 * <p>Flat out ({@link #startFlatOut}): the publisher keeps at most {@code window} messages that any
 * subscriber has not received yet, and for QoS 1 and 2 at most {@code window} without PUBACK or
 * PUBCOMP. It publishes whenever it has credit and parks when it has none; a delivery or an
 * acknowledgement wakes it. The end-to-end window keeps both brokers out of their overload paths
 * (dropping QoS 0, queue limits), so the figure is the rate at which messages get through.
 *
 * <p>Paced ({@link #startPaced}): the publisher sends at a fixed rate on a 1 ms timer, each message
 * stamped with the time of its send call. A publisher that falls behind catches up in the next tick.
 */
final class LoadPublisher extends BenchClient {

  /** Messages sent in one event-loop turn before yielding, so acknowledgements get read in between. */
  private static final int BURST = 256;

  private final Vertx vertx;
  private final int index;
  private final String topic;
  private final MqttQoS qos;
  private final int payloadSize;
  private final int window;
  private final List<DeliveryLedger> ledgers;
  private final AtomicBoolean parked = new AtomicBoolean();
  private volatile long sent;
  private volatile long completed;
  private volatile long failed;
  private volatile boolean stopped;
  private long timerId = -1;

  LoadPublisher(Vertx vertx, String clientId, int index, String topic, MqttQoS qos, int payloadSize,
      int window, List<DeliveryLedger> ledgers) {
    super(vertx, clientId, window + 1);
    this.vertx = vertx;
    this.index = index;
    this.topic = topic;
    this.qos = qos;
    this.payloadSize = payloadSize;
    this.window = window;
    this.ledgers = List.copyOf(ledgers);
    client.publishCompletionHandler(packetId -> onCompleted());
  }

  void startFlatOut() {
    context.runOnContext(ignored -> pump());
  }

  void startPaced(double messagesPerSecond) {
    context.runOnContext(ignored -> {
      long start = System.nanoTime();
      timerId = vertx.setPeriodic(1, id -> sendDue(start, messagesPerSecond));
    });
  }

  /** Stops publishing; messages already sent still complete. */
  void stop() {
    stopped = true;
    context.runOnContext(ignored -> {
      if (timerId >= 0) {
        vertx.cancelTimer(timerId);
      }
    });
  }

  /** Called on any thread when a subscriber received one of this publisher's messages. */
  void onDelivered() {
    wake();
  }

  long sent() {
    return sent;
  }

  /** Messages whose QoS 1 or 2 handshake with the broker finished; equals {@link #sent()} for QoS 0. */
  long completed() {
    return completed;
  }

  /** Publish calls that failed in the client, such as on a closed connection. */
  long failed() {
    return failed;
  }

  private void pump() {
    int burst = 0;
    while (!stopped && hasCredit()) {
      publishOne();
      if (++burst == BURST) {
        context.runOnContext(ignored -> pump());
        return;
      }
    }
    if (stopped) {
      return;
    }
    parked.set(true);
    // A delivery between the credit check and parking would otherwise leave the publisher asleep.
    if (hasCredit()) {
      wake();
    }
  }

  private void wake() {
    if (parked.compareAndSet(true, false)) {
      context.runOnContext(ignored -> pump());
    }
  }

  /** Credit counts against the slowest subscriber, so no subscriber falls more than a window behind. */
  private boolean hasCredit() {
    if (sent - completed >= window) {
      return false;
    }
    for (DeliveryLedger ledger : ledgers) {
      if (sent - ledger.unique(index) >= window) {
        return false;
      }
    }
    return true;
  }

  private void sendDue(long start, double messagesPerSecond) {
    if (stopped) {
      return;
    }
    long due = (long) ((System.nanoTime() - start) / 1e9 * messagesPerSecond);
    while (sent < due && sent - completed < window) {
      publishOne();
    }
  }

  private void publishOne() {
    long sequence = sent;
    sent = sequence + 1;
    client.publish(topic, payload(index, sequence, payloadSize), qos, false, false)
        .onFailure(error -> failed++);
    if (qos == MqttQoS.AT_MOST_ONCE) {
      completed++;
    }
  }

  private void onCompleted() {
    completed++;
    wake();
  }
}
