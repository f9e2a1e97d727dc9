package io.ferrymq.dedup.store;

/** An {@link IdStore} in memory only: every id is forgotten when the broker stops. */
public final class MemoryIdStore implements IdStore {

  private final ShardedIdTable table;

  public MemoryIdStore(ShardedIdTable table) {
    this.table = table;
  }

  @Override
  public boolean recordIfAbsent(long fingerprint, long windowMillis, long nowMillis) {
    return table.recordIfAbsent(fingerprint, windowMillis, nowMillis);
  }

  @Override
  public int size() {
    return table.size();
  }

  @Override
  public long evictions() {
    return table.evictions();
  }

  @Override
  public void close() {
  }
}
