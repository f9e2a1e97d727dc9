package io.ferrymq.bench.load;

import java.util.BitSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The record of every delivery to the subscriber of one phase, per publisher and sequence number, so
 * a run can count lost and duplicated messages.
 *
 * <p>The subscriber's event loop is the only writer. Other threads read the counters, which are
 * atomics, and read the bit sets only after the counters show that the subscriber is done.
 */
final class DeliveryLedger {

  private final BitSet[] seen;
  private final AtomicLongArray uniqueByPublisher;
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong duplicates = new AtomicLong();
  private final AtomicLong reordered = new AtomicLong();
  /** Per publisher, the highest sequence number that arrived so far, or -1; only the subscriber's loop touches it. */
  private final long[] highest;

  DeliveryLedger(int publishers) {
    seen = new BitSet[publishers];
    for (int i = 0; i < publishers; i++) {
      seen[i] = new BitSet();
    }
    uniqueByPublisher = new AtomicLongArray(publishers);
    highest = new long[publishers];
    java.util.Arrays.fill(highest, -1);
  }

  /**
   * Records one delivery; returns whether it was the first of that message. A first delivery whose
   * sequence number is below one that already arrived from the same publisher counts as reordered.
   */
  boolean record(int publisher, long sequence) {
    received.incrementAndGet();
    BitSet bits = seen[publisher];
    int index = Math.toIntExact(sequence);
    if (bits.get(index)) {
      duplicates.incrementAndGet();
      return false;
    }
    bits.set(index);
    if (sequence < highest[publisher]) {
      reordered.incrementAndGet();
    } else {
      highest[publisher] = sequence;
    }
    uniqueByPublisher.incrementAndGet(publisher);
    return true;
  }

  /** Distinct messages from {@code publisher} received so far. */
  long unique(int publisher) {
    return uniqueByPublisher.get(publisher);
  }

  /** Deliveries so far, duplicates included. */
  long received() {
    return received.get();
  }

  long duplicates() {
    return duplicates.get();
  }

  /** First deliveries that arrived after a later message of the same publisher. */
  long reordered() {
    return reordered.get();
  }

  /** Distinct messages received so far, over all publishers. */
  long uniqueTotal() {
    long total = 0;
    for (int i = 0; i < uniqueByPublisher.length(); i++) {
      total += uniqueByPublisher.get(i);
    }
    return total;
  }

  /**
   * Describes the first {@code limit} runs of sequence numbers below {@code sent} that never arrived
   * from {@code publisher}, such as {@code 1200-1299,4000}; empty when none is missing. Read it only
   * after the subscriber is done.
   */
  String missingRanges(int publisher, long sent, int limit) {
    BitSet bits = seen[publisher];
    StringBuilder out = new StringBuilder();
    int runs = 0;
    int from = bits.nextClearBit(0);
    while (from < sent && runs < limit) {
      int to = (int) Math.min(sent, bits.nextSetBit(from) < 0 ? sent : bits.nextSetBit(from));
      out.append(out.length() == 0 ? "" : ",").append(from).append(to - 1 > from ? "-" + (to - 1) : "");
      runs++;
      from = bits.nextClearBit(to);
    }
    return out.toString();
  }

  /** Returns how many of the first {@code sent} messages of {@code publisher} never arrived. */
  long lost(int publisher, long sent) {
    return sent - unique(publisher);
  }
}
