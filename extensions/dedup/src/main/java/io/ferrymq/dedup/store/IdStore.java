package io.ferrymq.dedup.store;

/**
 * Where the extension records the fingerprints of messages it has let through.
 *
 * <p>Threading: {@link #recordIfAbsent} is called from several event loops at once and never blocks
 * on disk.
 */
public interface IdStore extends AutoCloseable {

  /**
   * Records {@code fingerprint} unless it was recorded less than {@code windowMillis} before
   * {@code nowMillis}.
   *
   * @return true when the message is new (and now recorded), false when it is a duplicate
   */
  boolean recordIfAbsent(long fingerprint, long windowMillis, long nowMillis);

  /** The number of ids tracked now. */
  int size();

  /** Live ids removed so far because the store was full. */
  long evictions();

  /** Writes out what is pending and releases files; the store is unusable afterwards. */
  @Override
  void close();
}
