package io.ferrymq.dedup.store;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded fingerprint set split into independent {@link IdTable} shards, so that a sweep of a full
 * shard locks only the ids that hash to it.
 *
 * <p>A single table of one million ids held its lock for 60 to 270 ms per sweep, and every publisher on
 * every event loop waited that long. With 64 shards of about 15,600 ids, a sweep reads 1/64 of the slots
 * and blocks only the lookups that land on the same shard. Two event loops contend only when they look
 * up ids of the same shard at the same instant.
 *
 * <p>The shard is chosen by the low bits of the fingerprint, and {@link IdTable} places an id by its high
 * bits, so the two choices are independent. The shard count is a power of two, at most 64, with at least
 * {@value #MIN_IDS_PER_SHARD} ids per shard, so a small table is a single shard that behaves exactly like
 * {@link IdTable}. Each shard evicts its own oldest ids when full. Because fingerprints spread uniformly
 * over the shards, this is oldest-first across the whole table within the spread of the shards' fill
 * levels.
 *
 * <p>Shard capacity: with {@code n} ids spread over {@code k} shards, a shard's count is binomial with
 * mean {@code m = n / k} and standard deviation about {@code sqrt(m)}. Each shard therefore has room
 * for {@code m + 5 * sqrt(m)} ids. A table of {@code capacity} ids then evicts nothing before it tracks
 * {@code capacity} ids, unless one shard is five standard deviations above its mean (a chance of about
 * 2e-5 for 64 shards). The headroom costs 4 % more memory at one million ids (64 shards of 15,625 + 625).
 *
 * <p>Threading: safe for concurrent use. Each shard has its own lock and the eviction total is atomic.
 */
public final class ShardedIdTable {

  static final int MAX_SHARDS = 64;
  static final int MIN_IDS_PER_SHARD = 4096;

  private final IdTable[] shards;
  private final int mask;
  private final int capacity;
  private final AtomicLong evictions = new AtomicLong();

  /**
   * Makes an empty table.
   *
   * @param capacity the maximum number of ids tracked at once, spread over the shards
   * @param maxWindowMillis the longest window of any rule; older ids are removed first when a shard fills
   * @param nowMillis the current time, which becomes each shard's tick base
   * @param evictionListener receives each sweep's evictions with the total over all shards, or null
   */
  public ShardedIdTable(int capacity, long maxWindowMillis, long nowMillis,
      IdTable.EvictionListener evictionListener) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
    }
    int count = shardCount(capacity);
    int perShard = shardCapacity(capacity, count);
    EvictionTotals totals = new EvictionTotals(evictions, evictionListener);
    this.shards = new IdTable[count];
    for (int i = 0; i < count; i++) {
      shards[i] = new IdTable(perShard, maxWindowMillis, nowMillis, totals);
    }
    this.mask = count - 1;
    this.capacity = perShard * count;
  }

  /** Returns the number of shards for {@code capacity}: a power of two from 1 to 64. */
  static int shardCount(int capacity) {
    int byCapacity = Integer.highestOneBit(Math.max(1, capacity / MIN_IDS_PER_SHARD));
    return Math.min(MAX_SHARDS, byCapacity);
  }

  /** Returns the room of one of {@code shards} shards in a table of {@code capacity} ids, with headroom. */
  static int shardCapacity(int capacity, int shards) {
    if (shards == 1) {
      return capacity;
    }
    double mean = Math.ceil((double) capacity / shards);
    return (int) Math.min(Integer.MAX_VALUE / 2, Math.ceil(mean + 5 * Math.sqrt(mean)));
  }

  /** Records {@code fingerprint} in its shard, as {@link IdTable#recordIfAbsent} does. */
  public boolean recordIfAbsent(long fingerprint, long windowMillis, long nowMillis) {
    return shardOf(fingerprint).recordIfAbsent(fingerprint, windowMillis, nowMillis);
  }

  /** Loads {@code fingerprint} into its shard, as {@link IdTable#load} does. */
  public void load(long fingerprint, long recordedAtMillis, long nowMillis) {
    shardOf(fingerprint).load(fingerprint, recordedAtMillis, nowMillis);
  }

  /** Returns the number of ids tracked now, summed over the shards without a common lock. */
  public int size() {
    int total = 0;
    for (IdTable shard : shards) {
      total += shard.size();
    }
    return total;
  }

  /** Returns the number of ids the shards can hold together, which includes their headroom. */
  public int capacity() {
    return capacity;
  }

  /** Returns the number of slots over all shards. */
  public long slots() {
    long total = 0;
    for (IdTable shard : shards) {
      total += shard.slots();
    }
    return total;
  }

  public int shards() {
    return shards.length;
  }

  /** Live ids removed so far because a shard was full. */
  public long evictions() {
    return evictions.get();
  }

  private IdTable shardOf(long fingerprint) {
    return shards[(int) fingerprint & mask];
  }

  /**
   * Adds a shard's evictions to the table's total and passes them on with that total. A named class
   * rather than a lambda or a record, so that heap tools such as JOL 0.17 can walk the table.
   */
  private static final class EvictionTotals implements IdTable.EvictionListener {
    private final AtomicLong total;
    private final IdTable.EvictionListener next;

    EvictionTotals(AtomicLong total, IdTable.EvictionListener next) {
      this.total = total;
      this.next = next;
    }

    @Override
    public void onEvicted(int evicted, long shardTotal) {
      long sum = total.addAndGet(evicted);
      if (next != null) {
        next.onEvicted(evicted, sum);
      }
    }
  }
}
