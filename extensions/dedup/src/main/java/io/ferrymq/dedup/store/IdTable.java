package io.ferrymq.dedup.store;

import java.util.SplittableRandom;

/**
 * A bounded set of 64-bit message fingerprints, each with the time it was last recorded, for
 * duplicate checks inside a time window.
 *
 * <p>Layout: open addressing with linear probing over two parallel primitive arrays, a {@code long}
 * fingerprint and an {@code int} time per slot, so a slot costs 12 bytes and no object is allocated
 * per id. The slot count is {@code ceil(capacity / 0.8)}, not a power of two, so a full table costs
 * 12 / 0.8 = 15 bytes per tracked id plus two array headers. Fingerprint 0 marks an empty slot; a
 * real fingerprint of 0 is stored as 1.
 *
 * <p>False positives: fingerprints are compared in full, so two different ids collide only when their
 * 64-bit hashes are equal. With a uniform hash, one lookup against {@code n} stored ids is a false
 * duplicate with probability at most {@code n / 2^64}, and {@code n} never exceeds the capacity: about
 * 5.4e-14 per lookup at a capacity of one million ids.
 *
 * <p>Time is counted in ticks of 10 ms from a base set when the table is made, so a tick fits an
 * {@code int}; the table moves its base forward before ticks overflow. When the table is full, a
 * sweep first removes the ids older than the longest window, then, if that freed less than 1/64 of
 * the capacity, the oldest live ids until it has, and counts those as evictions. Age is compared at
 * the resolution of 1/1024 of the span between the oldest and newest id. A sweep makes up to four
 * passes over the slots and frees at least capacity/64 ids, so an insert into a table that stays full
 * costs about 4 x 1.25 x 64 = 320 slot reads, amortized.
 *
 * <p>A sweep holds the lock for its whole run, which took 60 to 270 ms for a single table of one
 * million ids on a loaded 2-core VM. {@link ShardedIdTable} therefore splits a large capacity into
 * shards of this class, so each sweep covers a small table.
 *
 * <p>Threading: every public method is {@code synchronized}, because event loops of different
 * publishers check ids at the same time.
 */
public final class IdTable {

  /** Milliseconds per tick of the stored times. */
  static final int TICK_MILLIS = 10;
  private static final double LOAD_FACTOR = 0.8;
  // Rebase when ticks pass 2^30 (about 124 days) so that the int never overflows.
  private static final int REBASE_AT_TICK = 1 << 30;
  private static final int HISTOGRAM_BUCKETS = 1024;

  private final long[] fingerprints;
  private final int[] ticks;
  private final int capacity;
  private final long maxWindowMillis;
  private final EvictionListener evictionListener;
  private long baseMillis;
  private int size;
  private long evictions;
  // Chooses which ids of the oldest bucket to evict; seeded so that a run is repeatable.
  private final SplittableRandom sampler = new SplittableRandom(0x5DEECE66DL);

  /** Receives the number of live ids that a sweep removed because the table was full. */
  public interface EvictionListener {
    void onEvicted(int evicted, long totalEvictions);
  }

  /**
   * Makes an empty table.
   *
   * @param capacity the maximum number of ids tracked at once
   * @param maxWindowMillis the longest window of any rule; older ids are removed first when the table fills
   * @param nowMillis the current time, which becomes the tick base
   */
  public IdTable(int capacity, long maxWindowMillis, long nowMillis, EvictionListener evictionListener) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
    }
    this.capacity = capacity;
    int slots = (int) Math.min(Integer.MAX_VALUE - 8, (long) Math.ceil(capacity / LOAD_FACTOR) + 1);
    this.fingerprints = new long[slots];
    this.ticks = new int[slots];
    this.maxWindowMillis = maxWindowMillis;
    this.baseMillis = nowMillis;
    this.evictionListener = evictionListener;
  }

  /**
   * Records {@code fingerprint} at {@code nowMillis} unless it was already recorded less than
   * {@code windowMillis} ago.
   *
   * @return true when the id is new or its earlier record is at least {@code windowMillis} old (the id
   *     is recorded now), false when it is a duplicate inside the window (nothing changes)
   */
  public synchronized boolean recordIfAbsent(long fingerprint, long windowMillis, long nowMillis) {
    long key = fingerprint == 0 ? 1 : fingerprint;
    int now = tick(nowMillis);
    int slot = find(key);
    if (slot >= 0) {
      if ((long) (now - ticks[slot]) * TICK_MILLIS < windowMillis) {
        return false;
      }
      ticks[slot] = now;
      return true;
    }
    insert(key, now);
    return true;
  }

  /**
   * Records {@code fingerprint} as seen at {@code recordedAtMillis}, keeping the later time when it is
   * already present; for loading a persistent store.
   */
  public synchronized void load(long fingerprint, long recordedAtMillis, long nowMillis) {
    long key = fingerprint == 0 ? 1 : fingerprint;
    int now = tick(nowMillis);
    int recorded = (int) Math.max(Integer.MIN_VALUE, Math.min(now, Math.floorDiv(recordedAtMillis - baseMillis, TICK_MILLIS)));
    int slot = find(key);
    if (slot >= 0) {
      ticks[slot] = Math.max(ticks[slot], recorded);
      return;
    }
    insert(key, recorded);
  }

  public synchronized int size() {
    return size;
  }

  public int capacity() {
    return capacity;
  }

  /** Returns the number of slots, {@code ceil(capacity / 0.8) + 1}. */
  public int slots() {
    return fingerprints.length;
  }

  /** Live ids removed so far because the table was full. */
  public synchronized long evictions() {
    return evictions;
  }

  private int tick(long nowMillis) {
    long tick = Math.floorDiv(nowMillis - baseMillis, TICK_MILLIS);
    if (tick >= REBASE_AT_TICK) {
      rebase(nowMillis);
      tick = Math.floorDiv(nowMillis - baseMillis, TICK_MILLIS);
    }
    return (int) tick;
  }

  /** Moves the base to {@code nowMillis} minus the longest window and shifts every stored tick to match. */
  private void rebase(long nowMillis) {
    long newBase = nowMillis - maxWindowMillis - TICK_MILLIS;
    long shift = Math.floorDiv(newBase - baseMillis, TICK_MILLIS);
    for (int i = 0; i < fingerprints.length; i++) {
      if (fingerprints[i] != 0) {
        ticks[i] = (int) Math.max(Integer.MIN_VALUE, ticks[i] - shift);
      }
    }
    baseMillis += shift * TICK_MILLIS;
  }

  private int home(long key) {
    // Multiply-shift maps the upper 32 bits onto [0, slots) without a power-of-two table size.
    return (int) (((key >>> 32) * fingerprints.length) >>> 32);
  }

  private int next(int slot) {
    return slot + 1 == fingerprints.length ? 0 : slot + 1;
  }

  private int find(long key) {
    for (int slot = home(key); fingerprints[slot] != 0; slot = next(slot)) {
      if (fingerprints[slot] == key) {
        return slot;
      }
    }
    return -1;
  }

  private void insert(long key, int tick) {
    if (size >= capacity) {
      makeRoom(tick);
    }
    int slot = home(key);
    while (fingerprints[slot] != 0) {
      slot = next(slot);
    }
    fingerprints[slot] = key;
    ticks[slot] = tick;
    size++;
  }

  /** Removes expired ids and, if that frees too little, the oldest live ones. */
  private void makeRoom(int now) {
    int expiredBefore = now - (int) Math.min(Integer.MAX_VALUE, maxWindowMillis / TICK_MILLIS);
    int target = Math.max(1, capacity / 64);
    removeOlderThan(expiredBefore);
    if (capacity - size >= target) {
      return;
    }
    int before = size;
    removeOldest(target - (capacity - size));
    int evicted = before - size;
    evictions += evicted;
    if (evictionListener != null) {
      evictionListener.onEvicted(evicted, evictions);
    }
  }

  /**
   * Removes {@code count} ids, oldest first at the resolution of a histogram bucket: every id older
   * than the bucket where the count is reached, then a sample of that bucket's ids, spread over the
   * table, until the count is met. A burst recorded within one tick thus loses only {@code count}
   * ids, not all of them.
   */
  private void removeOldest(int count) {
    int min = Integer.MAX_VALUE;
    int max = Integer.MIN_VALUE;
    for (int i = 0; i < fingerprints.length; i++) {
      if (fingerprints[i] != 0) {
        min = Math.min(min, ticks[i]);
        max = Math.max(max, ticks[i]);
      }
    }

    long width = Math.max(1, ((long) max - min + HISTOGRAM_BUCKETS) / HISTOGRAM_BUCKETS);
    int[] histogram = new int[HISTOGRAM_BUCKETS];
    for (int i = 0; i < fingerprints.length; i++) {
      if (fingerprints[i] != 0) {
        histogram[(int) (((long) ticks[i] - min) / width)]++;
      }
    }
    int bucket = 0;
    int older = 0;
    while (bucket < HISTOGRAM_BUCKETS - 1 && older + histogram[bucket] < count) {
      older += histogram[bucket];
      bucket++;
    }
    int bucketStart = (int) (min + bucket * width);
    int bucketEnd = (int) Math.min(max, bucketStart + width - 1);

    removeOlderThan(bucketStart);
    // Within the bucket, each id is removed with probability remaining / candidates, so the freed slots
    // spread over the whole table. Freeing one region only would leave the rest overfull, and linear
    // probing runs there would grow without bound. A pass may fall short by chance; the next one
    // samples again with the updated odds.
    int remaining = count - older;
    int candidates = histogram[bucket];
    for (int pass = 0; pass < 8 && remaining > 0 && candidates > 0; pass++) {
      double odds = (double) remaining / candidates;
      for (int i = 0; i < fingerprints.length && remaining > 0; i++) {
        while (remaining > 0 && fingerprints[i] != 0 && ticks[i] <= bucketEnd && sampler.nextDouble() < odds) {
          removeAt(i);
          remaining--;
          candidates--;
        }
      }
    }
    // The sample can fall a few ids short of the count; take those from wherever the scan finds them.
    for (int i = 0; i < fingerprints.length && remaining > 0; i++) {
      while (remaining > 0 && fingerprints[i] != 0 && ticks[i] <= bucketEnd) {
        removeAt(i);
        remaining--;
      }
    }
  }

  /** Removes every id whose tick is below {@code tick}. */
  private void removeOlderThan(int tick) {
    for (int i = 0; i < fingerprints.length; i++) {
      // A removal shifts a later entry into slot i, so slot i is checked again before moving on.
      while (fingerprints[i] != 0 && ticks[i] < tick) {
        removeAt(i);
      }
    }
  }

  /**
   * Empties {@code slot} and shifts later entries of its probe run back, so that every remaining
   * entry stays reachable from its home slot without crossing an empty one. Entries only move to
   * earlier slots of the run, so {@link #removeOlderThan} never skips an entry it has not checked.
   */
  private void removeAt(int slot) {
    int gap = slot;
    int scan = next(gap);
    while (fingerprints[scan] != 0) {
      int home = home(fingerprints[scan]);
      if (!isCyclicallyWithin(home, gap, scan)) {
        fingerprints[gap] = fingerprints[scan];
        ticks[gap] = ticks[scan];
        gap = scan;
      }
      scan = next(scan);
    }
    fingerprints[gap] = 0;
    ticks[gap] = 0;
    size--;
  }

  /** Whether {@code home} lies in the cyclic range {@code (gap, scan]}, where the entry must stay. */
  private static boolean isCyclicallyWithin(int home, int gap, int scan) {
    if (gap <= scan) {
      return home > gap && home <= scan;
    }
    return home > gap || home <= scan;
  }
}
