package io.ferrymq.broker.routing;

import java.util.Arrays;

/**
 * Copy-on-write steps on the subscription arrays of tree nodes and shared groups: writers build a new
 * array under the tree's write lock and publish it through a volatile field, so readers never lock.
 */
final class SubscriptionArrays {

  private SubscriptionArrays() {
  }

  /** Returns the index of {@code subscriber}'s subscription, or -1. */
  static int indexOf(Subscription[] array, Subscriber subscriber) {
    for (int i = 0; i < array.length; i++) {
      if (array[i].subscriber() == subscriber) {
        return i;
      }
    }
    return -1;
  }

  /** Returns a copy with {@code subscription} at {@code index}, or appended when the index is -1. */
  static Subscription[] with(Subscription[] array, int index, Subscription subscription) {
    if (index >= 0) {
      Subscription[] copy = array.clone();
      copy[index] = subscription;
      return copy;
    }
    Subscription[] grown = Arrays.copyOf(array, array.length + 1);
    grown[array.length] = subscription;
    return grown;
  }

  /** Returns a copy without the element at {@code index}. */
  static Subscription[] without(Subscription[] array, int index) {
    Subscription[] shrunk = new Subscription[array.length - 1];
    System.arraycopy(array, 0, shrunk, 0, index);
    System.arraycopy(array, index + 1, shrunk, index, array.length - index - 1);
    return shrunk;
  }
}
