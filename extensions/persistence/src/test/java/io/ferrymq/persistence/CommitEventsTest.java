package io.ferrymq.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrymq.broker.FerryBroker;
import io.ferrymq.broker.config.BrokerConfig;
import io.ferrymq.spi.BrokerObserver;
import io.ferrymq.spi.Extension;
import io.ferrymq.spi.ExtensionContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Every group the journal forces to disk reaches the broker's observers with its duration and size. */
@Timeout(60)
class CommitEventsTest {

  @TempDir
  Path dir;

  /** Counts the store commits that observers receive. */
  private static final class CommitCounter implements Extension, BrokerObserver {
    final AtomicLong commits = new AtomicLong();
    final AtomicLong records = new AtomicLong();
    final AtomicLong nanos = new AtomicLong();

    @Override
    public String name() {
      return "commit-counter";
    }

    @Override
    public CompletionStage<Void> start(ExtensionContext context, Map<String, Object> config) {
      context.addObserver(this);
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> stop() {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public void onStoreCommit(long durationNanos, int recordCount) {
      commits.incrementAndGet();
      records.addAndGet(recordCount);
      nanos.addAndGet(durationNanos);
    }
  }

  @Test
  void forcedGroupsReachObservers() throws Exception {
    CommitCounter counter = new CommitCounter();
    FerryBroker broker = FerryBroker.builder().config(BrokerConfig.builder().port(0).wsPort(-1).eventLoops(2)
        .dataDir(dir).extension("persistence", Map.of("enabled", true))
        .extension("commit-counter", Map.of("enabled", true)).build()).extension(counter).start();
    String uri = "tcp://127.0.0.1:" + broker.port();
    try {
      try (Mqtt sub = Mqtt.connect(uri, "commit-sub", true, 600)) {
        sub.client.subscribe("commit/#", 1);
      }
      try (Mqtt pub = Mqtt.connect(uri, "commit-pub")) {
        for (int i = 0; i < 10; i++) {
          pub.publish("commit/x", "m" + i, 1, false);
        }
      }

      // Each of the ten PUBACKs waited for a forced group that contained its message.
      Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> counter.records.get() >= 10);
      assertThat(counter.commits.get()).isBetween(1L, counter.records.get());
      assertThat(counter.nanos.get()).isPositive();
    } finally {
      broker.stop();
    }
  }
}
