package io.ferrymq.dedup;

import io.ferrymq.dedup.DedupSettings.StoreKind;
import io.ferrymq.dedup.store.IdStore;
import io.ferrymq.dedup.store.MapDbIdStore;
import io.ferrymq.dedup.store.MemoryIdStore;
import io.ferrymq.dedup.store.ShardedIdTable;
import io.ferrymq.spi.Extension;
import io.ferrymq.spi.ExtensionContext;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dedup extension: drops inbound publishes that repeat a message let through inside a time
 * window. See {@link DuplicateFilter} for what counts as a duplicate and {@link DedupSettings} for the
 * settings.
 */
public final class DedupExtension implements Extension {

  private static final Logger log = LoggerFactory.getLogger(DedupExtension.class);
  private static final long EVICTION_LOG_INTERVAL_MILLIS = 10_000;

  private final LongSupplier clock;
  private volatile IdStore store;
  private volatile DuplicateFilter filter;
  private long lastEvictionLogMillis = Long.MIN_VALUE / 2;
  private long evictionsAtLastLog;

  /** Creates the extension on the wall clock; {@link java.util.ServiceLoader} calls this. */
  public DedupExtension() {
    this(System::currentTimeMillis);
  }

  /** Creates the extension on {@code clock}, in epoch milliseconds, for tests that move time. */
  public DedupExtension(LongSupplier clock) {
    this.clock = clock;
  }

  @Override
  public String name() {
    return "dedup";
  }

  @Override
  public CompletionStage<Void> start(ExtensionContext context, Map<String, Object> config) {
    DedupSettings settings = DedupSettings.parse(config);
    long now = clock.getAsLong();
    ShardedIdTable table = new ShardedIdTable(settings.maxIds(), settings.maxWindowMillis(), now, this::onEvicted);
    if (settings.store() == StoreKind.MAPDB) {
      Path dir = settings.path() != null ? settings.path() : context.dataDir().resolve("dedup");
      store = MapDbIdStore.open(table, dir, settings.maxWindowMillis(), settings.commitIntervalMillis(), now);
    } else {
      store = new MemoryIdStore(table);
    }
    filter = new DuplicateFilter(settings, store, clock);
    context.addPublishInterceptor(filter);
    log.info("dedup started store={} max-ids={} slots={} shards={} rules={} resend window={} ms", settings.store(),
        settings.maxIds(), table.slots(), table.shards(), settings.rules().size(), settings.windowMillis());
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<Void> stop() {
    IdStore current = store;
    if (current == null) {
      return CompletableFuture.completedFuture(null);
    }
    current.close();
    log.info("dedup stopped ids={} evictions={} dropped by id property={} by content hash={} resends={}",
        current.size(), current.evictions(), filter.droppedById(), filter.droppedByContent(),
        filter.droppedResends());
    return CompletableFuture.completedFuture(null);
  }

  /** Returns the store in use, or null before start. */
  IdStore store() {
    return store;
  }

  /** Returns the interceptor in use, or null before start. */
  DuplicateFilter filter() {
    return filter;
  }

  /**
   * Logs evictions at most once per interval with the count since the last line. Shards call it under
   * their own locks, possibly at once, so the log state has its own lock; a sweep is rare enough that
   * this lock is off the lookup path.
   */
  private synchronized void onEvicted(int evicted, long totalEvictions) {
    long now = clock.getAsLong();
    if (now - lastEvictionLogMillis < EVICTION_LOG_INTERVAL_MILLIS) {
      return;
    }
    log.warn("dedup table full: evicted {} oldest ids since the last report, {} in total; raise max-ids to keep "
        + "ids for their whole window", totalEvictions - evictionsAtLastLog, totalEvictions);
    lastEvictionLogMillis = now;
    evictionsAtLastLog = totalEvictions;
  }
}
