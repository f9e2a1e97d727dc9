package io.ferrymq.spi.storage;

import io.ferrymq.spi.Message;

/**
 * A will whose Will Delay Interval had not run out when its session went offline.
 *
 * @param message the will message, published as its client would have published it
 * @param dueAtMillis wall-clock time at which the broker publishes it, in epoch milliseconds: the
 *     end of the Will Delay Interval or of the session, whichever comes first
 */
public record StoredWill(Message message, long dueAtMillis) {
}
