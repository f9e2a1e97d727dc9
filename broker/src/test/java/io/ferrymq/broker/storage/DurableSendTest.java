package io.ferrymq.broker.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrymq.broker.FerryBroker;
import io.ferrymq.broker.config.BrokerConfig;
import io.ferrymq.broker.testing.TestBroker;
import io.ferrymq.broker.testing.V5Client;
import io.ferrymq.spi.storage.SessionStore;
import io.ferrymq.spi.storage.StoredDelivery;
import io.ferrymq.spi.storage.StoredSession;
import io.ferrymq.spi.storage.StoredSubscription;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A QoS 2 PUBLISH to a persistent session goes on the wire only after the store has made its packet
 * id durable, so that a crash before that point cannot resend it under another packet id. The store
 * here is the memory store with its {@code markSent} stages kept open until the test releases them.
 */
@Timeout(60)
class DurableSendTest {

  /** The memory store, except that each {@code markSent} completes only when the test releases it. */
  private static final class GatedMarkSentStore implements SessionStore {
    final MemorySessionStore store = new MemorySessionStore();
    final List<CompletableFuture<Void>> gates = new CopyOnWriteArrayList<>();

    void releaseAll() {
      gates.forEach(f -> f.complete(null));
    }

    @Override
    public List<StoredSession> load() {
      return store.load();
    }

    @Override
    public void saveSession(String clientId, long expirySeconds) {
      store.saveSession(clientId, expirySeconds);
    }

    @Override
    public void removeSession(String clientId) {
      store.removeSession(clientId);
    }

    @Override
    public void saveSubscription(String clientId, StoredSubscription subscription) {
      store.saveSubscription(clientId, subscription);
    }

    @Override
    public void removeSubscription(String clientId, String fullFilter) {
      store.removeSubscription(clientId, fullFilter);
    }

    @Override
    public CompletionStage<Void> enqueue(String clientId, long deliveryId, StoredDelivery delivery) {
      return store.enqueue(clientId, deliveryId, delivery);
    }

    @Override
    public CompletionStage<Void> markSent(String clientId, long deliveryId, int packetId) {
      store.markSent(clientId, deliveryId, packetId);
      CompletableFuture<Void> gate = new CompletableFuture<>();
      gates.add(gate);
      return gate;
    }

    @Override
    public void markReleased(String clientId, long deliveryId) {
      store.markReleased(clientId, deliveryId);
    }

    @Override
    public void removeDelivery(String clientId, long deliveryId) {
      store.removeDelivery(clientId, deliveryId);
    }

    @Override
    public CompletionStage<Void> addInboundQos2(String clientId, int packetId) {
      return store.addInboundQos2(clientId, packetId);
    }

    @Override
    public void removeInboundQos2(String clientId, int packetId) {
      store.removeInboundQos2(clientId, packetId);
    }
  }

  private final GatedMarkSentStore store = new GatedMarkSentStore();

  private TestBroker start() {
    return TestBroker.start(FerryBroker.builder().config(BrokerConfig.builder().port(0).eventLoops(2).build())
        .sessionStore(store));
  }

  private static V5Client persistentSubscriber(TestBroker broker) throws Exception {
    V5Client sub = V5Client.connect(broker, "gated-sub", options -> options.setSessionExpiryInterval(300L));
    sub.client.subscribe("gated/#", 2);
    return sub;
  }

  private static void publish(TestBroker broker, String text, int qos) throws Exception {
    try (V5Client pub = V5Client.connect(broker, "gated-pub")) {
      pub.client.publish("gated/x", text.getBytes(StandardCharsets.UTF_8), qos, false);
    }
  }

  @Test
  void qos2PublishWaitsForDurablePacketId() throws Exception {
    try (TestBroker broker = start(); V5Client sub = persistentSubscriber(broker)) {
      publish(broker, "exactly-once", 2);
      publish(broker, "behind-it", 1);
      Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> store.gates.size() == 2);

      Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
          .until(() -> sub.received.isEmpty());
      store.releaseAll();

      assertThat(sub.next().text()).isEqualTo("exactly-once");
      assertThat(sub.next().text()).isEqualTo("behind-it");
    }
  }

  @Test
  void qos1PublishDoesNotWaitForPacketId() throws Exception {
    try (TestBroker broker = start(); V5Client sub = persistentSubscriber(broker)) {
      publish(broker, "at-least-once", 1);

      assertThat(sub.next().text()).isEqualTo("at-least-once");
      assertThat(store.gates).hasSize(1);
      assertThat(store.gates.get(0)).isNotDone();
    }
  }
}
