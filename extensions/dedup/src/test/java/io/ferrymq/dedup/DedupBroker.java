package io.ferrymq.dedup;

import io.ferrymq.broker.FerryBroker;
import io.ferrymq.broker.config.BrokerConfig;
import io.ferrymq.spi.BrokerObserver;
import io.ferrymq.spi.DropReason;
import io.ferrymq.spi.Extension;
import io.ferrymq.spi.ExtensionContext;
import io.ferrymq.spi.Message;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A broker on a free loopback port with the dedup extension on a clock that tests move by hand, and an
 * observer that counts drops by reason. Close it at the end of the test.
 */
final class DedupBroker implements AutoCloseable {

  final FerryBroker broker;
  final DedupExtension dedup;
  final Map<DropReason, Integer> drops;

  private DedupBroker(FerryBroker broker, DedupExtension dedup, Map<DropReason, Integer> drops) {
    this.broker = broker;
    this.dedup = dedup;
    this.drops = drops;
  }

  /** Starts a broker whose dedup section is {@code section} plus {@code enabled: true}. */
  static DedupBroker start(Map<String, Object> section, AtomicLong clock, Path dataDir) {
    Map<DropReason, Integer> drops = new ConcurrentHashMap<>();
    DedupExtension dedup = new DedupExtension(clock::get);
    Map<String, Object> enabled = new LinkedHashMap<>(section);
    enabled.put("enabled", true);
    BrokerConfig config = BrokerConfig.builder().host("127.0.0.1").port(0).eventLoops(2).dataDir(dataDir)
        .extension("dedup", enabled)
        .extension("drop-counter", Map.of("enabled", true))
        .build();
    FerryBroker broker = FerryBroker.builder().config(config).extension(dedup)
        .extension(new DropCounter(drops)).start();
    return new DedupBroker(broker, dedup, drops);
  }

  String uri() {
    return "tcp://127.0.0.1:" + broker.port();
  }

  int port() {
    return broker.port();
  }

  int duplicatesDropped() {
    return drops.getOrDefault(DropReason.DUPLICATE, 0);
  }

  @Override
  public void close() {
    broker.stop();
  }

  /** Counts the broker's drop events by reason. */
  private static final class DropCounter implements Extension {
    private final Map<DropReason, Integer> drops;

    DropCounter(Map<DropReason, Integer> drops) {
      this.drops = drops;
    }

    @Override
    public String name() {
      return "drop-counter";
    }

    @Override
    public CompletionStage<Void> start(ExtensionContext context, Map<String, Object> config) {
      context.addObserver(new BrokerObserver() {
        @Override
        public void onDrop(Message message, String clientId, DropReason reason) {
          drops.merge(reason, 1, Integer::sum);
        }
      });
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> stop() {
      return CompletableFuture.completedFuture(null);
    }
  }
}
