package io.ferrymq.broker.routing;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The members of one shared subscription {@code $share/{name}/{filter}}. Each message goes to one
 * member, round robin over the members that are online; when none is online it goes to a
 * persistent member's queue.
 *
 * <p>Members are a copy-on-write array written under the tree's write lock and read without locks.
 */
public final class SharedGroup {

  private final String shareName;
  private final String filter;
  private volatile Subscription[] members = new Subscription[0];
  private final AtomicInteger next = new AtomicInteger();

  SharedGroup(String shareName, String filter) {
    this.shareName = shareName;
    this.filter = filter;
  }

  public String shareName() {
    return shareName;
  }

  public String filter() {
    return filter;
  }

  public Subscription[] members() {
    return members;
  }

  /**
   * Chooses the member for one message, skipping {@code except} (a member that is leaving), or
   * returns {@code null} when no member is left.
   */
  public Subscription pick(Subscriber except) {
    Subscription[] current = members;
    int n = current.length;
    if (n == 0) {
      return null;
    }
    int start = Math.floorMod(next.getAndIncrement(), n);
    Subscription fallback = null;
    for (int i = 0; i < n; i++) {
      Subscription candidate = current[(start + i) % n];
      if (candidate.subscriber() == except) {
        continue;
      }
      if (candidate.subscriber().isOnline()) {
        return candidate;
      }
      if (fallback == null) {
        fallback = candidate;
      }
    }
    return fallback;
  }

  boolean isEmpty() {
    return members.length == 0;
  }

  /** Adds or replaces the member's subscription; returns whether it is new. */
  boolean put(Subscription subscription) {
    Subscription[] current = members;
    for (int i = 0; i < current.length; i++) {
      if (current[i].subscriber() == subscription.subscriber()) {
        Subscription[] copy = current.clone();
        copy[i] = subscription;
        members = copy;
        return false;
      }
    }
    Subscription[] grown = Arrays.copyOf(current, current.length + 1);
    grown[current.length] = subscription;
    members = grown;
    return true;
  }

  boolean remove(Subscriber subscriber) {
    Subscription[] current = members;
    for (int i = 0; i < current.length; i++) {
      if (current[i].subscriber() == subscriber) {
        Subscription[] shrunk = new Subscription[current.length - 1];
        System.arraycopy(current, 0, shrunk, 0, i);
        System.arraycopy(current, i + 1, shrunk, i, current.length - i - 1);
        members = shrunk;
        return true;
      }
    }
    return false;
  }
}
