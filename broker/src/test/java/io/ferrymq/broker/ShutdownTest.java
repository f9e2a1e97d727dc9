package io.ferrymq.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrymq.broker.testing.TestBroker;
import io.ferrymq.broker.testing.V3Client;
import io.ferrymq.broker.testing.V5Client;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ShutdownTest {

  @Test
  void stopTellsV5ClientsServerShuttingDown() throws Exception {
    TestBroker broker = TestBroker.start();
    try (V5Client v5 = V5Client.connect(broker, "told");
         V3Client v3 = V3Client.connect(broker, "closed", true);
         V5Client watcher = V5Client.connect(broker, "will-watcher")) {
      broker.close();
      Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !v5.disconnects.isEmpty());
      assertThat(v5.disconnects.get(0).getReturnCode()).isEqualTo(0x8B);
      Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> v3.connectionLost != null);
    }
  }

  @Test
  void stopIsIdempotent() {
    TestBroker broker = TestBroker.start();
    broker.close();
    broker.close();
    assertThat(broker.port()).isPositive();
  }
}
