package io.ferrymq.bench.load;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.messages.MqttPublishMessage;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntConsumer;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SynchronizedHistogram;

/**
 * The one subscriber of a phase. It records every delivery in the ledger and, in a paced phase, the
 * latency from the publisher's send call to arrival. Each delivery wakes the publisher of that
 * message, which may be waiting for credit.
 */
final class LoadSubscriber extends BenchClient {

  /** Latencies up to one minute, in nanoseconds, with three significant digits. */
  private static final long MAX_LATENCY_NANOS = 60_000_000_000L;

  private final DeliveryLedger ledger;
  private final Histogram latencies = new SynchronizedHistogram(MAX_LATENCY_NANOS, 3);
  private final boolean recordLatency;
  private volatile IntConsumer onDelivered = publisher -> { };

  LoadSubscriber(Vertx vertx, String clientId, DeliveryLedger ledger, boolean recordLatency, boolean cleanSession) {
    // The subscriber never publishes, so its in-flight limit does not matter.
    super(vertx, clientId, 10, cleanSession);
    this.ledger = ledger;
    this.recordLatency = recordLatency;
    client.publishHandler(this::onPublish);
  }

  void onDelivered(IntConsumer listener) {
    this.onDelivered = listener;
  }

  /** Subscribes to {@code filter}; completes on a SUBACK that grants {@code qos}. */
  CompletableFuture<Void> subscribe(String filter, MqttQoS qos) {
    CompletableFuture<Void> subscribed = new CompletableFuture<>();
    context.runOnContext(ignored -> {
      client.subscribeCompletionHandler(subAck -> {
        int granted = subAck.grantedQoSLevels().get(0);
        if (granted == qos.value()) {
          subscribed.complete(null);
        } else {
          subscribed.completeExceptionally(new IllegalStateException(
              "SUBACK for " + filter + " granted " + granted + ", expected QoS " + qos.value()));
        }
      });
      client.subscribe(filter, qos.value()).onFailure(subscribed::completeExceptionally);
    });
    return subscribed;
  }

  DeliveryLedger ledger() {
    return ledger;
  }

  Histogram latencies() {
    return latencies;
  }

  private void onPublish(MqttPublishMessage message) {
    long arrived = System.nanoTime();
    Buffer payload = message.payload();
    int publisher = payload.getInt(0);
    long sequence = payload.getLong(Integer.BYTES);
    boolean first = ledger.record(publisher, sequence);
    if (recordLatency && first) {
      long sentAt = payload.getLong(Integer.BYTES + Long.BYTES);
      latencies.recordValue(Math.min(MAX_LATENCY_NANOS, Math.max(0, arrived - sentAt)));
    }
    onDelivered.accept(publisher);
  }
}
