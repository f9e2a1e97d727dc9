package io.ferrymq.broker.routing;

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
    int index = SubscriptionArrays.indexOf(members, subscription.subscriber());
    members = SubscriptionArrays.with(members, index, subscription);
    return index < 0;
  }

  boolean remove(Subscriber subscriber) {
    int index = SubscriptionArrays.indexOf(members, subscriber);
    if (index < 0) {
      return false;
    }
    members = SubscriptionArrays.without(members, index);
    return true;
  }
}
