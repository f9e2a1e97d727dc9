package io.ferrymq.dedup.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class ShardedIdTableTest {

  private static final long T0 = 1_700_000_000_000L;
  private static final long HOUR = 3_600_000;

  @Test
  void shardCountGrowsWithCapacity() {
    assertThat(ShardedIdTable.shardCount(1)).isEqualTo(1);
    assertThat(ShardedIdTable.shardCount(8_191)).isEqualTo(1);
    assertThat(ShardedIdTable.shardCount(8_192)).isEqualTo(2);
    assertThat(ShardedIdTable.shardCount(100_000)).isEqualTo(16);
    assertThat(ShardedIdTable.shardCount(1_000_000)).isEqualTo(64);
    assertThat(ShardedIdTable.shardCount(Integer.MAX_VALUE)).isEqualTo(64);
  }

  @Test
  void shardHeadroomCoversSpread() {
    assertThat(ShardedIdTable.shardCapacity(5_000, 1)).isEqualTo(5_000);
    assertThat(ShardedIdTable.shardCapacity(1_000_000, 64)).isEqualTo(15_625 + 625);
  }

  @Test
  void fullCapacityFitsWithoutEviction() {
    ShardedIdTable table = new ShardedIdTable(1_000_000, HOUR, T0, null);

    for (long i = 0; i < 1_000_000; i++) {
      table.recordIfAbsent(mix(i), HOUR, T0);
    }

    assertThat(table.evictions()).isZero();
    assertThat(table.size()).isEqualTo(1_000_000);
  }

  @Test
  void duplicatesFoundInEveryShard() {
    ShardedIdTable table = new ShardedIdTable(1_000_000, HOUR, T0, null);
    for (long fp = 0; fp < 1_000; fp++) {
      assertThat(table.recordIfAbsent(fp, HOUR, T0)).as("first sight of %d", fp).isTrue();
    }

    for (long fp = 0; fp < 1_000; fp++) {
      assertThat(table.recordIfAbsent(fp, HOUR, T0 + 1_000)).as("repeat of %d", fp).isFalse();
    }
    assertThat(table.size()).isEqualTo(1_000);
    assertThat(table.capacity()).isGreaterThanOrEqualTo(1_000_000);
  }

  @Test
  void fingerprintsZeroAndOneStayDistinct() {
    ShardedIdTable table = new ShardedIdTable(100_000, HOUR, T0, null);

    assertThat(table.recordIfAbsent(0, HOUR, T0)).isTrue();
    assertThat(table.recordIfAbsent(1, HOUR, T0)).isTrue();
    assertThat(table.recordIfAbsent(0, HOUR, T0)).isFalse();
    assertThat(table.recordIfAbsent(1, HOUR, T0)).isFalse();
  }

  @Test
  void evictionsSummedOverShards() {
    List<Long> reportedTotals = new ArrayList<>();
    int capacity = 4 * ShardedIdTable.MIN_IDS_PER_SHARD;
    ShardedIdTable table = new ShardedIdTable(capacity, HOUR, T0, (evicted, total) -> reportedTotals.add(total));
    assertThat(table.shards()).isEqualTo(4);

    int inserted = 0;
    for (long i = 0; i < 2L * capacity; i++) {
      if (table.recordIfAbsent(mix(i), HOUR, T0 + i)) {
        inserted++;
      }
    }

    assertThat(inserted).isEqualTo(2 * capacity);
    assertThat(table.size()).isLessThanOrEqualTo(table.capacity());
    assertThat(table.evictions()).isEqualTo(inserted - table.size());
    assertThat(reportedTotals).isNotEmpty().isSorted();
    assertThat(reportedTotals.get(reportedTotals.size() - 1)).isEqualTo(table.evictions());
  }

  @Test
  void oldestIdsEvictedAcrossShards() {
    int capacity = 8 * ShardedIdTable.MIN_IDS_PER_SHARD;
    ShardedIdTable table = new ShardedIdTable(capacity, HOUR, T0, null);
    for (long i = 0; i < capacity; i++) {
      table.recordIfAbsent(mix(i), HOUR, T0 + i);
    }

    for (long i = capacity; i < capacity + capacity / 4; i++) {
      table.recordIfAbsent(mix(i), HOUR, T0 + i);
    }

    // The newest half of the first fill was never the oldest in any shard, so all of it is still tracked.
    long later = T0 + 2L * capacity;
    for (long i = capacity / 2; i < capacity; i++) {
      assertThat(table.recordIfAbsent(mix(i), HOUR, later)).as("id %d", i).isFalse();
    }
  }

  @Test
  void concurrentRecordsAcceptEachIdOnce() throws Exception {
    ShardedIdTable table = new ShardedIdTable(1_000_000, HOUR, T0, null);
    int threads = 4;
    int ids = 20_000;
    AtomicInteger accepted = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> runs = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        runs.add(pool.submit(() -> {
          start.await();
          for (long i = 0; i < ids; i++) {
            if (table.recordIfAbsent(mix(i), HOUR, T0)) {
              accepted.incrementAndGet();
            }
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> run : runs) {
        run.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(accepted.get()).isEqualTo(ids);
    assertThat(table.size()).isEqualTo(ids);
  }

  private static long mix(long i) {
    long z = i * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    return z ^ (z >>> 27);
  }
}
