package io.ferrymq.broker.routing;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The subscriptions of every session, as a tree with one node per topic level.
 *
 * <p>Matching runs on every publish, on any event loop, without locks: children live in concurrent
 * maps and each node's subscriptions in a copy-on-write array. Subscribe and unsubscribe are rare
 * next to publishes, so they take one tree-wide write lock, which also keeps pruning of empty nodes
 * from racing with a subscribe into the same node.
 */
public final class TopicTree {

  private final Node root = new Node(null, null);
  private final Object writeLock = new Object();

  /** Receives the matches of one topic. */
  public interface MatchVisitor {
    void onSubscription(Subscription subscription);

    void onSharedGroup(SharedGroup group);
  }

  /**
   * Adds {@code subscription}, replacing the subscriber's earlier subscription to the same filter.
   *
   * @return the subscription it replaced, or {@code null} when it is new
   */
  public Subscription subscribe(Subscription subscription) {
    synchronized (writeLock) {
      Node node = root;
      for (String level : Topics.levels(subscription.filter())) {
        node = node.children.computeIfAbsent(level, l -> new Node(l, null)).withParent(node);
      }
      if (subscription.isShared()) {
        SharedGroup group = node.shared.computeIfAbsent(subscription.shareName(),
            name -> new SharedGroup(name, subscription.filter()));
        Subscription previous = findMember(group, subscription.subscriber());
        group.put(subscription);
        return previous;
      }
      return node.put(subscription);
    }
  }

  /** Removes the subscriber's subscription to {@code filter}; returns whether one existed. */
  public boolean unsubscribe(Subscriber subscriber, String filter, String shareName) {
    synchronized (writeLock) {
      Node node = find(filter);
      if (node == null) {
        return false;
      }
      boolean removed;
      if (shareName != null) {
        SharedGroup group = node.shared.get(shareName);
        removed = group != null && group.remove(subscriber);
        if (group != null && group.isEmpty()) {
          node.shared.remove(shareName);
        }
      } else {
        removed = node.remove(subscriber);
      }
      prune(node);
      return removed;
    }
  }

  /** Returns the shared group for {@code shareName} and {@code filter}, or {@code null}. */
  public SharedGroup sharedGroup(String shareName, String filter) {
    Node node = find(filter);
    return node == null ? null : node.shared.get(shareName);
  }

  /** Calls {@code visitor} for every subscription and shared group whose filter matches {@code topic}. */
  public void match(String topic, MatchVisitor visitor) {
    String[] levels = Topics.levels(topic);
    boolean dollar = topic.startsWith("$");
    match(root, levels, 0, dollar, visitor);
  }

  private void match(Node node, String[] levels, int depth, boolean dollar, MatchVisitor visitor) {
    boolean wildcardsAllowed = !(dollar && depth == 0);
    if (wildcardsAllowed) {
      Node multi = node.children.get("#");
      if (multi != null) {
        multi.visit(visitor);
      }
    }
    if (depth == levels.length) {
      node.visit(visitor);
      return;
    }
    if (wildcardsAllowed) {
      Node single = node.children.get("+");
      if (single != null) {
        match(single, levels, depth + 1, dollar, visitor);
      }
    }
    Node exact = node.children.get(levels[depth]);
    if (exact != null) {
      match(exact, levels, depth + 1, dollar, visitor);
    }
  }

  private Node find(String filter) {
    Node node = root;
    for (String level : Topics.levels(filter)) {
      node = node.children.get(level);
      if (node == null) {
        return null;
      }
    }
    return node;
  }

  private void prune(Node node) {
    while (node != root && node.isEmpty()) {
      node.parent.children.remove(node.level, node);
      node = node.parent;
    }
  }

  private static Subscription findMember(SharedGroup group, Subscriber subscriber) {
    for (Subscription s : group.members()) {
      if (s.subscriber() == subscriber) {
        return s;
      }
    }
    return null;
  }

  private static final class Node {
    final String level;
    Node parent;
    final Map<String, Node> children = new ConcurrentHashMap<>(4);
    final Map<String, SharedGroup> shared = new ConcurrentHashMap<>(2);
    volatile Subscription[] subscriptions = new Subscription[0];

    Node(String level, Node parent) {
      this.level = level;
      this.parent = parent;
    }

    Node withParent(Node p) {
      if (parent == null) {
        parent = p;
      }
      return this;
    }

    void visit(MatchVisitor visitor) {
      for (Subscription s : subscriptions) {
        visitor.onSubscription(s);
      }
      if (!shared.isEmpty()) {
        for (SharedGroup group : shared.values()) {
          visitor.onSharedGroup(group);
        }
      }
    }

    Subscription put(Subscription subscription) {
      Subscription[] current = subscriptions;
      int index = SubscriptionArrays.indexOf(current, subscription.subscriber());
      subscriptions = SubscriptionArrays.with(current, index, subscription);
      return index < 0 ? null : current[index];
    }

    boolean remove(Subscriber subscriber) {
      int index = SubscriptionArrays.indexOf(subscriptions, subscriber);
      if (index < 0) {
        return false;
      }
      subscriptions = SubscriptionArrays.without(subscriptions, index);
      return true;
    }

    boolean isEmpty() {
      return subscriptions.length == 0 && shared.isEmpty() && children.isEmpty();
    }
  }
}
